import { config } from './config';
import { DTypeError } from './errors';

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type TypedArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor;

const CTORS: Record<DType, TypedArrayCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

/** Validates a user-supplied dtype (undefined means floatX). */
export function checkDType(x: unknown, where: string): DType {
  if (x === undefined) return config.floatX;
  if (!isDType(x)) {
    throw new DTypeError(`${where}: dtype must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(x)}`);
  }
  return x;
}

export function ctorOf(dtype: DType): TypedArrayCtor {
  return CTORS[dtype];
}

export function itemSize(dtype: DType): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function isInt(dtype: DType): boolean {
  return dtype === 'int32' || dtype === 'bool';
}

export function dtypeOfTypedArray(a: unknown): DType | null {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  return null;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/**
 * The dtype two operands compute in: the wider float if any is float (int + float32 -> float32, keeping the float's
 * width as Theano does with floatX), int32 for integers and booleans.
 */
export function upcast(a: DType, b: DType): DType {
  if (isFloat(a) || isFloat(b)) return RANK[a] >= RANK[b] ? a : b;
  return 'int32';
}

/** Whether every value of `from` is exactly representable in `to`. */
export function canCastSafely(from: DType, to: DType): boolean {
  if (from === to) return true;
  if (from === 'bool') return true;
  if (from === 'int32') return to === 'float64';
  if (from === 'float32') return to === 'float64';
  return false;
}

/** The float dtype a transcendental op yields for an input dtype (ints go to floatX). */
export function floatOf(dtype: DType): DType {
  return isFloat(dtype) ? dtype : config.floatX;
}

/**
 * Whether a typed array's buffer was detached (transferred with structuredClone/postMessage, or released): its
 * length then reads 0 and every element reads undefined, so computing on it would give NaNs silently.
 */
export function isDetached(ta: ArrayBufferView): boolean {
  const buf = ta.buffer as ArrayBufferLike & { detached?: boolean };
  if (typeof buf.detached === 'boolean') return buf.detached;
  // before ArrayBuffer.prototype.detached (Node < 22): only an empty buffer can be detached; constructing a view probes it
  if (buf.byteLength !== 0 || typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer) return false;
  try {
    new Uint8Array(buf);
    return false;
  } catch {
    return true;
  }
}
