import { isFloat, TypedArray } from '../dtype';
import { ArgumentError, DTypeError, RuntimeError, ShapeError } from '../errors';
import { asVariable, constant } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Constant, Variable } from '../graph/variable';
import { shapeStr, sizeOf, showValue } from '../ndarray';
import { broadcastStrides } from './broadcast';
import { zerosLike } from './broadcast-to';
import { checkFit, unaliased } from './inc-subtensor';
import { reduceTo } from './sum-to';

/** x's shape with axis `axis` replaced by the index tensor's shape. */
function takeShape<D>(xs: readonly D[], is: readonly D[], axis: number): D[] {
  return [...xs.slice(0, axis), ...is, ...xs.slice(axis + 1)];
}

/** Throws the RuntimeError that names the first index outside [-n, n). */
function checkIndices(op: string, I: TypedArray, n: number, axis: number): void {
  for (let j = 0; j < I.length; j++) {
    const i = I[j];
    if (i >= n || i < -n) throw new RuntimeError(`${op}: index ${i} (at position ${j} of the indices) is out of range for axis ${axis} of size ${n}`);
  }
}

/** Element offsets in y of every C-order position of a block of `dims` whose strides in y are `strides`. */
function offsetTable(dims: readonly number[], strides: readonly number[]): Int32Array {
  const t = new Int32Array(sizeOf(dims));
  for (let p = 0; p < t.length; p++) {
    let rest = p;
    let off = 0;
    for (let d = dims.length - 1; d >= 0; d--) {
      off += (rest % dims[d]) * strides[d];
      rest = Math.floor(rest / dims[d]);
    }
    t[p] = off;
  }
  return t;
}

/** Integer-array indexing along one axis (`x.take(idx, axis)`, an embedding lookup for axis 0). */
export class TakeOp extends Op {
  readonly name = 'take';
  readonly kernel = 'Take';
  override readonly attrs: { axis: number };
  constructor(axis: number) {
    super();
    this.attrs = { axis };
  }
  makeNode(x: Variable, idx: Variable): Apply {
    return new Apply(this, [x, idx], [new TensorType(x.dtype, takeShape(x.type.shape, idx.type.shape, this.attrs.axis))]);
  }
  // d take(x, i) = zeros like x with g scattered-added at i (repeated indices accumulate); no gradient for i
  override grad([x, idx]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? new IncTakeOp(this.attrs.axis, false).makeNode(zerosLike(x), idx, g).outputs[0] : null, null];
  }
  override format([x, i]: readonly string[]): string {
    return this.attrs.axis === 0 ? `${x}[${i}]` : `take(${x}, ${i}, axis=${this.attrs.axis})`;
  }
}

registerKernel('Take', {
  nativeAttrs: (a) => ({ ints: [a.axis as number] }),
  inferShape: ([x, i], attrs) => {
    const axis = attrs.axis as number;
    if (x[axis] === 0 && sizeOf(i) > 0) throw new ShapeError(`take: indices must be empty to index axis ${axis} of size 0, got shape ${shapeStr(i)}`);
    return [takeShape(x, i, axis)];
  },
  prepareJs: ({ inShapes: [xs], attrs }) => {
    const axis = attrs.axis as number;
    const outer = sizeOf(xs.slice(0, axis));
    const n = xs[axis];
    const inner = sizeOf(xs.slice(axis + 1));
    return (ins, outs) => {
      const [X, I] = ins;
      const O = outs[0];
      checkIndices('take', I, n, axis);
      const J = I.length;
      let o = 0;
      for (let a = 0; a < outer; a++) {
        for (let j = 0; j < J; j++) {
          const i = I[j];
          const src = (a * n + (i < 0 ? i + n : i)) * inner;
          for (let k = 0; k < inner; k++) O[o++] = X[src + k];
        }
      }
    };
  },
});

/** A copy of x with y added at (or, with `set`, written to) integer indices along one axis; y broadcasts. */
export class IncTakeOp extends Op {
  readonly name: string;
  readonly kernel = 'IncTake';
  override readonly attrs: { axis: number; set: boolean };
  constructor(axis: number, set: boolean) {
    super();
    this.attrs = { axis, set };
    this.name = set ? 'setSubtensor' : 'incSubtensor';
  }
  makeNode(x: Variable, idx: Variable, y: Variable): Apply {
    checkFit(this.name, y.type.shape, takeShape<Dim>(x.type.shape, idx.type.shape, this.attrs.axis));
    return new Apply(this, [x, idx, y], [new TensorType(x.dtype, x.type.shape)]);
  }
  // inc: dx = g, dy = take(g, i) summed to y's shape; set: dx = g with the written rows zeroed. With repeated indices
  // under set only the last write reaches the output, yet dy gives every duplicate the gradient (as Theano does).
  override grad([, idx, y]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null, null];
    const { axis, set } = this.attrs;
    const gx = set ? new IncTakeOp(axis, true).makeNode(g, idx, constant(0, g.dtype)).outputs[0] : g;
    return [gx, null, isFloat(y.dtype) ? reduceTo(new TakeOp(axis).makeNode(g, idx).outputs[0], y) : null];
  }
  override format([x, i, y]: readonly string[]): string {
    return `${this.name}(${x}[${i}${this.attrs.axis ? `, axis=${this.attrs.axis}` : ''}], ${y})`;
  }
}

