import { ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { broadcastLike } from './broadcast-to';

/**
 * `value` broadcast to the run-time shape of `like` (Theano's fill): a plain number takes like's dtype, a tensor keeps
 * its own. The gradient reaches value (summed over the broadcast dims), not like. @example T.fill(W, 0.5)
 */
export function fill(like: unknown, value: unknown): Variable {
  const l = asVariable(like, 'fill', 'like');
  const v = asVariable(value, 'fill', 'value', l.dtype);
  if (v.ndim > l.ndim) throw new ShapeError(`fill: value must have rank <= ${l.ndim} to fill like ${shapeStr(l.type.shape)}, got ${shapeStr(v.type.shape)}`);
  const bad = v.type.shape.some((d, i) => {
    const t = l.type.shape[l.ndim - v.ndim + i];
    return d !== null && d !== 1 && t !== null && t !== d;
  });
  if (bad) throw new ShapeError(`fill: value must broadcast to like ${shapeStr(l.type.shape)}, got ${shapeStr(v.type.shape)}`);
  return broadcastLike(v, l);
}
