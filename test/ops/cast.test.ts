import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('cast', () => {
  describe('bad input', () => {
    it('rejects unknown dtype strings with a DTypeError listing the accepted dtypes', () => {
      for (const dt of ['float16', 'int', 'Float32', 'int64', '']) {
        expectError(() => T.cast(T.fvector(), dt as T.DType), T.DTypeError, 'cast: dtype must be one of float32, float64, int32, bool', `got ${JSON.stringify(dt)}`);
      }
    });

    it('rejects a non-string dtype', () => {
      expectError(() => T.cast(T.fvector(), 32 as unknown as T.DType), T.DTypeError, 'cast: dtype must be one of', 'got 32');
      expectError(() => T.fvector().cast(null as unknown as T.DType), T.DTypeError, 'got null');
    });

    it('rejects a missing dtype with an ArgumentError', () => {
      expectError(() => T.cast(T.fvector(), undefined as unknown as T.DType), T.ArgumentError, 'cast: dtype must be given, got undefined');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.cast(bad, 'int32'), T.ArgumentError, 'cast: x must be', got);
    });
  });

  describe('conversions', () => {
    it('float -> int32 truncates toward zero', () => {
      const x = T.dvector('x');
      const r = run([x], T.cast(x, 'int32'), [1.7, -1.7, 0.5, -0.5, 2, -2.9, 0]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, -1, 0, 0, 2, -2, 0]);
    });

    it('float -> bool tests non-zero (NaN counts as non-zero, -0 as zero)', () => {
      const x = T.dvector('x');
      const r = run([x], T.cast(x, 'bool'), [0, -0, 0.1, -3, NaN, Infinity]);
      expect(r.dtype).toBe('bool');
      expect(r.toArray()).toEqual([false, false, true, true, true, true]);
    });

    it('int32 -> bool tests non-zero; bool -> int32 gives 0 and 1', () => {
      const i = T.ivector('i');
      expect(run([i], T.cast(i, 'bool'), [0, 5, -1]).toArray()).toEqual([false, true, true]);
      const b = T.tensor('bool', [null], 'b');
      const r = run([b], T.cast(b, 'int32'), [true, false]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, 0]);
    });

    it('int32 and bool -> float keep their values', () => {
      const i = T.ivector('i');
      expect(flat(run([i], T.cast(i, 'float64'), [7, -3, 2147483647]))).toEqual([7, -3, 2147483647]);
      const b = T.tensor('bool', [null], 'b');
      const r = run([b], T.cast(b, 'float32'), [true, false]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([1, 0]);
    });

    it('float64 -> float32 rounds to the nearest float32 and overflows to inf', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.cast(x, 'float32'), [0.1, 1e40, -1e40, NaN]))).toEqual([Math.fround(0.1), Infinity, -Infinity, NaN]);
    });

    it('casts matrices and empty tensors, keeping the shape', () => {
      const m = T.dmatrix('m');
      close(run([m], T.cast(m, 'int32'), [[1.5, -2.5], [3.9, 0]]), [[1, -2], [3, 0]]);
      expect(run([m], T.cast(m, 'int32'), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
      expect(T.cast(T.tensor('float32', [2, null]), 'bool').staticShape).toEqual([2, null]);
    });

    it('casts plain JS values', () => {
      const c = T.cast([1.9, -1.9], 'int32');
      expect(flat(run([], c))).toEqual([1, -1]);
    });

    it('returns the variable itself when it already has the dtype', () => {
      const x = T.fvector();
      expect(T.cast(x, 'float32')).toBe(x);
    });
  });

  describe('gradient', () => {
    it('passes the gradient through float64 -> float32, in the input dtype', () => {
      const x = T.dvector('x');
      const g = T.grad(T.sum(T.mul(T.cast(x, 'float32'), [1, 2])), x);
      expect(g.dtype).toBe('float64');
      close(run([x], g, [0.5, 3]), [1, 2]);
    });

    it('agrees with finite differences through float32 -> float64 and float64 -> float32 -> float64', () => {
      checkOp({ fn: (x) => T.mul(T.cast(x, 'float64'), x), inputs: [T.array([0.5, -2, 3], { dtype: 'float32' })], expected: [0.25, 4, 9], tol: 1e-6 });
      // through float32 the default float64 step (1e-6) is below float32 resolution: use a coarser one
      T.verifyGrad((x) => T.mul(T.cast(T.cast(x, 'float32'), 'float64'), x), [[0.5, -2, 4]], { eps: 1e-2, absTol: 1e-4, relTol: 1e-4 });
    });

    it('does not carry a gradient through an integer cast: x becomes disconnected', () => {
      const x = T.dvector('x');
      const cost = T.sum(T.cast(T.cast(x, 'int32'), 'float64'));
      expectError(() => T.grad(cost, x), T.GradError, 'is not connected to the cost');
      close(run([x], T.grad(cost, x, { disconnected: 'zero' }), [1.5, 2]), [0, 0]);
    });
  });

  describe('method form', () => {
    it('x.cast(dtype) equals T.cast(x, dtype)', () => {
      const x = T.dvector('x');
      const r = run([x], x.cast('int32'), [1.9, -1.9]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual(flat(run([x], T.cast(x, 'int32'), [1.9, -1.9])));
    });
  });
});
