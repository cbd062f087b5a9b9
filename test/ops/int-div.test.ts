import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('intDiv', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op and both arguments', () => {
      expectError(() => T.intDiv(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 3])), T.ShapeError, 'intDiv: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.intDiv(T.fvector(), bad), T.ArgumentError, 'intDiv: b must be', got);
        expectError(() => T.intDiv(bad, T.fvector()), T.ArgumentError, 'intDiv: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('rounds the quotient toward -inf (zero gradient)', () =>
      checkOp({ fn: T.intDiv, inputs: [[7, -7, 7.5, -0.5, 5.3], [2, 2, -2, 2, 1.1]], expected: [3, -4, -4, -1, 4] }));
    it('follows NumPy where the rounded quotient is an integer: 1 // 0.1 is 9 (0.1 is slightly above 1/10)', () => {
      const [a, b] = [T.dvector('a'), T.dvector('b')];
      expect(flat(run([a, b], T.intDiv(a, b), [1, 0.5], [0.1, 0.1]))).toEqual([9, 4]);
    });
    it('broadcasts a scalar divisor', () => checkOp({ fn: (x) => T.intDiv(x, 3), inputs: [[[-4, 4], [9, 10]]], expected: [[-2, 1], [3, 3]], noGrad: true }));
    it('has a zero gradient for both operands', () => {
      const [a, b] = [T.dvector('a'), T.dvector('b')];
      const g = T.grad(T.sum(T.intDiv(a, b)), [a, b]);
      expect(flat(run([a, b], g[0], [7.5, 3], [2, 2]))).toEqual([0, 0]);
      expect(flat(run([a, b], g[1], [7.5, 3], [2, 2]))).toEqual([0, 0]);
    });
  });

  describe('edge values', () => {
    it('float division by zero gives ±inf, or NaN for 0 // 0; NaN and inf operands give NaN', () => {
      const [a, b] = [T.dvector('a'), T.dvector('b')];
      expect(flat(run([a, b], T.intDiv(a, b), [3, -3, 0, NaN, Infinity, 1], [0, 0, 0, 2, 2, Infinity]))).toEqual([Infinity, -Infinity, NaN, NaN, NaN, 0]);
    });
    it('int32: division by zero gives 0, INT_MIN // -1 wraps to INT_MIN (as NumPy, without a warning)', () => {
      const [a, b] = [T.ivector('a'), T.ivector('b')];
      const r = run([a, b], T.intDiv(a, b), [7, -7, 7, -7, 5, 0, -2147483648], [2, 2, -2, -2, 0, 0, -1]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([3, -4, -4, 3, 0, 0, -2147483648]);
    });
    it('maps empty tensors to empty tensors', () => {
      const [a, b] = [T.dmatrix('a'), T.dmatrix('b')];
      expect(run([a, b], T.intDiv(a, b), T.zeros([0, 2], 'float64'), T.zeros([1, 2], 'float64')).shape).toEqual([0, 2]);
    });
  });

  describe('dtypes and method form', () => {
    it('keeps int32 and floats; int with float gives the float', () => {
      expect(T.intDiv(T.ivector(), T.ivector()).dtype).toBe('int32');
      expect(T.intDiv(T.fvector(), 2).dtype).toBe('float32');
      expect(T.intDiv(T.ivector(), T.dvector()).dtype).toBe('float64');
    });
    it('x.intDiv(y) equals T.intDiv(x, y) and prints as //', () => {
      const x = T.dvector('x');
      expect(flat(run([x], x.intDiv(2), [5, -5]))).toEqual([2, -3]);
      expect(T.pp(x.intDiv(2))).toContain('//');
    });
  });
});
