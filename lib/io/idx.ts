import * as zlib from 'node:zlib';
import { checkDType, ctorOf, DType } from '../dtype';
import { ArgumentError, FormatError } from '../errors';
import { describe, NDArray, shapeStr, sizeOf } from '../ndarray';
import { readFileChecked } from './atomic';
import { fileShape } from './dims';

// IDX (the MNIST family's format): two zero bytes, a type code, the rank, then one big-endian uint32 per dim,
// then the data, big-endian. Files are often gzip-compressed (.gz): detected by the gzip magic, not the name.

const TYPES: Record<number, { name: string; size: number; dtype: DType; read: (v: DataView, o: number) => number }> = {
  0x08: { name: 'uint8', size: 1, dtype: 'int32', read: (v, o) => v.getUint8(o) },
  0x09: { name: 'int8', size: 1, dtype: 'int32', read: (v, o) => v.getInt8(o) },
  0x0b: { name: 'int16', size: 2, dtype: 'int32', read: (v, o) => v.getInt16(o, false) },
  0x0c: { name: 'int32', size: 4, dtype: 'int32', read: (v, o) => v.getInt32(o, false) },
  0x0d: { name: 'float32', size: 4, dtype: 'float32', read: (v, o) => v.getFloat32(o, false) },
  0x0e: { name: 'float64', size: 8, dtype: 'float64', read: (v, o) => v.getFloat64(o, false) },
};

export interface IdxOptions {
  /** Convert to this dtype on load (e.g. 'float32' for pixels); integers stay exact in float32 up to 2^24. */
  dtype?: DType;
  /** Multiply every value by this factor while converting (e.g. 1/255 for pixels). */
  scale?: number;
}

/**
 * Loads an IDX file (gzip or not), validating the magic number, rank, dims and the data size against the header.
 * @example const X = T.io.loadIdx('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz', { dtype: 'float32', scale: 1 / 255 })
 */
export function loadIdx(file: string, opts: IdxOptions = {}): NDArray {
  const where = `loadIdx(${JSON.stringify(file)})`;
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(`loadIdx: opts must be an object, got ${describe(opts)}`);
  if (opts.dtype !== undefined) checkDType(opts.dtype, 'loadIdx: opts.dtype');
  if (opts.scale !== undefined && !(typeof opts.scale === 'number' && Number.isFinite(opts.scale))) {
    throw new ArgumentError(`loadIdx: opts.scale must be a finite number, got ${describe(opts.scale)}`);
  }
  if (opts.scale !== undefined && opts.scale !== 1 && (opts.dtype === 'int32' || opts.dtype === 'bool')) {
    throw new ArgumentError(`loadIdx: opts.scale needs a float dtype, got dtype ${opts.dtype}`);
  }
  let b: Buffer = readFileChecked(file, 'loadIdx');
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = zlib.gunzipSync(b);
    } catch (e) {
      throw new FormatError(`${where}: gzip data is corrupt or truncated: ${(e as Error).message}`);
    }
  }
  return decodeIdx(b, where, opts);
}

/** Parses IDX bytes (already decompressed). */
export function decodeIdx(b: Buffer, where: string, opts: IdxOptions = {}): NDArray {
  const bad = (m: string) => new FormatError(`${where}: ${m}`);
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0) throw bad('not an IDX file: it must start with two zero bytes');
  const type = TYPES[b[2]];
  if (!type) throw bad(`type code must be one of ${Object.keys(TYPES).map((k) => '0x' + Number(k).toString(16)).join(', ')}, got 0x${b[2].toString(16)}`);
  const rank = b[3];
  if (rank === 0) throw bad('rank must be at least 1, got 0');
  const start = 4 + 4 * rank;
  if (b.length < start) throw bad(`file ends inside the ${rank} dims of the header: it is truncated`);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(b.readUInt32BE(4 + 4 * d));
  fileShape(shape, where);
  const n = sizeOf(shape);
  const want = n * type.size;
  if (b.length - start !== want) {
    throw bad(`${type.name} ${shapeStr(shape)} needs ${want} data bytes, the file has ${b.length - start}: ${b.length - start < want ? 'it is truncated' : 'trailing bytes'}`);
  }
  const dtype = opts.dtype ?? type.dtype;
  const scale = opts.scale ?? 1;
  const out = new NDArray(new (ctorOf(dtype))(n), shape, dtype);
  const view = new DataView(b.buffer, b.byteOffset + start, want);
  const data = out.data;
  // a value the target dtype cannot hold (a fraction or 3e9 into int32, 200 into bool) would be stored wrapped or as is
  const fits = dtype === 'int32' ? (v: number) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 : dtype === 'bool' ? (v: number) => v === 0 || v === 1 : null;
  const misfit = (i: number, v: number) => bad(`element ${i} is ${v}, which dtype ${dtype} cannot hold (${dtype === 'bool' ? 'expected 0 or 1' : 'expected an integer in the int32 range'}); load it as float32 or float64`);
  if (type.size === 1 && type.name === 'uint8' && fits === null) {
    const u = new Uint8Array(b.buffer, b.byteOffset + start, n);
    for (let i = 0; i < n; i++) data[i] = u[i] * scale;
  } else {
    for (let i = 0; i < n; i++) {
      const v = type.read(view, i * type.size) * scale;
      if (fits !== null && !fits(v)) throw misfit(i, v);
      data[i] = v;
    }
  }
  return out;
}
