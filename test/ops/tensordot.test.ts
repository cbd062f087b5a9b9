import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const A = [[1, 2, 3], [4, 5, 6]];
const B = [[1, 0], [0, 1], [2, -1]];
const X3 = [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]; // [2, 3, 2]

/** NumPy's tensordot by plain loops over every index, the reference for permuted contractions. */
function naiveTensordot(a: T.NDArray, b: T.NDArray, axesA: number[], axesB: number[]): T.NestedArray {
  const fa = a.shape.map((_, i) => i).filter((i) => !axesA.includes(i));
  const fb = b.shape.map((_, i) => i).filter((i) => !axesB.includes(i));
  const at = (x: T.NDArray, idx: number[]) => x.data[idx.reduce((o, v, d) => o * x.shape[d] + v, 0)];
  const each = (dims: number[], f: (idx: number[]) => void, idx: number[] = []): void => {
    if (idx.length === dims.length) return f(idx);
    for (let i = 0; i < dims[idx.length]; i++) each(dims, f, [...idx, i]);
  };
  const outShape = [...fa.map((d) => a.shape[d]), ...fb.map((d) => b.shape[d])];
  const out: number[] = [];
  each(outShape, (o) => {
    let s = 0;
    each(axesA.map((d) => a.shape[d]), (c) => {
      const ia: number[] = [];
      const ib: number[] = [];
      fa.forEach((d, i) => (ia[d] = o[i]));
      fb.forEach((d, i) => (ib[d] = o[fa.length + i]));
      axesA.forEach((d, i) => (ia[d] = c[i]));
      axesB.forEach((d, i) => (ib[d] = c[i]));
      s += at(a, ia) * at(b, ib);
    });
    out.push(s);
  });
  return T.array(out, { dtype: 'float64' }).reshape(outShape).toArray();
}

