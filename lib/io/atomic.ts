import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, FormatError } from '../errors';

/**
 * Writes `chunks` to `file` so that a crash at any point leaves either the old file or the complete new one: the
 * bytes go to a temporary file in the same directory, are fsynced, and the temporary file is renamed over `file`
 * (atomic on POSIX filesystems); the directory is fsynced so the rename itself survives a power loss.
 */
export function writeFileAtomic(file: string, chunks: readonly Uint8Array[], where: string): void {
  if (typeof file !== 'string' || file.length === 0) throw new ArgumentError(`${where}: path must be a non-empty string, got ${JSON.stringify(file)}`);
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    for (const c of chunks) {
      let off = 0;
      while (off < c.byteLength) off += fs.writeSync(fd, c, off, c.byteLength - off);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new FormatError(`${where}: could not write ${file}: ${(e as Error).message}`);
  }
  syncDir(dir);
}

function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory; the rename has still happened
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Reads a whole file, turning a missing or unreadable file into a FormatError that names the caller. */
export function readFileChecked(file: string, where: string): Buffer {
  if (typeof file !== 'string' || file.length === 0) throw new ArgumentError(`${where}: path must be a non-empty string, got ${JSON.stringify(file)}`);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new FormatError(`${where}: could not read ${file}: ${(e as Error).message}`);
  }
}

/**
 * Sets `obj[key] = value` as an own, enumerable property even for a key such as "__proto__" (a tensor name read
 * from a file), where plain assignment would replace the object's prototype and lose the value.
 */
export function setOwn<V>(obj: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of `len` bytes at `off` in a fresh, aligned ArrayBuffer (file offsets need not be aligned for the dtype). */
export function copyBytes(buf: Uint8Array, off: number, len: number): ArrayBuffer {
  const out = new ArrayBuffer(len);
  new Uint8Array(out).set(buf.subarray(off, off + len));
  return out;
}

/** An IEEE half-precision bit pattern as a number (for float16 data written by other tools). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
