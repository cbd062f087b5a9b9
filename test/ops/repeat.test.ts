import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed, shapeWithEmpty } from './shape-support';
import { NOT_TENSORS, run } from './support';

const M = [[1, 2], [3, 4]];

describe('repeat', () => {
  describe('bad input', () => {
    it('rejects negative, fractional or data-dependent repeats and a bad axis, listing both', () => {
      const x = T.dmatrix('x');
      expectError(() => T.repeat(x, -1, 2), T.ArgumentError, 'repeat: repeats must be a count >= 0 (an integer, T.shapeI(y, i) or y.shape[i], or +, -, * of these', 'got -1', 'axis must be an integer in [-2, 2), got 2');
      expectError(() => T.repeat(x, T.iscalar('n')), T.ArgumentError, 'repeat: repeats must be', 'got n (int32[])');
      expectError(() => T.repeat(x, [1, -2, 0.5]), T.ArgumentError, 'got [1,-2,0.5]');
      expectError(() => T.repeat(x, [x.shape[0]]), T.ArgumentError, 'an array of numbers');
    });
    it('reports a negative symbolic count at run time', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.repeat(x, x.shape[0].sub(3)), { backend: 'js' });
      expectError(() => f([1, 2]), T.RuntimeError, 'repeat: repeats must be >= 0, got -1');
    });
    it('rejects counts beyond any array dim while the graph is built', () => {
      const x = T.fvector('x');
      expectError(() => T.repeat(x, 2 ** 31), T.ArgumentError, 'repeat: repeats must be at most 2147483647, got 2147483648');
      expectError(() => T.repeat(x, [1, 2 ** 40]), T.ArgumentError, 'repeat: repeats[1] must be at most 2147483647, got 1099511627776');
    });
    it('rejects per-index counts that do not match the axis, statically or at run time', () => {
      expectError(() => T.repeat(T.tensor('float32', [2, 3]), [1, 2], 1), T.ShapeError, "repeat: repeats must have one count per index of x's axis 1 (x of shape [2, 3]), got 2");
      const x = T.dmatrix('x');
      const f = T.function([x], T.repeat(x, [1, 2], 1), { backend: 'js' });
      expectError(() => f([[1, 2, 3]]), T.RuntimeError, "repeat: repeats must have one count per index of x's axis 1 (x of shape [1, 3]), got 2");
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.repeat(bad, 2), T.ArgumentError, 'repeat: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('repeats each element of a vector', () => checkOp({ fn: (x) => T.repeat(x, 2), inputs: [[1, 2, 3]], expected: [1, 1, 2, 2, 3, 3] }));
    it('repeats rows (axis 0)', () => checkOp({ fn: (x) => x.repeat(2, 0), inputs: [M], expected: [[1, 2], [1, 2], [3, 4], [3, 4]] }));
    it('repeats columns (axis -1)', () => checkOp({ fn: (x) => x.repeat(3, -1), inputs: [M], expected: [[1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4]] }));
    it('flattens first without an axis (NumPy)', () => checkOp({ fn: (x) => T.repeat(x, 2), inputs: [M], expected: [1, 1, 2, 2, 3, 3, 4, 4] }));
    it('takes a symbolic count: T.repeat(x, y.shape[0], 1)', () => {
      checkOp({ fn: (x, y) => T.repeat(x, y.shape[0], 1), inputs: [M, [0, 0]], expected: [[1, 1, 2, 2], [3, 3, 4, 4]], noGrad: true });
      checkOp({ fn: (x) => T.repeat(x, x.shape[0].add(1)).mul(T.arange(6)), inputs: [[1, 2]], expected: [0, 1, 2, 6, 8, 10] });
    });
    it('an empty per-index list repeats an empty axis', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.repeat(x, [], 0), T.zeros([0, 2], 'float64')).shape).toEqual([0, 2]);
      T.verifyGrad((v) => T.concatenate([T.repeat(T.reshape(v, [0, 2]), [], 0), T.reshape(v, [0, 2])]).sum().add(T.sum(v)), [T.zeros([0], 'float64')]);
    });
    it('repeats index j repeats[j] times, zero included', () =>
      checkOp({ fn: (x) => T.repeat(x, [0, 2, 1], 1), inputs: [[[1, 2, 3], [4, 5, 6]]], expected: [[2, 2, 3], [5, 5, 6]] }));
    it('per-index counts: the gradient sums each run of copies', () =>
      checkOp({ fn: (x) => T.repeat(x, [3, 1]).mul(T.arange(4)), inputs: [[1, 2]], expected: [0, 1, 2, 6] }));
    it('weights each copy differently in the gradient', () => checkOp({ fn: (x) => T.repeat(x, 2).mul(T.arange(4)), inputs: [[1, 2]], expected: [0, 1, 4, 6] }));
  });

  describe('static shapes and edges', () => {
    it('multiplies the axis; 0 repeats give 0; 1 returns x', () => {
      expect(T.repeat(T.tensor('float32', [2, null]), 3, 0).staticShape).toEqual([6, null]);
      expect(T.repeat(T.tensor('float32', [2, null]), 0, 1).staticShape).toEqual([2, 0]);
      const x = T.fmatrix();
      expect(T.repeat(x, 1, 1)).toBe(x);
      const v = T.dvector('v');
      expect(run([v], T.repeat(v, 0), [1, 2]).shape).toEqual([0]);
    });
  });

  describe.skipIf(!nativeHas('Repeat'))('native agrees with the TypeScript reference', () => {
    it('repeats random shapes (empty included) along every axis, every dtype', () => {
      fc.assert(
        fc.property(shapeWithEmpty, fc.integer({ min: 0, max: 3 }), fc.nat(), anyDtype, seed, (s, r, k, dt, sd) => {
          const axis = k % s.length;
          agreeExact((x) => T.repeat(x, r, axis), [randomValues(s, dt, sd)]);
          const each = Array.from({ length: s[axis] }, (_, j) => (j * 7 + k) % 4);
          agreeExact((x) => T.repeat(x, each, axis), [randomValues(s, dt, sd)]);
        }),
        { numRuns: 40 },
      );
    });
  });
});
