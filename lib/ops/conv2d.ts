import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { isFloat, upcast } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Attrs, Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Constant, Variable } from '../graph/variable';
import { describe, shapeStr } from '../ndarray';
import { add } from './add';
import { arange } from './arange';
import { expandDims } from './expand-dims';
import { cast } from './cast';
import { ConvAttrs, convAttrsOf, formatConv, convGeometry, convGeometryOrThrow, convNativeAttrs, parseConvOptions, refineShape } from './conv-geometry';
import type { Conv2dOptions } from './conv-geometry';
import { ConvPass, convReference } from './conv-kernels';

export type { Conv2dOptions } from './conv-geometry';

type Names = { x: string; w: string };
const FWD: Names = { x: 'input', w: 'filters' };
const GI: Names = { x: 'the input (of inputShape)', w: 'filters' };
const GW: Names = { x: 'input', w: 'the filters (of filterShape)' };

function geomAttrs(a: ConvAttrs): { mode: number; pad: readonly number[]; subsample: readonly number[]; dilation: readonly number[]; groups: number; flip: boolean } {
  return { mode: a.mode, pad: a.pad, subsample: a.subsample, dilation: a.dilation, groups: a.groups, flip: a.flip };
}

/** Both operands in one float dtype; a DTypeError naming every non-float one. */
function floatPair(op: string, a: Variable, b: Variable, names: [string, string]): [Variable, Variable] {
  const bad = [a, b].map((v, i) => (isFloat(v.dtype) ? null : `${names[i]} must have a float dtype, got ${v.type}`)).filter((s): s is string => !!s);
  if (bad.length) throw new DTypeError(`${op}: ${bad.join('; ')}`);
  const dt = upcast(a.dtype, b.dtype);
  return [a.dtype === dt ? a : cast(a, dt), b.dtype === dt ? b : cast(b, dt)];
}

/** A conv output gradient's shape must be the forward's [N, K, OH, OW]; problems for each mismatched dim. */
function checkOutputGrad(gy: readonly Dim[], want: readonly Dim[], problems: string[]): void {
  if (gy.length !== 4) {
    problems.push(`outputGrad must have rank 4 [N, K, OH, OW], got rank ${gy.length} ${shapeStr(gy)}`);
    return;
  }
  if (gy.some((d, i) => d !== null && want[i] !== null && d !== want[i])) problems.push(`outputGrad must have shape ${shapeStr(want)} (the convolution's output), got ${shapeStr(gy)}`);
}

/**
 * out[n, k, y, x] = Σ_{c, i, j} input[n, g C/G + c, y s - p + i d, x s - p + j d] · f[k, c, i, j], with f the filters
 * flipped (a true convolution) unless filterFlip is false; g = k's group. Theano's AbstractConv2d.
 */
export abstract class ConvOpBase extends Op {
  override format(inputs: readonly string[]): string {
    return formatConv(this.name, inputs.slice(0, 2), this.attrs);
  }
}

export class Conv2dOp extends ConvOpBase {
  readonly name = 'conv2d';
  readonly kernel = 'Conv2d';
  override readonly attrs: Attrs;
  constructor(a: ConvAttrs, hintX: readonly Dim[] = [], hintW: readonly Dim[] = []) {
    super();
    this.attrs = { ...geomAttrs(a), hintX: hintX.map((d) => d ?? -1), hintW: hintW.map((d) => d ?? -1) };
  }
  makeNode(x: Variable, w: Variable): Apply {
    const problems: string[] = [];
    const a = convAttrsOf(this.attrs);
    const hint = (k: string) => (this.attrs[k] as readonly number[]).map((d) => (d < 0 ? null : d));
    const xs = refineShape(this.name, 'input', x.type.shape, x.ndim === 4 && (this.attrs.hintX as number[]).length ? hint('hintX') : undefined, problems);
    const ws = refineShape(this.name, 'filters', w.type.shape, w.ndim === 4 && (this.attrs.hintW as number[]).length ? hint('hintW') : undefined, problems);
    const g = convGeometry(xs, ws, a, FWD, problems);
    if (problems.length || !g) throw new ShapeError(`conv2d: ${problems.join('; ')}${x.ndim === 3 ? ' (conv1d takes [N, C, W])' : ''}`);
    return new Apply(this, [x, w], [new TensorType(x.dtype, [g.n, g.k, g.oh, g.ow])]);
  }
  // y = A_w x is linear in each operand: dx = A_w^T gy (the input gradient), dw = the weight gradient of (x, gy)
  override grad([x, w]: readonly Variable[], _o: readonly Variable[], [gy]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!gy) return [null, null];
    const a = convAttrsOf(this.attrs);
    return [gradInputsLike(a, gy, w, x), gradWeightsLike(a, x, gy, w)];
  }
}

