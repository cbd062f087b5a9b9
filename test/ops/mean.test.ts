import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];
const X3 = [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]];

describe('mean', () => {
  describe('bad input', () => {
    it('rejects an axis out of range with a ShapeError giving the valid range and the rank', () => {
      expectError(() => T.mean(T.fmatrix(), 2), T.ShapeError, 'mean: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.mean(T.fmatrix(), [-3]), T.ShapeError, 'mean: axis must be in [-2, 2)', 'got -3');
    });

    it('rejects repeated axes', () => {
      expectError(() => T.mean(T.tensor3(), [2, -1]), T.ArgumentError, 'mean: axis must not repeat, got [2, -1]');
    });

    it('rejects non-integer axes', () => {
      for (const axis of [1.5, '0', [0, null]]) {
        expectError(() => T.mean(T.fmatrix(), axis as number), T.ArgumentError, 'mean: axis must be an integer, an array of integers or undefined');
      }
    });

    it('rejects bad options and a non-boolean keepdims', () => {
      expectError(() => T.mean(T.fmatrix(), 0, { keepdims: 1 as unknown as boolean }), T.ArgumentError, 'mean: keepdims must be a boolean, got 1');
      expectError(() => T.mean(T.fmatrix(), 0, 'x' as unknown as boolean), T.ArgumentError, 'mean: options must be');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.mean(bad), T.ArgumentError, 'mean: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('averages all axes to a scalar by default', () => checkOp({ fn: (x) => T.mean(x), inputs: [M], expected: 3.5 }));
    it('averages axis 0', () => checkOp({ fn: (x) => T.mean(x, 0), inputs: [M], expected: [2.5, 3.5, 4.5] }));
    it('averages axis 1', () => checkOp({ fn: (x) => T.mean(x, 1), inputs: [M], expected: [2, 5] }));
    it('counts a negative axis from the end', () => checkOp({ fn: (x) => T.mean(x, -2), inputs: [M], expected: [2.5, 3.5, 4.5] }));
    it('averages a list of axes', () => checkOp({ fn: (x) => T.mean(x, [0, 2]), inputs: [X3], expected: [4.5, 6.5, 8.5] }));
    it('keeps averaged axes as size 1 with keepdims', () => {
      checkOp({ fn: (x) => T.mean(x, 1, { keepdims: true }), inputs: [M], expected: [[2], [5]] });
      checkOp({ fn: (x) => T.mean(x, undefined, true), inputs: [M], expected: [[3.5]] });
      checkOp({ fn: (x) => T.mean(x, [0, 1], { keepdims: true }), inputs: [X3], expected: [[[6, 7]]] });
    });
    it('averages a scalar to itself', () => checkOp({ fn: (x) => T.mean(x), inputs: [-4], expected: -4 }));
    it('spreads g/n back over the averaged axes', () => {
      const x = T.dmatrix('x');
      close(run([x], T.grad(T.mean(x), x), M), [[1 / 6, 1 / 6, 1 / 6], [1 / 6, 1 / 6, 1 / 6]]);
      close(run([x], T.grad(T.sum(T.mean(x, 1)), x), M), [[1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]]);
    });
    it('divides the gradient by the run-time count, not a count fixed at build time', () => {
      const x = T.dmatrix('x');
      const f = T.function([x], T.grad(T.mean(x), x));
      close(f([[1, 2]]) as T.NDArray, [[0.5, 0.5]]);
      close(f([[1], [2], [3], [4]]) as T.NDArray, [[0.25], [0.25], [0.25], [0.25]]);
    });
  });

  describe('static shapes', () => {
    it('drops averaged axes, or keeps them as 1 with keepdims', () => {
      const x = T.tensor('float32', [2, 3, 4]);
      expect(T.mean(x).staticShape).toEqual([]);
      expect(T.mean(x, -1).staticShape).toEqual([2, 3]);
      expect(T.mean(x, [1, 2], { keepdims: true }).staticShape).toEqual([2, 1, 1]);
    });
  });

  describe('edge values', () => {
    it('gives NaN for the mean of an empty tensor, as NumPy', () => {
      const e = T.dmatrix('e');
      const z = T.zeros([0, 3], 'float64');
      expect(flat(run([e], T.mean(e), z))).toEqual([NaN]);
      expect(flat(run([e], T.mean(e, 0), z))).toEqual([NaN, NaN, NaN]);
      expect(run([e], T.mean(e, 1), z).shape).toEqual([0]);
    });
    it('propagates NaN and inf', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.mean(v), [1, NaN]))).toEqual([NaN]);
      expect(flat(run([v], T.mean(v), [1, -Infinity]))).toEqual([-Infinity]);
    });
  });

  describe('dtypes', () => {
    it('averages int32 and bool in floatX (float32 by default)', () => {
      const i = T.imatrix('i');
      const r = run([i], T.mean(i, 1), [[1, 2], [4, 7]]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([1.5, 5.5]);
      const b = T.tensor('bool', [null], 'b');
      close(run([b], T.mean(b), [true, false, true, true]), 0.75);
    });
    it('averages int32 in float64 when config.floatX is float64', () => {
      const prev = T.config.floatX;
      T.config.floatX = 'float64';
      try {
        expect(T.mean(T.ivector()).dtype).toBe('float64');
      } finally {
        T.config.floatX = prev;
      }
    });
    it('keeps float32 and float64, with gradients of the same dtype', () => {
      const f = T.fmatrix('f');
      expect(T.mean(f).dtype).toBe('float32');
      expect(T.grad(T.mean(f), f).dtype).toBe('float32');
      expect(T.mean(T.dmatrix(), 0).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.mean(axis, opts) equals T.mean(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.mean(1, { keepdims: true }), M), [[2], [5]]);
      close(run([x], x.mean(), M), 3.5);
      close(run([x], x.mean(0), M), run([x], T.mean(x, 0), M).toArray());
    });
  });

  describe('second order', () => {
    it('d mean(x)²/dx = 2 mean(x)/n, and its derivative agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sqr(T.mean(x)), x), inputs: [M], expected: [[7 / 6, 7 / 6, 7 / 6], [7 / 6, 7 / 6, 7 / 6]] }));
  });
});
