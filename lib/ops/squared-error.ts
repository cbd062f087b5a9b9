import { asVariablePair } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { mean } from './mean';
import { sqr } from './sqr';
import { sub } from './sub';

/** Elementwise (a - b)^2 with broadcasting. @example T.nnet.squaredError(pred, y) */
export function squaredError(a: unknown, b: unknown): Variable {
  const [x, y] = asVariablePair(a, b, 'squaredError');
  return sqr(sub(x, y));
}

/** The mean of (a - b)^2 over every element: a scalar cost. @example T.nnet.meanSquaredError(pred, y) */
export function meanSquaredError(a: unknown, b: unknown): Variable {
  return mean(squaredError(a, b));
}