/** The spatial size a gradient op produces: [a, b] from its attributes, or (-1) from its shape reference input. */
function sizeFrom(attrs: Attrs, ref: Variable | undefined): [Dim, Dim] {
  const s = attrs.size as readonly number[];
  if (s[0] >= 0) return [s[0], s[1]];
  return ref ? [ref.type.shape[2], ref.type.shape[3]] : [null, null];
}

/** dx = A_w^T gy, Theano's AbstractConv2d_gradInputs: inputs gy, w and (when size is [-1, -1]) a shape reference. */
export class Conv2dGradInputsOp extends ConvOpBase {
  readonly name = 'conv2dGradWrtInputs';
  readonly kernel = 'Conv2dGradInputs';
  override readonly attrs: Attrs;
  constructor(a: ConvAttrs, size: readonly [number, number]) {
    super();
    this.attrs = { ...geomAttrs(a), size };
  }
  makeNode(gy: Variable, w: Variable, ref?: Variable): Apply {
    const problems: string[] = [];
    const [h, wd] = sizeFrom(this.attrs, ref);
    if (w.ndim !== 4) problems.push(`filters must have rank 4 [K, C / numGroups, kh, kw], got rank ${w.ndim} ${shapeStr(w.type.shape)}`);
    const xs: Dim[] = [gy.ndim === 4 ? gy.type.shape[0] : null, w.ndim === 4 && w.type.shape[1] !== null ? w.type.shape[1] * (this.attrs.groups as number) : null, h, wd];
    const g = w.ndim === 4 ? convGeometry(xs, w.type.shape, convAttrsOf(this.attrs), GI, problems) : null;
    if (g) checkOutputGrad(gy.type.shape, [g.n, g.k, g.oh, g.ow], problems);
    if (problems.length) throw new ShapeError(`conv2dGradWrtInputs: ${problems.join('; ')}`);
    return new Apply(this, ref ? [gy, w, ref] : [gy, w], [new TensorType(gy.dtype, xs)]);
  }
  // dx = A_w^T gy is linear in gy and in w: d gy = A_w G = conv2d(G, w), dw = the weight gradient of (G, gy)
  override grad(ins: readonly Variable[], _o: readonly Variable[], [G]: readonly (Variable | null)[]): (Variable | null)[] {
    const [gy, w] = ins;
    if (!G) return ins.map(() => null);
    const a = convAttrsOf(this.attrs);
    return [new Conv2dOp(a).makeNode(G, w).outputs[0], gradWeightsLike(a, G, gy, w), null].slice(0, ins.length);
  }
}

/** dw = Σ_n gy ⋆ x, Theano's AbstractConv2d_gradWeights: inputs x, gy and (when size is [-1, -1]) a shape reference. */
export class Conv2dGradWeightsOp extends ConvOpBase {
  readonly name = 'conv2dGradWrtWeights';
  readonly kernel = 'Conv2dGradWeights';
  override readonly attrs: Attrs;
  constructor(a: ConvAttrs, size: readonly [number, number]) {
    super();
    this.attrs = { ...geomAttrs(a), size };
  }
  makeNode(x: Variable, gy: Variable, ref?: Variable): Apply {
    const problems: string[] = [];
    const [kh, kw] = sizeFrom(this.attrs, ref);
    const G = this.attrs.groups as number;
    const c = x.ndim === 4 ? x.type.shape[1] : null;
    const ws: Dim[] = [gy.ndim === 4 ? gy.type.shape[1] : null, c !== null && c % G === 0 ? c / G : null, kh, kw];
    const g = convGeometry(x.type.shape, ws, convAttrsOf(this.attrs), GW, problems);
    if (g) checkOutputGrad(gy.type.shape, [g.n, ws[0], g.oh, g.ow], problems);
    if (problems.length) throw new ShapeError(`conv2dGradWrtWeights: ${problems.join('; ')}`);
    return new Apply(this, ref ? [x, gy, ref] : [x, gy], [new TensorType(x.dtype, ws)]);
  }
  // dw = B(x, gy) is linear in each: <G, B(x, gy)> = <gy, A_G x>, so dx = A_G^T gy (input gradient), d gy = conv2d(x, G)
  override grad(ins: readonly Variable[], _o: readonly Variable[], [G]: readonly (Variable | null)[]): (Variable | null)[] {
    const [x, gy] = ins;
    if (!G) return ins.map(() => null);
    const a = convAttrsOf(this.attrs);
    return [gradInputsLike(a, gy, G, x), new Conv2dOp(a).makeNode(x, G).outputs[0], null].slice(0, ins.length);
  }
}

