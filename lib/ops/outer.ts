import { ShapeError } from '../errors';
import { asVariablePair } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { expandDims } from './expand-dims';
import { mul } from './mul';

/**
 * Outer product of two vectors: out[i, j] = a[i] b[j] (a broadcast multiply, so its gradient and kernels are mul's).
 * @example T.outer(u, v)   // [m] x [n] -> [m, n]
 */
export function outer(a: unknown, b: unknown): Variable {
  const [va, vb] = asVariablePair(a, b, 'outer');
  const problems: string[] = [];
  if (va.ndim !== 1) problems.push(`a must be a vector, got rank ${va.ndim} ${shapeStr(va.type.shape)}`);
  if (vb.ndim !== 1) problems.push(`b must be a vector, got rank ${vb.ndim} ${shapeStr(vb.type.shape)}`);
  if (problems.length) throw new ShapeError(`outer: ${problems.join('; ')}`);
  return mul(expandDims(va, [1]), expandDims(vb, [0]));
}
