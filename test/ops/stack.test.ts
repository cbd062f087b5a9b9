import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed, shapeWithEmpty } from './shape-support';
import { NOT_TENSORS, run } from './support';

describe('stack', () => {
  describe('bad input', () => {
    it('rejects an empty list, mismatched ranks and a bad axis', () => {
      expectError(() => T.stack([]), T.ArgumentError, 'stack: xs must be a non-empty array of tensors');
      expectError(() => T.stack([T.fvector(), T.fmatrix()]), T.ShapeError, 'stack: every input must have the rank of xs[0] (1), got xs[1] has rank 2');
      expectError(() => T.stack([T.fvector(), T.fvector()], 2), T.ArgumentError, 'stack: axis must be an integer in [-2, 2), got 2');
    });
    it('rejects static shapes that differ', () => {
      expectError(() => T.stack([T.tensor('float32', [2]), T.tensor('float32', [3])]), T.ShapeError, 'stack: every input must have shape [2], got xs[1] [3]');
    });
    it('reports a run-time mismatch', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      for (const backend of backends) {
        const f = T.function([a, b], T.stack([a, T.neg(b)]), { backend });
        expectError(() => f([1, 2], [1, 2, 3]), T.RuntimeError, 'stack: every input must have shape [2], got neg(b) (xs[1]) [3]', 'node: stack(a, neg(b), axis=0)');
      }
    });
    it('rejects non-tensor elements with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.stack([bad]), T.ArgumentError, 'stack: xs[0] must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('stacks vectors as rows (axis 0)', () => checkOp({ fn: (a, b) => T.stack([a, b]), inputs: [[1, 2], [3, 4]], expected: [[1, 2], [3, 4]] }));
    it('stacks vectors as columns (axis -1)', () => checkOp({ fn: (a, b) => T.stack([a, b], -1), inputs: [[1, 2], [3, 4]], expected: [[1, 3], [2, 4]] }));
    it('stacks matrices in the middle, one input twice', () =>
      checkOp({ fn: (a, b) => T.stack([a, b, a], 1).mul(T.arange(1, 3).dimshuffle('x', 'x', 0)), inputs: [[[1, 2]], [[3, 4]]], expected: [[[1, 4], [3, 8], [1, 4]]] }));
    it('stacks scalars into a vector', () => checkOp({ fn: (a, b) => T.stack([a, b]), inputs: [1, 2], expected: [1, 2] }));
  });

  describe('static shapes and dtypes', () => {
    it('inserts the count at the axis and upcasts', () => {
      expect(T.stack([T.tensor('float32', [null, 3]), T.tensor('float32', [2, null])], 1).staticShape).toEqual([2, 2, 3]);
      const r = run([], T.stack([T.constant([1, 2], 'int32'), T.constant([true, false], 'bool')]));
      expect(r.dtype).toBe('int32');
      expect(Array.from(r.data)).toEqual([1, 2, 1, 0]);
    });
  });

  describe.skipIf(!nativeHas('Stack'))('native agrees with the TypeScript reference', () => {
    it('stacks 1-3 random tensors (empty included) along every axis, every dtype', () => {
      fc.assert(
        fc.property(shapeWithEmpty, fc.integer({ min: 1, max: 3 }), fc.nat(), anyDtype, seed, (s, n, k, dt, sd) => {
          const vals = Array.from({ length: n }, (_, i) => randomValues(s, dt, sd + i));
          agreeExact((...xs) => T.stack(xs, k % (s.length + 1)), vals);
        }),
        { numRuns: 40 },
      );
    });
  });
});
