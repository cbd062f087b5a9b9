import { expect } from 'vitest';
import * as T from '../../lib';
import { compileOnBackends } from '../helpers';

/**
 * Evaluates `out` at the given input values on every backend present and checks that the backends agree; returns
 * the result of the first. For dtype, shape and edge-value tests that `checkOp` cannot express (NaN, empty shapes).
 */
export function run(inputs: T.Variable[], out: T.Variable, ...values: unknown[]): T.NDArray {
  let first: T.NDArray | undefined;
  for (const [backend, f] of compileOnBackends(inputs, out)) {
    const r = f(...values) as T.NDArray;
    if (!first) first = r;
    else {
      expect(r.dtype, `${backend} dtype`).toBe(first.dtype);
      expect(r.shape, `${backend} shape`).toEqual(first.shape);
      for (let i = 0; i < r.size; i++) {
        const [x, y] = [r.data[i], first.data[i]];
        if (Number.isNaN(y) || !Number.isFinite(y)) expect(x, `${backend} element ${i}`).toBe(y);
        else expect(Math.abs(x - y), `${backend} element ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(y)));
      }
    }
  }
  return first as T.NDArray;
}

/** The elements of an NDArray as a plain list (exact, NaN-preserving), for empty or NaN-carrying results. */
export const flat = (a: T.NDArray): number[] => Array.from(a.data);

/** Values that are not tensors, each with the fragment its error message must show. */
export const NOT_TENSORS: [unknown, string][] = [
  ['abc', 'got "abc"'],
  [{}, 'got Object'],
  [null, 'got null'],
];
