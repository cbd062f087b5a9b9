import { ArgumentError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr, sizeOf } from '../ndarray';
import { constDim, decodeDims, DIM_FORMS, DimExpr, dimOf, dimsOf, encodeDims, evalDims, evalStatic, formatDims, parseDim, showArg, sizeLimitProblem } from './dim-expr';
import { reshapeTo } from './reshape';
import { sum } from './sum';

/**
 * x repeated reps[i] times along each axis i (x padded with leading size-1 dims to the rank of reps). The reps are
 * size expressions (dim-expr.ts): inputs after x are read for their shapes only.
 */
export class TileOp extends Op {
  readonly name = 'tile';
  readonly kernel = 'Tile';
  override readonly attrs: { reps: readonly number[] };
  constructor(reps: readonly number[]) {
    super();
    this.attrs = { reps };
  }
  makeNode(x: Variable, ...refs: Variable[]): Apply {
    const reps = evalStatic(this.attrs.reps, [x, ...refs]);
    const padded = [...new Array(reps.length - x.ndim).fill(1), ...x.type.shape];
    const shape = padded.map((d, i) => (reps[i] === 0 ? 0 : d === null || reps[i] === null ? null : d * reps[i]!));
    return new Apply(this, [x, ...refs], [new TensorType(x.dtype, shape)]);
  }
  // d tile(x) = g viewed as [r0, d0, r1, d1, ...] summed over the r axes, then given x's run-time shape
  override grad(ins: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    const [x, ...refs] = ins;
    if (!g) return ins.map(() => null);
    const reps = decodeDims(this.attrs.reps, ins) as DimExpr[];
    const lead = reps.length - x.ndim;
    const dims = reps.flatMap((r, i) => [r, i < lead ? constDim(1) : dimOf(x, i - lead)]);
    const summed = sum(reshapeTo(g, dims), reps.map((_, i) => 2 * i));
    return [reshapeTo(summed, dimsOf(x)), ...refs.map(() => null)];
  }
  override format(inputs: readonly string[]): string {
    return `tile(${inputs[0]}, [${formatDims(this.attrs.reps, inputs).join(', ')}])`;
  }
}

const paddedShape = (x: readonly number[], r: number) => [...new Array(r - x.length).fill(1), ...x];

registerKernel('Tile', {
  inferShape: (ins, attrs) => {
    const reps = evalDims(attrs.reps as number[], ins);
    if (reps.some((r) => r < 0)) throw new ShapeError(`tile: reps must be >= 0, got [${reps.join(', ')}] for x of shape ${shapeStr(ins[0])}`);
    return [paddedShape(ins[0], reps.length).map((d, i) => d * reps[i])];
  },
  prepareJs: ({ inShapes: [xs], outShapes: [out] }) => {
    const r = out.length;
    const x = paddedShape(xs, r);
    if (sizeOf(out) === 0) return () => undefined;
    if (r === 0) return (ins, outs) => outs[0].set(ins[0]);
    const inStr = new Array(r).fill(1);
    for (let i = r - 2; i >= 0; i--) inStr[i] = inStr[i + 1] * x[i + 1];
    const inner = x[r - 1];
    const rowReps = out[r - 1] / inner;
    const rows = sizeOf(out) / out[r - 1];
    return (ins, outs) => {
      const X = ins[0];
      const O = outs[0];
      const idx = new Array(r).fill(0);
      for (let row = 0, o = 0; row < rows; row++) {
        let off = 0;
        for (let d = 0; d < r - 1; d++) off += (idx[d] % x[d]) * inStr[d];
        const src = X.subarray(off, off + inner);
        for (let k = 0; k < rowReps; k++, o += inner) O.set(src, o);
        for (let d = r - 2; d >= 0; d--) {
          if (++idx[d] < out[d]) break;
          idx[d] = 0;
        }
      }
    };
  },
});

/**
 * Repeats the whole of x reps[i] times along each axis (NumPy's tile: a shorter reps is padded with leading 1s, a
 * longer one gives x leading size-1 dims). Reps may be symbolic sizes such as `y.shape[0]`.
 * @example T.tile(v, [2, 3]) // [n] -> [2, 3n]
 */
export function tile(x: unknown, reps: unknown): Variable {
  const v = asVariable(x, 'tile', 'x');
  const list = Array.isArray(reps) ? reps : [reps];
  const exprs = list.map(parseDim);
  if (!list.length || exprs.some((e, i) => e === null || (typeof list[i] === 'number' && list[i] < 0))) {
    throw new ArgumentError(`tile: reps must be a non-empty array (or one value) of sizes >= 0, each ${DIM_FORMS}, got ${showArg(reps)}`);
  }
  const tooBig = list.map((r, i) => sizeLimitProblem(r, Array.isArray(reps) ? `reps[${i}]` : 'reps')).filter((p) => p !== null);
  if (tooBig.length) throw new ArgumentError(`tile: ${tooBig.join('; ')}`);
  const full = [...new Array(Math.max(0, v.ndim - list.length)).fill(constDim(1)), ...(exprs as DimExpr[])];
  if (full.length === v.ndim && full.every((e) => e.length === 1 && e[0].coef === 1 && e[0].factors.length === 0)) return v;
  const { code, refs } = encodeDims(full, [v]);
  return new TileOp(code).makeNode(v, ...refs).outputs[0];
}
