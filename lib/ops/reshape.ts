import { ArgumentError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Constant, Variable } from '../graph/variable';
import { shapeStr, showValue, sizeOf } from '../ndarray';
import { DIM_FORMS, dimOf, DimSlot, dimsOf, encodeDims, evalDims, evalStatic, formatDims, inferredSlot, parseDim, productExpr, showArg, sizeLimitProblem, staticDim } from './dim-expr';
import { ShapeOp } from './shape';

/**
 * x with a new shape of the same number of elements (same bytes, C order). Inputs: x, then the variables whose
 * run-time dims the target sizes read (attrs.dims, see dim-expr.ts); one size may be -1 (inferred).
 */
export class ReshapeOp extends Op {
  readonly name = 'reshape';
  readonly kernel = 'Reshape';
  override readonly attrs: { dims: readonly number[] };
  constructor(dims: readonly number[]) {
    super();
    this.attrs = { dims };
  }
  makeNode(x: Variable, ...refs: Variable[]): Apply {
    const dims = evalStatic(this.attrs.dims, [x, ...refs]).map((d) => (d !== null && d < 0 ? null : d));
    const k = inferredSlot(this.attrs.dims);
    if (k >= 0) {
      const n = x.type.isStatic ? sizeOf(x.type.shape as number[]) : null;
      const rest = dims.filter((_, i) => i !== k);
      const p = rest.every((d) => d !== null) ? sizeOf(rest as number[]) : null;
      dims[k] = n !== null && p !== null && p > 0 && n % p === 0 ? n / p : null;
    }
    return new Apply(this, [x, ...refs], [new TensorType(x.dtype, dims)]);
  }
  // d reshape(x) = g reshaped back to x's run-time shape
  override grad([x, ...refs]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? reshapeTo(g, dimsOf(x)) : null, ...refs.map(() => null)];
  }
  override format(inputs: readonly string[]): string {
    return `reshape(${inputs[0]}, [${formatDims(this.attrs.dims, inputs).join(', ')}])`;
  }
}

/** The target shape for an input of shape `x`, resolving -1; throws ShapeError if the element counts differ. */
function targetShape(x: readonly number[], dims: number[], k: number): number[] {
  const n = sizeOf(x);
  const bad = dims.findIndex((d, i) => i !== k && (d < 0 || !Number.isSafeInteger(d)));
  if (bad >= 0) throw new ShapeError(`reshape: shape[${bad}] must be >= 0, got ${dims[bad]} (target ${shapeStr(dims)})`);
  if (k >= 0) {
    const p = sizeOf(dims.filter((_, i) => i !== k));
    if (p === 0 || n % p !== 0) {
      throw new ShapeError(`reshape: shape ${shapeStr(dims)} must leave a whole size for -1 from x of shape ${shapeStr(x)} (${n} elements), got ${n} / ${p}`);
    }
    dims[k] = n / p;
  }
  if (sizeOf(dims) !== n) {
    throw new ShapeError(`reshape: shape must have as many elements as x of shape ${shapeStr(x)} (${n}), got ${shapeStr(dims)} (${sizeOf(dims)})`);
  }
  return dims;
}

registerKernel('Reshape', {
  inferShape: (ins, attrs) => [targetShape(ins[0], evalDims(attrs.dims as number[], ins), inferredSlot(attrs.dims as number[]))],
  prepareJs: () => (ins, outs) => outs[0].set(ins[0]),
});

/** x reshaped to sizes given as expressions (null = -1); x itself when they provably are x's own dims. */
export function reshapeTo(x: Variable, dims: readonly DimSlot[]): Variable {
  if (dims.length === x.ndim && dims.every((e, i) => e !== null && sameDim(e, x, i))) return x;
  const { code, refs } = encodeDims(dims, [x]);
  return new ReshapeOp(code).makeNode(x, ...refs).outputs[0];
}

function sameDim(e: DimSlot & object, x: Variable, i: number): boolean {
  const s = staticDim(e);
  if (s !== null) return s === x.type.shape[i];
  return e.length === 1 && e[0].coef === 1 && e[0].factors.length === 1 && e[0].factors[0].ref === x && e[0].factors[0].axis === i;
}