registerKernel('IncTake', {
  inPlace: (i) => i === 0, // as IncSubtensor: x onto itself, then the indexed rows
  nativeAttrs: (a) => ({ ints: [a.axis as number, a.set ? 1 : 0] }),
  inferShape: ([x, i, y], attrs) => {
    const axis = attrs.axis as number;
    const op = attrs.set ? 'setSubtensor' : 'incSubtensor';
    if (x[axis] === 0 && sizeOf(i) > 0) throw new ShapeError(`${op}: indices must be empty to index axis ${axis} of size 0, got shape ${shapeStr(i)}`);
    checkFit(op, y, takeShape(x, i, axis));
    return [x.slice()];
  },
  prepareJs: ({ inShapes: [xs, is, ys], attrs }) => {
    const axis = attrs.axis as number;
    const set = attrs.set as boolean;
    const op = set ? 'setSubtensor' : 'incSubtensor';
    const n = xs[axis];
    const inner = sizeOf(xs.slice(axis + 1));
    const bs = broadcastStrides(ys, takeShape(xs, is, axis));
    const r = is.length;
    const yOuter = offsetTable(xs.slice(0, axis), bs.slice(0, axis));
    const yJ = offsetTable(is, bs.slice(axis, axis + r));
    const yInner = offsetTable(xs.slice(axis + 1), bs.slice(axis + r));
    return (ins, outs) => {
      const [X, I] = ins;
      const O = outs[0];
      const Y = unaliased(ins[2], O);
      checkIndices(op, I, n, axis);
      O.set(X);
      for (let a = 0; a < yOuter.length; a++) {
        for (let j = 0; j < I.length; j++) {
          const i = I[j];
          const dst = (a * n + (i < 0 ? i + n : i)) * inner;
          const ya = yOuter[a] + yJ[j];
          if (set) for (let k = 0; k < inner; k++) O[dst + k] = Y[ya + yInner[k]];
          else for (let k = 0; k < inner; k++) O[dst + k] += Y[ya + yInner[k]];
        }
      }
    };
  },
});

/** Validates an axis argument against x's rank; returns it non-negative. */
export function parseAxis(op: string, x: Variable, axis: unknown): number {
  const r = x.ndim;
  if (!Number.isInteger(axis) || (axis as number) < -r || (axis as number) >= r) {
    throw new ShapeError(`${op}: axis must be an integer in [${-r}, ${r}) for x of rank ${r} (${x.type}), got ${showValue(axis)}`);
  }
  return (axis as number) < 0 ? (axis as number) + r : (axis as number);
}

/** The index argument as an int32 Variable; constant indices are range-checked against a known dim. */
export function takeIndices(op: string, x: Variable, index: unknown, axis: number): Variable {
  const idx = asVariable(index, op, 'indices', 'int32');
  if (idx.dtype !== 'int32') {
    const hint = idx.dtype === 'bool' ? ' (a bool mask selects with T.booleanMask)' : '';
    throw new DTypeError(`${op}: indices must have dtype int32, got ${idx.dtype}${hint}`);
  }
  const n = x.type.shape[axis];
  if (idx instanceof Constant && n !== null) {
    const bad = Array.from(idx.value.data).filter((i) => i >= n || i < -n);
    if (bad.length) throw new ShapeError(`${op}: indices must be in [${-n}, ${n}) for axis ${axis} of x ${shapeStr(x.type.shape)}, got ${[...new Set(bad)].join(', ')}`);
  }
  return idx;
}

/**
 * Integer-array indexing along one axis (NumPy `np.take`): indices of any rank replace that axis; negative indices
 * count from the end; an index out of range at run time is a RuntimeError. @example T.take(W, ids) // embedding rows
 */
export function take(x: unknown, indices: unknown, axis = 0): Variable {
  const v = asVariable(x, 'take', 'x');
  if (v.ndim === 0) throw new ShapeError(`take: x must have rank >= 1, got ${v.type}`);
  const a = parseAxis('take', v, axis);
  if (indices === null || indices === undefined) throw new ArgumentError(`take: indices must be an int32 tensor or an array of integers, got ${String(indices)}`);
  return new TakeOp(a).makeNode(v, takeIndices('take', v, indices, a)).outputs[0];
}
