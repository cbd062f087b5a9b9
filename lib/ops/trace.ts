import { ArgumentError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { shapeStr, showValue } from '../ndarray';
import { diag } from './diag';
import { sum } from './sum';

/**
 * Sum of a matrix's k-th diagonal (integers and booleans sum as int32).
 * @example T.trace(m)   // [[1, 2], [3, 4]] -> 5
 */
export function trace(x: unknown, k = 0): Variable {
  const v = asVariable(x, 'trace', 'x');
  if (v.ndim !== 2) throw new ShapeError(`trace: x must be a matrix, got rank ${v.ndim} ${shapeStr(v.type.shape)}`);
  if (!Number.isInteger(k)) throw new ArgumentError(`trace: k must be an integer, got ${showValue(k)}`);
  return sum(diag(v, k));
}
