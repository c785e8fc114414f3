/**
 * A minimal Parquet writer for test fixtures (no writer library is installed): one row group, two
 * REQUIRED columns `text` (BYTE_ARRAY, UTF8) and `label` (INT64), PLAIN encoding, uncompressed,
 * one data page per column; metadata in Thrift compact protocol.
 */

/** Thrift compact-protocol encoder (just what Parquet metadata needs). */
class Compact {
  private readonly bytes: number[] = [];
  private last: number[] = [0];
  private varint(n: bigint): void {
    let v = n;
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }
  private zigzag(n: number | bigint): void {
    const v = BigInt(n);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  private header(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1];
    this.bytes.push((delta << 4) | type);
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number): this {
    this.header(id, 5);
    this.zigzag(v);
    return this;
  }
  i64(id: number, v: number): this {
    this.header(id, 6);
    this.zigzag(v);
    return this;
  }
  str(id: number, s: string): this {
    this.header(id, 8);
    const b = Buffer.from(s, "utf8");
    this.varint(BigInt(b.length));
    this.bytes.push(...b);
    return this;
  }
  /** A list field of i32 (type 5), binary (8) or structs (12, each written by `items`). */
  list(id: number, elemType: number, n: number, items: (i: number) => void): this {
    this.header(id, 9);
    this.bytes.push((n << 4) | elemType);
    for (let i = 0; i < n; i++) items(i);
    return this;
  }
  listI32(id: number, vs: number[]): this {
    return this.list(id, 5, vs.length, (i) => this.zigzag(vs[i]));
  }
  listStr(id: number, vs: string[]): this {
    return this.list(id, 8, vs.length, (i) => {
      const b = Buffer.from(vs[i], "utf8");
      this.varint(BigInt(b.length));
      this.bytes.push(...b);
    });
  }
  /** A struct: as a field (`id`) or, with id undefined, as a list element. */
  struct(id: number | undefined, body: () => void): this {
    if (id !== undefined) this.header(id, 12);
    this.last.push(0);
    body();
    this.bytes.push(0);
    this.last.pop();
    return this;
  }
  /** The top-level struct's bytes, with its stop byte. */
  out(): Buffer {
    return Buffer.from([...this.bytes, 0]);
  }
}

/** A DATA_PAGE header (PLAIN values, RLE levels — none for REQUIRED columns) followed by the values. */
function page(values: Buffer, n: number): Buffer {
  const hdr = new Compact();
  hdr
    .i32(1, 0)
    .i32(2, values.length)
    .i32(3, values.length)
    .struct(5, () => {
      hdr.i32(1, n).i32(2, 0).i32(3, 3).i32(4, 3);
    });
  return Buffer.concat([hdr.out(), values]);
}

/** Parquet bytes holding the given rows. */
export function writeParquet(rows: readonly { text: string; label: number }[]): Buffer {
  const textVals = Buffer.concat(
    rows.map((r) => {
      const b = Buffer.from(r.text, "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      return Buffer.concat([len, b]);
    }),
  );
  const labelVals = Buffer.alloc(8 * rows.length);
  rows.forEach((r, i) => {
    labelVals.writeBigInt64LE(BigInt(r.label), 8 * i);
  });
  const magic = Buffer.from("PAR1");
  const textPage = page(textVals, rows.length);
  const labelPage = page(labelVals, rows.length);
  const textOffset = magic.length;
  const labelOffset = textOffset + textPage.length;
  const cols = [
    { name: "text", type: 6, offset: textOffset, size: textPage.length },
    { name: "label", type: 2, offset: labelOffset, size: labelPage.length },
  ];
  const meta = new Compact();
  meta
    .i32(1, 1)
    .list(2, 12, 3, (i) =>
      meta.struct(undefined, () => {
        if (i === 0) meta.str(4, "schema").i32(5, 2);
        else {
          const c = cols[i - 1];
          meta.i32(1, c.type).i32(3, 0).str(4, c.name);
          if (c.type === 6) meta.i32(6, 0); // UTF8
        }
      }),
    )
    .i64(3, rows.length)
    .list(4, 12, 1, () =>
      meta.struct(undefined, () => {
        meta
          .list(1, 12, cols.length, (i) =>
            meta.struct(undefined, () => {
              const c = cols[i];
              meta.i64(2, c.offset).struct(3, () => {
                meta
                  .i32(1, c.type)
                  .listI32(2, [0])
                  .listStr(3, [c.name])
                  .i32(4, 0)
                  .i64(5, rows.length)
                  .i64(6, c.size)
                  .i64(7, c.size)
                  .i64(9, c.offset);
              });
            }),
          )
          .i64(2, textPage.length + labelPage.length)
          .i64(3, rows.length);
      }),
    );
  const metaBytes = meta.out();
  const len = Buffer.alloc(4);
  len.writeUInt32LE(metaBytes.length);
  return Buffer.concat([magic, textPage, labelPage, metaBytes, len, magic]);
}
