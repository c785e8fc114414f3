/**
 * A restricted unpickler for PyTorch state dicts. It interprets pickle opcodes itself and never runs
 * code: the only globals it knows are those a state dict needs (`collections.OrderedDict`, tensor
 * rebuilders in `torch._utils`, and `torch.*Storage` types); any other global, opcode or call is an
 * error that names it. Persistent ids (`('storage', type, key, location, numel)`) become storage
 * references; `_rebuild_tensor_v2(storage, offset, size, stride, …)` becomes a tensor reference.
 */

/** A `torch.*Storage` type the reader can decode, with its element size. */
export const STORAGE_TYPES = {
  FloatStorage: { dtype: "F32", bytes: 4 },
  HalfStorage: { dtype: "F16", bytes: 2 },
  BFloat16Storage: { dtype: "BF16", bytes: 2 },
  DoubleStorage: { dtype: "F64", bytes: 8 },
  LongStorage: { dtype: "I64", bytes: 8 },
  IntStorage: { dtype: "I32", bytes: 4 },
} as const;

/** Name of a supported storage type. */
export type StorageTypeName = keyof typeof STORAGE_TYPES;

/** A storage named by a persistent id: member `data/<key>` of the archive. */
export interface StorageRef {
  /** Discriminant. */
  kind: "storage";
  /** Storage type. */
  type: StorageTypeName;
  /** Archive member key. */
  key: string;
  /** Elements in the storage (elements). */
  numel: number;
}

/** A tensor: a strided view into a storage. */
export interface TensorRef {
  /** Discriminant. */
  kind: "tensor";
  /** Its storage. */
  storage: StorageRef;
  /** First element in the storage (elements). */
  offset: number;
  /** Shape (elements per axis). */
  shape: number[];
  /** Strides (elements). */
  stride: number[];
}

/** A pickled value as this reader represents it. */
type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Value[]
  | Tuple
  | Map<Value, Value>
  | Global
  | StorageRef
  | TensorRef
  | Mark;

class Tuple {
  constructor(readonly items: Value[]) {}
}
class Global {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}
class Mark {}
const MARK = new Mark();

/** The globals a state dict needs: `module.name` → what REDUCE with it builds. */
const ALLOWED_CALLS = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
]);

function isAllowedGlobal(module: string, name: string): boolean {
  return ALLOWED_CALLS.has(`${module}.${name}`) || (module === "torch" && Object.hasOwn(STORAGE_TYPES, name));
}

function intList(v: Value, what: string, file: string): number[] {
  if (!(v instanceof Tuple) || !v.items.every((x) => typeof x === "number"))
    throw new Error(`${file}: ${what} must be a tuple of integers`);
  return v.items as number[];
}

/**
 * Unpickle `data` (the bytes of `data.pkl`); `file` names it in errors. Returns the root value, which
 * for a state dict is a Map from tensor name to TensorRef.
 */
