import { JsKernel } from '../graph/kernel-registry';
import { ArgumentError, ShapeError } from '../errors';
import { checkReadable, shapeStr, showValue, sizeOf } from '../ndarray';

/** Validates and normalizes reduction axes (negative counts from the end; undefined means all). */
export function normalizeAxes(op: string, axis: unknown, ndim: number): number[] {
  checkReadable(axis, op, 'axis');
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list) || !list.every((a) => Number.isInteger(a))) {
    throw new ArgumentError(`${op}: axis must be an integer, an array of integers or undefined, got ${showValue(axis)}`);
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
 * The row loop of a reduction of `inShape` over `axes`: size-1 dims dropped and adjacent dims that are both reduced
 * or both kept merged, the input is `rows` rows of `inner` elements in row-major order, and element j of a row lands
 * at out offset `rowOffset + j * innerStride` (innerStride 0 when the merged last dim is reduced, 1 when kept). The
 * kernels walk it inline: `let o = loop.first(); for (row...) { for (j < inner...) ...; o = loop.next(); }`.
 */
export class ReduceLoop {
  /** Elements of the output (the kept dims' product). */
  readonly outSize: number;
  readonly rows: number;
  readonly inner: number;
  readonly innerStride: number;
  private readonly shape: Int32Array;
  private readonly ostr: Int32Array;
  private readonly idx: Int32Array;
  private off = 0;
  constructor(inShape: readonly number[], axes: readonly number[]) {
    const dims: number[] = [];
    const kept: boolean[] = [];
    inShape.forEach((d, i) => {
      if (d === 1) return;
      const keep = !axes.includes(i);
      if (dims.length && kept[kept.length - 1] === keep) dims[dims.length - 1] *= d;
      else {
        dims.push(d);
        kept.push(keep);
      }
    });
    const r = dims.length;
    this.inner = r ? dims[r - 1] : 1;
    this.innerStride = r && kept[r - 1] ? 1 : 0;
    this.rows = r === 0 ? 1 : this.inner === 0 ? 0 : sizeOf(dims) / this.inner;
    // out offset strides of the outer dims: C order over the kept ones, 0 along reduced ones
    this.shape = Int32Array.from(dims.slice(0, -1));
    this.ostr = new Int32Array(Math.max(0, r - 1));
    let s = this.innerStride ? this.inner : 1;
    for (let d = r - 2; d >= 0; d--) {
      this.ostr[d] = kept[d] ? s : 0;
      if (kept[d]) s *= dims[d];
    }
    this.outSize = inShape.reduce((a, d, i) => (axes.includes(i) ? a : a * d), 1);
    this.idx = new Int32Array(this.shape.length);
  }
  /** The out offset of row 0 (call before each pass). */
  first(): number {
    this.idx.fill(0);
    return (this.off = 0);
  }
  /** The out offset of the next row (the common step inline, the carry into outer dims apart). */
  next(): number {
    const d = this.idx.length - 1;
    if (d < 0) return 0;
    if (++this.idx[d] < this.shape[d]) return (this.off += this.ostr[d]);
    return this.carry(d);
  }
  private carry(last: number): number {
    const { idx, shape, ostr } = this;
    this.off += ostr[last];
    for (let d = last; d >= 0; d--) {
      if (d < last) {
        idx[d]++;
        this.off += ostr[d];
      }
      if (idx[d] < shape[d]) break;
      this.off -= ostr[d] * shape[d];
      idx[d] = 0;
    }
    return this.off;
  }
}

/**
 * Sums `x` (shape `inShape`) into an output whose dims are `inShape` with `axes` reduced, then scales by `scale`.
 * Accumulates in float64 so float32 sums do not round at every step.
 */
export function sumKernel(inShape: readonly number[], axes: readonly number[], scale: number | null): JsKernel {
  const loop = new ReduceLoop(inShape, axes);
  const { rows, inner, innerStride: st, outSize: m } = loop;
  if (m === 1) {
    const n = sizeOf(inShape);
    return (ins, outs) => {
      const x = ins[0];
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i];
      outs[0][0] = scale === null ? s : s * scale;
    };
  }
  const acc = new Float64Array(m);
  return (ins, outs) => {
    const x = ins[0];
    acc.fill(0);
    let o = loop.first();
    if (st === 0) {
      // a row lands in one group: sum it in a register first
      for (let row = 0, i = 0; row < rows; row++, o = loop.next()) {
        let s = 0;
        for (let j = 0; j < inner; j++, i++) s += x[i];
        acc[o] += s;
      }
    } else {
      for (let row = 0, i = 0; row < rows; row++, o = loop.next()) {
        for (let j = 0; j < inner; j++, i++) acc[o + j] += x[i];
      }
    }
    const out = outs[0];
    if (scale === null) for (let k = 0; k < m; k++) out[k] = acc[k];
    else for (let k = 0; k < m; k++) out[k] = acc[k] * scale;
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
  const loop = new ReduceLoop(inShape, axes);
  const { rows, inner, innerStride: st } = loop;
  const acc = new Float64Array(loop.outSize);
  return (ins, outs) => {
    const X = ins[0];
    acc.fill(init);
    let o = loop.first();
    for (let row = 0, i = 0; row < rows; row++, o = loop.next()) {
      for (let j = 0; j < inner; j++, i++) {
        const k = o + j * st;
        acc[k] = step(acc[k], X[i]);
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