/** The input gradient for an input shaped like `like`: its static spatial size, or `like` itself as the reference. */
function gradInputsLike(a: ConvAttrs, gy: Variable, w: Variable, like: Variable): Variable {
  const [h, wd] = [like.type.shape[2], like.type.shape[3]];
  if (h !== null && wd !== null) return new Conv2dGradInputsOp(a, [h, wd]).makeNode(gy, w).outputs[0];
  return new Conv2dGradInputsOp(a, [-1, -1]).makeNode(gy, w, like).outputs[0];
}

function gradWeightsLike(a: ConvAttrs, x: Variable, gy: Variable, like: Variable): Variable {
  const [kh, kw] = [like.type.shape[2], like.type.shape[3]];
  if (kh !== null && kw !== null) return new Conv2dGradWeightsOp(a, [kh, kw]).makeNode(x, gy).outputs[0];
  return new Conv2dGradWeightsOp(a, [-1, -1]).makeNode(x, gy, like).outputs[0];
}

// ---- kernels: shapes at run time, and the reference loops

function hintProblem(arg: string, shape: readonly number[], hint: readonly number[]): string | null {
  if (!hint.length || hint.every((d, i) => d < 0 || d === shape[i])) return null;
  return `${arg} must match its shape hint ${shapeStr(hint.map((d) => (d < 0 ? null : d)))}, got ${shapeStr(shape)}`;
}

function runSize(attrs: Attrs, shapes: readonly (readonly number[])[], refAt: number, op: string): [number, number] {
  const s = attrs.size as readonly number[];
  if (s[0] >= 0) return [s[0], s[1]];
  const ref = shapes[refAt];
  if (!ref || ref.length !== 4) throw new ShapeError(`${op}: the shape reference must have rank 4, got ${ref ? shapeStr(ref) : 'none'}`);
  return [ref[2], ref[3]];
}

/** Run-time dims of each pass from its input shapes, checking everything the static check could not. */
export function runDims(pass: ConvPass, shapes: readonly (readonly number[])[], attrs: Attrs) {
  const a = convAttrsOf(attrs);
  if (pass === 0) {
    const [xs, ws] = shapes;
    const bad = [hintProblem('input', xs, attrs.hintX as number[]), hintProblem('filters', ws, attrs.hintW as number[])].filter((p): p is string => !!p);
    if (bad.length) throw new ShapeError(`conv2d: ${bad.join('; ')}`);
    const g = convGeometryOrThrow('conv2d', xs, ws, a, FWD);
    return { g, out: [g.n, g.k, g.oh, g.ow] };
  }
  const op = pass === 1 ? 'conv2dGradWrtInputs' : 'conv2dGradWrtWeights';
  const [p, q] = runSize(attrs, shapes, 2, op);
  const gy = pass === 1 ? shapes[0] : shapes[1];
  let g;
  if (pass === 1) {
    const ws = shapes[1];
    if (gy.length !== 4 || ws.length !== 4) throw new ShapeError(`${op}: outputGrad and filters must have rank 4, got ${shapeStr(gy)} and ${shapeStr(ws)}`);
    g = convGeometryOrThrow(op, [gy[0], ws[1] * a.groups, p, q], ws, a, GI);
  } else {
    const xs = shapes[0];
    if (gy.length !== 4 || xs.length !== 4) throw new ShapeError(`${op}: input and outputGrad must have rank 4, got ${shapeStr(xs)} and ${shapeStr(gy)}`);
    g = convGeometryOrThrow(op, xs, [gy[1], xs[1] / a.groups, p, q], a, GW);
  }
  const problems: string[] = [];
  checkOutputGrad(gy, [g.n, g.k, g.oh, g.ow], problems);
  if (problems.length) throw new ShapeError(`${op}: ${problems.join('; ')}`);
  return { g, out: pass === 1 ? [g.n, g.c, g.h, g.w] : [g.k, g.c / a.groups, g.kh, g.kw] };
}