export function unpickleStateDict(data: Uint8Array, file: string): Map<string, TensorRef> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg}; refusing to load it (nothing was executed)`);
  };
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > buf.length) fail("pickle data is truncated");
  };
  /** Advance past `n` bytes and return where they start. */
  const take = (n: number): number => {
    need(n);
    pos += n;
    return pos - n;
  };
  const u8 = () => buf[take(1)];
  const u16 = () => buf.readUInt16LE(take(2));
  const u32 = () => buf.readUInt32LE(take(4));
  const bytes = (n: number) => {
    const at = take(n);
    return buf.subarray(at, at + n);
  };
  const line = () => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) fail("pickle data is truncated");
    const s = buf.subarray(pos, end).toString("utf8");
    pos = end + 1;
    return s;
  };
  const pop = (): Value => (stack.length === 0 ? fail("pickle stack underflow") : (stack.pop() as Value));
  const popMark = (): Value[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail("pickle MARK missing");
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const global = (module: string, name: string): Global => {
    if (!isAllowedGlobal(module, name))
      fail(`pickle refers to global '${module}.${name}', which a state dict does not need`);
    return new Global(module, name);
  };
  const reduce = (fn: Value, args: Value): Value => {
    if (!(fn instanceof Global)) return fail("pickle REDUCE of a non-global");
    if (!(args instanceof Tuple)) return fail("pickle REDUCE without an argument tuple");
    const full = `${fn.module}.${fn.name}`;
    if (full === "collections.OrderedDict") {
      if (args.items.length !== 0) fail("OrderedDict called with arguments");
      return new Map<Value, Value>();
    }
    if (full === "torch._utils._rebuild_parameter") {
      const t = args.items[0];
      if (!(t && typeof t === "object" && "kind" in t && t.kind === "tensor"))
        fail("_rebuild_parameter of a non-tensor");
      return t;
    }
    if (full === "torch._utils._rebuild_tensor_v2") {
      const [storage, offset, size, stride] = args.items;
      if (!(storage && typeof storage === "object" && "kind" in storage && storage.kind === "storage"))
        return fail("_rebuild_tensor_v2 without a storage");
      if (typeof offset !== "number") return fail("_rebuild_tensor_v2 storage offset is not an integer");
      return {
        kind: "tensor",
        storage,
        offset,
        shape: intList(size, "tensor size", file),
        stride: intList(stride, "tensor stride", file),
      } satisfies TensorRef;
    }
    return fail(`pickle calls '${full}', which is not a constructor`);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("unsupported pickle protocol");
        break;
      case 0x95: // FRAME
        bytes(8);
        break;
      case 0x2e: {
        // STOP
        const root = pop();
        if (!(root instanceof Map)) return fail("the pickle's root is not a dict (not a state dict)");
        const out = new Map<string, TensorRef>();
        for (const [k, v] of root) {
          if (typeof k !== "string") fail("a state dict key is not a string");
          const t = v as TensorRef;
          if (!(t && typeof t === "object" && "kind" in t && t.kind === "tensor"))
            fail(`state dict entry '${String(k)}' is not a tensor`);
          out.set(k as string, t);
        }
        return out;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL of non-strings");
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new Tuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new Tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new Tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new Tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new Tuple([pop(), b, c]));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(buf.readInt32LE(take(4)));
        break;
      case 0x8a: {
        // LONG1
        const n = u8();
        const b = bytes(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v,
        );
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        stack.push(buf.readDoubleBE(take(8)));
        break;
      case 0x58: // BINUNICODE
        stack.push(bytes(u32()).toString("utf8"));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(bytes(u8()).toString("utf8"));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(bytes(u8()).toString("latin1"));
        break;
      case 0x54: // BINSTRING
        stack.push(bytes(u32()).toString("latin1"));
        break;
      case 0x71: // BINPUT
        memo.set(u8(), stack[stack.length - 1]);
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), stack[stack.length - 1]);
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack[stack.length - 1]);
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`pickle memo ${k} is unset`);
        stack.push(memo.get(k) as Value);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!(pid instanceof Tuple) || pid.items[0] !== "storage" || pid.items.length !== 5)
          return fail("persistent id is not a ('storage', type, key, location, numel) tuple");
        const [, type, key, , numel] = pid.items;
        if (!(type instanceof Global) || type.module !== "torch" || !Object.hasOwn(STORAGE_TYPES, type.name))
          return fail("persistent id names no supported torch storage type");
        if (typeof key !== "string" || typeof numel !== "number")
          return fail("persistent id key/numel malformed");
        stack.push({ kind: "storage", type: type.name as StorageTypeName, key, numel } satisfies StorageRef);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD: only OrderedDict state (`_metadata`) is accepted, and ignored
        pop();
        const obj = stack[stack.length - 1];
        if (!(obj instanceof Map)) fail("pickle BUILD on something other than a dict");
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        const d = stack[stack.length - 1];
        if (!(d instanceof Map)) return fail("SETITEM on a non-dict");
        d.set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = stack[stack.length - 1];
        if (!(d instanceof Map) || items.length % 2 !== 0) return fail("SETITEMS on a non-dict");
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const l = stack[stack.length - 1];
        if (!Array.isArray(l)) return fail("APPEND on a non-list");
        l.push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const l = stack[stack.length - 1];
        if (!Array.isArray(l)) return fail("APPENDS on a non-list");
        l.push(...items);
        break;
      }
      default:
        fail(
          `pickle opcode 0x${op.toString(16).padStart(2, "0")} ('${String.fromCharCode(op)}') is not allowed in a state dict`,
        );
    }
  }
}
