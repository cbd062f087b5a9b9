import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed, shapeWithEmpty } from './shape-support';
import { flat, NOT_TENSORS, run } from './support';

describe('shape and shapeI', () => {
  describe('bad input', () => {
    it('rejects an axis outside the rank', () => {
      const x = T.fmatrix('x');
      expectError(() => T.shapeI(x, 2), T.ArgumentError, 'shapeI: i must be an integer in [-2, 2) for x of rank 2, got 2');
      expectError(() => T.shapeI(x, 0.5), T.ArgumentError, 'got 0.5');
      expect(x.shape[2]).toBeUndefined();
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.shape(bad), T.ArgumentError, 'shape: x must be', got);
        expectError(() => T.shapeI(bad, 0), T.ArgumentError, 'shapeI: x must be', got);
      }
    });
  });

  describe('values', () => {
    it('T.shape(x) is the run-time shape as an int32 vector', () => {
      const x = T.tensor3('x', 'float64');
      const r = run([x], T.shape(x), T.zeros([2, 0, 5], 'float64'));
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([2, 0, 5]);
      expect(T.shape(x).staticShape).toEqual([3]);
      expect(run([], T.shape(3)).shape).toEqual([0]);
    });
    it('x.shape[i] and x.shape[-1] are int32 scalars usable in arithmetic', () => {
      const x = T.dmatrix('x');
      expect(x.shape).toBe(x.shape);
      expect(x.shape[0].dtype).toBe('int32');
      expect(x.shape[0].ndim).toBe(0);
      const r = run([x], x.shape[0].mul(10).add(x.shape[-1]), [[1, 2, 3], [4, 5, 6]]);
      expect(flat(r)).toEqual([23]);
    });
    it('a statically known dim is an int32 constant, so sizes built from it stay static', () => {
      const x = T.tensor('float32', [4, null]);
      expect(x.shape[0]).toBeInstanceOf(T.Constant);
      expect(Array.from((x.shape[0] as T.Constant).value.data)).toEqual([4]);
      expect(x.shape[1]).not.toBeInstanceOf(T.Constant);
      expect(x.reshape([x.shape[0].mul(2), -1]).staticShape).toEqual([8, null]);
    });
    it('a mean written with the shape is differentiable in x (no gradient through the shape)', () =>
      checkOp({ fn: (x) => T.div(T.sum(x), T.cast(x.shape[0], 'float64')), inputs: [[1, 2, 6]], expected: 3 }));
  });

  describe.skipIf(!nativeHas('Shape', 'ShapeI'))('native agrees with the TypeScript reference', () => {
    it('reads the shape of random tensors of every dtype', () => {
      fc.assert(
        fc.property(shapeWithEmpty, anyDtype, seed, (s, dt, sd) => {
          agreeExact((x) => T.shape(x), [randomValues(s, dt, sd)]);
          agreeExact((x) => T.stack(s.map((_, i) => T.shapeI(x, i))), [randomValues(s, dt, sd)]);
        }),
        { numRuns: 30 },
      );
    });
  });
});
