import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed, shapeWithEmpty } from './shape-support';
import { NOT_TENSORS, run } from './support';

const M = [[1, 2], [3, 4]];

describe('tile', () => {
  describe('bad input', () => {
    it('rejects negative, fractional or data-dependent reps, saying what is accepted', () => {
      const x = T.dmatrix('x');
      expectError(() => T.tile(x, [2, -1]), T.ArgumentError, 'tile: reps must be a non-empty array (or one value) of sizes >= 0, each an integer, T.shapeI(y, i) or y.shape[i], or +, -, * of these', 'got [2,-1]');
      expectError(() => T.tile(x, 1.5), T.ArgumentError, 'got 1.5');
      expectError(() => T.tile(x, []), T.ArgumentError, 'got []');
      expectError(() => T.tile(x, [T.iscalar('n')]), T.ArgumentError, 'got [n (int32[])]');
    });
    it('rejects reps beyond any array dim while the graph is built, and a static result too large for an array', () => {
      const x = T.dmatrix('x');
      expectError(() => T.tile(x, [2 ** 31, 1e20]), T.ArgumentError, 'tile: reps[0] must be at most 2147483647, got 2147483648; reps[1] must be at most 2147483647, got 100000000000000000000');
      expectError(() => T.tile(x, 2 ** 32), T.ArgumentError, 'tile: reps must be at most 2147483647, got 4294967296');
      expectError(() => T.tile(T.tensor('float64', [2, 2]), [2 ** 20, 2 ** 20]), T.ShapeError, 'tile: output shape must have integer dims in [0, 2147483647] and at most 2147483647 elements, got [2097152, 2097152]');
    });
    it('reports a result too large for an array at run time, naming the node, on every backend', () => {
      for (const backend of backends) {
        const x = T.fmatrix('x');
        const f = T.function([x], T.tile(x, [2 ** 20, 2 ** 20]), { backend });
        expectError(() => f(T.zeros([2, 2], 'float32')), T.RuntimeError, 'tile: output shape [2097152, 2097152] must have at most 2147483647 elements, got 4398046511104', 'node: tile(x, [1048576, 1048576])');
      }
    });
    it('reports a negative symbolic rep at run time', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.tile(x, x.shape[0].sub(3)), { backend: 'js' });
      expectError(() => f([1, 2]), T.RuntimeError, 'tile: reps must be >= 0, got [-1] for x of shape [2]');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.tile(bad, 2), T.ArgumentError, 'tile: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('tiles a matrix along both axes', () => checkOp({ fn: (x) => T.tile(x, [2, 3]), inputs: [M], expected: [[1, 2, 1, 2, 1, 2], [3, 4, 3, 4, 3, 4], [1, 2, 1, 2, 1, 2], [3, 4, 3, 4, 3, 4]] }));
    it('pads a short reps with leading 1s (NumPy)', () => checkOp({ fn: (x) => x.tile(2), inputs: [M], expected: [[1, 2, 1, 2], [3, 4, 3, 4]] }));
    it('gives x leading dims for a long reps', () => checkOp({ fn: (x) => T.tile(x, [2, 1, 2]), inputs: [[1, 2]], expected: [[[1, 2, 1, 2]], [[1, 2, 1, 2]]] }));
    it('tiles a scalar', () => checkOp({ fn: (x) => T.tile(x, [3]), inputs: [5], expected: [5, 5, 5] }));
    it('takes symbolic reps: T.tile(v, [y.shape[0], 1]) and products of dims', () => {
      checkOp({ fn: (x, y) => T.tile(x, [y.shape[0], 1]), inputs: [[[1, 2]], [0, 0, 0]], expected: [[1, 2], [1, 2], [1, 2]], noGrad: true });
      const y = T.constant(T.zeros([3], 'float64'));
      checkOp({ fn: (x) => T.tile(x, [y.shape[0].sub(1), x.shape[0]]).mul(T.arange(4)), inputs: [[1, 2]], expected: [[0, 2, 2, 6], [0, 2, 2, 6]] });
    });
    it('weights each copy differently in the gradient', () =>
      checkOp({ fn: (x) => T.tile(x, [1, 2]).mul(T.arange(4)), inputs: [[[1, 2]]], expected: [[0, 2, 2, 6]] }));
  });

  describe('static shapes and edges', () => {
    it('multiplies static dims; 0 reps give 0 even for unknown dims; all-ones reps return x', () => {
      expect(T.tile(T.tensor('float32', [2, null]), [3, 0]).staticShape).toEqual([6, 0]);
      const x = T.fmatrix();
      expect(T.tile(x, [1, 1])).toBe(x);
      const v = T.dvector('v');
      expect(run([v], T.tile(v, [2, 0]), [1, 2]).shape).toEqual([2, 0]);
      expect(run([v], T.tile(v, 2), T.zeros([0], 'float64')).shape).toEqual([0]);
    });
  });

  describe.skipIf(!nativeHas('Tile'))('native agrees with the TypeScript reference', () => {
    it('tiles random shapes (empty included) by random reps, every dtype', () => {
      fc.assert(
        fc.property(shapeWithEmpty, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }), anyDtype, seed, (s, reps, dt, sd) => {
          agreeExact((x) => T.tile(x, reps), [randomValues(s, dt, sd)]);
        }),
        { numRuns: 40 },
      );
    });
  });
});
