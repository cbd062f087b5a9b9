import { DType, floatOf } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { JsKernel, registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { cast } from './cast';
import { exp } from './exp';
import { mul } from './mul';
import { checkNotEmpty, normalizeAxes, reducedShape, ReduceLoop } from './reduce-kernel';
import { checkKeepdims, reduceKernelBase, ReduceOp, ReduceOptions } from './reduce-op';
import { spreadReduced } from './broadcast-to';
import { sub } from './sub';

/** log(sum(exp(x))) over `axes` of a float tensor, shifted by the group max (an empty reduction is an error, as max). */
export class LogsumexpOp extends ReduceOp {
  readonly name = 'logsumexp';
  readonly kernel = 'Logsumexp';
  protected outDtype(dt: DType): DType {
    return dt;
  }
  protected override check(x: Variable): void {
    checkNotEmpty('logsumexp', x.type.shape, this.attrs.axes, String(x.type));
  }
  // d logsumexp(x) = g * exp(x - logsumexp(x)) = g * softmax(x) over each group
  override grad([x]: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    return [mul(spreadReduced(this, g, x), exp(sub(x, spreadReduced(this, out, x))))];
  }
}

/**
 * Per group: m = the max (NaN propagates); a non-finite m (all -inf, a +inf, a NaN) is the result, else
 * m + log(sum(exp(x - m))) with the sum in float64, in row-major order.
 */
function lseKernel(inShape: readonly number[], axes: readonly number[]): JsKernel {
  const loop = new ReduceLoop(inShape, axes);
  const { rows, inner, innerStride: st } = loop;
  const m = new Float64Array(loop.outSize);
  const s = new Float64Array(m.length);
  return (ins, outs) => {
    const X = ins[0];
    const O = outs[0];
    m.fill(-Infinity);
    s.fill(0);
    let o = loop.first();
    for (let row = 0, i = 0; row < rows; row++, o = loop.next()) {
      for (let j = 0; j < inner; j++, i++) {
        const k = o + j * st;
        const v = X[i];
        if (v > m[k] || v !== v) m[k] = v;
      }
    }
    o = loop.first();
    for (let row = 0, i = 0; row < rows; row++, o = loop.next()) {
      for (let j = 0; j < inner; j++, i++) s[o + j * st] += Math.exp(X[i] - m[o + j * st]);
    }
    for (let k = 0; k < m.length; k++) O[k] = Number.isFinite(m[k]) ? m[k] + Math.log(s[k]) : m[k];
  };
}

registerKernel('Logsumexp', {
  nativeAttrs: reduceKernelBase.nativeAttrs,
  inferShape: ([x], attrs) => {
    checkNotEmpty('logsumexp', x, attrs.axes as number[], `shape [${x.join(', ')}]`);
    return [reducedShape(x, attrs.axes as number[], attrs.keepdims as boolean, 1)];
  },
  prepareJs: ({ inShapes: [x], attrs }) => lseKernel(x, attrs.axes as number[]),
});

/**
 * log(sum(exp(x))) over `axis` (number, list, or undefined for all) without overflow: m + log(sum(exp(x - m))) with
 * m the group max, so a group of -inf gives -inf and one holding +inf gives +inf. Integers give floatX; an empty
 * group is an error (as max). Its gradient is g * softmax(x) over each group.
 * @example T.logsumexp(logits, -1, { keepdims: true })
 */
export function logsumexp(x: unknown, axis?: number | number[], opts?: ReduceOptions | boolean): Variable {
  let v = asVariable(x, 'logsumexp', 'x');
  const axes = normalizeAxes('logsumexp', axis, v.ndim);
  const keepdims = checkKeepdims('logsumexp', opts);
  if (v.dtype !== floatOf(v.dtype)) v = cast(v, floatOf(v.dtype));
  return new LogsumexpOp(axes, keepdims).makeNode(v).outputs[0];
}
