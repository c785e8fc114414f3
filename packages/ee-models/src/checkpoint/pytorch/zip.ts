/**
 * A minimal read-only ZIP reader for PyTorch checkpoints: the central directory (ZIP64 included) is
 * parsed; only stored (uncompressed) entries can be read, with positioned reads of any byte range, so
 * a multi-gigabyte archive is never held in memory. Every structural problem is an error naming the file.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** One stored member of the archive. */
export interface ZipEntry {
  /** Member name, e.g. `archive/data.pkl`. */
  name: string;
  /** Absolute file position of the member's data (bytes). */
  dataOffset: number;
  /** Size of the member's data (bytes). */
  size: number;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CDIR_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

/** An open archive. */
export class ZipArchive {
  readonly path: string;
  private fd: number | undefined;
  private readonly size: number;
  private readonly entries = new Map<string, ZipEntry>();

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, "r");
    try {
      this.size = fstatSync(this.fd).size;
      this.readDirectory();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private fail(what: string): never {
    throw new Error(`${this.path}: not a readable PyTorch zip checkpoint: ${what}`);
  }

  /** Bytes `[pos, pos + n)` of the file; an error when the file ends first. */
  readAt(pos: number, n: number): Buffer {
    if (this.fd === undefined) this.fail("archive is closed");
    if (pos < 0 || pos + n > this.size)
      this.fail(`truncated (needs bytes ${pos}..${pos + n}, file has ${this.size})`);
    const buf = Buffer.alloc(n);
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd as number, buf, done, Math.min(n - done, 1 << 30), pos + done);
      if (got === 0) this.fail("file ended while reading");
      done += got;
    }
    return buf;
  }

  private readDirectory(): void {
    if (this.size < 22) this.fail(`file is ${this.size} bytes, too short for a zip archive`);
    const tailLen = Math.min(this.size, 22 + 0xffff);
    const tail = this.readAt(this.size - tailLen, tailLen);
    let at = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        at = i;
        break;
      }
    }
    if (at < 0) this.fail("no end-of-central-directory record (truncated or not a zip file)");
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    const eocdPos = this.size - tailLen + at;
    if (cdOffset === 0xffffffff || count === 0xffff || cdSize === 0xffffffff) {
      if (eocdPos < 20) this.fail("ZIP64 locator missing");
      const loc = this.readAt(eocdPos - 20, 20);
      if (loc.readUInt32LE(0) !== EOCD64_LOCATOR_SIG) this.fail("ZIP64 locator missing");
      const rec = this.readAt(Number(loc.readBigUInt64LE(8)), 56);
      if (rec.readUInt32LE(0) !== EOCD64_SIG) this.fail("ZIP64 end record missing");
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    const cd = this.readAt(cdOffset, cdSize);
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDIR_SIG) this.fail("central directory is corrupt");
      const method = cd.readUInt16LE(p + 10);
      let compSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localOffset = cd.readUInt32LE(p + 42);
      const name = cd.subarray(p + 46, p + 46 + nameLen).toString("utf8");
      // ZIP64 extra field (id 1): the 0xffffffff fields, in order size, compressed size, offset.
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 1) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (compSize === 0xffffffff) {
            compSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (localOffset === 0xffffffff) localOffset = Number(cd.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      p = eEnd + commentLen;
      if (method !== 0)
        this.fail(`member ${name} is compressed (method ${method}); torch.save stores members uncompressed`);
      if (compSize !== size) this.fail(`member ${name}: stored size ${compSize} ≠ size ${size}`);
      const local = this.readAt(localOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL_SIG) this.fail(`member ${name}: local header missing`);
      const dataOffset = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (dataOffset + size > this.size)
        this.fail(`member ${name} runs past the end of the file (truncated)`);
      this.entries.set(name, { name, dataOffset, size });
    }
  }

  /** Member names. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** One member, or undefined. */
  entry(name: string): ZipEntry | undefined {
    return this.entries.get(name);
  }

  /** Close the file. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
