import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[3, 1, 2], [4, 6, 5]];
const X3 = [[[1, 8], [3, 4], [5, 6]], [[7, 2], [9, 10], [11, 0.5]]];

describe('max', () => {
  describe('bad input', () => {
    it('rejects an axis out of range with a ShapeError naming max', () => {
      expectError(() => T.max(T.fmatrix(), 2), T.ShapeError, 'max: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.max(T.fmatrix(), [0, -3, 5]), T.ShapeError, 'max: axis must be in [-2, 2)', 'got -3, 5');
      expectError(() => T.max(T.fscalar(), 0), T.ShapeError, 'max: axis must be in [0, 0) for a tensor of rank 0');
    });
    it('rejects repeated and non-integer axes', () => {
      expectError(() => T.max(T.fmatrix(), [0, -2]), T.ArgumentError, 'max: axis must not repeat, got [0, -2]');
      for (const axis of [0.5, '1', [0, 1.5], {}]) expectError(() => T.max(T.fmatrix(), axis as number), T.ArgumentError, 'max: axis must be an integer');
    });
    it('rejects a non-boolean keepdims and bad options', () => {
      expectError(() => T.max(T.fmatrix(), 0, { keepdims: 1 as unknown as boolean }), T.ArgumentError, 'max: keepdims must be a boolean, got 1');
      expectError(() => T.max(T.fmatrix(), 0, 'yes' as unknown as boolean), T.ArgumentError, 'max: options must be { keepdims?: boolean }, got "yes"');
    });
    it('rejects a statically empty reduced axis, and one at run time', () => {
      expectError(() => T.max(T.tensor('float64', [2, 0]), [1]), T.ShapeError, 'max: x must not be empty along axis 1');
      const e = T.dmatrix('e');
      const f = T.function([e], T.max(e, 0));
      expect(() => f(T.zeros([0, 3], 'float64'))).toThrow(/max: x must not be empty along axis 0/);
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.max(bad), T.ArgumentError, 'max: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('takes the maximum of all elements by default', () => checkOp({ fn: (x) => T.max(x), inputs: [M], expected: 6 }));
    it('takes the maximum along axis 0, axis 1 and a negative axis', () => {
      checkOp({ fn: (x) => T.max(x, 0), inputs: [M], expected: [4, 6, 5] });
      checkOp({ fn: (x) => T.max(x, 1), inputs: [M], expected: [3, 6] });
      checkOp({ fn: (x) => T.max(x, -2), inputs: [M], expected: [4, 6, 5] });
    });
    it('reduces lists of axes of a rank-3 tensor, adjacent or not', () => {
      checkOp({ fn: (x) => T.max(x, [0, 2]), inputs: [X3], expected: [8, 10, 11] });
      checkOp({ fn: (x) => T.max(x, [-1, -2]), inputs: [X3], expected: [8, 11] });
      checkOp({ fn: (x) => T.max(x, [0, 1]), inputs: [X3], expected: [11, 10] });
    });
    it('keeps reduced axes as size 1 with keepdims, with its gradient', () => {
      checkOp({ fn: (x) => T.max(x, 1, { keepdims: true }), inputs: [M], expected: [[3], [6]] });
      checkOp({ fn: (x) => T.max(x, [0, 2], true), inputs: [X3], expected: [[[8], [10], [11]]] });
      checkOp({ fn: (x) => T.max(x, undefined, { keepdims: true }), inputs: [M], expected: [[6]] });
    });
    it('sends the whole gradient to every tied maximum (as Theano) and nowhere else', () => {
      const x = T.dmatrix('x');
      close(run([x], T.grad(T.sum(T.max(x, 1)), x), [[2, 5, 5], [7, 3, 7]]), [[0, 1, 1], [1, 0, 1]]);
      close(run([x], T.grad(T.sum(T.max(x)), x), [[1, 1], [1, 1]]), [[1, 1], [1, 1]]);
    });
    it('has a second derivative (zero) that agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.sqr(T.max(x, 0))), x), inputs: [M], expected: [[0, 0, 0], [8, 12, 10]] }));
  });

  describe('edge values', () => {
    it('propagates NaN wherever it is, and handles inf', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.max(v), [NaN, 1]))).toEqual([NaN]);
      expect(flat(run([v], T.max(v), [1, NaN, 5]))).toEqual([NaN]);
      expect(flat(run([v], T.max(v), [-Infinity, -Infinity]))).toEqual([-Infinity]);
      expect(flat(run([v], T.max(v), [3, Infinity]))).toEqual([Infinity]);
      expect(flat(run([v], T.max(v), [-1e308, -Infinity]))).toEqual([-1e308]);
    });
    it('gives an empty result for an empty kept axis, and reduces size-1 axes to themselves', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.max(e, 1), T.zeros([0, 3], 'float64')).shape).toEqual([0]);
      const x = T.tensor3('x');
      close(run([x], T.max(x, [0, 2]), [[[1], [-2]]]), [1, -2]);
    });
  });

  describe('dtypes', () => {
    it('keeps the input dtype: float32, float64, int32 (exact extremes) and bool', () => {
      const i = T.imatrix('i');
      const r = run([i], T.max(i, 0), [[-2147483648, -7], [-2147483647, 2147483647]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([-2147483647, 2147483647]);
      expect(T.max(T.fmatrix()).dtype).toBe('float32');
      const b = T.tensor('bool', [null], 'b');
      const rb = run([b], T.max(b), [false, true]);
      expect(rb.dtype).toBe('bool');
      expect(flat(rb)).toEqual([1]);
    });
  });

  describe('method form', () => {
    it('x.max(axis, opts) equals T.max(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.max(1, { keepdims: true }), M), [[3], [6]]);
      close(run([x], x.max(), M), 6);
    });
  });
});
