import { JsKernel } from '../graph/kernel-registry';
import { ArgumentError, ShapeError } from '../errors';
import { shapeStr, sizeOf } from '../ndarray';

/** Validates and normalizes reduction axes (negative counts from the end; undefined means all). */
export function normalizeAxes(op: string, axis: unknown, ndim: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list) || !list.every((a) => Number.isInteger(a))) {
    throw new ArgumentError(`${op}: axis must be an integer, an array of integers or undefined, got ${JSON.stringify(axis)}`);
  }
  const bad = list.filter((a) => a < -ndim || a >= ndim);
  if (bad.length) throw new ShapeError(`${op}: axis must be in [${-ndim}, ${ndim}) for a tensor of rank ${ndim}, got ${bad.join(', ')}`);
  const norm = list.map((a) => (a < 0 ? a + ndim : a));
  if (new Set(norm).size !== norm.length) throw new ArgumentError(`${op}: axis must not repeat, got [${list.join(', ')}]`);
  return norm.sort((a, b) => a - b);
}

export function reducedShape<D>(shape: readonly D[], axes: readonly number[], keepdims: boolean, one: D): D[] {
  const out: D[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(one);
  });
  return out;
}

/**
 * Sums `x` (shape `inShape`) into an output whose dims are `inShape` with `axes` reduced, then scales by `scale`.
 * Accumulates in float64 so float32 sums do not round at every step.
 */
export function sumKernel(inShape: readonly number[], axes: readonly number[], scale: number | null): JsKernel {
  const n = sizeOf(inShape);
  const outShape = inShape.map((d, i) => (axes.includes(i) ? 1 : d));
  const m = sizeOf(outShape);
  const acc = new Float64Array(m);
  if (m === 1) {
    return (ins, outs) => {
      const x = ins[0];
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i];
      outs[0][0] = scale === null ? s : s * scale;
    };
  }
  // out offset of each input element: strides of outShape, zero along reduced axes
  const r = inShape.length;
  const ostr = new Int32Array(r);
  for (let i = r - 1, s = 1; i >= 0; i--) {
    ostr[i] = axes.includes(i) ? 0 : s;
    s *= outShape[i];
  }
  const idx = new Int32Array(r);
  const inner = r ? inShape[r - 1] : 1;
  const innerStride = r ? ostr[r - 1] : 0;
  return (ins, outs) => {
    const x = ins[0];
    acc.fill(0);
    idx.fill(0);
    let off = 0;
    for (let i = 0; i < n; ) {
      for (let j = 0; j < inner; j++, i++) acc[off + j * innerStride] += x[i];
      for (let d = r - 2; d >= 0; d--) {
        idx[d]++;
        off += ostr[d];
        if (idx[d] < inShape[d]) break;
        off -= ostr[d] * inShape[d];
        idx[d] = 0;
      }
    }
    const o = outs[0];
    if (scale === null) for (let k = 0; k < m; k++) o[k] = acc[k];
    else for (let k = 0; k < m; k++) o[k] = acc[k] * scale;
  };
}

export function checkBroadcastsTo(op: string, from: readonly number[], to: readonly number[]): void {
  let ok = from.length <= to.length;
  for (let i = 0; ok && i < from.length; i++) {
    const d = from[from.length - 1 - i];
    const t = to[to.length - 1 - i];
    if (d !== 1 && d !== t) ok = false;
  }
  if (!ok) throw new ShapeError(`${op}: x must broadcast to ${shapeStr(to)}, got ${shapeStr(from)}`);
}

/**
 * A reduction kernel folding each group of `x` (shape `inShape`) over `axes` with `step`, starting from `init`.
 * Accumulates in float64 and writes the output once (so float32 products do not round at every step).
 */
export function foldKernel(inShape: readonly number[], axes: readonly number[], init: number, step: (acc: number, v: number) => number): JsKernel {
  const r = inShape.length;
  const n = sizeOf(inShape);
  const outShape = inShape.map((d, i) => (axes.includes(i) ? 1 : d));
  // out offset of each input element: strides of outShape, zero along reduced axes
  const ostr = new Int32Array(r);
  for (let i = r - 1, s = 1; i >= 0; i--) {
    ostr[i] = axes.includes(i) ? 0 : s;
    s *= outShape[i];
  }
  const idx = new Int32Array(r);
  const acc = new Float64Array(sizeOf(outShape));
  return (ins, outs) => {
    const X = ins[0];
    acc.fill(init);
    idx.fill(0);
    let off = 0;
    for (let i = 0; i < n; i++) {
      acc[off] = step(acc[off], X[i]);
      for (let d = r - 1; d >= 0; d--) {
        idx[d]++;
        off += ostr[d];
        if (idx[d] < inShape[d]) break;
        off -= ostr[d] * inShape[d];
        idx[d] = 0;
      }
    }
    outs[0].set(acc);
  };
}

/** The build-time and run-time check of reductions that have no identity (min, max, argmin, argmax). */
export function checkNotEmpty(op: string, shape: readonly (number | null)[], axes: readonly number[], shown: string): void {
  const empty = axes.filter((a) => shape[a] === 0);
  if (empty.length) throw new ShapeError(`${op}: x must not be empty along axis ${empty.join(', ')}, got ${shown}`);
}
