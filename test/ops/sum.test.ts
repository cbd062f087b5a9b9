import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];
const X3 = [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]];

describe('sum', () => {
  describe('bad input', () => {
    it('rejects an axis out of range with a ShapeError giving the valid range and the rank', () => {
      const x = T.fmatrix('x');
      expectError(() => T.sum(x, 2), T.ShapeError, 'sum: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.sum(x, -3), T.ShapeError, 'got -3');
      expectError(() => T.sum(x, [0, 5, -7]), T.ShapeError, 'got 5, -7');
      expectError(() => T.sum(T.fscalar(), 0), T.ShapeError, 'axis must be in [0, 0) for a tensor of rank 0, got 0');
    });

    it('rejects repeated axes, also when one is negative', () => {
      expectError(() => T.sum(T.fmatrix(), [1, 1]), T.ArgumentError, 'sum: axis must not repeat, got [1, 1]');
      expectError(() => T.sum(T.fmatrix(), [0, -2]), T.ArgumentError, 'sum: axis must not repeat, got [0, -2]');
    });

    it('rejects non-integer axes', () => {
      for (const axis of [0.5, '1', [0, 1.5], NaN, {}]) {
        expectError(() => T.sum(T.fmatrix(), axis as number), T.ArgumentError, 'sum: axis must be an integer, an array of integers or undefined');
      }
    });

    it('rejects bad options and a non-boolean keepdims', () => {
      expectError(() => T.sum(T.fmatrix(), 1, { keepdims: 'yes' as unknown as boolean }), T.ArgumentError, 'sum: keepdims must be a boolean, got "yes"');
      expectError(() => T.sum(T.fmatrix(), 1, 3 as unknown as boolean), T.ArgumentError, 'sum: options must be { keepdims?: boolean }, got 3');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.sum(bad), T.ArgumentError, 'sum: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('sums all axes to a scalar by default', () => checkOp({ fn: (x) => T.sum(x), inputs: [M], expected: 21 }));
    it('sums axis 0', () => checkOp({ fn: (x) => T.sum(x, 0), inputs: [M], expected: [5, 7, 9] }));
    it('sums axis 1', () => checkOp({ fn: (x) => T.sum(x, 1), inputs: [M], expected: [6, 15] }));
    it('counts a negative axis from the end', () => checkOp({ fn: (x) => T.sum(x, -1), inputs: [M], expected: [6, 15] }));
    it('sums a list of axes', () => checkOp({ fn: (x) => T.sum(x, [0, 1]), inputs: [M], expected: 21 }));
    it('sums non-adjacent axes of a rank-3 tensor', () => checkOp({ fn: (x) => T.sum(x, [0, 2]), inputs: [X3], expected: [18, 26, 34] }));
    it('sums the middle axis of a rank-3 tensor', () => checkOp({ fn: (x) => T.sum(x, 1), inputs: [X3], expected: [[9, 12], [27, 30]] }));
    it('keeps summed axes as size 1 with keepdims', () => {
      checkOp({ fn: (x) => T.sum(x, 1, { keepdims: true }), inputs: [M], expected: [[6], [15]] });
      checkOp({ fn: (x) => T.sum(x, 0, true), inputs: [M], expected: [[5, 7, 9]] });
      checkOp({ fn: (x) => T.sum(x, undefined, { keepdims: true }), inputs: [M], expected: [[21]] });
      checkOp({ fn: (x) => T.sum(x, [-1, 0], { keepdims: true }), inputs: [X3], expected: [[[18], [26], [34]]] });
    });
    it('sums a scalar to itself', () => checkOp({ fn: (x) => T.sum(x), inputs: [2.5], expected: 2.5 }));
    it('sums over an empty axis list as the identity', () => checkOp({ fn: (x) => T.sum(x, []), inputs: [M], expected: M }));
    it('spreads the gradient of a reduced output back over the summed axes', () => {
      const x = T.dmatrix('x');
      close(run([x], T.grad(T.sum(T.mul(T.sum(x, 0), [1, 2, 3])), x), M), [[1, 2, 3], [1, 2, 3]]);
      close(run([x], T.grad(T.sum(T.mul(T.sum(x, 1, true), [[1], [2]])), x), M), [[1, 1, 1], [2, 2, 2]]);
    });
  });

  describe('static shapes', () => {
    it('drops summed axes, or keeps them as 1 with keepdims', () => {
      const x = T.tensor('float32', [2, 3, 4]);
      expect(T.sum(x).staticShape).toEqual([]);
      expect(T.sum(x, 1).staticShape).toEqual([2, 4]);
      expect(T.sum(x, [0, -1]).staticShape).toEqual([3]);
      expect(T.sum(x, [0, 2], true).staticShape).toEqual([1, 3, 1]);
      expect(T.sum(T.tensor('float32', [null, 3]), 0).staticShape).toEqual([3]);
    });
  });

  describe('edge values', () => {
    it('sums an empty tensor to 0 along the empty axis', () => {
      const e = T.dmatrix('e');
      const z = T.zeros([0, 3], 'float64');
      close(run([e], T.sum(e), z), 0);
      close(run([e], T.sum(e, 0), z), [0, 0, 0]);
      const r = run([e], T.sum(e, 1), z);
      expect(r.shape).toEqual([0]);
      expect(run([e], T.sum(e, 1, true), z).shape).toEqual([0, 1]);
    });
    it('propagates NaN and inf', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.sum(v), [1, NaN]))).toEqual([NaN]);
      expect(flat(run([v], T.sum(v), [1, Infinity]))).toEqual([Infinity]);
      expect(flat(run([v], T.sum(v), [Infinity, -Infinity]))).toEqual([NaN]);
    });
  });

  describe('dtypes', () => {
    it('keeps float32 and float64', () => {
      expect(T.sum(T.fmatrix()).dtype).toBe('float32');
      expect(T.sum(T.dmatrix(), 0).dtype).toBe('float64');
    });
    it('sums int32 and bool to int32 exactly', () => {
      const i = T.imatrix('i');
      const r = run([i], T.sum(i, 0), [[1, 2], [3, -5]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([4, -3]);
      const b = T.tensor('bool', [null], 'b');
      const rb = run([b], T.sum(b), [true, true, false]);
      expect(rb.dtype).toBe('int32');
      expect(flat(rb)).toEqual([2]);
    });
    it('accumulates float32 in double precision (1e8 + 1 - 1e8 = 1)', () => {
      const f = T.fvector('f');
      expect(flat(run([f], T.sum(f), [1e8, 1, -1e8]))).toEqual([1]);
    });
  });

  describe('method form', () => {
    it('x.sum(axis, opts) equals T.sum(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.sum(1, { keepdims: true }), M), [[6], [15]]);
      close(run([x], x.sum(), M), 21);
      close(run([x], x.sum(-2), M), run([x], T.sum(x, 0), M).toArray());
    });
  });

  describe('second order', () => {
    it('d sum(x)²/dx = 2 sum(x) everywhere, and its derivative agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sqr(T.sum(x)), x), inputs: [M], expected: [[42, 42, 42], [42, 42, 42]] }));
  });
});