for (const [pass, id] of [[0, 'Conv2d'], [1, 'Conv2dGradInputs'], [2, 'Conv2dGradWeights']] as const) {
  registerKernel(id, {
    nativeAttrs: convNativeAttrs,
    inferShape: (shapes, attrs) => [runDims(pass, shapes, attrs).out],
    prepareJs: ({ inShapes, attrs }) => convReference(pass, runDims(pass, inShapes, attrs).g, convAttrsOf(attrs)),
  });
}

// ---- public functions

/**
 * 2-D convolution of a batch of images [N, C, H, W] with filters [K, C / numGroups, kh, kw], Theano's
 * `T.nnet.conv2d`: a true convolution (filters flipped) unless filterFlip is false; out [N, K, OH, OW].
 * @example T.nnet.conv2d(x, W, { borderMode: 'half', subsample: [2, 2] })   // [8, 3, 32, 32] * [16, 3, 3, 3] -> [8, 16, 16, 16]
 */
export function conv2d(input: unknown, filters: unknown, opts?: Conv2dOptions): Variable {
  const { attrs, inputShape, filterShape } = parseConvOptions('conv2d', opts);
  const [x, w] = floatPair('conv2d', asVariable(input, 'conv2d', 'input'), asVariable(filters, 'conv2d', 'filters'), ['input', 'filters']);
  return new Conv2dOp(attrs, inputShape, filterShape).makeNode(x, w).outputs[0];
}

/**
 * A shape argument's entries as numbers or null (an int constant counts as its value), plus the spatial entries
 * given as int32 scalar variables (Theano allows symbolic spatial sizes); an ArgumentError otherwise.
 */
function shapeArg(op: string, arg: string, v: unknown): { dims: Dim[]; sym: (Variable | null)[] } {
  const entry = (d: unknown): Dim | Variable | undefined => {
    if (d === null || d === undefined) return null;
    if (typeof d === 'number' && Number.isInteger(d) && d >= 0) return d;
    if (d instanceof Constant && d.ndim === 0 && !isFloat(d.dtype)) return d.value.data[0];
    if (d instanceof Variable && d.ndim === 0 && d.dtype === 'int32') return d;
    return undefined;
  };
  const raw = Array.isArray(v) && (v.length === 4 || v.length === 2) ? v.map(entry) : null;
  const all = raw && (raw.length === 2 ? [null, null, ...raw] : raw);
  if (!all || all.some((d, i) => d === undefined || (i < 2 && d instanceof Variable))) {
    const show = Array.isArray(v) ? shapeStr(v.map((d) => (typeof d === 'number' ? d : null))) : describe(v);
    throw new ArgumentError(`${op}: ${arg} must be 4 sizes [N, C, H, W] (or the 2 spatial ones) as integers >= 0, int constants or null (the spatial ones also int32 scalars), got ${show}`);
  }
  return {
    dims: all.map((d) => (d instanceof Variable ? null : (d as Dim))),
    sym: all.slice(2).map((d) => (d instanceof Variable ? d : null)),
  };
}

/** A [1, 1, h, w] tensor whose shape carries symbolic spatial sizes to a gradient op (its data is never read). */
function sizeRef(sym: readonly (Variable | null)[], dims: readonly Dim[]): Variable | null {
  if (!sym[0] && !sym[1]) return null;
  const len = (k: 0 | 1) => sym[k] ?? dims[2 + k];
  if (len(0) === null || len(1) === null) return null;
  return add(expandDims(arange(len(0)), [0, 1, 3]), expandDims(arange(len(1)), [0, 1, 2]));
}

/** With stride 1 and explicit padding, one spatial size follows from the other two: out = in + 2 p - dk + 1. */
function solveSpatial(a: ConvAttrs, axis: 0 | 1, known: Dim, other: Dim, inputSide: boolean): Dim {
  if (known === null || other === null || a.subsample[axis] !== 1) return null;
  const dil = a.dilation[axis];
  if (inputSide) return a.mode !== 0 ? null : known - 1 + dil * (other - 1) + 1 - 2 * a.pad[axis]; // H from OH and kh
  if (a.mode !== 0) return null;
  const dk = other + 2 * a.pad[axis] - known + 1; // kh from H and OH
  return (dk - 1) % dil === 0 ? (dk - 1) / dil + 1 : null;
}

