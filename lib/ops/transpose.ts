import { ArgumentError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { showValue, sizeOf } from '../ndarray';

/** Permutes the axes: output axis i is input axis perm[i]. */
export class TransposeOp extends Op {
  readonly name = 'transpose';
  readonly kernel = 'Transpose';
  override readonly attrs: { perm: readonly number[] };
  constructor(perm: readonly number[]) {
    super();
    this.attrs = { perm };
  }
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType(x.dtype, this.attrs.perm.map((p) => x.type.shape[p]))]);
  }
  // d transpose(x, p) = transpose(g, p⁻¹)
  override grad(_i: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const inv: number[] = [];
    this.attrs.perm.forEach((p, i) => (inv[p] = i));
    return [transpose(g, inv)];
  }
  override format(inputs: readonly string[]): string {
    const p = this.attrs.perm;
    if (p.length === 2 && p[0] === 1) return `${inputs[0]}.T`;
    return `transpose(${inputs[0]}, [${p.join(', ')}])`;
  }
}

registerKernel('Transpose', {
  nativeAttrs: (a) => ({ ints: a.perm as number[] }),
  inferShape: ([x], attrs) => [(attrs.perm as number[]).map((p) => x[p])],
  prepareJs: ({ inShapes: [x], attrs }) => {
    const perm = attrs.perm as number[];
    const r = x.length;
    const n = sizeOf(x);
    const inStr: number[] = new Array(r);
    for (let i = r - 1, s = 1; i >= 0; i--) {
      inStr[i] = s;
      s *= x[i];
    }
    const outShape = perm.map((p) => x[p]);
    const str = Int32Array.from(perm.map((p) => inStr[p]));
    const idx = new Int32Array(r);
    if (r === 0 || n === 0) return (ins, outs) => outs[0].set(ins[0]);
    const inner = outShape[r - 1];
    const si = str[r - 1];
    return (ins, outs) => {
      const X = ins[0];
      const O = outs[0];
      idx.fill(0);
      let off = 0;
      for (let o = 0; o < n; ) {
        for (let j = 0; j < inner; j++, o++) O[o] = X[off + j * si];
        for (let d = r - 2; d >= 0; d--) {
          idx[d]++;
          off += str[d];
          if (idx[d] < outShape[d]) break;
          off -= str[d] * outShape[d];
          idx[d] = 0;
        }
      }
    };
  },
});

/** Permutes axes (reverses them by default). @example T.transpose(W) or W.T */
export function transpose(x: unknown, axes?: number[]): Variable {
  const v = asVariable(x, 'transpose', 'x');
  const r = v.ndim;
  const perm = axes ?? Array.from({ length: r }, (_, i) => r - 1 - i);
  const valid = Array.isArray(perm) && perm.length === r && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
  if (!valid) throw new ArgumentError(`transpose: axes must be a permutation of [0..${r - 1}], got ${showValue(axes)}`);
  if (perm.every((p, i) => p === i)) return v;
  return new TransposeOp(perm).makeNode(v).outputs[0];
}
