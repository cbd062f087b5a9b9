import * as os from 'node:os';
import { DType } from '../dtype';
import { ArgumentError, FormatError } from '../errors';
import { describe, NDArray, shapeStr, sizeOf } from '../ndarray';
import { copyBytes, halfToFloat, readFileChecked, setOwn, writeFileAtomic } from './atomic';
import { fileShape } from './dims';

// The safetensors layout: an 8-byte little-endian header length N, N bytes of JSON
// ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}), then the data, which the
// offsets (relative to the end of the header) must cover exactly, without holes or overlaps.

const SAVE_CODES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const MAX_HEADER = 100_000_000;

/** How each stored dtype loads: its element size and the nodeano dtype it becomes (wider ints are range-checked). */
const LOAD: Record<string, { size: number; dtype: DType }> = {
  F64: { size: 8, dtype: 'float64' },
  F32: { size: 4, dtype: 'float32' },
  F16: { size: 2, dtype: 'float32' },
  BF16: { size: 2, dtype: 'float32' },
  I64: { size: 8, dtype: 'int32' },
  I32: { size: 4, dtype: 'int32' },
  I16: { size: 2, dtype: 'int32' },
  I8: { size: 1, dtype: 'int32' },
  U16: { size: 2, dtype: 'int32' },
  U8: { size: 1, dtype: 'int32' },
  BOOL: { size: 1, dtype: 'bool' },
};

export interface SafetensorsFile {
  tensors: Record<string, NDArray>;
  metadata: Record<string, string>;
}

function checkLittleEndian(where: string): void {
  if (os.endianness() !== 'LE') throw new FormatError(`${where}: safetensors data is little-endian; this machine is big-endian`);
}

/** The bytes of a safetensors file holding `tensors` (in the given order) and string `metadata`. */
export function encodeSafetensors(tensors: Record<string, NDArray>, metadata: Record<string, string> = {}, where = 'saveSafetensors'): Uint8Array[] {
  checkLittleEndian(where);
  if (tensors === null || typeof tensors !== 'object') throw new ArgumentError(`${where}: tensors must be an object of name: NDArray, got ${describe(tensors)}`);
  const problems: string[] = [];
  for (const [k, v] of Object.entries(tensors)) {
    if (!(v instanceof NDArray)) problems.push(`tensors.${k} must be an NDArray, got ${describe(v)}`);
    if (k === '__metadata__' || k.length === 0) problems.push(`tensor name ${JSON.stringify(k)} is reserved or empty`);
  }
  if (metadata === null || typeof metadata !== 'object') problems.push(`metadata must be an object of string values, got ${describe(metadata)}`);
  else for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') problems.push(`metadata.${k} must be a string, got ${describe(v)}`);
  if (problems.length) throw new ArgumentError(`${where}: ${problems.join('; ')}`);

  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const bodies: Uint8Array[] = [];
  let off = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    setOwn(header, name, { dtype: SAVE_CODES[t.dtype], shape: t.shape.slice(), data_offsets: [off, off + bytes.byteLength] });
    bodies.push(bytes);
    off += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  // pad with spaces so the data starts 8-byte aligned (the format allows trailing whitespace in the header)
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.byteLength));
  return [len, head, ...bodies];
}

/**
 * Saves arrays as a safetensors file, atomically (a crash never leaves a partial file under `file`).
 * @example T.io.saveSafetensors('model.safetensors', { W: W.getValue() }, { epoch: '3' })
 */
export function saveSafetensors(file: string, tensors: Record<string, NDArray>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, encodeSafetensors(tensors, metadata), 'saveSafetensors');
}

/**
 * Parses safetensors bytes, validating the header, every dtype, shape and offset, and the total size; any
 * inconsistency is a FormatError, never silently wrong values.
 */
