import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, -2, 3], [0.5, 2, -1]];

describe('mul', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and every bad dim', () => {
      const a = T.tensor('float32', [2, 3]);
      expectError(() => T.mul(a, T.tensor('float32', [4, 3])), T.ShapeError, 'mul: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]');
      expectError(() => T.mul(a, T.tensor('float32', [4, 5])), T.ShapeError, 'dim -2 differs, dim -1 differs');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.mul(T.fvector(), bad), T.ArgumentError, 'mul: b must be', got);
        expectError(() => T.mul(bad, T.fvector()), T.ArgumentError, 'mul: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('multiplies matrices elementwise', () => checkOp({ fn: T.mul, inputs: [M, [[2, 2, 2], [-1, 0.5, 3]]], expected: [[2, -4, 6], [-0.5, 1, -3]] }));
    it('broadcasts a vector along the rows of a matrix', () => checkOp({ fn: T.mul, inputs: [M, [1, 10, 100]], expected: [[1, -20, 300], [0.5, 20, -100]] }));
    it('broadcasts a column [n, 1] against a row [1, m] (outer product)', () => checkOp({ fn: T.mul, inputs: [[[1], [2]], [[3, 4, 5]]], expected: [[3, 4, 5], [6, 8, 10]] }));
    it('broadcasts a scalar over a matrix', () => checkOp({ fn: T.mul, inputs: [M, -2], expected: [[-2, 4, -6], [-1, -4, 2]] }));
    it('broadcasts a rank-3 tensor along its middle axis', () =>
      checkOp({ fn: T.mul, inputs: [[[[1, 2]], [[3, 4]]], [[[1, 1], [2, 2], [0, -1]], [[1, 1], [2, 2], [0, -1]]]], expected: [[[1, 2], [2, 4], [0, -2]], [[3, 4], [6, 8], [0, -4]]] }));
    it('squares a variable used on both sides (gradient 2x)', () => checkOp({ fn: (x) => T.mul(x, x), inputs: [[1, -3, 0.5]], expected: [1, 9, 0.25] }));

    it('sums the gradient of a broadcast operand back to its shape: d sum(a*b)/db = column sums of a', () => {
      const a = T.dmatrix('a');
      const b = T.dvector('b');
      close(run([a, b], T.grad(T.sum(T.mul(a, b)), b), M, [1, 1, 1]), [1.5, 0, 2]);
    });
  });

  describe('edge values', () => {
    it('multiplies empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.mul(e, [[1, 2, 3]]), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
    it('gives NaN for 0 * inf', () => {
      const a = T.dvector('a');
      expect(flat(run([a], T.mul(a, Infinity), [0, -1]))).toEqual([NaN, -Infinity]);
    });
  });

  describe('dtypes', () => {
    it('int32 * float32 computes in float32', () => {
      const i = T.ivector('i');
      const f = T.fvector('f');
      const r = run([i, f], T.mul(i, f), [3, 4], [0.5, 0.25]);
      expect(r.dtype).toBe('float32');
      close(r, [1.5, 1]);
    });
    it('int32 * int32 stays int32 and wraps exactly like NumPy int32', () => {
      const i = T.ivector('i');
      const r = run([i], T.mul(i, i), [-3, 2147483647, 65536]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([9, 1, 0]);
    });
    it('a plain JS number keeps a float32 operand float32 (x.mul(0.1))', () => {
      const x = T.fvector('x');
      const r = run([x], x.mul(0.1), [1, 2]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([Math.fround(0.1), Math.fround(Math.fround(0.1) * 2)]);
    });
    it('a fractional JS number turns an int32 operand into floatX', () => expect(T.ivector().mul(0.5).dtype).toBe('float32'));
  });

  describe('method form', () => {
    it('x.mul(y) equals T.mul(x, y)', () => {
      const x = T.dmatrix('x');
      const y = T.dmatrix('y');
      close(run([x, y], x.mul(y), M, [[2], [3]]), [[2, -4, 6], [1.5, 6, -3]]);
      close(run([x, y], x.mul(y), M, [[2], [3]]), run([x, y], T.mul(x, y), M, [[2], [3]]).toArray());
    });
  });

  describe('second order', () => {
    it('d²(x·x·x)/dx² = 6x through the product rule twice', () => {
      const x = T.dvector('x');
      const g2 = T.grad(T.sum(T.grad(T.sum(T.mul(T.mul(x, x), x)), x)), x);
      close(run([x], g2, [1, -2, 0.5]), [6, -12, 3]);
    });
  });
});
