// The slice-spec language of basic (NumPy) indexing, shared by slice (subtensor.ts) and its in-place / increment
// form (inc-subtensor.ts): user specs parsed and normalized to ints (the op attribute both backends read), symbolic
// bounds, and the region a spec selects over a concrete shape.
import { ArgumentError, DTypeError, RuntimeError, ShapeError } from '../errors';
import { Dim } from '../graph/type';
import { Variable } from '../graph/variable';
import { describe, shapeStr, showValue } from '../ndarray';

/**
 * One axis of a basic index: `null` keeps the whole axis, an integer picks one position and drops the axis,
 * `[start, stop, step]` (each may be null or left out) is a NumPy slice: negatives count from the end, out-of-range
 * bounds clamp, a negative step walks backwards. Positions and bounds may be int32 scalar Variables (`x[i:i+n]`);
 * the step is a constant.
 */
export type SliceSpec = null | number | Variable | readonly (number | Variable | null | undefined)[];

/** The attribute encoding of a missing slice bound (shared with native/kernels/index.cc). */
export const NULL_BOUND = -2147483648;
/** The attribute encoding of a symbolic bound or index: read from the op's next int32 scalar input. */
export const SYM_BOUND = -2147483647;

/** How many symbolic bounds a spec has (the op's scalar inputs, in axis order, start before stop). */
export function symCount(spec: SpecInts): number {
  return spec.filter((v, i) => i % 4 !== 0 && i % 4 !== 3 && v === SYM_BOUND).length;
}

/** Whether a symbolic bound sits in a slice, which makes the output length depend on values. */
export function symSlice(spec: SpecInts): boolean {
  return spec.some((v, i) => (i % 4 === 1 || i % 4 === 2) && v === SYM_BOUND && spec[i - (i % 4)] === 1);
}

/**
 * The spec with its symbolic bounds replaced by values (clamped so none reads as a missing bound); without values,
 * by 0, which gives the right shape wherever only indices are symbolic.
 */
export function substitute(spec: SpecInts, values: ArrayLike<number> | null): number[] {
  let j = 0;
  return spec.map((v, i) => (i % 4 !== 0 && i % 4 !== 3 && v === SYM_BOUND ? (values ? Math.max(-(2 ** 31) + 2, values[j++]) : 0) : v));
}

/**
 * A basic index normalized to every axis, 4 ints per axis: [kind (0 index, 1 slice), start, stop, step], with
 * NULL_BOUND for a missing bound; an index keeps its position in `start`.
 */
export type SpecInts = readonly number[];

/** The region a basic index selects at run time: per input axis its start, step and length; `drop` for indices. */
export interface Region {
  start: number[];
  step: number[];
  len: number[];
  drop: boolean[];
}

/** Python's slice.indices: the first position and the length of a slice over an axis of size n. */
export function resolveAxis(n: number, start: number, stop: number, step: number): [number, number] {
  let a: number;
  let b: number;
  if (step > 0) {
    a = start === NULL_BOUND ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
    b = stop === NULL_BOUND ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
    return [a, b > a ? Math.ceil((b - a) / step) : 0];
  }
  a = start === NULL_BOUND ? n - 1 : start < 0 ? Math.max(-1, start + n) : Math.min(start, n - 1);
  b = stop === NULL_BOUND ? -1 : stop < 0 ? Math.max(-1, stop + n) : Math.min(stop, n - 1);
  return [a, a > b ? Math.ceil((a - b) / -step) : 0];
}

/** The run-time region of `spec` over an input of shape `shape`; an index out of range is a ShapeError. */
export function resolveRegion(op: string, shape: readonly number[], spec: SpecInts): Region {
  const r: Region = { start: [], step: [], len: [], drop: [] };
  shape.forEach((n, k) => {
    const [kind, a, b, s] = spec.slice(4 * k, 4 * k + 4);
    let first = a < 0 ? a + n : a;
    let len = 1;
    if (kind === 0) {
      if (first < 0 || first >= n) throw new ShapeError(`${op}: index ${a} is out of range for axis ${k} of size ${n} (x has shape ${shapeStr(shape)})`);
    } else {
      [first, len] = resolveAxis(n, a, b, s);
    }
    r.start.push(first);
    r.step.push(kind === 0 ? 1 : s);
    r.len.push(len);
    r.drop.push(kind === 0);
  });
  return r;
}

/** The shape of the selected values: the region's lengths without the dropped axes. */
export function regionShape(r: Region): number[] {
  return r.len.filter((_, k) => !r.drop[k]);
}

/** The static output shape of `spec` over static input dims (unknown where the input dim is). */
export function staticShape(shape: readonly Dim[], spec: SpecInts): Dim[] {
  const out: Dim[] = [];
  shape.forEach((n, k) => {
    const [kind, a, b, s] = spec.slice(4 * k, 4 * k + 4);
    if (kind === 0) return;
    out.push(n === null || a === SYM_BOUND || b === SYM_BOUND ? null : resolveAxis(n, a, b, s)[1]);
  });
  return out;
}

/**
 * Validates a user index against x's static type and normalizes it to SpecInts (every bad axis listed). An integer
 * outside a known dim is a ShapeError; malformed entries are ArgumentErrors.
 */
