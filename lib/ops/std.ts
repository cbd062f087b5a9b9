import { Variable } from '../graph/variable';
import { sqrt } from './sqrt';
import { VarOptions, varianceOf } from './var';

/**
 * Standard deviation sqrt(var(x, axis, opts)) over `axis`, with the same `ddof` and `keepdims` options as `T.var`.
 * Its gradient is NaN where every element of a group is equal (sqrt has an infinite slope at 0).
 * @example T.std(x, 1, { keepdims: true })
 */
export function std(x: unknown, axis?: number | number[], opts?: VarOptions | boolean): Variable {
  return sqrt(varianceOf('std', x, axis, opts));
}
