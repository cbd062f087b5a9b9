import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [-1, 0, 4]];
const lse = (xs: number[]) => Math.log(xs.reduce((s, v) => s + Math.exp(v), 0));

describe('logsumexp', () => {
  describe('bad input', () => {
    it('rejects an axis out of range, repeated or non-integer, naming logsumexp', () => {
      expectError(() => T.logsumexp(T.fmatrix(), 2), T.ShapeError, 'logsumexp: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.logsumexp(T.fmatrix(), [0, -2]), T.ArgumentError, 'logsumexp: axis must not repeat');
      expectError(() => T.logsumexp(T.fmatrix(), 0.5), T.ArgumentError, 'logsumexp: axis must be an integer');
      expectError(() => T.logsumexp(T.fmatrix(), 0, { keepdims: 0 as unknown as boolean }), T.ArgumentError, 'logsumexp: keepdims must be a boolean');
    });
    it('rejects a statically empty reduced axis', () => {
      expectError(() => T.logsumexp(T.tensor('float64', [0, 3]), 0), T.ShapeError, 'logsumexp: x must not be empty along axis 0');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.logsumexp(bad), T.ArgumentError, 'logsumexp: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('reduces all axes by default', () => checkOp({ fn: (x) => T.logsumexp(x), inputs: [M], expected: lse(M.flat()) }));
    it('reduces one axis, also a negative one', () => {
      checkOp({ fn: (x) => T.logsumexp(x, 1), inputs: [M], expected: [lse(M[0]), lse(M[1])] });
      checkOp({ fn: (x) => T.logsumexp(x, -2), inputs: [M], expected: [lse([1, -1]), lse([2, 0]), lse([3, 4])] });
    });
    it('reduces a list of axes (adjacent or not, negative) with a gradient that agrees with finite differences', () => {
      const x3 = [[[1, -2], [0.5, 3]], [[2, 1.5], [-1, 0.25]]];
      checkOp({ fn: (x) => T.logsumexp(x, [0, -1]), inputs: [x3], expected: [lse([1, -2, 2, 1.5]), lse([0.5, 3, -1, 0.25])] });
      checkOp({ fn: (x) => T.logsumexp(x, [1, 2], true), inputs: [x3], expected: [[[lse([1, -2, 0.5, 3])]], [[lse([2, 1.5, -1, 0.25])]]] });
    });
    it('keeps reduced axes with keepdims', () => checkOp({ fn: (x) => T.logsumexp(x, 1, { keepdims: true }), inputs: [M], expected: [[lse(M[0])], [lse(M[1])]] }));
    it('does not overflow for large inputs', () => checkOp({ fn: (x) => T.logsumexp(x, 1), inputs: [[[1000, 1000], [-1000, -1001]]], expected: [1000 + Math.log(2), -1000 + Math.log(1 + Math.exp(-1))] }));
    it('has the softmax as its gradient, also at a tie of the max (the max mask cancels)', () => {
      const x = T.dmatrix('x');
      const g = run([x], T.grad(T.sum(T.logsumexp(x, 1)), x), [[2, 2, 0], [0, 0, 0]]);
      const e = Math.exp(-2) / (2 + Math.exp(-2));
      close(g, [[1 / (2 + Math.exp(-2)), 1 / (2 + Math.exp(-2)), e], [1 / 3, 1 / 3, 1 / 3]]);
    });
    it('has a second derivative that agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.logsumexp(x), x), inputs: [[0, Math.log(3)]], expected: [0.25, 0.75] }));
  });

  describe('edge values', () => {
    it('gives -inf for a group of -inf, inf for a group holding inf, and NaN for NaN', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.logsumexp(x, 1), [[-Infinity, -Infinity], [Infinity, 1], [Infinity, -Infinity], [NaN, 1]]))).toEqual([-Infinity, Infinity, Infinity, NaN]);
    });
    it('gives an empty result for an empty kept axis', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.logsumexp(x, 1), T.zeros([0, 2], 'float64')).shape).toEqual([0]);
    });
  });

  describe('dtypes', () => {
    it('keeps float dtypes and gives floatX for int32', () => {
      expect(T.logsumexp(T.fmatrix()).dtype).toBe('float32');
      expect(T.logsumexp(T.dmatrix()).dtype).toBe('float64');
      const i = T.ivector('i');
      const r = run([i], T.logsumexp(i), [0, 0]);
      expect(r.dtype).toBe('float32');
      close(r, Math.log(2));
    });
    it('handles -inf and inf in float32 too', () => {
      const f = T.fvector('f');
      expect(flat(run([f], T.logsumexp(f), T.array([-Infinity, -Infinity], { dtype: 'float32' })))).toEqual([-Infinity]);
      expect(flat(run([f], T.logsumexp(f), T.array([Infinity, 0], { dtype: 'float32' })))).toEqual([Infinity]);
    });
  });

  describe('method form', () => {
    it('x.logsumexp(axis, opts) equals T.logsumexp(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.logsumexp(1), M), [lse(M[0]), lse(M[1])]);
    });
  });
});
