import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const EDGE = [NaN, Infinity, -Infinity, 0, -0, 1.5, -1e308, 5e-324];

describe('isnan and isinf', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.isnan(bad), T.ArgumentError, 'isnan: x must be', got);
        expectError(() => T.isinf(bad), T.ArgumentError, 'isinf: x must be', got);
      }
    });
  });

  describe('forward and edge values', () => {
    it('isnan is true only at NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.isnan(x), EDGE))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    });
    it('isinf is true only at +inf and -inf', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.isinf(x), EDGE))).toEqual([0, 1, 1, 0, 0, 0, 0, 0]);
    });
    it('sees float32 overflow to inf and keeps the shape', () => {
      const x = T.fmatrix('x');
      const r = run([x], T.isinf(x), [[3e38, 1e39]]);
      expect(r.shape).toEqual([1, 2]);
      expect(flat(r)).toEqual([0, 1]);
    });
    it('maps empty tensors to empty bool tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.isnan(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('gives bool for every input dtype; ints are never NaN or inf', () => {
      for (const dt of ['float32', 'float64', 'int32', 'bool'] as T.DType[]) {
        expect(T.isnan(T.tensor(dt, [null])).dtype).toBe('bool');
        expect(T.isinf(T.tensor(dt, [null])).dtype).toBe('bool');
      }
      const i = T.ivector('i');
      expect(flat(run([i], T.logicalOr(T.isnan(i), T.isinf(i)), [0, 2147483647, -2147483648]))).toEqual([0, 0, 0]);
    });
    it('casts to float32 as 0 and 1', () => {
      const x = T.dvector('x');
      const r = run([x], T.cast(T.isnan(x), 'float32'), [NaN, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([1, 0]);
    });
    it('counts NaNs by summing as int32', () => {
      const x = T.dvector('x');
      const r = run([x], T.sum(T.isnan(x)), [NaN, 1, NaN]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([2]);
    });
  });

  describe('gradient', () => {
    it('zeroes non-finite values with where, the gradient flowing only through the finite ones', () => {
      const x = T.dvector('x');
      const clean = T.where(T.logicalOr(T.isnan(x), T.isinf(x)), 0, x);
      expect(flat(run([x], clean, [NaN, Infinity, 2]))).toEqual([0, 0, 2]);
      expect(flat(run([x], T.grad(T.sum(clean), x), [NaN, Infinity, 2]))).toEqual([0, 0, 1]);
    });
  });

  describe('method form', () => {
    it('x.isnan() and x.isinf() equal the functions', () => {
      const x = T.dvector('x');
      expect(flat(run([x], x.isnan(), EDGE))).toEqual(flat(run([x], T.isnan(x), EDGE)));
      expect(flat(run([x], x.isinf(), EDGE))).toEqual(flat(run([x], T.isinf(x), EDGE)));
    });
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no IsNan kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.isnan(x));
      expect(flat(f([NaN, 0]) as T.NDArray)).toEqual([1, 0]);
      expect(f.info().backend).toBe(nativeHas('IsNan') ? 'native' : 'js');
    });
  });
});
