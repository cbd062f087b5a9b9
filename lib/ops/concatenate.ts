import { ArgumentError, ShapeError } from '../errors';
import { DType, TypedArray, upcast } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { labelOf } from '../graph/printing';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Constant, Variable } from '../graph/variable';
import { describe, shapeStr, showValue } from '../ndarray';
import { cast } from './cast';
import { dimOf } from './dim-expr';
import { splitBy } from './split';

/** Joins the inputs along an existing axis; all other dims must agree. */
export class ConcatenateOp extends Op {
  readonly name = 'concatenate';
  readonly kernel = 'Concatenate';
  override readonly attrs: { axis: number };
  constructor(axis: number) {
    super();
    this.attrs = { axis };
  }
  makeNode(...xs: Variable[]): Apply {
    const axis = this.attrs.axis;
    const dims = xs.map((x) => x.type.shape[axis]);
    const shape = joinedStatic('concatenate', xs, axis);
    shape[axis] = dims.every((d) => d !== null) ? (dims as number[]).reduce((a, b) => a + b, 0) : null;
    return new Apply(this, xs, [new TensorType(xs[0].dtype, shape)]);
  }
  // d concatenate(xs) = g cut back into pieces of the inputs' run-time sizes along the axis
  override grad(xs: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return xs.map(() => null);
    const axis = this.attrs.axis;
    return splitBy(g, axis, xs.length, xs.map((x) => dimOf(x, axis)));
  }
}

/**
 * How an error names input k of a join: the user's variable (its name, expression or constant value) and its place
 * in xs; an unnamed input has only its place.
 */
function inputName(v: Variable, k: number): string {
  return v.name || v.owner || v instanceof Constant ? `${labelOf(v)} (xs[${k}])` : `xs[${k}]`;
}

/**
 * The static shape shared by all xs (first known value of each dim); throws a ShapeError listing every input whose
 * static dims (other than `skip`) disagree.
 */
export function joinedStatic(op: string, xs: readonly Variable[], skip: number): (number | null)[] {
  const shape = xs[0].type.shape.slice();
  for (const x of xs) x.type.shape.forEach((d, i) => (shape[i] ??= d));
  const show = shape.map((d, i) => (i === skip ? '*' : d === null ? '?' : String(d))).join(', ');
  const bad = xs.flatMap((x, k) => (x.type.shape.some((d, i) => i !== skip && d !== null && d !== shape[i]) ? [`${inputName(x, k)} ${shapeStr(x.type.shape)}`] : []));
  if (bad.length) throw new ShapeError(`${op}: every input must have shape [${show}]${skip >= 0 ? ` (any size on axis ${skip})` : ''}, got ${bad.join(', ')}`);
  return shape;
}

/**
 * Runtime check that all shapes equal the first except on `skip`; `inputLabel` names input k as the user wrote it
 * (from the memory planner), so the message reads `got exp(b) (xs[1]) [2, 4]`.
 */
export function checkJoined(op: string, shapes: readonly (readonly number[])[], skip: number, inputLabel?: (k: number) => string | null): void {
  const first = shapes[0];
  const name = (k: number) => {
    const label = inputLabel?.(k);
    return label ? `${label} (xs[${k}])` : `xs[${k}]`;
  };
  const bad = shapes.flatMap((s, k) => (s.length !== first.length || s.some((d, i) => i !== skip && d !== first[i]) ? [`${name(k)} ${shapeStr(s)}`] : []));
  if (bad.length) {
    const show = first.map((d, i) => (i === skip ? '*' : String(d))).join(', ');
    throw new ShapeError(`${op}: every input must have shape [${show}]${skip >= 0 ? ` (any size on axis ${skip})` : ''}, got ${bad.join(', ')}`);
  }
}

/** For joining along an axis at `axis` of the output: outer count and each input's contiguous chunk per outer index. */
export function joinKernel(inShapes: readonly (readonly number[])[], outShape: readonly number[], axis: number) {
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= outShape[i];
  const widths = inShapes.map((s) => (outer === 0 ? 0 : s.reduce((a, b) => a * b, 1) / outer));
  const total = widths.reduce((a, b) => a + b, 0);
  return (ins: readonly TypedArray[], outs: readonly TypedArray[]) => {
    const O = outs[0];
    for (let o = 0; o < outer; o++) {
      for (let k = 0, off = o * total; k < ins.length; off += widths[k], k++) O.set(ins[k].subarray(o * widths[k], (o + 1) * widths[k]), off);
    }
  };
}

registerKernel('Concatenate', {
  nativeAttrs: (a) => ({ ints: [a.axis as number] }),
  inferShape: (ins, attrs, _host, inputLabel) => {
    const axis = attrs.axis as number;
    checkJoined('concatenate', ins, axis, inputLabel);
    const out = ins[0].slice();
    out[axis] = ins.reduce((a, s) => a + s[axis], 0);
    return [out];
  },
  prepareJs: ({ inShapes, outShapes: [out], attrs }) => joinKernel(inShapes, out, attrs.axis as number),
});

/** The inputs of a join as Variables of one dtype (all the same, or their upcast); throws on a bad list. */
export function joinInputs(op: string, xs: unknown): Variable[] {
  if (!Array.isArray(xs) || xs.length === 0) throw new ArgumentError(`${op}: xs must be a non-empty array of tensors, got ${describe(xs)}`);
  const vs = xs.map((x, i) => asVariable(x, op, `xs[${i}]`));
  const dt = vs.every((v) => v.dtype === vs[0].dtype) ? vs[0].dtype : vs.map((v) => v.dtype).reduce((a: DType, b) => upcast(a, b));
  const bad = vs.flatMap((v, i) => (v.ndim !== vs[0].ndim ? [`${inputName(v, i)} has rank ${v.ndim}`] : []));
  if (bad.length) throw new ShapeError(`${op}: every input must have the rank of ${inputName(vs[0], 0)} (${vs[0].ndim}), got ${bad.join(', ')}`);
  return vs.map((v) => (v.dtype === dt ? v : cast(v, dt)));
}

/** Joins tensors along an existing axis (dtypes upcast). @example T.concatenate([a, b], 1) // [n, 2], [n, 3] -> [n, 5] */
export function concatenate(xs: unknown, axis = 0): Variable {
  const vs = joinInputs('concatenate', xs);
  const r = vs[0].ndim;
  if (r === 0) throw new ShapeError('concatenate: xs must have rank >= 1, got scalars');
  if (!Number.isInteger(axis) || axis < -r || axis >= r) throw new ArgumentError(`concatenate: axis must be an integer in [${-r}, ${r}), got ${showValue(axis)}`);
  const ax = axis < 0 ? axis + r : axis;
  if (vs.length === 1) return vs[0];
  return new ConcatenateOp(ax).makeNode(...vs).outputs[0];
}
