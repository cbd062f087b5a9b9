import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { CumsumOp } from '../../lib/ops/cumsum';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];

describe('cumsum', () => {
  describe('bad input', () => {
    it('rejects an axis out of range, a list or a non-integer, naming cumsum', () => {
      expectError(() => T.cumsum(T.fmatrix(), 2), T.ShapeError, 'cumsum: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.cumsum(T.fmatrix(), [0] as unknown as number), T.ArgumentError, 'cumsum: axis must be a single integer or undefined, got [0]');
      expectError(() => T.cumsum(T.fmatrix(), 0.5), T.ArgumentError, 'cumsum: axis must be an integer');
      expectError(() => T.cumsum(T.fscalar(), 0), T.ShapeError, 'cumsum: axis must be in [0, 0)');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.cumsum(bad, 0), T.ArgumentError, 'cumsum: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('runs along axis 0 and axis 1', () => {
      checkOp({ fn: (x) => T.cumsum(x, 0), inputs: [M], expected: [[1, 2, 3], [5, 7, 9]] });
      checkOp({ fn: (x) => T.cumsum(x, 1), inputs: [M], expected: [[1, 3, 6], [4, 9, 15]] });
    });
    it('counts a negative axis from the end', () => checkOp({ fn: (x) => T.cumsum(x, -1), inputs: [M], expected: [[1, 3, 6], [4, 9, 15]] }));
    it('runs along the middle axis of a rank-3 tensor', () =>
      checkOp({ fn: (x) => T.cumsum(x, 1), inputs: [[[[1, 2], [3, 4], [5, 6]]]], expected: [[[1, 2], [4, 6], [9, 12]]] }));
    it('needs no axis for a vector, and makes a scalar a vector of one', () => {
      checkOp({ fn: (x) => T.cumsum(x), inputs: [[1, -2, 0.5]], expected: [1, -1, -0.5] });
      checkOp({ fn: (x) => T.cumsum(x), inputs: [2.5], expected: [2.5] });
    });
    it('runs over the flattened tensor without an axis (rank >= 2): a 1-D result, the gradient in x\'s shape', () => {
      checkOp({ fn: (x) => T.cumsum(x), inputs: [M], expected: [1, 3, 6, 10, 15, 21] });
      checkOp({ fn: (x) => T.cumsum(x, null as unknown as number), inputs: [[[[1, 2]], [[3, 4]]]], expected: [1, 3, 6, 10] });
      expect(T.cumsum(T.tensor('float32', [2, 3, 4])).type.shape).toEqual([24]);
      expect(T.cumsum(T.fmatrix()).type.shape).toEqual([null]);
      const x = T.dmatrix('x');
      close(run([x], T.grad(T.sum(T.mul(T.cumsum(x), [1, 10, 100, 1000])), x), [[5, 6], [7, 8]]), [[1111, 1110], [1100, 1000]]);
      // the second derivative goes through the flattened scan of a vector shaped like x (the `like` input)
      checkOp({ fn: (v) => T.grad(T.sum(T.sqr(T.cumsum(v))), v), inputs: [[[1, 2], [3, 4]]], expected: [[40, 38], [32, 20]] });
    });
    it('keeps an empty flattened result and rejects a like of another size at run time', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.cumsum(x), T.zeros([3, 0], 'float64')).shape).toEqual([0]);
      expectError(() => new CumsumOp(0, false, true).makeNode(T.tensor('float64', [2, 3]), T.tensor('float64', [5])), T.ShapeError, 'cumsum: like must have 6 elements');
    });
    it('has the reverse running sum of g as its gradient', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.mul(T.cumsum(x), [1, 10, 100])), x), [5, 6, 7]), [111, 110, 100]);
    });
    it('has a second derivative that agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.sqr(T.cumsum(x))), x), inputs: [[1, 2]], expected: [8, 6] }));
  });

  describe('edge values', () => {
    it('keeps an empty shape and propagates NaN from its position on', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.cumsum(x, 1), T.zeros([2, 0], 'float64')).shape).toEqual([2, 0]);
      const v = T.dvector('v');
      expect(flat(run([v], T.cumsum(v), [1, NaN, 2]))).toEqual([1, NaN, NaN]);
      expect(flat(run([v], T.cumsum(v), [Infinity, -Infinity]))).toEqual([Infinity, NaN]);
    });
  });

  describe('dtypes', () => {
    it('keeps float dtypes and sums int32 and bool as int32, wrapping like C', () => {
      expect(T.cumsum(T.fmatrix(), 0).dtype).toBe('float32');
      const i = T.ivector('i');
      const r = run([i], T.cumsum(i), [2147483647, 1, 1]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([2147483647, -2147483648, -2147483647]);
      const b = T.tensor('bool', [null], 'b');
      const rb = run([b], T.cumsum(b), [true, false, true]);
      expect(rb.dtype).toBe('int32');
      expect(flat(rb)).toEqual([1, 1, 2]);
    });
  });

  describe('method form', () => {
    it('x.cumsum(axis) equals T.cumsum(x, axis)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.cumsum(1), M), [[1, 3, 6], [4, 9, 15]]);
    });
  });
});