/**
 * Gives x a new shape with the same number of elements (NumPy semantics, one size may be -1). Sizes may be numbers
 * or symbolic: `y.shape[i]` / `T.shapeI(y, i)` and +, -, * of these, or a whole `T.shape(y)`.
 * @example x.reshape([x.shape[0], -1]) // [n, a, b] -> [n, a*b]
 */
export function reshape(x: unknown, shape: unknown): Variable {
  const v = asVariable(x, 'reshape', 'x');
  if (shape instanceof Variable && shape.owner?.op instanceof ShapeOp) return reshapeTo(v, dimsOf(shape.owner.inputs[0]));
  const list = typeof shape === 'number' ? [shape] : shape instanceof Constant && shape.ndim === 1 && shape.dtype === 'int32' ? Array.from(shape.value.data) : shape;
  if (!Array.isArray(list)) {
    throw new ArgumentError(`reshape: shape must be an array of sizes (each ${DIM_FORMS}; one may be -1) or T.shape(y), got ${showArg(shape)}`);
  }
  const problems: string[] = [];
  const dims: DimSlot[] = list.map((d, i) => {
    const e = parseDim(d);
    if (e !== null && staticDim(e) === -1) return null;
    if (e === null) problems.push(`shape[${i}] must be ${DIM_FORMS}, got ${showArg(d)}`);
    else if ((staticDim(e) ?? 0) < 0) problems.push(`shape[${i}] must be >= 0 or -1, got ${showArg(d)}`);
    else if (sizeLimitProblem(d, `shape[${i}]`)) problems.push(sizeLimitProblem(d, `shape[${i}]`)!);
    return e;
  });
  if (dims.filter((d) => d === null).length > 1) problems.push(`shape must contain at most one -1, got ${showList(list)}`);
  if (problems.length) throw new ArgumentError(`reshape: ${problems.join('; ')}`);
  const out = reshapeTo(v, dims);
  const st = out.type.shape;
  if (v.type.isStatic && out.type.isStatic && sizeOf(st as number[]) !== sizeOf(v.type.shape as number[])) {
    throw new ShapeError(`reshape: shape must have as many elements as x of shape ${shapeStr(v.type.shape)} (${sizeOf(v.type.shape as number[])}), got ${shapeStr(st)} (${sizeOf(st as number[])})`);
  }
  const known = dims.filter((d) => d !== null).map((d) => staticDim(d!));
  if (v.type.isStatic && dims.includes(null) && st.includes(null) && known.every((k) => k !== null)) {
    const n = sizeOf(v.type.shape as number[]);
    throw new ShapeError(`reshape: shape ${showList(list)} must leave a whole size for -1 from x of shape ${shapeStr(v.type.shape)} (${n} elements), got ${n} / ${sizeOf(known as number[])}`);
  }
  return out;
}

const showList = (l: readonly unknown[]) => `[${l.map((d) => (d instanceof Variable ? String(d) : showValue(d))).join(', ')}]`;

/**
 * Theano's flatten: keeps the first ndim-1 dims and collapses the rest into one (ndim = 1 gives a vector).
 * @example T.flatten(x, 2) // [n, a, b] -> [n, a*b]
 */
export function flatten(x: unknown, ndim = 1): Variable {
  const v = asVariable(x, 'flatten', 'x');
  if (!Number.isInteger(ndim) || ndim < 1 || ndim > Math.max(1, v.ndim)) {
    throw new ArgumentError(`flatten: ndim must be an integer in [1, ${Math.max(1, v.ndim)}] for x of rank ${v.ndim}, got ${showValue(ndim)}`);
  }
  const keep = dimsOf(v).slice(0, ndim - 1);
  const rest = v.type.shape.map((_, i) => i).filter((i) => i >= ndim - 1).map((i) => dimOf(v, i));
  return reshapeTo(v, [...keep, productExpr(rest)]);
}
