import { ArgumentError } from '../errors';
import { floatOf } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { describe, showValue } from '../ndarray';
import { axisCount } from './axis-count';
import { div } from './div';
import { mean } from './mean';
import { normalizeAxes } from './reduce-kernel';
import { checkKeepdims, ReduceOptions } from './reduce-op';
import { sqr } from './sqr';
import { sub } from './sub';
import { sum } from './sum';

export interface VarOptions extends ReduceOptions {
  /** Delta degrees of freedom: the sum of squares is divided by n - ddof (default 0, NumPy; 1 for the sample variance). */
  ddof?: number;
}

export function checkVarOptions(op: string, opts: unknown): { keepdims: boolean; ddof: number } {
  if (opts !== undefined && typeof opts !== 'boolean' && (typeof opts !== 'object' || opts === null || Array.isArray(opts))) {
    throw new ArgumentError(`${op}: options must be { keepdims?: boolean, ddof?: number }, got ${describe(opts)}`);
  }
  const keepdims = checkKeepdims(op, opts);
  const ddof = typeof opts === 'object' ? (opts as VarOptions).ddof ?? 0 : 0;
  if (!Number.isInteger(ddof) || ddof < 0) throw new ArgumentError(`${op}: ddof must be a non-negative integer, got ${showValue(ddof)}`);
  return { keepdims, ddof };
}

/** The variance built for `op` (var or std) with validated arguments. */
export function varianceOf(op: string, x: unknown, axis: unknown, opts: unknown): Variable {
  const v = asVariable(x, op, 'x');
  const axes = normalizeAxes(op, axis, v.ndim);
  const { keepdims, ddof } = checkVarOptions(op, opts);
  // var(x) = sum((x - mean(x))^2) / (n - ddof); composed, so its gradient 2 (x - mean) / (n - ddof) comes for free
  const sq = sum(sqr(sub(v, mean(v, axes, true))), axes, keepdims);
  const n = axisCount(v, axes, floatOf(v.dtype));
  return div(sq, ddof ? sub(n, ddof) : n);
}

/**
 * Variance over `axis` (number, list, or undefined for all), dividing by n - ddof; integers give floatX. With
 * n - ddof <= 0 the result is inf or NaN, as NumPy. Exported as `T.var`.
 * @example T.var(x, 0, { ddof: 1 }) // sample variance of each column
 */
export function variance(x: unknown, axis?: number | number[], opts?: VarOptions | boolean): Variable {
  return varianceOf('var', x, axis, opts);
}
