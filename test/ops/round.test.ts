import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


describe('round', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.round(bad), T.ArgumentError, 'round: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('rounds to the nearest integer (gradient zero away from halves)', () =>
      checkOp({ fn: T.round, inputs: [[[0.4, 0.6], [-0.6, 2.7]]], expected: [[0, 1], [-1, 3]] }));
    it('sends halves to the even neighbour, as NumPy (Math.round would send them up)', () =>
      checkOp({ fn: T.round, inputs: [[0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5]], expected: [0, 2, 2, 4, -0, -2, -2, -4], noGrad: true }));
    it('has a zero gradient that is connected to x (grad does not raise)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.round(x)), x), [-2, 0.5, 5.2]), [0, 0, 0]);
    });
  });

  describe('edge values', () => {
    it('keeps the sign of zero: round(-0.5) and round(-0.4) are -0', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.round(x), [-0.5, -0.4, 0.5]));
      expect(r.map((v) => Object.is(v, -0))).toEqual([true, true, false]);
    });
    it('rounds the largest double below 1/2 down and a half just below 2^52 to even', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.round(x), [0.49999999999999994, 2 ** 52 - 0.5, 2 ** 52 - 1.5]))).toEqual([0, 2 ** 52, 2 ** 52 - 2]);
    });
    it('keeps ±inf, NaN and integers beyond 2^52', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.round(x), [Infinity, -Infinity, NaN, 2 ** 52 + 1]))).toEqual([Infinity, -Infinity, NaN, 2 ** 52 + 1]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.round(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32', () => {
      const i = T.ivector('i');
      const r = run([i], T.round(i), [-5, 0, 7]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([-5, 0, 7]);
    });
    it('rounds float32 halves to even as well', () => {
      const x = T.fvector('x');
      const r = run([x], T.round(x), [2.5, -1.5, 0.25]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([2, -2, 0]);
    });
    it('keeps float64; bool becomes int32', () => {
      expect(T.round(T.dvector()).dtype).toBe('float64');
      expect(T.round(T.tensor('bool', [null])).dtype).toBe('int32');
    });
  });

  describe('method form', () => {
    it('x.round() equals T.round(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.round(), [2.5, 3.5, -0.7]), [2, 4, -1]);
    });
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Round kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.round(x));
      close(f([2.5]) as T.NDArray, [2]);
      expect(f.info().backend).toBe(nativeHas('Round') ? 'native' : 'js');
    });
  });
});
