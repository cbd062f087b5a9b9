import { floatOf } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { add } from './add';
import { broadcastLike } from './broadcast-to';
import { cast } from './cast';
import { exp } from './exp';
import { log } from './log';
import { max } from './max';
import { maximum } from './maximum';
import { checkNotEmpty } from './reduce-kernel';
import { minimum } from './minimum';
import { normalizeAxes } from './reduce-kernel';
import { checkKeepdims, ReduceOptions } from './reduce-op';
import { sub } from './sub';
import { sum } from './sum';

const LARGEST = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE } as const;

/**
 * log(sum(exp(x))) over `axis` (number, list, or undefined for all) without overflow: m + log(sum(exp(x - m))) with
 * m = max(x) clipped to the finite range, so a group of -inf gives -inf and one holding +inf gives +inf. Integers
 * give floatX; an empty group is an error (as max).
 * The gradient is composed: d/dx = g * softmax(x) + g * (1 - sum(softmax(x))) * dm/dx, and the second term is zero
 * (up to rounding) whatever m is, so max's tie mask never shows.
 * @example T.logsumexp(logits, -1, { keepdims: true })
 */
export function logsumexp(x: unknown, axis?: number | number[], opts?: ReduceOptions | boolean): Variable {
  let v = asVariable(x, 'logsumexp', 'x');
  const axes = normalizeAxes('logsumexp', axis, v.ndim);
  const keepdims = checkKeepdims('logsumexp', opts);
  checkNotEmpty('logsumexp', v.type.shape, axes, String(v.type));
  if (v.dtype !== floatOf(v.dtype)) v = cast(v, floatOf(v.dtype));
  const big = LARGEST[v.dtype as 'float32' | 'float64'];
  const m = minimum(maximum(max(v, axes, keepdims), -big), big);
  const shifted = sub(v, broadcastLike(m, v, keepdims ? [] : axes));
  return add(m, log(sum(exp(shifted), axes, keepdims)));
}
