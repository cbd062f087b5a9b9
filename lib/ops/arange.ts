import { ArgumentError, DTypeError } from '../errors';
import { config } from '../config';
import { DType, isDType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { DIM_FORMS, encodeDims, evalDims, evalStatic, formatDims, parseDim, showArg } from './dim-expr';
import { MAX_DIM, showValue } from '../ndarray';
import { captureSite } from '../graph/trace';
import { StepCountOp } from './step-count';

/** [start, start + step, ...) below stop; stop is a size expression (dim-expr.ts) over the inputs' shapes. */
export class ArangeOp extends Op {
  readonly name = 'arange';
  readonly kernel = 'Arange';
  override readonly attrs: { start: number; step: number; stop: readonly number[]; dtype: DType };
  constructor(start: number, step: number, stop: readonly number[], dtype: DType) {
    super();
    this.attrs = { start, step, stop, dtype };
  }
  makeNode(...refs: Variable[]): Apply {
    const [stop] = evalStatic(this.attrs.stop, refs);
    return new Apply(this, refs, [new TensorType(this.attrs.dtype, [stop === null ? null : arangeLength(this.attrs.start, stop, this.attrs.step)])]);
  }
  // its inputs are read for their shapes only
  override grad(refs: readonly Variable[]): (Variable | null)[] {
    return refs.map(() => null);
  }
  override format(inputs: readonly string[]): string {
    const { start, step, stop, dtype } = this.attrs;
    return `arange(${start}, ${formatDims(stop, inputs)[0]}, ${step}, ${dtype})`;
  }
}

const arangeLength = (start: number, stop: number, step: number) => Math.max(0, Math.ceil((stop - start) / step));

registerKernel('Arange', {
  nativeAttrs: (a) => ({ ints: [], floats: [a.start as number, a.step as number] }),
  inferShape: (ins, attrs) => [[arangeLength(attrs.start as number, evalDims(attrs.stop as number[], ins)[0], attrs.step as number)]],
  prepareJs: ({ attrs }) => {
    const start = attrs.start as number;
    const step = attrs.step as number;
    return (_ins, outs) => {
      const O = outs[0];
      for (let i = 0; i < O.length; i++) O[i] = start + i * step;
    };
  },
});

/**
 * Evenly spaced values in [start, stop) (NumPy's arange; one argument is the stop). start and step are numbers; stop
 * may also be a symbolic size such as `x.shape[0]`. int32 when every argument is an integer, else floatX.
 * @example T.arange(x.shape[0]) // [0, 1, ..., n-1]
 */
export function arange(start: unknown, stop?: unknown, step: unknown = 1, dtype?: DType): Variable {
  if (stop === undefined) [start, stop] = [0, start];
  const problems: string[] = [];
  const num = (v: unknown, name: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${name} must be a finite number, got ${showArg(v)}`);
  };
  num(start, 'start');
  num(step, 'step');
  if (step === 0) problems.push('step must not be 0');
  let stopExpr = typeof stop === 'number' && !Number.isInteger(stop) ? null : parseDim(stop);
  // a stop known only from data (an int32 input): the length reaches the op as the shape of a StepCount ref
  if (stopExpr === null && stop instanceof Variable && stop.ndim === 0 && stop.dtype === 'int32' && Number.isInteger(start) && Number.isInteger(step) && step !== 0) {
    const ref = new StepCountOp('arange: stop', String(captureSite()), start as number, step as number).makeNode(stop).outputs[0];
    stopExpr = [{ coef: start as number, factors: [] }, { coef: step as number, factors: [{ ref, axis: 0 }] }];
  }
  if (typeof stop === 'number' && !Number.isFinite(stop)) problems.push(`stop must be a finite number, got ${stop}`);
  else if (stopExpr === null && typeof stop !== 'number') problems.push(`stop must be a number or ${DIM_FORMS}, got ${showArg(stop)}`);
  if (dtype !== undefined && (!isDType(dtype) || dtype === 'bool')) throw new DTypeError(`arange: dtype must be float32, float64 or int32, got ${showValue(dtype)}`);
  if (problems.length) throw new ArgumentError(`arange: ${problems.join('; ')}`);
  const integral = [start, stop, step].every((v) => typeof v !== 'number' || Number.isInteger(v));
  const dt: DType = dtype ?? (integral ? 'int32' : config.floatX);
  if (dt === 'int32' && !integral) throw new ArgumentError(`arange: start, stop and step must be integers for dtype int32, got ${start}, ${stop}, ${step}`);
  if (typeof stop === 'number') {
    const n = arangeLength(start as number, stop, step as number);
    const bad: string[] = [];
    if (n > MAX_DIM) bad.push(`the length ceil((stop - start) / step) must be at most ${MAX_DIM}, got ${n} (start ${start}, stop ${stop}, step ${step})`);
    // int32 values past the range would wrap around in the output array
    const last = (start as number) + (n - 1) * (step as number);
    if (dt === 'int32' && n > 0 && n <= MAX_DIM && [start as number, last].some((v) => v < -(2 ** 31) || v > MAX_DIM)) {
      bad.push(`the values must fit int32 [${-(2 ** 31)}, ${MAX_DIM}], got ${start} .. ${last} (pass dtype 'float64' for larger values)`);
    }
    if (bad.length) throw new ArgumentError(`arange: ${bad.join('; ')}`);
  }
  const { code, refs } = stopExpr ? encodeDims([stopExpr], []) : { code: [1, stop as number, 0], refs: [] };
  return new ArangeOp(start as number, step as number, code, dt).makeNode(...refs).outputs[0];
}
