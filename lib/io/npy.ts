import * as os from 'node:os';
import * as zlib from 'node:zlib';
import { ctorOf, DType } from '../dtype';
import { ArgumentError, FormatError } from '../errors';
import { describe, NDArray, shapeStr, sizeOf } from '../ndarray';
import { copyBytes, halfToFloat, readFileChecked, setOwn, writeFileAtomic } from './atomic';
import { fileShape } from './dims';

// NumPy's .npy: "\x93NUMPY", version (1.0, 2.0 or 3.0), a header length (2 bytes in 1.0, 4 after), then a Python
// dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces and a newline so
// the data starts 64-byte aligned. A .npz is a zip of .npy files.

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const DESCR: Record<DType, string> = { float32: '<f4', float64: '<f8', int32: '<i4', bool: '|b1' };

/** The bytes of one .npy file holding `a`. */
export function encodeNpy(a: NDArray, where = 'saveNpy'): Uint8Array[] {
  if (!(a instanceof NDArray)) throw new ArgumentError(`${where}: array must be an NDArray, got ${describe(a)}`);
  if (os.endianness() !== 'LE') throw new FormatError(`${where}: writing .npy is only supported on little-endian machines`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[a.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.set(MAGIC, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  return [head, Buffer.from(dict, 'latin1'), new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)];
}

/** Saves one array as a NumPy .npy file, atomically. @example T.io.saveNpy('w.npy', W.getValue()) */
export function saveNpy(file: string, a: NDArray): void {
  writeFileAtomic(file, encodeNpy(a), 'saveNpy');
}

/** Loads a .npy file (little- or big-endian; float16/int64/uint8 and friends convert to the nearest nodeano dtype). */
export function loadNpy(file: string): NDArray {
  return decodeNpy(readFileChecked(file, 'loadNpy'), `loadNpy(${JSON.stringify(file)})`);
}

/** Parses .npy bytes, validating magic, header, dtype, shape and size. */
export function decodeNpy(buf: Uint8Array, where = 'loadNpy'): NDArray {
  const bad = (m: string) => new FormatError(`${where}: ${m}`);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 10 || !MAGIC.every((m, i) => b[i] === m)) throw bad('not a .npy file (bad magic bytes)');
  const major = b[6];
  if (major < 1 || major > 3) throw bad(`.npy version must be 1, 2 or 3, got ${major}`);
  const lenBytes = major === 1 ? 2 : 4;
  if (b.length < 8 + lenBytes) throw bad('file is truncated inside the header length');
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = 8 + lenBytes + hlen;
  if (start > b.length) throw bad(`header length ${hlen} runs past the end of the file: the file is truncated`);
  const dict = b.toString(major === 3 ? 'utf8' : 'latin1', 8 + lenBytes, start);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(`header must give descr, fortran_order and shape, got ${JSON.stringify(dict.trim())}`);
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (!dims.every((d) => /^\d+$/.test(d))) throw bad(`shape must be a tuple of non-negative integers, got (${shapeText})`);
  const kind = parseDescr(descr);
  if (!kind) throw bad(`dtype ${JSON.stringify(descr)} is not supported (float16/32/64, int8/16/32/64, uint8/16, bool)`);
  const shape = fileShape(dims.map(Number), where);
  const n = sizeOf(shape);
  const want = n * kind.size;
  if (b.length - start !== want) {
    throw bad(`${descr} ${shapeStr(shape)} needs ${want} data bytes, the file has ${b.length - start}: ${b.length - start < want ? 'it is truncated' : 'trailing bytes'}`);
  }
  const view = new DataView(copyBytes(b, start, want));
  const out = kind.dtype === 'float64' ? new Float64Array(n) : kind.dtype === 'float32' ? new Float32Array(n) : kind.dtype === 'bool' ? new Uint8Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = kind.read(view, i * kind.size, kind.little);
    if (kind.dtype === 'int32' && (v < -2147483648 || v > 2147483647)) throw bad(`element ${i} is ${v}, outside the int32 range it loads into`);
    if (kind.dtype === 'bool' && v !== 0 && v !== 1) throw bad(`bool element ${i} is ${v}, expected 0 or 1`);
    out[i] = v;
  }
  if (fortran === 'False' || shape.length < 2) return new NDArray(out, shape, kind.dtype);
  return fromFortran(out, shape, kind.dtype);
}

interface NpyKind {
  dtype: DType;
  size: number;
  little: boolean;
  read: (v: DataView, off: number, little: boolean) => number;
}

function parseDescr(d: string): NpyKind | null {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(d);
  if (!m) return null;
  const little = m[1] !== '>';
  const size = Number(m[3]);
  const k = `${m[2]}${size}`;
  const table: Record<string, [DType, NpyKind['read']]> = {
    f8: ['float64', (v, o, l) => v.getFloat64(o, l)],
    f4: ['float32', (v, o, l) => v.getFloat32(o, l)],
    f2: ['float32', (v, o, l) => halfToFloat(v.getUint16(o, l))],
    i8: ['int32', (v, o, l) => Number(v.getBigInt64(o, l))],
    i4: ['int32', (v, o, l) => v.getInt32(o, l)],
    i2: ['int32', (v, o, l) => v.getInt16(o, l)],
    i1: ['int32', (v, o) => v.getInt8(o)],
    u2: ['int32', (v, o, l) => v.getUint16(o, l)],
    u1: ['int32', (v, o) => v.getUint8(o)],
    b1: ['bool', (v, o) => v.getUint8(o)],
  };
  const t = table[k];
  return t ? { dtype: t[0], size, little, read: t[1] } : null;
}

