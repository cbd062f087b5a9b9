import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, -2, 3], [0.5, 2, -1]];

describe('sub', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      const a = T.tensor('float32', [2, 3]);
      const b = T.tensor('float32', [4, 3]);
      expectError(() => T.sub(a, b), T.ShapeError, 'sub: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]', 'dim -2 differs');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.sub(T.fvector(), bad), T.ArgumentError, 'sub: b must be', got);
        expectError(() => T.sub(bad, T.fvector()), T.ArgumentError, 'sub: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('subtracts matrices of the same shape', () => checkOp({ fn: T.sub, inputs: [M, [[1, 1, 1], [2, 2, 2]]], expected: [[0, -3, 2], [-1.5, 0, -3]] }));
    it('broadcasts a vector along the rows of a matrix', () => checkOp({ fn: T.sub, inputs: [M, [1, 2, 3]], expected: [[0, -4, 0], [-0.5, 0, -4]] }));
    it('broadcasts a column [n, 1] against a row [1, m]', () => checkOp({ fn: T.sub, inputs: [[[1], [2]], [[10, 20, 30]]], expected: [[-9, -19, -29], [-8, -18, -28]] }));
    it('broadcasts a scalar minuend over a matrix', () => checkOp({ fn: T.sub, inputs: [2, M], expected: [[1, 4, -1], [1.5, 0, 3]] }));
    it('broadcasts a rank-3 tensor along its middle axis', () =>
      checkOp({ fn: T.sub, inputs: [[[[1, 2, 3]], [[4, 5, 6]]], [[[1, 1, 1], [2, 2, 2]], [[0, 0, 0], [1, 1, 1]]]], expected: [[[0, 1, 2], [-1, 0, 1]], [[4, 5, 6], [3, 4, 5]]] }));

    it('negates the gradient of the subtrahend and sums it back to its shape', () => {
      const m = T.dmatrix('m');
      const c = T.dmatrix('c');
      const [gm, gc] = T.function([m, c], T.grad(T.sum(T.sub(m, c)), [m, c]))(M, [[1], [2]]) as T.NDArray[];
      close(gm, [[1, 1, 1], [1, 1, 1]]);
      close(gc, [[-3], [-3]]);
    });
  });

  describe('edge values', () => {
    it('subtracts empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.sub(e, 1), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
    it('gives NaN for inf - inf', () => {
      // two inputs: sub(a, a) itself is rewritten to zeros (the canonicalizer assumes finite values, as Theano's)
      const a = T.dvector('a');
      const b = T.dvector('b');
      expect(flat(run([a, b], T.sub(a, b), [Infinity, 1], [Infinity, 1]))).toEqual([NaN, 0]);
    });
  });

  describe('dtypes', () => {
    it('int32 - float32 computes in float32; int32 - int32 stays int32', () => {
      expect(T.sub(T.ivector(), T.fvector()).dtype).toBe('float32');
      const i = T.ivector('i');
      const r = run([i], T.sub(i, 5), [1, 10]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([-4, 5]);
    });
    it('a plain JS number keeps a float32 operand float32', () => expect(T.fvector().sub(0.1).dtype).toBe('float32'));
  });

  describe('method form', () => {
    it('x.sub(y) equals T.sub(x, y)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.sub([1, 2, 3]), M), run([x], T.sub(x, [1, 2, 3]), M).toArray());
      close(run([x], x.sub(1), M), [[0, -3, 2], [-0.5, 1, -2]]);
    });
  });
});
