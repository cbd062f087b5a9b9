import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];

describe('diag', () => {
  describe('bad input', () => {
    it('rejects scalars and tensors of rank 3 or more', () => {
      expectError(() => T.diag(T.tensor3('x')), T.ShapeError, 'diag: x must be a vector or a matrix, got rank 3 [?, ?, ?]');
      expectError(() => T.diag(T.scalar()), T.ShapeError, 'diag: x must be a vector or a matrix, got rank 0 []');
    });
    it('rejects a k that is not an integer', () => {
      expectError(() => T.diag(T.dmatrix(), 0.5), T.ArgumentError, 'diag: k must be an integer in [-2147483647, 2147483647], got 0.5');
      expectError(() => T.diag(T.dmatrix(), '1' as unknown as number), T.ArgumentError, 'got "1"');
    });
    it('rejects a k beyond any array dim while the graph is built', () => {
      expectError(() => T.diag(T.dvector(), 2 ** 31), T.ArgumentError, 'diag: k must be an integer in [-2147483647, 2147483647], got 2147483648');
      expectError(() => T.diag(T.dvector(), -1e300), T.ArgumentError, 'got -1e+300');
      // a static vector whose square matrix could not exist: refused while the graph is built
      expectError(() => T.diag(T.tensor('float32', [2]), 2 ** 31 - 2), T.ShapeError, 'diag: output shape must have integer dims in [0, 2147483647] and at most 2147483647 elements, got [2147483648, 2147483648]');
    });
    it('reports an output too large for an array at run time, naming the node, on every backend', () => {
      for (const backend of backends) {
        const v = T.fvector('v');
        const f = T.function([v], T.diag(v, 2 ** 30), { backend });
        expectError(() => f([1, 2]), T.RuntimeError, 'diag: output shape [1073741826, 1073741826] must have at most 2147483647 elements', 'node: diag(v, k=1073741824)', 'created at: ');
        const g = T.function([v], T.diag(v, 2 ** 31 - 1), { backend });
        expectError(() => g([1, 2]), T.RuntimeError, 'diag: output shape[0] must be an integer in [0, 2147483647], got 2147483649', 'node: diag(v, k=2147483647)');
      }
    });
    it('rejects non-tensor arguments', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.diag(bad), T.ArgumentError, 'diag: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('puts a vector on the main diagonal of a square matrix', () => checkOp({ fn: (v) => T.diag(v), inputs: [[1, 2, 3]], expected: [[1, 0, 0], [0, 2, 0], [0, 0, 3]] }));
    it('puts a vector above (k > 0) or below (k < 0) the main diagonal', () => {
      checkOp({ fn: (v) => T.diag(v, 1), inputs: [[1, 2]], expected: [[0, 1, 0], [0, 0, 2], [0, 0, 0]] });
      checkOp({ fn: (v) => T.diag(v, -2), inputs: [[1, 2]], expected: [[0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 2, 0, 0]] });
    });
    it("takes a (non-square) matrix's k-th diagonal", () => {
      checkOp({ fn: (m) => T.diag(m), inputs: [M], expected: [1, 5] });
      checkOp({ fn: (m) => T.diag(m, 1), inputs: [M], expected: [2, 6] });
      checkOp({ fn: (m) => T.diag(m, 2), inputs: [M], expected: [3] });
      checkOp({ fn: (m) => T.diag(m, -1), inputs: [M], expected: [4] });
      checkOp({ fn: (m) => T.diag(m.T, 1), inputs: [M], expected: [4] });
    });
    it('differentiates its gradient again', () => {
      T.verifyGrad((m) => T.grad(T.sum(T.sqr(T.diag(m, 1))), m), [M]);
      T.verifyGrad((v) => T.grad(T.sum(T.sqr(T.diag(v, -1))), v), [[1, -2]]);
    });
  });

  describe('static shapes', () => {
    it('infers [n+|k|, n+|k|] for a vector and the diagonal length for a matrix', () => {
      expect(T.diag(T.tensor('float32', [3]), -2).staticShape).toEqual([5, 5]);
      expect(T.diag(T.tensor('float32', [null])).staticShape).toEqual([null, null]);
      expect(T.diag(T.tensor('float32', [2, 5]), 1).staticShape).toEqual([2]);
      expect(T.diag(T.tensor('float32', [2, 5]), 4).staticShape).toEqual([1]);
      expect(T.diag(T.tensor('float32', [2, 5]), 7).staticShape).toEqual([0]);
      expect(T.diag(T.tensor('float32', [2, null]), 1).staticShape).toEqual([null]);
    });
  });

  describe('edge values', () => {
    it('gives an empty diagonal beyond the matrix and an empty matrix for an empty vector', () => {
      const m = T.dmatrix('m');
      expect(run([m], T.diag(m, 3), M).shape).toEqual([0]);
      expect(run([m], T.diag(m, -2), M).shape).toEqual([0]);
      expect(run([m], T.diag(m), T.zeros([0, 3], 'float64')).shape).toEqual([0]);
      const v = T.dvector('v');
      expect(run([v], T.diag(v), T.zeros([0], 'float64')).shape).toEqual([0, 0]);
      expect(flat(run([v], T.diag(v, 1), T.zeros([0], 'float64')))).toEqual([0]);
    });
    it('moves NaN and inf', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.diag(v), [NaN, Infinity]))).toEqual([NaN, 0, 0, Infinity]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32 and bool', () => {
      const i = T.imatrix('i');
      const r = run([i], T.diag(i), [[1, 2], [3, 4]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, 4]);
      const b = T.tensor('bool', [null], 'b');
      const rb = run([b], T.diag(b), T.array([true, false], { dtype: 'bool' }));
      expect(rb.dtype).toBe('bool');
      expect(flat(rb)).toEqual([1, 0, 0, 0]);
    });
  });

  describe('method form', () => {
    it('x.diagonal(k) equals T.diag(x, k)', () => {
      const m = T.dmatrix('m');
      expect(flat(run([m], m.diagonal(1), M))).toEqual([2, 6]);
    });
  });
});
