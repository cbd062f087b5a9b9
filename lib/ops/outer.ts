import { asVariablePair } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { expandDims } from './expand-dims';
import { mul } from './mul';
import { flatten } from './reshape';

/**
 * Outer product out[i, j] = a[i] b[j] of a and b flattened first (any ranks, as NumPy and Theano): shape
 * [a.size, b.size]. A broadcast multiply of the flattened operands, so its gradient and kernels are mul's and reshape's.
 * @example T.outer(u, v)   // [m] x [n] -> [m, n]; [2, 3] x [4] -> [6, 4]
 */
export function outer(a: unknown, b: unknown): Variable {
  const [va, vb] = asVariablePair(a, b, 'outer');
  return mul(expandDims(flatten(va), [1]), expandDims(flatten(vb), [0]));
}
