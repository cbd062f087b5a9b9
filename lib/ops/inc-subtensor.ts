import { canCastSafely, dtypeOfTypedArray, isFloat, TypedArray } from '../dtype';
import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { asVariable, constant } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { NDArray, shapeStr, showValue } from '../ndarray';
import { broadcastStrides } from './broadcast';
import { cast } from './cast';
import { reduceTo } from './sum-to';
import { formatSpec, parseSpec, regionShape, regionWalker, resolveRegion, SliceSpec, SpecInts, staticShape, substitute, SubtensorOp, symCount } from './subtensor';
import { IncTakeOp, parseAxis, takeIndices, TakeOp } from './take';

/**
 * A copy of x with y added to (or, with `set`, written over) the region a basic index selects; y broadcasts to it.
 * Inputs: x, y, one int32 scalar per symbolic bound (the output has x's shape, so bounds never make it data-dependent).
 */
export class IncSubtensorOp extends Op {
  readonly name: string;
  readonly kernel = 'IncSubtensor';
  override readonly attrs: { spec: SpecInts; set: boolean };
  constructor(spec: SpecInts, set: boolean) {
    super();
    this.attrs = { spec, set };
    this.name = set ? 'setSubtensor' : 'incSubtensor';
  }
  makeNode(x: Variable, y: Variable, ...scalars: Variable[]): Apply {
    checkFit(this.name, y.type.shape, staticShape(x.type.shape, this.attrs.spec));
    return new Apply(this, [x, y, ...scalars], [new TensorType(x.dtype, x.type.shape)]);
  }
  // inc: dx = g, dy = g[idx] summed to y's shape; set: dx = g with the region zeroed (overwritten values do not reach the output)
  override grad([, y, ...scalars]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null, ...scalars.map(() => null)];
    const { spec, set } = this.attrs;
    const gx = set ? new IncSubtensorOp(spec, true).makeNode(g, constant(0, g.dtype), ...scalars).outputs[0] : g;
    return [gx, isFloat(y.dtype) ? reduceTo(new SubtensorOp(spec).makeNode(g, ...scalars).outputs[0], y) : null, ...scalars.map(() => null)];
  }
  override format([x, y, ...scalars]: readonly string[]): string {
    return `${this.name}(${x}${formatSpec(this.attrs.spec, scalars)}, ${y})`;
  }
}

/** A ShapeError unless y's dims (static or run-time) can broadcast to the region's (right-aligned, y dims of 1 stretch). */
export function checkFit(op: string, ys: readonly Dim[], rs: readonly Dim[]): void {
  const lead = rs.length - ys.length;
  const ok = lead >= 0 && ys.every((d, i) => d === null || d === 1 || rs[lead + i] === null || rs[lead + i] === d);
  if (!ok) throw new ShapeError(`${op}: y must broadcast to the selected region ${shapeStr(rs)}, got ${shapeStr(ys)}`);
}

/** y's element stride along each region axis (0 where y broadcasts or the axis is dropped). */
function yStrides(ys: readonly number[], rs: readonly number[], drop: readonly boolean[]): Int32Array {
  const bs = broadcastStrides(ys, rs);
  let j = 0;
  return Int32Array.from(drop.map((d) => (d ? 0 : bs[j++])));
}

registerKernel('IncSubtensor', {
  // x is copied onto itself (a no-op), then only the selected region changes, read from y: an embedding update
  // W <- incSubtensor(W, ids, -lr * g) touches the indexed rows, not all of W
  inPlace: (i) => i === 0,
  nativeAttrs: (a) => ({ ints: [a.set ? 1 : 0, ...(a.spec as number[])] }),
  inferShape: ([x, y], attrs) => {
    const op = attrs.set ? 'setSubtensor' : 'incSubtensor';
    const spec = attrs.spec as number[];
    // with symbolic bounds the region is known only when the step runs, which checks it then
    if (symCount(spec) === 0) checkFit(op, y, regionShape(resolveRegion(op, x, spec)));
    return [x.slice()];
  },
  prepareJs: ({ inShapes: [xs, ys], attrs }) => {
    const set = attrs.set as boolean;
    const op = set ? 'setSubtensor' : 'incSubtensor';
    const spec = attrs.spec as number[];
    const nSym = symCount(spec);
    const values = new Array<number>(nSym);
    const geometry = () => {
      const reg = resolveRegion(op, xs, substitute(spec, values));
      checkFit(op, ys, regionShape(reg));
      return { ...regionWalker(xs, reg), ystr: yStrides(ys, regionShape(reg), reg.drop) };
    };
    const fixed = nSym === 0 ? geometry() : null;
    const idx = new Int32Array(xs.length);
    return (ins, outs) => {
      const [X] = ins;
      const O = outs[0];
      for (let j = 0; j < nSym; j++) values[j] = ins[2 + j][0];
      const { base, len, stride, size, ystr } = fixed ?? geometry();
      const r = len.length;
      const Y = unaliased(ins[1], O);
      O.set(X);
      if (size === 0) return;
      idx.fill(0);
      let off = base;
      let yo = 0;
      for (let e = 0; e < size; e++) {
        if (set) O[off] = Y[yo];
        else O[off] += Y[yo];
        for (let d = r - 1; d >= 0; d--) {
          off += stride[d];
          yo += ystr[d];
          if (++idx[d] < len[d]) break;
          off -= stride[d] * len[d];
          yo -= ystr[d] * len[d];
          idx[d] = 0;
        }
      }
    };
  },
});

/**
 * y itself, or a copy when it shares memory with the output: a plan may write the output over x in place, and x
 * may be y too (`incSubtensor(x, [[null, null, -1]], x)`), whose elements must be read before they are overwritten.
 */
