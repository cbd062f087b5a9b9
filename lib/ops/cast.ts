import { ArgumentError } from '../errors';
import { checkDType, DType, isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { dtypeCode, registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { elemwiseKernel } from './elemwise';

/** Converts to another dtype (float to int truncates toward zero; to bool tests for non-zero). */
export class CastOp extends Op {
  readonly name = 'cast';
  readonly kernel = 'Cast';
  override readonly attrs: { dtype: DType };
  constructor(dtype: DType) {
    super();
    this.attrs = { dtype };
  }
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType(this.attrs.dtype, x.type.shape)]);
  }
  // d/dx cast(x) = 1, cast back to x's dtype; integer inputs have no gradient
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g || !isFloat(x.dtype)) return [null];
    return [cast(g, x.dtype)];
  }
}

registerKernel('Cast', {
  nativeAttrs: (a) => ({ ints: [dtypeCode(a.dtype as string)] }),
  inferShape: ([s]) => [s.slice()],
  prepareJs: (ctx) => {
    const to = ctx.outDtypes[0];
    const expr = to === 'bool' ? '(a !== 0 ? 1 : 0)' : to === 'int32' ? 'Math.trunc(a)' : 'a';
    return elemwiseKernel(expr, ctx.inShapes, ctx.outShapes[0]);
  },
});

/** Casts to `dtype` (a no-op when it already has it). @example T.cast(labels, 'float32') */
export function cast(x: unknown, dtype: DType): Variable {
  const v = asVariable(x, 'cast', 'x');
  if (dtype === undefined) throw new ArgumentError('cast: dtype must be given, got undefined');
  const dt = checkDType(dtype, 'cast');
  if (v.dtype === dt) return v;
  return new CastOp(dt).makeNode(v).outputs[0];
}
