import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];

describe('cumprod', () => {
  describe('bad input', () => {
    it('rejects an axis out of range, a list or a non-integer, naming cumprod', () => {
      expectError(() => T.cumprod(T.fmatrix(), -3), T.ShapeError, 'cumprod: axis must be in [-2, 2)', 'got -3');
      expectError(() => T.cumprod(T.fmatrix(), [0, 1] as unknown as number), T.ArgumentError, 'cumprod: axis must be a single integer or undefined');
      expectError(() => T.cumprod(T.fmatrix(), NaN), T.ArgumentError, 'cumprod: axis must be an integer');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.cumprod(bad), T.ArgumentError, 'cumprod: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('runs along axis 0, axis 1 and a negative axis', () => {
      checkOp({ fn: (x) => T.cumprod(x, 0), inputs: [M], expected: [[1, 2, 3], [4, 10, 18]] });
      checkOp({ fn: (x) => T.cumprod(x, 1), inputs: [M], expected: [[1, 2, 6], [4, 20, 120]] });
      checkOp({ fn: (x) => T.cumprod(x, -1), inputs: [[[-1, 0.5, -4]]], expected: [[-1, -0.5, 2]] });
    });
    it('needs no axis for a vector or a scalar', () => {
      checkOp({ fn: (x) => T.cumprod(x), inputs: [[2, 3, 0.5]], expected: [2, 6, 3] });
      checkOp({ fn: (x) => T.cumprod(x), inputs: [-3], expected: [-3] });
    });
    it('runs over the flattened tensor without an axis (rank >= 2), with the gradient in x\'s shape', () => {
      checkOp({ fn: (x) => T.cumprod(x), inputs: [M], expected: [1, 2, 6, 24, 120, 720] });
      checkOp({ fn: (x) => T.cumprod(x), inputs: [[[[0.5], [2]], [[-1], [3]]]], expected: [0.5, 1, -1, -3] });
      const x = T.dmatrix('x');
      expect(T.cumprod(T.tensor('float64', [2, 3])).type.shape).toEqual([6]);
      expect(T.cumprod(x).type.shape).toEqual([null]);
      // y = [1, 2, 6, 24]: dx_j = sum_{i>=j} y_i / x_j
      close(run([x], T.grad(T.sum(T.cumprod(x)), x), [[1, 2], [3, 4]]), [[33, 16], [10, 6]]);
    });
    it('has the gradient sum_{i>=j} g_i y_i / x_j', () => {
      const x = T.dvector('x');
      // y = [2, 6, 24]: dx = [(2 + 6 + 24)/2, (6 + 24)/3, 24/4]
      close(run([x], T.grad(T.sum(T.cumprod(x)), x), [2, 3, 4]), [16, 10, 6]);
    });
    it('has the exact gradient at zeros: the product of the other factors at the first zero, 0 after it', () => {
      const x = T.dvector('x');
      // y = [2, 0, 0, 0, 0]: dx_0 = 1; dx_1 = 2 + 2*3 (+ terms through x_3 = 0); later factors only meet products with a zero
      close(run([x], T.grad(T.sum(T.cumprod(x)), x), [2, 0, 3, 0, 5]), [1, 8, 0, 0, 0]);
      close(run([x], T.grad(T.sum(T.cumprod(x)), x), [0, 0, 4]), [1, 0, 0]);
    });
    it('has gradients at zeros that agree with finite differences along an axis and flattened', () => {
      const m = [[2, 0, 3], [0, -1, 0.5], [1.5, 2, 0]];
      const w = [[1, -2, 0.5], [3, 0.25, -1], [2, 1, 1]];
      for (const axis of [0, 1, -1]) T.verifyGrad((x) => T.sum(T.mul(T.cumprod(x, axis), w)), [T.array(m, { dtype: 'float64' })]);
      T.verifyGrad((x) => T.sum(T.mul(T.cumprod(x), [1, -2, 0.5, 3, 0.25, -1, 2, 1, 1])), [T.array(m, { dtype: 'float64' })]);
    });
    it('has a second derivative that agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.cumprod(x)), x), inputs: [[2, 3, 4]], expected: [16, 10, 6] }));
  });

  describe('edge values', () => {
    it('computes through zeros', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.cumprod(v), [2, 0, 5]))).toEqual([2, 0, 0]);
      expect(flat(run([v], T.cumprod(v), [2, NaN, 0]))).toEqual([2, NaN, NaN]);
      expect(run([v], T.cumprod(v), []).shape).toEqual([0]);
    });
  });

  describe('dtypes', () => {
    it('keeps float dtypes and multiplies int32 as int32, wrapping like C', () => {
      expect(T.cumprod(T.fmatrix(), 1).dtype).toBe('float32');
      const i = T.ivector('i');
      const r = run([i], T.cumprod(i), [65536, 65536, 3]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([65536, 0, 0]);
      expect(T.cumprod(T.tensor('bool', [null])).dtype).toBe('int32');
    });
  });

  describe('method form', () => {
    it('x.cumprod(axis) equals T.cumprod(x, axis)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.cumprod(0), M), [[1, 2, 3], [4, 10, 18]]);
    });
  });
});