export function unaliased(Y: TypedArray, O: TypedArray): TypedArray {
  const overlap = Y.buffer === O.buffer && Y.byteOffset < O.byteOffset + O.byteLength && O.byteOffset < Y.byteOffset + Y.byteLength;
  return overlap ? (Y.slice() as TypedArray) : Y;
}

/** y converted to x's dtype: plain numbers take it, typed values only by a safe cast. */
function valueFor(op: string, x: Variable, y: unknown): Variable {
  const v = asVariable(y, op, 'y', x.dtype);
  if (v.dtype === x.dtype) return v;
  if (!canCastSafely(v.dtype, x.dtype)) throw new DTypeError(`${op}: y must have dtype ${x.dtype} (or one that casts to it safely), got ${v.dtype}`);
  return cast(v, x.dtype);
}

/** Whether an index argument is an integer tensor (advanced indexing) rather than a list of per-axis specs. */
function isIndexTensor(index: unknown): boolean {
  return index instanceof Variable || index instanceof NDArray || dtypeOfTypedArray(index) !== null;
}

/** Options of the advanced (integer-array) forms. */
export interface AdvancedIndexOptions {
  /** The axis the integer indices select along (default 0). */
  axis?: number;
}

/**
 * Theano's two-argument form `incSubtensor(x.take(idx), y)` / `incSubtensor(x.slice(...), y)`: the region is the
 * result of a take or slice, and y goes into the tensor it was taken from, at the same index.
 */
function incOrSetRegion(op: 'incSubtensor' | 'setSubtensor', region: unknown, y: unknown): Variable {
  const rv = asVariable(region, op, 'x');
  const node = rv.owner;
  const set = op === 'setSubtensor';
  if (node?.op instanceof TakeOp) {
    const [base, idx] = node.inputs;
    if (op === 'incSubtensor' && base.dtype === 'bool') throw new DTypeError(`${op}: x must have dtype float32, float64 or int32, got bool`);
    return new IncTakeOp((node.op as TakeOp).attrs.axis, set).makeNode(base, idx, valueFor(op, base, y)).outputs[0];
  }
  if (node?.op instanceof SubtensorOp) {
    const { spec } = (node.op as SubtensorOp).attrs;
    const [base, ...rest] = node.inputs;
    const scalars = rest.slice(0, symCount(spec)); // without the size ref of a data-dependent slice
    if (op === 'incSubtensor' && base.dtype === 'bool') throw new DTypeError(`${op}: x must have dtype float32, float64 or int32, got bool`);
    return new IncSubtensorOp(spec, set).makeNode(base, valueFor(op, base, y), ...scalars).outputs[0];
  }
  throw new ArgumentError(
    `${op}: x must be the result of a take or slice when called as ${op}(x, y), got ${rv.toString()} (pass the index explicitly: ${op}(x, index, y))`,
  );
}

function incOrSet(op: 'incSubtensor' | 'setSubtensor', x: unknown, index: unknown, y: unknown, opts: AdvancedIndexOptions): Variable {
  const xv = asVariable(x, op, 'x');
  if (op === 'incSubtensor' && xv.dtype === 'bool') throw new DTypeError(`${op}: x must have dtype float32, float64 or int32, got bool`);
  if (isIndexTensor(index)) {
    const axis = parseAxis(op, xv, opts.axis ?? 0);
    const idx = takeIndices(op, xv, index, axis);
    return new IncTakeOp(axis, op === 'setSubtensor').makeNode(xv, idx, valueFor(op, xv, y)).outputs[0];
  }
  if (!Array.isArray(index)) {
    throw new ArgumentError(`${op}: index must be an array of per-axis specs ([start, stop, step], null or integer) or an int32 index tensor, got ${showValue(index)}`);
  }
  const { spec, scalars } = parseSpec(op, xv, index);
  return new IncSubtensorOp(spec, op === 'setSubtensor').makeNode(xv, valueFor(op, xv, y), ...scalars).outputs[0];
}

/**
 * A copy of x with y added at a basic index (`[slices...]`, as in `T.slice`) or at integer indices along one axis
 * (an int32 tensor, Int32Array or NDArray; repeated indices accumulate). y broadcasts to the selected region. A plain
 * JS array is always a basic index (`[0, 2]` is `x[0, 2]`): wrap integer indices with `T.constant(ids, 'int32')`.
 * @example T.incSubtensor(x, [[1, 3], null], 1) // x[1:3, :] += 1, as a new tensor
 */
export function incSubtensor(region: Variable, y: unknown): Variable;
export function incSubtensor(x: unknown, index: readonly SliceSpec[] | Variable | NDArray | Int32Array, y: unknown, opts?: AdvancedIndexOptions): Variable;
export function incSubtensor(x: unknown, ...rest: unknown[]): Variable {
  if (rest.length === 1) return incOrSetRegion('incSubtensor', x, rest[0]);
  const [index, y, opts] = rest as [unknown, unknown, AdvancedIndexOptions | undefined];
  return incOrSet('incSubtensor', x, index, y, opts ?? {});
}

/**
 * A copy of x with y written at a basic index or at integer indices along one axis (the last write of a repeated
 * index wins). @example T.setSubtensor(x, [0], v) // x[0] = v, as a new tensor
 */
export function setSubtensor(region: Variable, y: unknown): Variable;
export function setSubtensor(x: unknown, index: readonly SliceSpec[] | Variable | NDArray | Int32Array, y: unknown, opts?: AdvancedIndexOptions): Variable;
export function setSubtensor(x: unknown, ...rest: unknown[]): Variable {
  if (rest.length === 1) return incOrSetRegion('setSubtensor', x, rest[0]);
  const [index, y, opts] = rest as [unknown, unknown, AdvancedIndexOptions | undefined];
  return incOrSet('setSubtensor', x, index, y, opts ?? {});
}