describe('tensordot', () => {
  describe('bad input', () => {
    it('rejects axes that are not an integer or a pair of axis lists', () => {
      const a = T.dmatrix();
      const b = T.dmatrix();
      expectError(() => T.tensordot(a, b, 3), T.ArgumentError, 'tensordot: axes must be an integer in [0, 2] for a of rank 2 and b of rank 2, got 3');
      expectError(() => T.tensordot(a, b, -1), T.ArgumentError, 'got -1');
      expectError(() => T.tensordot(a, b, 1.5), T.ArgumentError, 'got 1.5');
      expectError(() => T.tensordot(a, b, [[0]] as unknown as [number[], number[]]), T.ArgumentError, 'tensordot: axes must be an integer or a pair of axis lists [axesA, axesB], got [[0]]');
      expectError(() => T.tensordot(a, b, [[0.5], [1]]), T.ArgumentError, 'pair of axis lists');
      expectError(() => T.tensordot(a, b, 'x' as unknown as number), T.ArgumentError, 'pair of axis lists');
    });

    it('rejects out-of-range, repeated and unequal-length axis lists, listing every problem', () => {
      const a = T.dmatrix();
      const b = T.tensor3('b', 'float64');
      expectError(() => T.tensordot(a, b, [[2], [3]]), T.ArgumentError, 'tensordot: axesA must be in [-2, 2) for rank 2, got [2]', 'axesB must be in [-3, 3) for rank 3, got [3]');
      expectError(() => T.tensordot(a, b, [[0, 0], [0, 1]]), T.ArgumentError, 'axesA must not repeat an axis, got [0,0]');
      expectError(() => T.tensordot(a, b, [[0, -2], [0, 1]]), T.ArgumentError, 'axesA must not repeat an axis, got [0,-2]');
      expectError(() => T.tensordot(a, b, [[0, 1], [0]]), T.ArgumentError, 'axesA and axesB must have the same length, got 2 and 1');
    });

    it('rejects contracted dims that differ at build time, naming every pair', () => {
      expectError(() => T.tensordot(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 2]), [[0, 1], [1, 0]]), T.ShapeError,
        'tensordot: b axis 0 (size 4) must match a axis 1 (size 3), got a [2, 3] and b [4, 2]');
      expectError(() => T.tensordot(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 5]), 2), T.ShapeError, 'b axis 0 (size 4) must match a axis 0 (size 2)', 'b axis 1 (size 5) must match a axis 1 (size 3)');
    });

    it('defers unknown dims to run time, then throws a RuntimeError naming the shapes', () => {
      const a = T.dmatrix('a');
      const b = T.dmatrix('b');
      const f = T.function([a, b], T.tensordot(a, b, 1));
      expectError(() => f(A, A), T.RuntimeError, 'tensordot: contracted dims must agree, got a axis 1 (3) with b axis 0 (2) for a [2, 3] and b [2, 3]');
    });

    it('rejects two bool operands and non-tensor arguments', () => {
      expectError(() => T.tensordot(T.tensor('bool', [null]), T.tensor('bool', [null]), 1), T.DTypeError, 'tensordot: a and b must not both be bool');
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.tensordot(T.dmatrix(), bad, 1), T.ArgumentError, 'tensordot: b must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('axes = 1 is the matrix product', () => checkOp({ fn: (a, b) => T.tensordot(a, b, 1), inputs: [A, B], expected: [[7, -1], [16, -1]] }));
    it('axes = 0 is the outer product', () =>
      checkOp({ fn: (a, b) => T.tensordot(a, b, 0), inputs: [[1, 2], [[1, -1], [0, 3]]], expected: [[[1, -1], [0, 3]], [[2, -2], [0, 6]]] }));
    it('axes = 2 (the default) contracts everything: the sum of products', () => checkOp({ fn: (a, b) => T.tensordot(a, b), inputs: [A, A], expected: 91 }));
    it('contracts a named pair of axes, with plain numbers for single axes', () => {
      checkOp({ fn: (a, b) => T.tensordot(a, b, [[0], [1]]), inputs: [A, B], expected: [[1, 4, -2], [2, 5, -1], [3, 6, 0]] });
      checkOp({ fn: (a, b) => T.tensordot(a, b, [0, 1]), inputs: [A, B], expected: [[1, 4, -2], [2, 5, -1], [3, 6, 0]] });
    });
    it('contracts two trailing axes of a batch with a matrix', () =>
      checkOp({ fn: (x, w) => T.tensordot(x, w, [[1, 2], [0, 1]]), inputs: [X3, [[1, 0], [0, 1], [1, -1]]], expected: [4, 16] }));
    it('contracts pairs given out of order and with negative axes (matches a loop over every index)', () => {
      const rng = new T.RandomState(7);
      const a = T.array(rng.uniform(-1, 1, [2, 3, 4]), { dtype: 'float64' });
      const b = T.array(rng.uniform(-1, 1, [4, 5, 2]), { dtype: 'float64' });
      checkOp({ fn: (x, y) => T.tensordot(x, y, [[2, 0], [0, -1]]), inputs: [a, b], expected: naiveTensordot(a, b, [2, 0], [0, 2]) });
      checkOp({ fn: (x, y) => T.tensordot(x, y, [[0, 2], [2, 0]]), inputs: [a, b], expected: naiveTensordot(a, b, [0, 2], [2, 0]) });
      const c = T.array(rng.uniform(-1, 1, [3, 2]), { dtype: 'float64' });
      checkOp({ fn: (x, y) => T.tensordot(x, y, [[1, 0], [0, 1]]), inputs: [a, c], expected: naiveTensordot(a, c, [1, 0], [0, 1]) });
    });
    it('differentiates its gradient again', () => {
      T.verifyGrad((a, b) => T.grad(T.sum(T.sqr(T.tensordot(a, b, [[2, 0], [0, 2]]))), a), [X3.map((m) => m.map((r) => [...r, 1])), [[[1, 2], [0, 1], [1, 1]], [[0, 1], [2, 0], [1, -1]], [[1, 0], [1, 1], [0, 2]]]]);
    });
  });

  describe('static shapes and dtypes', () => {
    it("gives a's free dims, then b's", () => {
      expect(T.tensordot(T.tensor('float32', [2, 3, 4]), T.tensor('float32', [4, null, 3]), [[1, 2], [2, 0]]).staticShape).toEqual([2, null]);
      expect(T.tensordot(T.tensor('float32', [2, 3]), T.tensor('float32', [5]), 0).staticShape).toEqual([2, 3, 5]);
    });
    it('int32 stays int32 and exact; int32 with float32 is float32; float32 with float64 is float64', () => {
      const a = T.imatrix('a');
      const r = run([a], T.tensordot(a, a, [[0], [0]]), [[1, 2], [3, 4]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([10, 14, 14, 20]);
      expect(T.tensordot(a, T.fmatrix(), 1).dtype).toBe('float32');
      expect(T.tensordot(T.fmatrix(), T.dmatrix(), 1).dtype).toBe('float64');
    });
  });

  describe('edge values', () => {
    it('gives empty results for size-0 free dims and zeros for size-0 contracted dims', () => {
      const a = T.tensor3('a', 'float64');
      const b = T.dmatrix('b');
      expect(run([a, b], T.tensordot(a, b, [[1], [0]]), T.zeros([0, 3, 2], 'float64'), T.zeros([3, 4], 'float64')).shape).toEqual([0, 2, 4]);
      close(run([a, b], T.tensordot(a, b, [[2], [1]]), T.zeros([1, 2, 0], 'float64'), T.zeros([2, 0], 'float64')), [[[0, 0], [0, 0]]]);
    });
    it('propagates NaN and inf', () => {
      const a = T.dvector('a');
      expect(flat(run([a], T.tensordot(a, a, 1), [1, NaN]))).toEqual([NaN]);
      expect(flat(run([a], T.tensordot(a, a, 1), [1, Infinity]))).toEqual([Infinity]);
    });
  });
});
