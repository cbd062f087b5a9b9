import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const A = [[1, 2, 3], [4, 5, 6]];
const B = [[1, 0], [0, 1], [2, -1]];

describe('dot', () => {
  describe('bad input', () => {
    it('rejects scalars with a hint to use mul, listing every bad operand', () => {
      expectError(() => T.dot(T.scalar(), T.matrix()), T.ShapeError, 'dot: a must be a vector, a matrix or a batch of matrices, got rank 0', '(use mul for scalars)');
      expectError(() => T.fmatrix().dot(2), T.ShapeError, 'b must be a vector, a matrix or a batch of matrices, got rank 0', '(use mul for scalars)');
      expectError(() => T.dot(T.scalar(), T.tensor3()), T.ShapeError, 'a must be a vector, a matrix or a batch of matrices, got rank 0 []');
      expectError(() => T.dot(T.fscalar(), T.fscalar()), T.ShapeError, 'a must be', 'b must be');
    });

    it('rejects mismatched inner dims of batched operands at build time', () => {
      expectError(() => T.dot(T.tensor('float32', [2, 3, 4]), T.tensor('float32', [2, 5, 6])), T.ShapeError, 'dot: b must have shape [..., 4, *] to match a [2, 3, 4], got [2, 5, 6]');
      expectError(() => T.dot(T.tensor('float32', [2, 3, 4]), T.tensor('float32', [5])), T.ShapeError, 'dot: b must have shape [4] to match a [2, 3, 4], got [5]');
      expectError(() => T.dot(T.tensor('float32', [3]), T.tensor('float32', [2, 4, 5])), T.ShapeError, 'dot: b must have shape [..., 3, *] to match a [3], got [2, 4, 5]');
    });

    it('rejects batch dims that cannot broadcast at build time', () => {
      expectError(() => T.dot(T.tensor('float32', [2, 3, 4]), T.tensor('float32', [3, 4, 5])), T.ShapeError, 'dot: the batch dims of a and b must broadcast, got a [2, 3, 4] and b [3, 4, 5]');
      expectError(() => T.dot(T.tensor('float32', [2, 2, 3, 4]), T.tensor('float32', [3, 4, 5])), T.ShapeError, 'batch dims of a and b must broadcast');
    });

    it('defers unknown batch dims to run time, then throws a RuntimeError naming both shapes', () => {
      const a = T.tensor3('a');
      const b = T.tensor3('b');
      const f = T.function([a, b], T.dot(a, b));
      expectError(() => f(T.zeros([2, 1, 3]), T.zeros([3, 3, 1])), T.RuntimeError, 'dot: the batch dims of a and b must broadcast, got a [2, 1, 3] and b [3, 3, 1]');
      expectError(() => f(T.zeros([2, 1, 3]), T.zeros([2, 2, 1])), T.RuntimeError, 'dot: inner dimensions must agree, got a [2, 1, 3] and b [2, 2, 1]');
    });

    it('rejects two bool operands with a DTypeError', () => {
      expectError(() => T.dot(T.tensor('bool', [null, null]), T.tensor('bool', [null])), T.DTypeError, 'dot: a and b must not both be bool', 'got bool and bool');
    });

    it('rejects mismatched inner dims at build time, naming both shapes (matrix · matrix)', () => {
      expectError(() => T.dot(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 5])), T.ShapeError, 'dot: b must have shape [3, *] to match a [2, 3], got [4, 5]');
    });

    it('rejects mismatched inner dims for matrix · vector and vector · matrix', () => {
      expectError(() => T.dot(T.tensor('float32', [2, 3]), T.tensor('float32', [4])), T.ShapeError, 'dot: b must have shape [3] to match a [2, 3], got [4]');
      expectError(() => T.dot(T.tensor('float32', [3]), T.tensor('float32', [4, 3])), T.ShapeError, 'dot: b must have shape [3, *] to match a [3], got [4, 3]');
      expectError(() => T.dot(T.tensor('float32', [3]), T.tensor('float32', [2])), T.ShapeError, 'dot: b must have shape [3] to match a [3], got [2]');
    });

    it('defers unknown inner dims to run time, then throws a RuntimeError naming both shapes', () => {
      const a = T.matrix('a');
      const b = T.matrix('b');
      const f = T.function([a, b], T.dot(a, b));
      expectError(() => f([[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4]]), T.RuntimeError, 'dot: inner dimensions must agree, got a [2, 3] and b [2, 2]', 'node: dot(a, b)', 'dot.test.ts');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.dot(bad, T.fmatrix()), T.ArgumentError, 'dot: a must be', got);
        expectError(() => T.dot(T.fmatrix(), bad), T.ArgumentError, 'dot: b must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('multiplies matrix · matrix', () => checkOp({ fn: T.dot, inputs: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], expected: [[19, 22], [43, 50]] }));
    it('multiplies a [2, 3] by a [3, 2] matrix', () => checkOp({ fn: T.dot, inputs: [A, B], expected: [[7, -1], [16, -1]] }));
    it('multiplies matrix · vector to a vector', () => checkOp({ fn: T.dot, inputs: [A, [1, 0, -1]], expected: [-2, -2] }));
    it('multiplies vector · matrix to a vector', () => checkOp({ fn: T.dot, inputs: [[1, 2], A], expected: [9, 12, 15] }));
    it('takes the inner product of two vectors to a scalar', () => checkOp({ fn: T.dot, inputs: [[1, 2, 3], [4, 5, 6]], expected: 32 }));
    it('multiplies a transposed operand (a.T · b)', () => checkOp({ fn: (a, b) => T.dot(a.T, b), inputs: [B, [[1, 2], [3, 4], [5, 6]]], expected: [[11, 14], [-2, -2]] }));
    it('multiplies two transposed operands (a.T · b.T)', () => checkOp({ fn: (a, b) => T.dot(a.T, b.T), inputs: [B, A], expected: [[7, 16], [-1, -1]] }));
    it('handles [1, k] · [k, 1] and [n, 1] · [1, m]', () => {
      checkOp({ fn: T.dot, inputs: [[[1, 2, 3]], [[1], [1], [1]]], expected: [[6]] });
      checkOp({ fn: T.dot, inputs: [[[1], [2]], [[3, 4, 5]]], expected: [[3, 4, 5], [6, 8, 10]] });
    });

    it('gives d sum(A·B)/dA = row sums of B broadcast, d/dB = column sums of A broadcast', () => {
      const a = T.dmatrix('a');
      const b = T.dmatrix('b');
      const [ga, gb] = T.function([a, b], T.grad(T.sum(T.dot(a, b)), [a, b]))(A, B) as T.NDArray[];
      close(ga, [[1, 1, 1], [1, 1, 1]]);
      close(gb, [[5, 5], [7, 7], [9, 9]]);
    });
  });

  describe('batched (matmul rules for rank >= 3)', () => {
    const A3 = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]; // [2, 2, 2]
    const M2 = [[1, 0], [1, 1]];
    it('multiplies each matrix of a batch by a matrix (and a matrix by each of a batch)', () => {
      checkOp({ fn: T.dot, inputs: [A3, M2], expected: [[[3, 2], [7, 4]], [[11, 6], [15, 8]]] });
      checkOp({ fn: T.dot, inputs: [M2, A3], expected: [[[1, 2], [4, 6]], [[5, 6], [12, 14]]] });
    });
    it('multiplies batch by batch, pairing matrices along the batch axis', () =>
      checkOp({ fn: (a) => T.dot(a, T.transpose(a, [0, 2, 1])), inputs: [A3], expected: [[[5, 11], [11, 25]], [[61, 83], [83, 113]]] }));
    it('promotes a vector operand and drops its axis (vector · batch, batch · vector)', () => {
      checkOp({ fn: T.dot, inputs: [[1, 2], A3], expected: [[7, 10], [19, 22]] });
      checkOp({ fn: T.dot, inputs: [A3, [1, 2]], expected: [[5, 11], [17, 23]] });
    });
    it('broadcasts batch dims and sums gradients back over the broadcast ones', () => {
      // a [2, 1, 2, 2] x b [3, 2, 2] -> [2, 3, 2, 2]; out[i, j] = a[i, 0] b[j]
      const a = [[[[1, 0], [0, 1]]], [[[0, 1], [1, 0]]]];
      const b = [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[-1, 0], [0, 2]]];
      const sw = (m: number[][]) => [m[1], m[0]];
      checkOp({ fn: T.dot, inputs: [a, b], expected: [b, b.map(sw)] });
      T.verifyGrad((x, y) => T.sum(T.sqr(T.dot(x, y))), [a, b]);
    });
    it('reads a transposed 2-D operand in place (dot(batch, W.T))', () =>
      checkOp({ fn: (a, w) => T.dot(a, w.T), inputs: [A3, [[1, 1], [0, 1]]], expected: [[[3, 2], [7, 4]], [[11, 6], [15, 8]]] }));
    it('infers static shapes with broadcast batch dims', () => {
      expect(T.dot(T.tensor('float32', [2, 1, 3, 4]), T.tensor('float32', [5, 4, 6])).staticShape).toEqual([2, 5, 3, 6]);
      expect(T.dot(T.tensor('float32', [null, 3, 4]), T.tensor('float32', [4])).staticShape).toEqual([null, 3]);
      expect(T.dot(T.tensor('float32', [4]), T.tensor('float32', [1, 4, 6])).staticShape).toEqual([1, 6]);
      expect(T.dot(T.tensor('float32', [null, 3, 4]), T.tensor('float32', [7, 4, 2])).staticShape).toEqual([7, 3, 2]);
    });
    it('keeps int32 exact and mixes int32 with float32 as float32', () => {
      const a = T.tensor('int32', [null, null, null], 'a');
      const r = run([a], T.dot(a, a), [[[1, 2], [3, 4]], [[0, 1], [1, 0]]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([7, 10, 15, 22, 1, 0, 0, 1]);
      expect(T.dot(a, T.fmatrix()).dtype).toBe('float32');
      expect(T.dot(a, T.dvector()).dtype).toBe('float64');
    });
    it('gives empty results for a size-0 batch and zeros for an empty inner dimension', () => {
      const a = T.tensor3('a', 'float64');
      const b = T.tensor3('b', 'float64');
      expect(run([a, b], T.dot(a, b), T.zeros([0, 2, 3], 'float64'), T.zeros([1, 3, 4], 'float64')).shape).toEqual([0, 2, 4]);
      close(run([a, b], T.dot(a, b), T.zeros([2, 1, 0], 'float64'), T.zeros([2, 0, 2], 'float64')), [[[0, 0]], [[0, 0]]]);
    });
    it('differentiates the batched gradient again (transposed batched products)', () => {
      T.verifyGrad((a, b) => T.grad(T.sum(T.sqr(T.dot(a, b))), a), [A3, [[[1, -1], [2, 0.5]]]]);
      T.verifyGrad((a, v) => T.grad(T.sum(T.sqr(T.dot(v, a))), a), [A3, [0.5, -1]]);
      T.verifyGrad((a, v) => T.grad(T.sum(T.sqr(T.dot(a, v))), v), [A3, [0.5, -1]]);
    });
  });

  describe('static shapes', () => {
    it('infers [m, n], [m], [n] and [] for the four rank combinations', () => {
      const m = T.tensor('float32', [2, 3]);
      expect(T.dot(m, T.tensor('float32', [3, 5])).staticShape).toEqual([2, 5]);
      expect(T.dot(m, T.tensor('float32', [3])).staticShape).toEqual([2]);
      expect(T.dot(T.tensor('float32', [2]), m).staticShape).toEqual([3]);
      expect(T.dot(T.tensor('float32', [3]), T.tensor('float32', [3])).staticShape).toEqual([]);
      expect(T.dot(T.tensor('float32', [null, 3]), T.tensor('float32', [null, null])).staticShape).toEqual([null, null]);
    });
  });

  describe('edge values', () => {
    it('gives an empty result for zero rows', () => {
      const a = T.dmatrix('a');
      const b = T.dmatrix('b');
      expect(run([a, b], T.dot(a, b), T.zeros([0, 3], 'float64'), B).shape).toEqual([0, 2]);
    });
    it('gives zeros for an empty inner dimension', () => {
      const a = T.dmatrix('a');
      const b = T.dmatrix('b');
      close(run([a, b], T.dot(a, b), T.zeros([2, 0], 'float64'), T.zeros([0, 3], 'float64')), [[0, 0, 0], [0, 0, 0]]);
      const u = T.dvector('u');
      close(run([u], T.dot(u, u), T.zeros([0], 'float64')), 0);
    });
    it('propagates NaN and inf', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      expect(flat(run([a, b], T.dot(a, b), [1, NaN], [1, 1]))).toEqual([NaN]);
      expect(flat(run([a, b], T.dot(a, b), [1, Infinity], [1, 1]))).toEqual([Infinity]);
    });
  });

  describe('dtypes', () => {
    it('int32 · int32 stays int32 and is exact', () => {
      const a = T.imatrix('a');
      const r = run([a], T.dot(a, a), [[1, 2], [3, 4]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([7, 10, 15, 22]);
    });
    it('int32 · float32 computes in float32; float32 · float64 in float64', () => {
      const i = T.imatrix('i');
      const f = T.fvector('f');
      const r = run([i, f], T.dot(i, f), [[1, 2], [3, 4]], [0.5, 0.25]);
      expect(r.dtype).toBe('float32');
      close(r, [1, 2.5]);
      expect(T.dot(T.fmatrix(), T.dvector()).dtype).toBe('float64');
    });
    it('float32 · float32 stays float32 with a float32 gradient', () => {
      const a = T.fmatrix('a');
      const b = T.fvector('b');
      expect(T.dot(a, b).dtype).toBe('float32');
      expect(T.grad(T.sum(T.dot(a, b)), a).dtype).toBe('float32');
    });
    it('checks float32 gradients by finite differences', () =>
      checkOp({ fn: T.dot, inputs: [T.array(A, { dtype: 'float32' }), T.array(B, { dtype: 'float32' })], expected: [[7, -1], [16, -1]] }));
  });

  describe('method form', () => {
    it('x.dot(w) equals T.dot(x, w)', () => {
      const x = T.dmatrix('x');
      const w = T.dmatrix('w');
      close(run([x, w], x.dot(w), A, B), [[7, -1], [16, -1]]);
      close(run([x, w], x.T.dot(x), A, B), run([x, w], T.dot(T.transpose(x), x), A, B).toArray());
    });
  });

  describe('second order', () => {
    // the gradient graph multiplies with transpose flags (A·gᵀ, Aᵀ·g); differentiating it again exercises them
    it('differentiates the matrix-matrix gradient again (transposed products)', () => {
      const Bv = [[1, 2], [3, -1], [0.5, 1]];
      checkOp({ fn: (a, b) => T.grad(T.sum(T.sqr(T.dot(a, b))), a), inputs: [A, Bv], expected: gradSqDotA(A, Bv) });
      checkOp({ fn: (a, b) => T.grad(T.sum(T.sqr(T.dot(a, b))), b), inputs: [A, Bv], expected: gradSqDotB(A, Bv) });
      checkOp({ fn: (a, b) => T.grad(T.sum(T.sqr(T.dot(a.T, b))), a), inputs: [B, Bv], expected: tr(gradSqDotA(tr(B), Bv)) });
    });
    it('differentiates the matrix-vector and vector-matrix gradients again (outer products)', () => {
      T.verifyGrad((a, v) => T.grad(T.sum(T.sqr(T.dot(a, v))), a), [A, [1, -1, 2]]);
      T.verifyGrad((a, v) => T.grad(T.sum(T.sqr(T.dot(a, v))), v), [A, [1, -1, 2]]);
      T.verifyGrad((v, b) => T.grad(T.sum(T.sqr(T.dot(v, b))), b), [[1, -1], A]);
      T.verifyGrad((v, b) => T.grad(T.sum(T.sqr(T.dot(v, b))), v), [[1, -1], A]);
    });
    it('differentiates ‖∇_w ‖Aw‖²‖² to 8 (AᵀA)² w', () => {
      const a = T.dmatrix('a');
      const w = T.dvector('w');
      const inner = T.grad(T.sum(T.sqr(T.dot(a, w))), w);
      close(run([a, w], T.grad(T.sum(T.sqr(inner)), w), [[1, 2], [3, 4]], [1, -1]), [-992, -1408]);
    });
  });
});

const tr = (m: number[][]): number[][] => m[0].map((_, j) => m.map((r) => r[j]));

/** 2 (A B) Bᵀ: the gradient of sum((A B)²) with respect to A, computed by hand loops. */
function gradSqDotA(a: number[][], b: number[][]): number[][] {
  const c = a.map((r) => b[0].map((_, j) => r.reduce((s, v, p) => s + v * b[p][j], 0)));
  return a.map((r, i) => r.map((_, p) => 2 * c[i].reduce((s, v, j) => s + v * b[p][j], 0)));
}

/** 2 Aᵀ (A B): the gradient of sum((A B)²) with respect to B. */
function gradSqDotB(a: number[][], b: number[][]): number[][] {
  const c = a.map((r) => b[0].map((_, j) => r.reduce((s, v, p) => s + v * b[p][j], 0)));
  return b.map((r, p) => r.map((_, j) => 2 * a.reduce((s, row, i) => s + row[p] * c[i][j], 0)));
}