/** Column-major data of `shape` rearranged into row-major order. */
function fromFortran(src: ArrayLike<number>, shape: number[], dtype: DType): NDArray {
  const out = new NDArray(new (ctorOf(dtype))(src.length), shape, dtype);
  const r = shape.length;
  const idx = new Array(r).fill(0);
  for (let c = 0; c < src.length; c++) {
    // c walks row-major order; its column-major offset is sum idx[d] * prod(shape[0..d))
    let f = 0;
    let stride = 1;
    for (let d = 0; d < r; d++) {
      f += idx[d] * stride;
      stride *= shape[d];
    }
    out.data[c] = src[f];
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// ---- .npz: a zip archive of name.npy entries (stored on save; stored or deflated on load) ----

const crc32 = (b: Uint8Array): number => zlib.crc32(b) >>> 0;

/** Saves several arrays in one uncompressed .npz archive, atomically. @example T.io.saveNpz('params.npz', { W, b }) */
export function saveNpz(file: string, arrays: Record<string, NDArray>): void {
  const where = 'saveNpz';
  if (arrays === null || typeof arrays !== 'object') throw new ArgumentError(`${where}: arrays must be an object of name: NDArray, got ${describe(arrays)}`);
  const bad = Object.entries(arrays).filter(([, v]) => !(v instanceof NDArray)).map(([k, v]) => `arrays.${k} must be an NDArray, got ${describe(v)}`);
  if (bad.length) throw new ArgumentError(`${where}: ${bad.join('; ')}`);
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let off = 0;
  for (const [name, a] of Object.entries(arrays)) {
    const body = Buffer.concat(encodeNpy(a, where));
    const fname = Buffer.from(`${name}.npy`, 'utf8');
    if (body.length >= 0xffffffff || off >= 0xffffffff) throw new FormatError(`${where}: archives over 4 GiB (zip64) are not supported`);
    const crc = crc32(body);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(fname.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(body.length, 24);
    cd.writeUInt16LE(fname.length, 28);
    cd.writeUInt32LE(off, 42);
    chunks.push(local, fname, body);
    central.push(cd, fname);
    off += 30 + fname.length + body.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(off, 16);
  writeFileAtomic(file, [...chunks, ...central, end], where);
}

/** Loads every array of a .npz archive (as written by numpy.savez or savez_compressed). */
export function loadNpz(file: string): Record<string, NDArray> {
  const b = readFileChecked(file, 'loadNpz');
  const where = `loadNpz(${JSON.stringify(file)})`;
  const bad = (m: string) => new FormatError(`${where}: ${m}`);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('not a zip archive (no end-of-central-directory record): the file is truncated or not .npz');
  const count = b.readUInt16LE(eocd + 10);
  const cdSize = b.readUInt32LE(eocd + 12);
  let p = b.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw bad('zip64 archives are not supported');
  if (p + cdSize > eocd) throw bad('central directory runs past its end record: the file is corrupt');
  const out: Record<string, NDArray> = {};
  for (let k = 0; k < count; k++) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) throw bad(`central directory entry ${k} is corrupt`);
    const method = b.readUInt16LE(p + 10);
    const crc = b.readUInt32LE(p + 16);
    const csize = b.readUInt32LE(p + 20);
    const usize = b.readUInt32LE(p + 24);
    const nlen = b.readUInt16LE(p + 28);
    const xlen = b.readUInt16LE(p + 30);
    const clen = b.readUInt16LE(p + 32);
    const loc = b.readUInt32LE(p + 42);
    const name = b.toString('utf8', p + 46, p + 46 + nlen);
    p += 46 + nlen + xlen + clen;
    if (loc + 30 > b.length || b.readUInt32LE(loc) !== 0x04034b50) throw bad(`entry ${JSON.stringify(name)}: local header is corrupt`);
    const start = loc + 30 + b.readUInt16LE(loc + 26) + b.readUInt16LE(loc + 28);
    if (start + csize > b.length) throw bad(`entry ${JSON.stringify(name)} runs past the end of the file: the file is truncated`);
    const raw = b.subarray(start, start + csize);
    let body: Uint8Array;
    if (method === 0) body = raw;
    else if (method === 8) {
      try {
        // never inflate past the declared size: a small entry must not expand into gigabytes before the size check
        body = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, usize) });
      } catch (e) {
        const over = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
        throw bad(over ? `entry ${JSON.stringify(name)} inflates to more than its declared ${usize} bytes: the file is corrupt` : `entry ${JSON.stringify(name)} does not inflate: ${(e as Error).message}`);
      }
    } else throw bad(`entry ${JSON.stringify(name)} uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    if (body.length !== usize || crc32(body) !== crc) throw bad(`entry ${JSON.stringify(name)} fails its size or CRC check: the file is corrupt`);
    setOwn(out, name.replace(/\.npy$/, ''), decodeNpy(body, `${where}: entry ${JSON.stringify(name)}`));
  }
  return out;
}

