import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, close, expectError, nativeHas } from '../helpers';
import { planMemory } from '../../lib/compile/memory-plan';
import { flat, NOT_TENSORS, run } from './support';

// backends whose addon has these kernels (an older addon would run the program on the TypeScript backend)
const usable = backends.filter((b) => b === 'js' || nativeHas('Take', 'IncTake'));

const W = [[1, 2], [3, 4], [5, 6], [7, 8]];

describe('take', () => {
  describe('bad input', () => {
    it('rejects a non-tensor x and missing indices with ArgumentErrors naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.take(bad, [0]), T.ArgumentError, 'take: x must be', got);
      expectError(() => T.take(T.fmatrix('W'), null), T.ArgumentError, 'take: indices must be', 'got null');
      expectError(() => T.take(T.fmatrix('W'), 'a'), T.ArgumentError, 'take: indices must be', 'got "a"');
    });
    it('rejects non-integer index dtypes with a DTypeError, pointing bool masks to booleanMask', () => {
      expectError(() => T.take(T.fmatrix('W'), T.fvector('i')), T.DTypeError, 'take: indices must have dtype int32, got float32');
      expectError(() => T.take(T.fmatrix('W'), [0.5]), T.DTypeError, 'take: indices must have dtype int32');
      expectError(() => T.fmatrix('W').get(T.tensor('bool', [null])), T.DTypeError, 'got bool', 'T.booleanMask');
    });
    it('rejects an axis outside the rank and a scalar x (ShapeError)', () => {
      expectError(() => T.take(T.fmatrix('W'), [0], 2), T.ShapeError, 'take: axis must be an integer in [-2, 2)', 'got 2');
      expectError(() => T.take(T.fscalar('s'), [0]), T.ShapeError, 'take: x must have rank >= 1');
    });
    it('rejects constant indices outside a known dim at build time, listing them', () => {
      expectError(() => T.take(T.tensor('float32', [4, 2]), [0, 4, -5, 4]), T.ShapeError, 'take: indices must be in [-4, 4) for axis 0', 'got 4, -5');
    });
    it('reports an out-of-range index at run time as a RuntimeError naming the op and the index, on every backend', () => {
      const w = T.dmatrix('W');
      const i = T.ivector('i');
      const y = w.get(i).mul(2);
      for (const backend of usable) {
        const f = T.function([w, i], y, { backend });
        expectError(() => f(W, [1, 7]), T.RuntimeError, 'take: index 7 (at position 1 of the indices) is out of range for axis 0 of size 4', 'W[i]');
        expectError(() => f(W, [-5]), T.RuntimeError, 'take: index -5');
        close(f(W, [3]) as T.NDArray, [[14, 16]]);
      }
    });
    it('leaves a shared variable untouched when an update hits a bad index', () => {
      for (const backend of usable) {
        const s = T.shared(T.array([[1, 2], [3, 4]]), { name: 's' });
        const i = T.ivector('i');
        const f = T.function([i], [], { backend, updates: [[s, T.incSubtensor(s, i, 1)]] });
        expectError(() => f([0, 2]), T.RuntimeError, 'index 2');
        expect(flat(s.getValue())).toEqual([1, 2, 3, 4]);
        f([1, 1]);
        expect(flat(s.getValue())).toEqual([1, 2, 5, 6]);
      }
    });
  });

  describe('forward', () => {
    it('looks up embedding rows for an index matrix: [4, 2] at [2, 3] ids gives [2, 3, 2]', () => {
      const w = T.dmatrix('W');
      const ids = T.imatrix('ids');
      const y = w.get(ids);
      expect(y.ndim).toBe(3);
      close(run([w, ids], y, W, [[0, 1, 3], [3, -1, 0]]), [[[1, 2], [3, 4], [7, 8]], [[7, 8], [7, 8], [1, 2]]]);
    });
    it('takes along another axis with static dims carried over', () => {
      const x = T.tensor('float64', [4, 2], 'x');
      const y = x.take([1, 0, 1], 1);
      expect(y.staticShape).toEqual([4, 3]);
      close(run([x], y, W), [[2, 1, 2], [4, 3, 4], [6, 5, 6], [8, 7, 8]]);
      close(run([x], x.take(T.constant(1, 'int32'), -1), W), [2, 4, 6, 8]);
    });
    it('handles empty indices, an empty x axis with empty indices, and int32 / bool data', () => {
      const w = T.dmatrix('W');
      const i = T.ivector('i');
      expect(run([w, i], w.get(i), W, T.array([], { dtype: 'int32' })).shape).toEqual([0, 2]);
      expect(run([w, i], w.get(i), T.zeros([0, 2], 'float64'), T.array([], { dtype: 'int32' })).shape).toEqual([0, 2]);
      const m = T.imatrix('m');
      expect(flat(run([m, i], m.get(i), [[1, 2], [3, 4]], [1, 1]))).toEqual([3, 4, 3, 4]);
      const b = T.tensor('bool', [null], 'b');
      expect(flat(run([b, i], b.get(i), [true, false], [1, 0]))).toEqual([0, 1]);
    });
  });

  describe('gradient', () => {
    it('scatter-adds g back, repeated indices accumulating', () => {
      const w = T.dmatrix('W');
      const g = T.grad(T.sum(w.get([0, 0, 2, -1, 0])), w);
      close(run([w], g, W), [[3, 3], [0, 0], [1, 1], [1, 1]]);
    });
    it('matches finite differences for an index matrix and for axis 1', () => {
      checkOp({ fn: (w) => w.get(T.constant([[0, 2], [2, 2]], 'int32')).mul(w.get([1])), inputs: [W], expected: [[[3, 8], [15, 24]], [[15, 24], [15, 24]]] });
      checkOp({ fn: (w) => T.take(w, [1, 1, 0], 1).sqr(), inputs: [W], expected: [[4, 4, 1], [16, 16, 9], [36, 36, 25], [64, 64, 49]] });
    });
  });
});

describe('embedding training', () => {
  it('updates only the looked-up rows of a shared table, repeated ids accumulating, on every backend', () => {
    for (const backend of usable) {
      const E = T.shared(T.array([[1, 1], [2, 2], [3, 3]]), { name: 'E' });
      const ids = T.ivector('ids');
      const cost = T.sum(E.get(ids).sqr());
      const g = T.grad(cost, E);
      const rows = E.get(ids);
      // the sparse form of E - 0.1 g: scatter -0.1 * 2 * rows into E at ids
      const f = T.function([ids], cost, { backend, updates: [[E, T.incSubtensor(E, ids, rows.mul(-0.2))]] });
      const dense = T.function([ids], g, { backend });
      close(dense([2, 0, 2]) as T.NDArray, [[2, 2], [0, 0], [12, 12]]);
      // the scatter writes straight into E's buffer: no copy of the whole table per step
      expect(planMemory(f.program, [[3]], [[3, 2]]).sharedAlias.length).toBe(2);
      close(f([2, 0, 2]) as T.NDArray, 1 * 2 + 9 * 4);
      close(E.getValue(), [[0.8, 0.8], [2, 2], [3 - 1.2, 3 - 1.2]]);
      expectError(() => f([5]), T.RuntimeError, 'index 5');
      close(E.getValue(), [[0.8, 0.8], [2, 2], [1.8, 1.8]]);
    }
  });
});