export function decodeSafetensors(buf: Uint8Array, where = 'loadSafetensors'): SafetensorsFile {
  checkLittleEndian(where);
  const bad = (msg: string) => new FormatError(`${where}: ${msg}`);
  if (buf.byteLength < 8) throw bad(`file is ${buf.byteLength} bytes, too short for the 8-byte header length`);
  const n64 = Buffer.from(buf.buffer, buf.byteOffset, 8).readBigUInt64LE(0);
  if (n64 > BigInt(MAX_HEADER)) throw bad(`header length must be at most ${MAX_HEADER} bytes, got ${n64}`);
  const n = Number(n64);
  if (8 + n > buf.byteLength) throw bad(`header length ${n} runs past the end of the file (${buf.byteLength} bytes): the file is truncated or not safetensors`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8'));
  } catch (e) {
    throw bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('header must be a JSON object');
  const dataStart = 8 + n;
  const dataLen = buf.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; code: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw bad(`__metadata__.${k} must be a string, got ${describe(v)}`);
        setOwn(metadata, k, v);
      }
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== 'object') throw bad(`tensor ${JSON.stringify(name)} must be an object with dtype, shape and data_offsets`);
    if (typeof e.dtype !== 'string' || !(e.dtype in LOAD)) throw bad(`tensor ${JSON.stringify(name)}: dtype must be one of ${Object.keys(LOAD).join(', ')}, got ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape)) throw bad(`tensor ${JSON.stringify(name)}: shape must be a list of non-negative integers, got ${JSON.stringify(e.shape)}`);
    const shape = fileShape(e.shape, `${where}: tensor ${JSON.stringify(name)}`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0) || offs[0] > offs[1]) {
      throw bad(`tensor ${JSON.stringify(name)}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`);
    }
    const want = sizeOf(shape) * LOAD[e.dtype].size;
    if (offs[1] - offs[0] !== want) throw bad(`tensor ${JSON.stringify(name)}: ${e.dtype} ${shapeStr(shape)} needs ${want} bytes, but data_offsets ${JSON.stringify(offs)} span ${offs[1] - offs[0]}`);
    if (offs[1] > dataLen) throw bad(`tensor ${JSON.stringify(name)}: data_offsets end ${offs[1]} is past the ${dataLen} data bytes: the file is truncated`);
    entries.push({ name, code: e.dtype, shape, begin: offs[0], end: offs[1] });
  }
  // the data must be covered exactly: sorted by offset, each tensor starts where the previous ended
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) throw bad(`tensor ${JSON.stringify(e.name)} starts at byte ${e.begin}, expected ${at} (${e.begin < at ? 'overlapping tensors' : 'a hole in the data'})`);
    at = e.end;
  }
  if (at !== dataLen) throw bad(`the tensors cover ${at} data bytes but the file has ${dataLen}: ${at < dataLen ? 'trailing bytes' : 'the file is truncated'}`);
  const tensors: Record<string, NDArray> = {};
  for (const e of entries) setOwn(tensors, e.name, toNDArray(e.code, copyBytes(buf, dataStart + e.begin, e.end - e.begin), e.shape, `${where}: tensor ${JSON.stringify(e.name)}`));
  return { tensors, metadata };
}

/** Loads every tensor and the metadata of a safetensors file. @example const { tensors } = T.io.loadSafetensors('model.safetensors') */
export function loadSafetensors(file: string): SafetensorsFile {
  return decodeSafetensors(readFileChecked(file, 'loadSafetensors'), `loadSafetensors(${JSON.stringify(file)})`);
}

function toNDArray(code: string, ab: ArrayBuffer, shape: number[], where: string): NDArray {
  switch (code) {
    case 'F64':
      return new NDArray(new Float64Array(ab), shape, 'float64');
    case 'F32':
      return new NDArray(new Float32Array(ab), shape, 'float32');
    case 'I32':
      return new NDArray(new Int32Array(ab), shape, 'int32');
    case 'BOOL': {
      const u = new Uint8Array(ab);
      for (let i = 0; i < u.length; i++) if (u[i] > 1) throw new FormatError(`${where}: BOOL byte ${i} is ${u[i]}, expected 0 or 1`);
      return new NDArray(u, shape, 'bool');
    }
    case 'F16':
    case 'BF16': {
      const h = new Uint16Array(ab);
      const out = new Float32Array(h.length);
      for (let i = 0; i < h.length; i++) out[i] = code === 'F16' ? halfToFloat(h[i]) : bf16ToFloat(h[i]);
      return new NDArray(out, shape, 'float32');
    }
    case 'I64': {
      const b = new BigInt64Array(ab);
      const out = new Int32Array(b.length);
      for (let i = 0; i < b.length; i++) {
        if (b[i] < -2147483648n || b[i] > 2147483647n) throw new FormatError(`${where}: I64 element ${i} is ${b[i]}, outside the int32 range it loads into`);
        out[i] = Number(b[i]);
      }
      return new NDArray(out, shape, 'int32');
    }
    default: {
      const src = code === 'I16' ? new Int16Array(ab) : code === 'I8' ? new Int8Array(ab) : code === 'U16' ? new Uint16Array(ab) : new Uint8Array(ab);
      return new NDArray(Int32Array.from(src), shape, 'int32');
    }
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bf16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}
