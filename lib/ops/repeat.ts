import { ArgumentError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { MAX_DIM, shapeStr, showValue } from '../ndarray';
import { zerosLike } from './broadcast-to';
import { concatenate } from './concatenate';
import { constDim, decodeDims, DIM_FORMS, dimsOf, encodeDims, evalDims, evalStatic, formatDims, parseDim, showArg, sizeLimitProblem, staticDim } from './dim-expr';
import { flatten, reshapeTo } from './reshape';
import { splitBy } from './split';
import { sum } from './sum';

/**
 * Each index of x along `axis` repeated in a row: `count` times (a size expression, dim-expr.ts; inputs after x are
 * read for their shapes only), or, when `perIndex`, each[j] times for index j.
 */
export class RepeatOp extends Op {
  readonly name = 'repeat';
  readonly kernel = 'Repeat';
  override readonly attrs: { axis: number; count: readonly number[]; perIndex: boolean; each: readonly number[] };
  constructor(axis: number, count: readonly number[], each: readonly number[] | null) {
    super();
    this.attrs = { axis, count, perIndex: each !== null, each: each ?? [] };
  }
  makeNode(x: Variable, ...refs: Variable[]): Apply {
    const { axis, count, perIndex, each } = this.attrs;
    const d = x.type.shape[axis];
    const [r] = perIndex ? [null] : evalStatic(count, [x, ...refs]);
    const out = perIndex ? each.reduce((a, b) => a + b, 0) : r === 0 ? 0 : d === null || r === null ? null : d * r;
    return new Apply(this, [x, ...refs], [new TensorType(x.dtype, x.type.shape.map((e, i) => (i === axis ? out : e)))]);
  }
  // d repeat(x) = g summed over each run of copies: a count views g as [..., n, count, ...] and sums the count axis;
  // per-index counts cut g into the runs, sum each and join them again
  override grad(ins: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    const [x, ...refs] = ins;
    if (!g) return ins.map(() => null);
    const { axis, count, perIndex, each } = this.attrs;
    const none = refs.map(() => null);
    if (perIndex && each.length === 0) return [zerosLike(x), ...none]; // x is empty along the axis
    if (perIndex) {
      const runs = splitBy(g, axis, each.length, each.map(constDim));
      return [concatenate(runs.map((p) => sum(p, axis, true)), axis), ...none];
    }
    const dims = dimsOf(x);
    dims.splice(axis + 1, 0, decodeDims(count, ins)[0]!);
    return [sum(reshapeTo(g, dims), axis + 1), ...none];
  }
  override format(inputs: readonly string[]): string {
    const { axis, count, perIndex, each } = this.attrs;
    return `repeat(${inputs[0]}, ${perIndex ? `[${each.join(', ')}]` : formatDims(count, inputs)[0]}, axis=${axis})`;
  }
}

registerKernel('Repeat', {
  nativeAttrs: (a) => (a.perIndex ? { ints: [a.axis as number, 1, ...(a.each as number[])] } : { ints: [a.axis as number, 0] }),
  inferShape: (ins, attrs) => {
    const x = ins[0];
    const axis = attrs.axis as number;
    const each = attrs.each as number[];
    const perIndex = attrs.perIndex as boolean;
    if (perIndex && each.length !== x[axis]) {
      throw new ShapeError(`repeat: repeats must have one count per index of x's axis ${axis} (x of shape ${shapeStr(x)}), got ${each.length}`);
    }
    const r = perIndex ? 0 : evalDims(attrs.count as number[], ins)[0];
    if (r < 0) throw new ShapeError(`repeat: repeats must be >= 0, got ${r}`);
    return [x.map((d, i) => (i !== axis ? d : perIndex ? each.reduce((a, b) => a + b, 0) : d * r))];
  },
  prepareJs: ({ inShapes: [x], outShapes: [y], attrs }) => {
    const axis = attrs.axis as number;
    const each = attrs.each as number[];
    const r = attrs.perIndex ? each : x[axis] === 0 ? 0 : y[axis] / x[axis];
    const outer = x.slice(0, axis).reduce((a, b) => a * b, 1);
    const n = x[axis];
    const inner = x.slice(axis + 1).reduce((a, b) => a * b, 1);
    return (ins, outs) => {
      const X = ins[0];
      const O = outs[0];
      let o = 0;
      for (let p = 0; p < outer * n; p++) {
        const src = X.subarray(p * inner, (p + 1) * inner);
        const reps = typeof r === 'number' ? r : r[p % n];
        for (let k = 0; k < reps; k++, o += inner) O.set(src, o);
      }
    };
  },
});

/**
 * Repeats each element along `axis` (NumPy's repeat; without an axis x is flattened first): `repeats` times (a number
 * or a symbolic size such as `y.shape[0]`), or repeats[j] times for index j (numbers).
 * @example T.repeat(v, 2) // [1, 2] -> [1, 1, 2, 2]
 */
export function repeat(x: unknown, repeats: unknown, axis?: number): Variable {
  const v = asVariable(x, 'repeat', 'x');
  const problems: string[] = [];
  const count = Array.isArray(repeats) ? null : parseDim(repeats);
  const bad = Array.isArray(repeats) ? !repeats.every((k) => Number.isInteger(k) && k >= 0) : count === null || (staticDim(count) ?? 0) < 0;
  if (bad) problems.push(`repeats must be a count >= 0 (${DIM_FORMS}) or an array of numbers, one count per index along the axis, got ${showArg(repeats)}`);
  else if (Array.isArray(repeats)) repeats.forEach((k, i) => k > MAX_DIM && problems.push(`repeats[${i}] must be at most ${MAX_DIM}, got ${k}`));
  else if (sizeLimitProblem(repeats, 'repeats')) problems.push(sizeLimitProblem(repeats, 'repeats')!);
  const base = axis === undefined ? flatten(v) : v;
  const r = base.ndim;
  if (axis !== undefined && (r === 0 || !Number.isInteger(axis) || axis < -r || axis >= r)) problems.push(`axis must be an integer in [${-r}, ${r}), got ${showValue(axis)}`);
  if (problems.length) throw new ArgumentError(`repeat: ${problems.join('; ')}`);
  const ax = axis === undefined ? 0 : axis < 0 ? axis + r : axis;
  const d = base.type.shape[ax];
  if (Array.isArray(repeats)) {
    if (d !== null && repeats.length !== d) {
      throw new ShapeError(`repeat: repeats must have one count per index of x's axis ${ax} (x of shape ${shapeStr(base.type.shape)}), got ${repeats.length}`);
    }
    return new RepeatOp(ax, [], repeats.slice()).makeNode(base).outputs[0];
  }
  if (staticDim(count!) === 1) return base;
  const { code, refs } = encodeDims([count!], [base]);
  return new RepeatOp(ax, code, null).makeNode(base, ...refs).outputs[0];
}
