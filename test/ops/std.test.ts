import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 6], [4, 4, 7]];

describe('std', () => {
  describe('bad input', () => {
    it('rejects a bad axis or ddof, naming std', () => {
      expectError(() => T.std(T.fmatrix(), 5), T.ShapeError, 'std: axis must be in [-2, 2)');
      expectError(() => T.std(T.fmatrix(), [0, 0]), T.ArgumentError, 'std: axis must not repeat');
      expectError(() => T.std(T.fmatrix(), '0' as unknown as number), T.ArgumentError, 'std: axis must be an integer');
      expectError(() => T.std(T.fmatrix(), 0, { ddof: -2 }), T.ArgumentError, 'std: ddof must be a non-negative integer, got -2');
    });
    it('rejects a non-boolean keepdims and a repeated axis, naming std', () => {
      expectError(() => T.std(T.fmatrix(), 0, { keepdims: 'x' as unknown as boolean }), T.ArgumentError, 'std: keepdims must be a boolean');
      expectError(() => T.std(T.fmatrix(), [1, -1]), T.ArgumentError, 'std: axis must not repeat');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.std(bad), T.ArgumentError, 'std: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('has gradients that agree with finite differences over axis lists, negative axes, keepdims and ddof', () => {
      const x3 = [[[1, -2], [0.5, 3]], [[2, 1.5], [-1, 0.25]]];
      const sd = (xs: number[], ddof = 0) => {
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - ddof));
      };
      checkOp({ fn: (x) => T.std(x, [0, -1]), inputs: [x3], expected: [sd([1, -2, 2, 1.5]), sd([0.5, 3, -1, 0.25])] });
      checkOp({ fn: (x) => T.std(x, -2, { keepdims: true, ddof: 1 }), inputs: [x3], expected: [[[sd([1, 0.5], 1), sd([-2, 3], 1)]], [[sd([2, -1], 1), sd([1.5, 0.25], 1)]]] });
    });
    it('is the square root of the variance', () => {
      checkOp({ fn: (x) => T.std(x), inputs: [M], expected: Math.sqrt(13 / 3) });
      checkOp({ fn: (x) => T.std(x, 1, { ddof: 1 }), inputs: [M], expected: [Math.sqrt(7), Math.sqrt(3)] });
      checkOp({ fn: (x) => T.std(x, -2, { keepdims: true }), inputs: [M], expected: [[1.5, 1, 0.5]] });
    });
    it('has a NaN gradient where a group is constant (sqrt at 0)', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.grad(T.std(x), x), [2, 2]))).toEqual([NaN, NaN]);
    });
  });

  describe('dtypes and method form', () => {
    it('gives floatX for int32 and keeps float dtypes', () => {
      expect(T.std(T.imatrix()).dtype).toBe('float32');
      expect(T.std(T.dmatrix(), 0).dtype).toBe('float64');
    });
    it('x.std(axis, opts) equals T.std(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.std(1, { ddof: 1 }), M), [Math.sqrt(7), Math.sqrt(3)]);
    });
  });
});
