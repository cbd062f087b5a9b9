import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];
const X3 = [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]; // shape [2, 3, 2]

describe('transpose', () => {
  describe('bad input', () => {
    it('rejects axes that are not a permutation of [0..rank-1]', () => {
      const x = T.fmatrix('x');
      expectError(() => T.transpose(x, [0, 0]), T.ArgumentError, 'transpose: axes must be a permutation of [0..1], got [0,0]');
      expectError(() => T.transpose(x, [1]), T.ArgumentError, 'got [1]');
      expectError(() => T.transpose(x, [1, 0, 2]), T.ArgumentError, 'got [1,0,2]');
      expectError(() => T.transpose(x, [2, 0]), T.ArgumentError, 'got [2,0]');
      expectError(() => T.transpose(x, [0.5, 1]), T.ArgumentError, 'permutation');
      expectError(() => T.transpose(x, 'ab' as unknown as number[]), T.ArgumentError, 'permutation');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.transpose(bad), T.ArgumentError, 'transpose: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('transposes a matrix', () => checkOp({ fn: (x) => T.transpose(x), inputs: [M], expected: [[1, 4], [2, 5], [3, 6]] }));
    it('reverses the axes of a rank-3 tensor by default', () =>
      checkOp({ fn: (x) => T.transpose(x), inputs: [X3], expected: [[[1, 7], [3, 9], [5, 11]], [[2, 8], [4, 10], [6, 12]]] }));
    it('applies an explicit permutation: output axis i is input axis perm[i]', () =>
      checkOp({ fn: (x) => T.transpose(x, [1, 2, 0]), inputs: [X3], expected: [[[1, 7], [2, 8]], [[3, 9], [4, 10]], [[5, 11], [6, 12]]] }));
    it('applies a permutation whose inverse differs from itself (gradient uses the inverse)', () =>
      checkOp({ fn: (x) => T.transpose(x, [2, 0, 1]), inputs: [X3], expected: [[[1, 3, 5], [7, 9, 11]], [[2, 4, 6], [8, 10, 12]]] }));
    it('swaps only the last two axes', () => checkOp({ fn: (x) => T.transpose(x, [0, 2, 1]), inputs: [X3], expected: [[[1, 3, 5], [2, 4, 6]], [[7, 9, 11], [8, 10, 12]]] }));
    it('moves size-1 axes', () => checkOp({ fn: (x) => T.transpose(x, [2, 1, 0]), inputs: [[[[1, 2]], [[3, 4]], [[5, 6]]]], expected: [[[1, 3, 5]], [[2, 4, 6]]] }));
  });

  describe('identities', () => {
    it('returns the variable itself for a vector, a scalar or the identity permutation', () => {
      const v = T.fvector();
      const m = T.fmatrix();
      expect(v.T).toBe(v);
      expect(T.transpose(T.fscalar()).ndim).toBe(0);
      expect(T.transpose(m, [0, 1])).toBe(m);
    });
    it('transposing twice gives back the input', () => {
      const x = T.tensor3('x', 'float64');
      close(run([x], T.transpose(T.transpose(x, [1, 2, 0]), [2, 0, 1]), X3), X3);
    });
  });

  describe('static shapes', () => {
    it('permutes the static shape', () => {
      const x = T.tensor('float32', [2, null, 4]);
      expect(x.T.staticShape).toEqual([4, null, 2]);
      expect(T.transpose(x, [1, 2, 0]).staticShape).toEqual([null, 4, 2]);
    });
  });

  describe('edge values', () => {
    it('transposes empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], e.T, T.zeros([0, 3], 'float64')).shape).toEqual([3, 0]);
      const t = T.tensor('float64', [null, null, null], 't');
      expect(run([t], T.transpose(t, [2, 0, 1]), T.zeros([2, 0, 3], 'float64')).shape).toEqual([3, 2, 0]);
    });
    it('moves NaN and inf with their elements', () => {
      const m = T.dmatrix('m');
      expect(flat(run([m], m.T, [[NaN, 1], [Infinity, 2]]))).toEqual([NaN, Infinity, 1, 2]);
    });
  });

  describe('dtypes', () => {
    it('keeps the dtype, including int32 and bool', () => {
      const i = T.imatrix('i');
      const r = run([i], i.T, [[1, 2], [3, 4]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, 3, 2, 4]);
      expect(T.tensor('bool', [null, null]).T.dtype).toBe('bool');
      expect(T.fmatrix().T.dtype).toBe('float32');
    });
  });

  describe('method form', () => {
    it('x.T and x.transpose(axes) equal T.transpose', () => {
      const x = T.tensor('float64', [null, null, null], 'x');
      close(run([x], x.T, X3), run([x], T.transpose(x), X3).toArray());
      close(run([x], x.transpose([1, 2, 0]), X3), run([x], T.transpose(x, [1, 2, 0]), X3).toArray());
    });
  });

  describe('second order', () => {
    it('d sum(transpose(x)²)/dx = 2x, and its derivative agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.sqr(T.transpose(x, [1, 2, 0]))), x), inputs: [X3], expected: X3.map((a) => a.map((r) => r.map((v) => 2 * v))) }));
  });
});
