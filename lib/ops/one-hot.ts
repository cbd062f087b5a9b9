import { ArgumentError, DTypeError, RuntimeError } from '../errors';
import { DType, DTYPES, isDType } from '../dtype';
import { config } from '../config';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { describe, sizeOf } from '../ndarray';

/** One-hot rows from int32 labels: shape [...labels, nClasses], 1 at each label; a label outside [0, nClasses) is a run-time error. */
export class OneHotOp extends Op {
  readonly name = 'oneHot';
  readonly kernel = 'OneHot';
  override readonly attrs: { nClasses: number; dtype: DType };
  constructor(nClasses: number, dtype: DType) {
    super();
    this.attrs = { nClasses, dtype };
  }
  makeNode(labels: Variable): Apply {
    return new Apply(this, [labels], [new TensorType(this.attrs.dtype, [...labels.type.shape, this.attrs.nClasses])]);
  }
  // integer labels have no gradient
  override grad(): (Variable | null)[] {
    return [null];
  }
}

registerKernel('OneHot', {
  // ints: [nClasses]; the output dtype is out's
  nativeAttrs: (a) => ({ ints: [a.nClasses as number] }),
  inferShape: ([l], a) => [[...l, a.nClasses as number]],
  prepareJs: ({ inShapes: [l], attrs }) => {
    const n = sizeOf(l);
    const k = attrs.nClasses as number;
    return ([L], [O]) => {
      O.fill(0);
      for (let i = 0; i < n; i++) {
        const c = L[i];
        if (!(c >= 0 && c < k)) throw new RuntimeError(`oneHot: labels[${i}] must be in [0, ${k}), got ${c}`);
        O[i * k + c] = 1;
      }
    };
  },
});

/** One-hot encoding of int32 labels: [...shape] -> [...shape, nClasses]. @example T.nnet.oneHot(y, 10) // [N] -> [N, 10] */
export function oneHot(labels: unknown, nClasses: number, dtype: DType = config.floatX): Variable {
  const l = asVariable(labels, 'oneHot', 'labels');
  const bad: string[] = [];
  if (!Number.isInteger(nClasses) || nClasses <= 0 || nClasses >= 2 ** 31) bad.push(`nClasses must be a positive integer, got ${describe(nClasses)}`);
  if (!isDType(dtype)) bad.push(`dtype must be one of ${DTYPES.join(', ')}, got ${describe(dtype)}`);
  const dtypeBad = l.dtype !== 'int32' || !isDType(dtype);
  if (l.dtype !== 'int32') bad.push(`labels must have dtype int32, got ${l.type}`);
  if (bad.length) throw new (dtypeBad ? DTypeError : ArgumentError)(`oneHot: ${bad.join('; ')}`);
  return new OneHotOp(nClasses, dtype).makeNode(l).outputs[0];
}