export function parseSpec(op: string, x: Variable, specs: readonly unknown[]): { spec: number[]; scalars: Variable[] } {
  if (specs.length > x.ndim) {
    throw new ShapeError(`${op}: index must have at most ${x.ndim} entries for x of rank ${x.ndim} (${x.type}), got ${specs.length}`);
  }
  const bad: string[] = [];
  const range: string[] = [];
  const ints: number[] = [];
  const scalars: Variable[] = [];
  const isBound = (v: unknown) => v === null || v === undefined || v instanceof Variable || (Number.isInteger(v) && Math.abs(v as number) < 2 ** 31 - 1);
  // a Variable bound must be an int32 scalar; it becomes SYM_BOUND and the op's next scalar input
  const typeBad: string[] = [];
  const sym = (v: Variable, what: string): number => {
    if (v.dtype !== 'int32') typeBad.push(`${what} must be an int32 scalar, got dtype ${v.dtype} (${v})`);
    else if (v.ndim !== 0) range.push(`${what} must be a scalar, got ${v.type} (${v})`);
    scalars.push(v);
    return SYM_BOUND;
  };
  for (let k = 0; k < x.ndim; k++) {
    const s = k < specs.length ? specs[k] : null;
    const n = x.type.shape[k];
    if (s === null || s === undefined) ints.push(1, NULL_BOUND, NULL_BOUND, 1);
    else if (s instanceof Variable) ints.push(0, sym(s, `index on axis ${k}`), NULL_BOUND, 1);
    else if (typeof s === 'number') {
      if (!Number.isInteger(s) || Math.abs(s) >= 2 ** 31 - 1) bad.push(`axis ${k} must be an integer, null or [start, stop, step], got ${s}`);
      else if (n !== null && (s >= n || s < -n)) range.push(`index on axis ${k} must be in [${-n}, ${n}), got ${s}`);
      ints.push(0, s, NULL_BOUND, 1);
    } else if (Array.isArray(s) && s.length <= 3 && s.every(isBound)) {
      const step = s[2] ?? 1;
      if (step === 0) bad.push(`slice step on axis ${k} must not be 0`);
      if (step instanceof Variable) bad.push(`slice step on axis ${k} must be a constant integer, got ${step}`);
      const bound = (v: unknown, what: string) => (v instanceof Variable ? sym(v, `slice ${what} on axis ${k}`) : ((v ?? NULL_BOUND) as number));
      ints.push(1, bound(s[0], 'start'), bound(s[1], 'stop'), step instanceof Variable ? 1 : step);
    } else {
      bad.push(`axis ${k} must be an integer, null or [start, stop, step] of integers or nulls, got ${Array.isArray(s) ? showValue(s) : describe(s)}`);
    }
  }
  if (bad.length) throw new ArgumentError(`${op}: ${bad.join('; ')}`);
  if (typeBad.length) throw new DTypeError(`${op}: ${typeBad.join('; ')}`);
  if (range.length) throw new ShapeError(`${op}: ${range.join('; ')} (x has shape ${shapeStr(x.type.shape)})`);
  return { spec: ints, scalars };
}

/** `x[0:5, :, -1]`-style text of a spec, for printing. */
export function formatSpec(spec: SpecInts, scalars: readonly string[] = []): string {
  let j = 0;
  const b = (v: number) => (v === NULL_BOUND ? '' : v === SYM_BOUND ? scalars[j++] ?? '?' : String(v));
  const parts: string[] = [];
  for (let k = 0; k < spec.length; k += 4) {
    const [kind, a, c, s] = spec.slice(k, k + 4);
    parts.push(kind === 0 ? b(a) : `${b(a)}:${b(c)}${s === 1 ? '' : `:${s}`}`);
  }
  while (parts.length && parts[parts.length - 1] === ':') parts.pop();
  return `[${parts.join(', ')}]`;
}

/** C-order strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array(shape.length);
  for (let i = shape.length - 1, m = 1; i >= 0; i--) {
    s[i] = m;
    m *= shape[i];
  }
  return s;
}

/**
 * The region as strides over x's flat data: its first element, per-axis lengths and element strides, and its size.
 * Kernels walk it with an odometer, so a gather or scatter does no per-element index arithmetic.
 */
export function regionWalker(shape: readonly number[], r: Region): { base: number; len: Int32Array; stride: Int32Array; size: number } {
  const xs = stridesOf(shape);
  let base = 0;
  const stride = new Int32Array(shape.length);
  shape.forEach((_, k) => {
    base += r.start[k] * xs[k];
    stride[k] = r.step[k] * xs[k];
  });
  const size = r.len.reduce((a, b) => a * b, 1);
  return { base, len: Int32Array.from(r.len), stride, size };
}

/** A RuntimeError unless the region the bounds give has the shape the plan was made for. */
export function checkPlanned(op: string, got: readonly number[], planned: readonly number[]): void {
  if (got.length !== planned.length || got.some((d, i) => d !== planned[i])) {
    throw new RuntimeError(`${op}: the bounds select shape ${shapeStr(got)}, but the plan was made for ${shapeStr(planned)}`);
  }
}
