import { ArgumentError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { describe, shapeStr, showValue } from '../ndarray';
import { concatenate } from './concatenate';
import { DIM_FORMS, DimExpr, encodeDims, evalDims, evalStatic, formatDims, parseDim, showArg, sizeLimitProblem } from './dim-expr';
import { zerosLike } from './broadcast-to';

/**
 * Cuts x along `axis` into n consecutive pieces (one output each): of the sizes attrs.sizes encodes (dim-expr.ts;
 * inputs after x are read for their shapes only), or, when it is empty, n equal pieces.
 */
export class SplitOp extends Op {
  readonly name = 'split';
  readonly kernel = 'Split';
  override readonly attrs: { axis: number; n: number; sizes: readonly number[] };
  constructor(axis: number, n: number, sizes: readonly number[]) {
    super();
    this.attrs = { axis, n, sizes };
  }
  makeNode(x: Variable, ...refs: Variable[]): Apply {
    const { axis, n, sizes } = this.attrs;
    const d = x.type.shape[axis];
    const each = sizes.length ? evalStatic(sizes, [x, ...refs]) : new Array(n).fill(d === null || d % n !== 0 ? null : d / n);
    const types = each.map((s) => new TensorType(x.dtype, x.type.shape.map((e, i) => (i === axis ? s : e))));
    return new Apply(this, [x, ...refs], types);
  }
  // d split(x) = the pieces' gradients joined again (zeros for pieces that do not reach the cost)
  override grad([, ...refs]: readonly Variable[], outs: readonly Variable[], gs: readonly (Variable | null)[]): (Variable | null)[] {
    if (gs.every((g) => g === null)) return [null, ...refs.map(() => null)];
    return [concatenate(gs.map((g, k) => g ?? zerosLike(outs[k])), this.attrs.axis), ...refs.map(() => null)];
  }
  override format(inputs: readonly string[]): string {
    const { axis, n, sizes } = this.attrs;
    return `split(${inputs[0]}, ${sizes.length ? `[${formatDims(sizes, inputs).join(', ')}]` : n}, axis=${axis})`;
  }
}

registerKernel('Split', {
  nativeAttrs: (a) => ({ ints: [a.axis as number] }),
  inferShape: (ins, attrs) => {
    const x = ins[0];
    const axis = attrs.axis as number;
    const n = attrs.n as number;
    const code = attrs.sizes as number[];
    let sizes: number[];
    if (code.length === 0) {
      if (x[axis] % n !== 0) throw new ShapeError(`split: x's axis ${axis} must divide into ${n} equal pieces, got x of shape ${shapeStr(x)}`);
      sizes = new Array(n).fill(x[axis] / n);
    } else {
      sizes = evalDims(code, ins);
      const total = sizes.reduce((a, b) => a + b, 0);
      if (sizes.some((s) => s < 0) || total !== x[axis]) {
        throw new ShapeError(`split: sizes must be >= 0 and sum to x's axis ${axis} (x of shape ${shapeStr(x)}), got [${sizes.join(', ')}]`);
      }
    }
    return sizes.map((s) => x.map((d, i) => (i === axis ? s : d)));
  },
  prepareJs: ({ inShapes: [x], outShapes, attrs }) => {
    const axis = attrs.axis as number;
    let outer = 1;
    for (let i = 0; i < axis; i++) outer *= x[i];
    const widths = outShapes.map((s) => s.slice(axis).reduce((a, b) => a * b, 1));
    const total = widths.reduce((a, b) => a + b, 0);
    return (ins, outs) => {
      const X = ins[0];
      for (let o = 0; o < outer; o++) {
        for (let k = 0, off = o * total; k < outs.length; off += widths[k], k++) outs[k].set(X.subarray(off, off + widths[k]), o * widths[k]);
      }
    };
  },
});

/** A SplitOp node's outputs: pieces of the given sizes (null sizes = equal pieces). */
export function splitBy(x: Variable, axis: number, n: number, sizes: readonly DimExpr[] | null): Variable[] {
  const { code, refs } = sizes ? encodeDims(sizes, [x]) : { code: [], refs: [] };
  return new SplitOp(axis, n, code).makeNode(x, ...refs).outputs;
}

/** The most pieces one split makes (each is a graph variable; 2^20 of them take about 200 MB to build). */
export const MAX_PIECES = 1 << 20;

/**
 * Cuts x along `axis` into pieces of the given sizes (numbers or symbolic sizes such as `y.shape[0]`), or into n
 * equal pieces; returns one variable per piece. @example const [a, b] = T.split(x, [2, 3], 1)
 */
export function split(x: unknown, sizesOrN: number | readonly unknown[], axis = 0): Variable[] {
  const v = asVariable(x, 'split', 'x');
  const r = v.ndim;
  const problems: string[] = [];
  if (r === 0) problems.push('x must have rank >= 1, got a scalar');
  else if (!Number.isInteger(axis) || axis < -r || axis >= r) problems.push(`axis must be an integer in [${-r}, ${r}), got ${showValue(axis)}`);
  const ax = axis < 0 ? axis + r : axis;
  let sizes: DimExpr[] | null = null;
  let n = 0;
  if (typeof sizesOrN === 'number') {
    if (!Number.isInteger(sizesOrN) || sizesOrN < 1) problems.push(`n must be a positive integer, got ${sizesOrN}`);
    // each piece is a graph variable: 2^31 of them would exhaust the heap and crash the process
    else if (sizesOrN > MAX_PIECES) problems.push(`n must be at most ${MAX_PIECES} pieces, got ${sizesOrN}`);
    n = sizesOrN;
  } else if (Array.isArray(sizesOrN) && sizesOrN.length > MAX_PIECES) {
    problems.push(`sizes must list at most ${MAX_PIECES} pieces, got ${sizesOrN.length}`);
  } else if (Array.isArray(sizesOrN) && sizesOrN.length > 0) {
    n = sizesOrN.length;
    sizes = sizesOrN.map((s, i) => {
      const e = parseDim(s);
      if (e === null) problems.push(`sizes[${i}] must be ${DIM_FORMS}, got ${showArg(s)}`);
      else if (typeof s === 'number' && s < 0) problems.push(`sizes[${i}] must be >= 0, got ${s}`);
      else if (sizeLimitProblem(s, `sizes[${i}]`)) problems.push(sizeLimitProblem(s, `sizes[${i}]`)!);
      return e ?? [];
    });
  } else problems.push(`sizes must be a non-empty array of sizes or a number of pieces, got ${describe(sizesOrN)}`);
  if (problems.length) throw new ArgumentError(`split: ${problems.join('; ')}`);
  const d = v.type.shape[ax];
  if (d !== null && sizes === null && d % n !== 0) throw new ShapeError(`split: x's axis ${ax} must divide into ${n} equal pieces, got x of shape ${shapeStr(v.type.shape)}`);
  const outs = splitBy(v, ax, n, sizes);
  const known = outs.map((o) => o.type.shape[ax]);
  if (d !== null && sizes && known.every((k) => k !== null) && known.reduce((a, b) => a! + b!, 0) !== d) {
    throw new ShapeError(`split: sizes must sum to x's axis ${ax} (x of shape ${shapeStr(v.type.shape)}), got [${known.join(', ')}]`);
  }
  return outs;
}
