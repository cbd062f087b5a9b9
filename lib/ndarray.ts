import { ArgumentError, DTypeError, ShapeError } from './errors';
import { checkDType, ctorOf, DType, dtypeOfTypedArray, isDetached, TypedArray } from './dtype';
import { config } from './config';

export type Shape = readonly number[];
export type NestedArray = number | boolean | NestedArray[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** The largest dim and element count nodeano supports: typed arrays and the native planner index with int32. */
export const MAX_DIM = 0x7fffffff;
export const MAX_ELEMENTS = 0x7fffffff;

/**
 * What is wrong with `shape` as the dims of an array, one entry per problem: each dim must be an integer in
 * [0, MAX_DIM] and the element count at most MAX_ELEMENTS (a zero dim does not excuse a huge one: it still breaks
 * strides and the native planner). Empty when the shape is fine.
 */
export function shapeProblems(shape: readonly unknown[], name = 'shape'): string[] {
  const problems: string[] = [];
  // an index loop, not forEach: a hole in a sparse array is a bad dim too
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!(typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= MAX_DIM)) problems.push(`${name}[${i}] must be an integer in [0, ${MAX_DIM}], got ${showValue(d)}`);
  }
  if (problems.length === 0) {
    const n = sizeOf(shape as number[]);
    if (n > MAX_ELEMENTS) problems.push(`${name} ${shapeStr(shape as number[])} must have at most ${MAX_ELEMENTS} elements, got ${n}`);
  }
  return problems;
}

export function checkShape(shape: unknown, where: string): number[] {
  checkReadable(shape, where, 'shape');
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  const problems = shapeProblems(shape);
  if (problems.length) throw new ShapeError(`${where}: ${problems.join('; ')}`);
  return shape.slice();
}

/**
 * Whether `v` is an object that cannot be inspected at all (a revoked Proxy: every typeof-object check on it throws).
 * Entry points test this first so users get an ArgumentError, not a raw TypeError from deep inside.
 */
export function isUnreadable(v: unknown): boolean {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
  try {
    Object.getPrototypeOf(v);
    Array.isArray(v);
    return false;
  } catch {
    return true;
  }
}

/** Throws an ArgumentError for a value no check can read (a revoked Proxy). */
export function checkReadable(v: unknown, where: string, arg: string): void {
  if (isUnreadable(v)) throw new ArgumentError(`${where}: ${arg} must be a readable value, got a revoked Proxy`);
}

/**
 * A value as error messages show it: JSON-like for numbers, strings and arrays of them (`[0,1]`), and never throwing
 * (BigInts as `1n`, Symbols, revoked Proxies and deep or cyclic arrays are described rather than serialized).
 */
export function showValue(v: unknown): string {
  const rec = (x: unknown, depth: number): string => {
    if (typeof x === 'bigint') return `${x}n`;
    if (typeof x === 'symbol') return x.toString();
    if (typeof x === 'string') return JSON.stringify(x);
    if (typeof x === 'number' || typeof x === 'boolean' || x === undefined || x === null) return String(x);
    if (typeof x === 'function') return 'function';
    if (isUnreadable(x)) return 'a revoked Proxy';
    if (Array.isArray(x)) return depth >= 4 || x.length > 32 ? describe(x) : `[${Array.from(x, (e) => rec(e, depth + 1)).join(',')}]`;
    if (x instanceof NDArray || dtypeOfTypedArray(x)) return describe(x);
    try {
      return JSON.stringify(x) ?? describe(x);
    } catch {
      return describe(x);
    }
  };
  return rec(v, 0);
}

