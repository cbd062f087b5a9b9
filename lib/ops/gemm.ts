import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { sizeOf } from '../ndarray';
import { broadcastShapes, broadcastStatic, broadcastStrides } from './broadcast';
import { getKernel } from '../graph/kernel-registry';

/**
 * alpha * op(A) op(B) + beta * C for matrices A and B, the BLAS gemm; C broadcasts (a bias row, a scalar) and in the
 * rare case where C is larger than the product, the product broadcasts instead. Made only by the specialize rewrite.
 */
export class GemmOp extends Op {
  readonly name = 'gemm';
  readonly kernel = 'Gemm';
  override readonly attrs: { transA: boolean; transB: boolean; alpha: number; beta: number };
  constructor(transA: boolean, transB: boolean, alpha: number, beta: number) {
    super();
    this.attrs = { transA, transB, alpha, beta };
  }
  makeNode(a: Variable, b: Variable, c: Variable): Apply {
    const { transA, transB } = this.attrs;
    const ab = [transA ? a.type.shape[1] : a.type.shape[0], transB ? b.type.shape[0] : b.type.shape[1]];
    return new Apply(this, [a, b, c], [new TensorType(a.dtype, broadcastStatic('gemm', ['dot(a, b)', 'c'], [ab, c.type.shape]))]);
  }
  override format([a, b, c]: readonly string[]): string {
    const t = (s: string, f: boolean) => (f ? `${s}.T` : s);
    return `gemm(${this.attrs.alpha} * dot(${t(a, this.attrs.transA)}, ${t(b, this.attrs.transB)}) + ${this.attrs.beta} * ${c})`;
  }
}

registerKernel('Gemm', {
  inPlace: (i) => i === 2, // BLAS gemm updates C in place
  nativeAttrs: (a) => ({ ints: [a.transA ? 1 : 0, a.transB ? 1 : 0], floats: [a.alpha as number, a.beta as number] }),
  inferShape: ([as, bs, cs], attrs) => {
    const [ab] = getKernel('Dot').inferShape([as, bs], { transA: attrs.transA, transB: attrs.transB });
    return [broadcastShapes('gemm', [ab, cs])];
  },
  prepareJs: ({ inShapes: [as, bs, cs], outShapes: [out], attrs }) => {
    const dotAttrs = { transA: attrs.transA, transB: attrs.transB };
    const [ab] = getKernel('Dot').inferShape([as, bs], dotAttrs);
    const dot = getKernel('Dot').prepareJs({ attrs: dotAttrs, inShapes: [as, bs], outShapes: [ab], inDtypes: ['float64', 'float64'], outDtypes: ['float64'] });
    const prod = new Float64Array(sizeOf(ab));
    const alpha = attrs.alpha as number;
    const beta = attrs.beta as number;
    const [cols] = out.slice(-1);
    const sp = broadcastStrides(ab, out);
    const sc = broadcastStrides(cs, out);
    const rows = out.length === 2 ? out[0] : 1;
    const spr = out.length === 2 ? sp[0] : 0;
    const scr = out.length === 2 ? sc[0] : 0;
    const spc = sp[out.length - 1] ?? 0;
    const scc = sc[out.length - 1] ?? 0;
    return (ins, outs) => {
      dot([ins[0], ins[1]], [prod]);
      const C = ins[2];
      const O = outs[0];
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) O[i * cols + j] = alpha * prod[i * spr + j * spc] + beta * C[i * scr + j * scc];
      }
    };
  },
});

export function gemm(a: Variable, b: Variable, c: Variable, transA: boolean, transB: boolean, alpha: number, beta: number): Variable {
  return new GemmOp(transA, transB, alpha, beta).makeNode(a, b, c).outputs[0];
}
