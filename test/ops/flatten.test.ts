import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed, shapeWithEmpty } from './shape-support';
import { NOT_TENSORS, run } from './support';

const X3 = [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]; // [2, 3, 2]

describe('flatten', () => {
  describe('bad input', () => {
    it('rejects ndim outside [1, rank]', () => {
      const x = T.tensor3('x');
      expectError(() => T.flatten(x, 0), T.ArgumentError, 'flatten: ndim must be an integer in [1, 3] for x of rank 3, got 0');
      expectError(() => T.flatten(x, 4), T.ArgumentError, 'got 4');
      expectError(() => T.flatten(x, 1.5), T.ArgumentError, 'got 1.5');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.flatten(bad), T.ArgumentError, 'flatten: x must be', got);
    });
  });

  describe('forward and gradient (Theano semantics: keep ndim-1 leading dims, collapse the rest)', () => {
    it('flattens to a vector by default', () => checkOp({ fn: (x) => T.flatten(x), inputs: [X3], expected: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }));
    it('flatten(2) keeps the first dim', () => checkOp({ fn: (x) => x.flatten(2), inputs: [X3], expected: [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]] }));
    it('flatten(rank) keeps the shape', () => checkOp({ fn: (x) => T.mul(T.flatten(x, 3), 1), inputs: [X3], expected: X3 }));
    it('flattens a scalar to [1]', () => checkOp({ fn: (x) => T.flatten(x), inputs: [4], expected: [4] }));
  });

  describe('static shapes and edge values', () => {
    it('multiplies the collapsed static dims', () => {
      expect(T.flatten(T.tensor('float32', [2, 3, 4]), 2).staticShape).toEqual([2, 12]);
      expect(T.flatten(T.tensor('float32', [2, null, 4]), 2).staticShape).toEqual([2, null]);
      const v = T.fvector();
      expect(T.flatten(v)).toBe(v);
    });
    it('flattens empty tensors, also with a zero leading dim (no -1 ambiguity)', () => {
      const x = T.tensor3('x', 'float64');
      expect(run([x], T.flatten(x, 2), T.zeros([0, 3, 2], 'float64')).shape).toEqual([0, 6]);
      expect(run([x], T.flatten(x), T.zeros([2, 0, 2], 'float64')).shape).toEqual([0]);
    });
  });

  describe.skipIf(!nativeHas('Reshape'))('native agrees with the TypeScript reference', () => {
    it('flattens random shapes of every dtype to every ndim', () => {
      fc.assert(
        fc.property(shapeWithEmpty, anyDtype, seed, (s, dt, sd) => {
          const v = randomValues(s, dt, sd);
          for (let n = 1; n <= s.length; n++) agreeExact((x) => T.flatten(x, n), [v]);
        }),
        { numRuns: 30 },
      );
    });
  });
});
