import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed } from './shape-support';
import { NOT_TENSORS } from './support';

const M = [[1, 2, 3], [4, 5, 6]];

describe('dimshuffle', () => {
  describe('bad input', () => {
    it("rejects entries that are neither 'x' nor an axis, and repeated axes", () => {
      const x = T.fmatrix('x');
      expectError(() => x.dimshuffle(0, 2), T.ArgumentError, "dimshuffle: pattern must hold 'x' or integers in [0, 2) for x of rank 2, got [0,2]");
      expectError(() => T.dimshuffle(x, 'y', 0, 1), T.ArgumentError, 'got ["y",0,1]');
      expectError(() => x.dimshuffle(1, 1), T.ArgumentError, 'dimshuffle: pattern must not repeat an axis, got [1,1]');
    });
    it('rejects dropping an axis whose static size is not 1', () => {
      const x = T.tensor('float32', [1, 3]);
      expectError(() => x.dimshuffle(0), T.ShapeError, 'dimshuffle: axes left out of the pattern must have size 1, got axes 1 of x of shape [1, 3] (pattern [0])');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.dimshuffle(bad, 0), T.ArgumentError, 'dimshuffle: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it("x.dimshuffle('x', 0, 1) adds a leading axis", () => checkOp({ fn: (x) => x.dimshuffle('x', 0, 1), inputs: [M], expected: [M] }));
    it('x.dimshuffle(1, 0) transposes', () => checkOp({ fn: (x) => x.dimshuffle(1, 0), inputs: [M], expected: [[1, 4], [2, 5], [3, 6]] }));
    it("a bias vector as a column: b.dimshuffle(0, 'x') broadcasts over rows", () =>
      checkOp({ fn: (b, m) => T.add(b.dimshuffle(0, 'x'), m), inputs: [[10, 20], M], expected: [[11, 12, 13], [24, 25, 26]] }));
    it('drops a size-1 axis, permutes and inserts at once; the pattern may be one array', () =>
      checkOp({ fn: (x) => x.dimshuffle([2, 'x', 0]), inputs: [[[[1, 2]], [[3, 4]]]], expected: [[[1, 3]], [[2, 4]]] }));
  });

  describe('static shapes', () => {
    it('moves static dims and puts 1 for each x', () => {
      const x = T.tensor('float32', [2, null, 1]);
      expect(x.dimshuffle(1, 'x', 0).staticShape).toEqual([null, 1, 2]);
      expect(x.dimshuffle(0, 1, 2)).toBe(x);
    });
  });

  describe.skipIf(!nativeHas('Squeeze', 'Transpose', 'ExpandDims'))('native agrees with the TypeScript reference', () => {
    it('random permutations with inserted axes, every dtype', () => {
      const shapes = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 });
      fc.assert(
        fc.property(shapes, anyDtype, seed, fc.nat(), (s, dt, sd, k) => {
          const perm = s.map((_, i) => i).sort((a, b) => ((a * 7 + k) % 5) - ((b * 7 + k) % 5));
          const pattern: (number | 'x')[] = [...perm];
          pattern.splice(k % (perm.length + 1), 0, 'x');
          agreeExact((x) => x.dimshuffle(...pattern), [randomValues(s, dt, sd)]);
        }),
        { numRuns: 30 },
      );
    });
  });
});
