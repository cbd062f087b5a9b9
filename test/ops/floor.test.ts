import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


describe('floor', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.floor(bad), T.ArgumentError, 'floor: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('rounds down, negatives away from 0 (gradient zero away from integers)', () =>
      checkOp({ fn: T.floor, inputs: [[[1.5, -1.5], [2.25, -0.2]]], expected: [[1, -2], [2, -1]] }));
    it('keeps integers', () => checkOp({ fn: T.floor, inputs: [[3, -4, 0]], expected: [3, -4, 0], noGrad: true }));
    it('has a zero gradient that is connected to x (grad does not raise)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.floor(x)), x), [-2, 0, 5.5]), [0, 0, 0]);
    });
  });

  describe('edge values', () => {
    it('keeps ±inf, NaN and -0; -0.5 goes to -1', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.floor(x), [Infinity, -Infinity, NaN, -0.5, -0]));
      expect(r.slice(0, 4)).toEqual([Infinity, -Infinity, NaN, -1]);
      expect(Object.is(r[4], -0)).toBe(true);
    });
    it('is exact beyond 2^52, where every double is an integer', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.floor(x), [2 ** 52 + 1, -(2 ** 53)]))).toEqual([2 ** 52 + 1, -(2 ** 53)]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.floor(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32 (floor of int32 stays int32)', () => {
      const i = T.ivector('i');
      const r = run([i], T.floor(i), [-5, 0, 7]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([-5, 0, 7]);
    });
    it('keeps float32 and float64; bool becomes int32', () => {
      expect(T.floor(T.fvector()).dtype).toBe('float32');
      expect(T.floor(T.dvector()).dtype).toBe('float64');
      expect(T.floor(T.tensor('bool', [null])).dtype).toBe('int32');
    });
    it('rounds float32 values down in float32', () => {
      const x = T.fvector('x');
      expect(flat(run([x], T.floor(x), [2.7, -2.7]))).toEqual([2, -3]);
    });
  });

  describe('method form', () => {
    it('x.floor() equals T.floor(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.floor(), [1.5, -1.5]), [1, -2]);
    });
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Floor kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.floor(x));
      close(f([1.5]) as T.NDArray, [1]);
      expect(f.info().backend).toBe(nativeHas('Floor') ? 'native' : 'js');
    });
  });
});
