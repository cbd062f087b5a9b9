import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('pow', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      expectError(() => T.pow(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 3])), T.ShapeError, 'pow: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]', 'dim -2 differs');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.pow(T.fvector(), bad), T.ArgumentError, 'pow: b must be', got);
        expectError(() => T.pow(bad, T.fvector()), T.ArgumentError, 'pow: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('raises to a scalar power (gradient b·a^(b-1))', () => checkOp({ fn: (a) => T.pow(a, 3), inputs: [[[1, 2], [-1, 0.5]]], expected: [[1, 8], [-1, 0.125]] }));
    it('raises elementwise, with gradients for base and exponent', () => checkOp({ fn: T.pow, inputs: [[[4, 2], [9, 0.5]], [[0.5, 3], [1.5, 2]]], expected: [[2, 8], [27, 0.25]] }));
    it('broadcasts a column of exponents against a matrix of bases', () => checkOp({ fn: T.pow, inputs: [[[1, 2, 3], [4, 5, 6]], [[2], [0.5]]], expected: [[1, 4, 9], [2, Math.sqrt(5), Math.sqrt(6)]] }));
    it('broadcasts a scalar base over a vector of exponents (gradient a^b·log a)', () => checkOp({ fn: T.pow, inputs: [2, [0, 1, -1, 0.5]], expected: [1, 2, 0.5, Math.SQRT2] }));
    it('broadcasts a rank-3 tensor along its middle axis', () =>
      checkOp({ fn: T.pow, inputs: [[[[2, 3]], [[4, 5]]], [[[1, 1], [2, 2]], [[0, 0], [1, 1]]]], expected: [[[2, 3], [4, 9]], [[1, 1], [4, 5]]] }));

    it('sums the exponent gradient back to a scalar exponent: d sum(a^b)/db = sum(a^b log a)', () => {
      const a = T.dvector('a');
      const b = T.dscalar('b');
      close(run([a, b], T.grad(T.sum(T.pow(a, b)), b), [1, 2, 4], 2), 4 * Math.log(2) + 16 * Math.log(4));
    });
  });

  describe('edge values', () => {
    it('follows Math.pow: 0^0 = 1, 0^-1 = inf, a negative base to a fractional power is NaN', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      expect(flat(run([a, b], T.pow(a, b), [0, 0, -8, -8], [0, -1, 1 / 3, 2]))).toEqual([1, Infinity, NaN, 64]);
    });
    it('raises empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.pow(e, 2), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('int32 ** int32 stays int32', () => {
      const i = T.ivector('i');
      const r = run([i], T.pow(i, 3), [2, -3, 10]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([8, -27, 1000]);
    });
    it('int32 ** 0.5 computes in floatX', () => {
      const i = T.ivector('i');
      const r = run([i], T.pow(i, 0.5), [4, 9]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([2, 3]);
    });
    it('float32 ** JS number stays float32; int32 ** float32 is float32', () => {
      expect(T.fvector().pow(2).dtype).toBe('float32');
      expect(T.pow(T.ivector(), T.fvector()).dtype).toBe('float32');
    });
  });

  describe('method form', () => {
    it('x.pow(y) equals T.pow(x, y)', () => {
      const x = T.dvector('x');
      close(run([x], x.pow(2), [1, -2, 3]), [1, 4, 9]);
      close(run([x], x.pow([1, 2, 0]), [1, -2, 3]), run([x], T.pow(x, [1, 2, 0]), [1, -2, 3]).toArray());
    });
  });

  describe('second order', () => {
    it('d(x³)/dx = 3x², and its derivative agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.pow(x, 3)), x), inputs: [[1, -2, 0.5]], expected: [3, 12, 0.75] }));
    it('d²(x³)/dx² = 6x', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.pow(x, 3)), x)), x), [1, -2, 0.5]), [6, -12, 3]);
    });
  });
});