function requireSizes(op: string, arg: string, dims: Dim[]): [number, number] {
  if (dims[2] === null || dims[3] === null) {
    throw new ArgumentError(`${op}: ${arg} must give the spatial sizes (they follow from the other shapes only with stride 1, explicit padding and known static shapes), got ${shapeStr(dims)}`);
  }
  return [dims[2], dims[3]];
}

/**
 * The gradient of conv2d with respect to its input, given the output gradient and the input's shape (the spatial
 * sizes are needed because strides floor): Theano's `conv2d_grad_wrt_inputs`, a transposed convolution.
 * @example T.nnet.conv2dGradWrtInputs(gy, W, [null, 3, 32, 32], { subsample: [2, 2] })
 */
export function conv2dGradWrtInputs(outputGrad: unknown, filters: unknown, inputShape: readonly unknown[], opts?: Conv2dOptions): Variable {
  const op = 'conv2dGradWrtInputs';
  const { attrs } = parseConvOptions(op, opts, ['borderMode', 'subsample', 'filterFlip', 'filterDilation', 'numGroups', 'filterShape']);
  const [gy, w] = floatPair(op, asVariable(outputGrad, op, 'outputGrad'), asVariable(filters, op, 'filters'), ['outputGrad', 'filters']);
  const { dims, sym } = shapeArg(op, 'inputShape', inputShape);
  const gs = gy.type.shape;
  const ws = w.type.shape;
  if (gy.ndim === 4 && w.ndim === 4) for (const ax of [0, 1] as const) if (!sym[ax]) dims[2 + ax] ??= solveSpatial(attrs, ax, gs[2 + ax], ws[2 + ax], true);
  const ref = sizeRef(sym, dims);
  const v = ref ? new Conv2dGradInputsOp(attrs, [-1, -1]).makeNode(gy, w, ref).outputs[0] : new Conv2dGradInputsOp(attrs, requireSizes(op, 'inputShape', dims)).makeNode(gy, w).outputs[0];
  const problems: string[] = [];
  refineShape(op, 'the input gradient', v.type.shape, dims, problems);
  if (problems.length) throw new ShapeError(`${op}: inputShape ${shapeStr(dims)} must match the shapes of outputGrad ${shapeStr(gs)} and filters ${shapeStr(ws)}`);
  return v;
}

/**
 * The gradient of conv2d with respect to its filters, given the input, the output gradient and the filters' shape:
 * Theano's `conv2d_grad_wrt_weights`.
 * @example T.nnet.conv2dGradWrtWeights(x, gy, [16, 3, 3, 3], { borderMode: 'half' })
 */
export function conv2dGradWrtWeights(input: unknown, outputGrad: unknown, filterShape: readonly unknown[], opts?: Conv2dOptions): Variable {
  const op = 'conv2dGradWrtWeights';
  const { attrs } = parseConvOptions(op, opts, ['borderMode', 'subsample', 'filterFlip', 'filterDilation', 'numGroups', 'inputShape']);
  const [x, gy] = floatPair(op, asVariable(input, op, 'input'), asVariable(outputGrad, op, 'outputGrad'), ['input', 'outputGrad']);
  const { dims, sym } = shapeArg(op, 'filterShape', filterShape);
  const xs = x.type.shape;
  const gs = gy.type.shape;
  if (x.ndim === 4 && gy.ndim === 4) for (const ax of [0, 1] as const) if (!sym[ax]) dims[2 + ax] ??= solveSpatial(attrs, ax, gs[2 + ax], xs[2 + ax], false);
  const ref = sizeRef(sym, dims);
  const v = ref ? new Conv2dGradWeightsOp(attrs, [-1, -1]).makeNode(x, gy, ref).outputs[0] : new Conv2dGradWeightsOp(attrs, requireSizes(op, 'filterShape', dims)).makeNode(x, gy).outputs[0];
  const problems: string[] = [];
  refineShape(op, 'the filter gradient', v.type.shape, dims, problems);
  if (problems.length) throw new ShapeError(`${op}: filterShape ${shapeStr(dims)} must match the shapes of input ${shapeStr(xs)} and outputGrad ${shapeStr(gs)}`);
  return v;
}