/** A short description of any JS value for error messages. */
export function describe(v: unknown): string {
  if (isUnreadable(v)) return 'a revoked Proxy';
  if (typeof v === 'symbol') return `symbol ${v.toString()}`;
  if (v instanceof NDArray && isDetached(v.data)) return `NDArray(${v.dtype}, ${shapeStr(v.shape)}, detached buffer)`;
  if (v instanceof NDArray) return `NDArray(${v.dtype}, ${shapeStr(v.shape)})`;
  const ta = dtypeOfTypedArray(v);
  if (ta) return isDetached(v as TypedArray) ? `${(v as object).constructor.name}(detached buffer)` : `${(v as object).constructor.name}(${(v as TypedArray).length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return `${typeof v} ${String(v)}`;
}

/**
 * A dense, C-ordered n-dimensional array: the value type of nodeano.
 * @example const a = T.array([[1, 2], [3, 4]]); a.get(1, 0) // 3
 */
export class NDArray {
  readonly shape: number[];
  readonly dtype: DType;
  readonly data: TypedArray;

  constructor(data: TypedArray, shape: Shape, dtype?: DType) {
    const dt = dtypeOfTypedArray(data);
    if (!dt) throw new ArgumentError(`NDArray: data must be a Float32Array, Float64Array, Int32Array or Uint8Array, got ${describe(data)}`);
    checkNotDetached(data, 'NDArray', 'data');
    if (dtype !== undefined && dtype !== dt) {
      throw new DTypeError(`NDArray: data must match dtype ${dtype}, got ${data.constructor.name}`);
    }
    const s = checkShape(shape, 'NDArray');
    if (sizeOf(s) !== data.length) {
      throw new ShapeError(`NDArray: data length must equal the product of shape ${shapeStr(s)} (${sizeOf(s)}), got ${data.length}`);
    }
    this.shape = s;
    this.dtype = dt;
    this.data = data;
  }

  /** Internal: wraps data already known to match shape and dtype (compiled functions' outputs), skipping checks. */
  static trusted(data: TypedArray, shape: number[], dtype: DType): NDArray {
    const a = Object.create(NDArray.prototype) as { shape: number[]; dtype: DType; data: TypedArray };
    a.shape = shape.slice();
    a.dtype = dtype;
    a.data = data;
    return a as unknown as NDArray;
  }

  get size(): number {
    return this.data.length;
  }
  get ndim(): number {
    return this.shape.length;
  }

  /** The element at the given indices (negative indices count from the end). */
  get(...idx: number[]): number {
    if (idx.length !== this.shape.length) {
      throw new ArgumentError(`NDArray.get: must have ${this.shape.length} indices for shape ${shapeStr(this.shape)}, got ${idx.length}`);
    }
    let off = 0;
    for (let i = 0; i < idx.length; i++) {
      let k = idx[i];
      const d = this.shape[i];
      if (!Number.isInteger(k) || k < -d || k >= d) {
        throw new ArgumentError(`NDArray.get: index ${i} must be an integer in [${-d}, ${d}), got ${k}`);
      }
      if (k < 0) k += d;
      off = off * d + k;
    }
    return this.data[off];
  }

  /** Nested JS arrays (a number for a 0-d array). */
  toArray(): NestedArray {
    const data = this.data;
    const isBool = this.dtype === 'bool';
    const rec = (dim: number, off: number): NestedArray => {
      if (dim === this.shape.length) return isBool ? data[off] !== 0 : data[off];
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(rec(dim + 1, off + i * stride));
      return out;
    };
    return rec(0, 0);
  }

  /** A deep copy (never shares memory). */
  copy(): NDArray {
    return new NDArray(this.data.slice() as TypedArray, this.shape, this.dtype);
  }

  /** A copy converted to another dtype (float to int truncates toward zero, as NumPy's astype). */
  astype(dtype: DType): NDArray {
    checkDType(dtype, 'NDArray.astype');
    return new NDArray(convertData(this.data, dtype), this.shape, dtype);
  }

  /** The same memory seen with another shape of equal size. */
  reshape(shape: Shape): NDArray {
    return new NDArray(this.data, shape, this.dtype);
  }

  toString(): string {
    return formatNDArray(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `NDArray(${this.dtype}, ${shapeStr(this.shape)})\n${formatNDArray(this)}`;
  }
}

/**
 * Throws an ArgumentError when `data` (or an NDArray's data) sits on a detached buffer; `where` and `arg` name the
 * entry point and argument (`array: value buffer was detached ...`).
 */
export function checkNotDetached(data: TypedArray | NDArray, where: string, arg: string): void {
  const ta = data instanceof NDArray ? data.data : data;
  if (isDetached(ta)) {
    throw new ArgumentError(`${where}: ${arg} must be readable, got ${describe(data)}: its buffer was detached (transferred or released)`);
  }
}

/** Copies `data` into a new typed array of `dtype`. */
export function convertData(data: ArrayLike<number>, dtype: DType): TypedArray {
  const Ctor = ctorOf(dtype);
  if (dtype === 'int32' || dtype === 'bool') {
    const out = new Ctor(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      out[i] = dtype === 'bool' ? (v !== 0 ? 1 : 0) : Math.trunc(v);
    }
    return out;
  }
  return Ctor.from(data);
}

function formatNumber(v: number, dtype: DType): string {
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (dtype === 'int32') return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) return v.toExponential(dtype === 'float32' ? 7 : 8).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(dtype === 'float32' ? 8 : 16)));
}

function formatNDArray(a: NDArray): string {
  const items = Array.from(a.data, (v) => formatNumber(v, a.dtype));
  const width = items.reduce((w, s) => Math.max(w, s.length), 0);
  const rec = (dim: number, off: number, indent: number): string => {
    if (dim === a.shape.length) return items[off].padStart(width);
    const n = a.shape[dim];
    const stride = sizeOf(a.shape.slice(dim + 1));
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(rec(dim + 1, off + i * stride, indent + 1));
    const sep = dim === a.shape.length - 1 ? ', ' : ',' + '\n'.repeat(a.shape.length - dim - 1) + ' '.repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  if (a.shape.length === 0) return items[0];
  return rec(0, 0, 0);
}

/** The deepest nesting (rank) accepted from nested JS arrays; deeper input is refused before any recursion. */
export const MAX_NESTING = 64;

function inferNestedShape(v: NestedArray, where: string): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    if (shape.length === MAX_NESTING) {
      throw new ShapeError(`${where}: nested array must have at most ${MAX_NESTING} levels (dims), got more`);
    }
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flattenNested(v: NestedArray, shape: number[], where: string): number[] {
  const out: number[] = [];
  const rec = (x: NestedArray, dim: number, path: string) => {
    if (isUnreadable(x)) throw new ArgumentError(`${where}: element ${path || '[]'} must be a number or an array, got a revoked Proxy`);
    if (dim === shape.length) {
      if (typeof x === 'boolean') out.push(x ? 1 : 0);
      else if (typeof x === 'number') out.push(x);
      else throw new ArgumentError(`${where}: element ${path || '[]'} must be a number, got ${describe(x)}`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ShapeError(`${where}: nested array must be rectangular with shape ${shapeStr(shape)}; element ${path || '[]'} must be an array of length ${shape[dim]}, got ${describe(x)}`);
    }
    for (let i = 0; i < x.length; i++) rec(x[i], dim + 1, `${path}[${i}]`);
  };
  rec(v, 0, '');
  return out;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Checks plain JS numbers bound for an integer dtype: int32 takes integers in [-2^31, 2^31 - 1] (never wrapped),
 * bool takes any number but NaN (non-zero is true).
 */
export function checkIntValues(xs: ArrayLike<number>, dtype: DType, where: string): void {
  if (dtype === 'int32') {
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i];
      if (!Number.isInteger(v)) {
        throw new DTypeError(`${where}: values must be integers for dtype int32, got non-integer values (element ${i} is ${v})`);
      }
      if (v < INT32_MIN || v > INT32_MAX) {
        throw new DTypeError(`${where}: values must be integers in the int32 range [${INT32_MIN}, ${INT32_MAX}], got ${v} at element ${i}`);
      }
    }
  } else if (dtype === 'bool') {
    for (let i = 0; i < xs.length; i++) {
      if (Number.isNaN(xs[i])) throw new DTypeError(`${where}: values must be numbers other than NaN for dtype bool, got NaN at element ${i}`);
    }
  }
}

export interface ArrayOptions {
  shape?: Shape;
  dtype?: DType;
}

/**
 * Makes an NDArray from nested arrays, a typed array, a number or another NDArray (always a copy).
 * Nested numbers become floatX unless a dtype is given; booleans become bool.
 * @example T.array([[0, 1], [1, 0]], { dtype: 'int32' })
 */
export function array(value: unknown, opts: ArrayOptions = {}): NDArray {
  const where = 'array';
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(`${where}: options must be an object, got ${describe(opts)}`);
  checkReadable(opts, where, 'options');
  const dtype = opts.dtype === undefined ? undefined : checkDType(opts.dtype, where);
  checkReadable(value, where, 'value');
  if (value instanceof NDArray) {
    checkNotDetached(value, where, 'value');
    const out = dtype && dtype !== value.dtype ? value.astype(dtype) : value.copy();
    return opts.shape ? out.reshape(checkShape(opts.shape, where)) : out;
  }
  const taDtype = dtypeOfTypedArray(value);
  if (taDtype) {
    const ta = value as TypedArray;
    checkNotDetached(ta, where, 'value');
    const shape = opts.shape ? checkShape(opts.shape, where) : [ta.length];
    if (sizeOf(shape) !== ta.length) {
      throw new ShapeError(`${where}: shape ${shapeStr(shape)} must have ${ta.length} elements to match the data, got ${sizeOf(shape)}`);
    }
    const dt = dtype ?? taDtype;
    return new NDArray(dt === taDtype ? (ta.slice() as TypedArray) : convertData(ta, dt), shape, dt);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || Array.isArray(value)) {
    const shape = inferNestedShape(value as NestedArray, where);
    const flat = flattenNested(value as NestedArray, shape, where);
    const isBool = firstLeafIsBoolean(value as NestedArray);
    const dt = dtype ?? (isBool ? 'bool' : config.floatX);
    checkIntValues(flat, dt, where);
    const target = opts.shape ? checkShape(opts.shape, where) : shape;
    if (sizeOf(target) !== flat.length) {
      throw new ShapeError(`${where}: shape ${shapeStr(target)} must have ${flat.length} elements to match the data, got ${sizeOf(target)}`);
    }
    return new NDArray(convertData(flat, dt), target, dt);
  }
  throw new ArgumentError(`${where}: value must be a number, nested array, typed array or NDArray, got ${describe(value)}`);
}

function firstLeafIsBoolean(v: NestedArray): boolean {
  let cur = v;
  while (Array.isArray(cur)) {
    if (cur.length === 0) return false;
    cur = cur[0];
  }
  return typeof cur === 'boolean';
}

/** An array of `shape` filled with `value`. */
export function full(shape: Shape, value: number, dtype?: DType): NDArray {
  const s = checkShape(shape, 'full');
  const dt = checkDType(dtype, 'full');
  if (typeof value !== 'number') throw new ArgumentError(`full: value must be a number, got ${describe(value)}`);
  checkIntValues([value], dt, 'full');
  const data = new (ctorOf(dt))(sizeOf(s));
  data.fill(value);
  return new NDArray(data, s, dt);
}

/** An array of zeros. @example T.zeros([2, 3]) */
export function zeros(shape: Shape, dtype?: DType): NDArray {
  return full(shape, 0, dtype);
}

/** An array of ones. @example T.ones([3], 'int32') */
export function ones(shape: Shape, dtype?: DType): NDArray {
  return full(shape, 1, dtype);
}
