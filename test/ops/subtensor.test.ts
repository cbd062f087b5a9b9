import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

// backends whose addon has these kernels (an older addon would run the program on the TypeScript backend)
const usable = backends.filter((b) => b === 'js' || nativeHas('Subtensor'));

// 2 x 3 x 4, value = 100 i + 10 j + k
const X3 = Array.from({ length: 2 }, (_, i) => Array.from({ length: 3 }, (_, j) => Array.from({ length: 4 }, (_, k) => 100 * i + 10 * j + k)));
const M = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];

describe('slice', () => {
  describe('bad input', () => {
    it('rejects a non-tensor x with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.slice(bad, null), T.ArgumentError, 'slice: x must be', got);
    });
    it('rejects more index entries than x has axes (ShapeError)', () => {
      expectError(() => T.slice(T.fmatrix('x'), 0, 0, 0), T.ShapeError, 'slice: index must have at most 2 entries', 'got 3');
    });
    it('rejects an integer index outside a known dim, listing every axis', () => {
      expectError(() => T.slice(T.tensor('float32', [3, 4]), 3, -5), T.ShapeError, 'slice: index on axis 0 must be in [-3, 3), got 3', 'index on axis 1 must be in [-4, 4), got -5');
    });
    it('rejects malformed entries and a zero step, listing every bad axis', () => {
      expectError(() => T.slice(T.tensor3('x'), 'a' as never, [0, 1, 0], [1.5]), T.ArgumentError, 'slice: axis 0 must be an integer, null or [start, stop, step]', 'got "a"', 'slice step on axis 1 must not be 0', 'axis 2 must be', 'got [1.5]');
      expectError(() => T.slice(T.fvector('x'), 0.5), T.ArgumentError, 'slice: axis 0 must be an integer', 'got 0.5');
      expectError(() => T.slice(T.fvector('x'), [0, 1, 2, 3] as never), T.ArgumentError, 'got [0,1,2,3]');
    });
    it('reports an index out of range at run time as a RuntimeError naming the node, on every backend', () => {
      const x = T.dmatrix('x');
      const y = x.slice(null, 5);
      for (const backend of usable) {
        const f = T.function([x], y, { backend });
        expectError(() => f(M), T.RuntimeError, 'slice: index 5 is out of range for axis 1 of size 3', 'x[:, 5]');
      }
    });
  });

  describe('forward', () => {
    it('reads x[0:5, :, -1] as x.slice([0, 5], null, -1), with static dims where x has them', () => {
      const x = T.tensor('float64', [2, 3, 4], 'x');
      const y = x.slice([0, 5], null, -1);
      expect(y.staticShape).toEqual([2, 3]);
      close(run([x], y, X3), [[3, 13, 23], [103, 113, 123]]);
      expect(T.pp(y)).toBe('x[0:5, :, -1]');
    });
    it('follows NumPy for negative bounds, negative steps and clamping', () => {
      const v = T.dvector('v');
      const data = [0, 1, 2, 3, 4, 5, 6];
      const cases: [T.SliceSpec, number[]][] = [
        [[-3], [4, 5, 6]],
        [[null, -2], [0, 1, 2, 3, 4]],
        [[null, null, -1], [6, 5, 4, 3, 2, 1, 0]],
        [[5, 1, -2], [5, 3]],
        [[-1, -8, -3], [6, 3, 0]],
        [[100, null, -1], [6, 5, 4, 3, 2, 1, 0]],
        [[-100, 100, 3], [0, 3, 6]],
        [[4, 2], []],
        [[2, 4, -1], []],
        [[1, null, 10], [1]],
      ];
      for (const [s, want] of cases) expect(flat(run([v], T.slice(v, s), data)), JSON.stringify(s)).toEqual(want);
    });
    it('drops integer-indexed axes down to a scalar, negative indices counting from the end', () => {
      const x = T.dmatrix('x');
      const y = x.slice(-1, 1);
      expect(y.ndim).toBe(0);
      expect(flat(run([x], y, M))).toEqual([8]);
    });
    it('gives empty results with the right shape', () => {
      const x = T.dmatrix('x');
      expect(run([x], x.slice([2, 2]), M).shape).toEqual([0, 3]);
      expect(run([x], x.slice([1, 3], [3, 0, 1]), M).shape).toEqual([2, 0]);
      expect(run([x], x.slice(null, 1), [[], []].map(() => [0, 0])).shape).toEqual([2]);
      expect(run([x], x.slice([1]), T.zeros([0, 4], 'float64')).shape).toEqual([0, 4]);
    });
    it('keeps the dtype for int32 and bool', () => {
      const i = T.imatrix('i');
      const r = run([i], i.slice(null, [null, null, -1]), [[1, 2], [3, 4]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([2, 1, 4, 3]);
      const b = T.tensor('bool', [null], 'b');
      expect(flat(run([b], b.slice([1]), [true, false, true]))).toEqual([0, 1]);
    });
    it('returns x itself for an index that selects everything', () => {
      const x = T.dmatrix('x');
      expect(x.slice(null, [null, null])).toBe(x);
    });
  });

  describe('gradient', () => {
    it('puts g into zeros of x at the selected region (finite differences)', () => {
      checkOp({ fn: (x) => x.slice([0, 2], [null, null, -2]).mul(x.slice(-1, [1])), inputs: [M], expected: [[24, 9], [48, 36]] });
      checkOp({ fn: (x) => T.slice(x, 1, null, [3, 0, -2]), inputs: [X3], expected: [[103, 101], [113, 111], [123, 121]] });
    });
    it('gives zeros everywhere for an empty selection', () => {
      const x = T.dmatrix('x');
      close(run([x], T.grad(T.sum(x.slice([3])), x), M), [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    });
  });
});

describe('slice with symbolic bounds', () => {
  describe('bad input', () => {
    it('rejects a bound that is not an int32 scalar (DTypeError, ShapeError) and a symbolic step (ArgumentError)', () => {
      const x = T.dmatrix('x');
      expectError(() => x.slice([T.dscalar('a'), T.fscalar('b')]), T.DTypeError, 'slice: slice start on axis 0 must be an int32 scalar, got dtype float64 (a)', 'slice stop on axis 0 must be an int32 scalar, got dtype float32 (b)');
      expectError(() => x.slice(null, T.ivector('v')), T.ShapeError, 'slice: index on axis 1 must be a scalar, got int32[?] (v)');
      expectError(() => x.slice([0, 2, T.iscalar('s') as never]), T.ArgumentError, 'slice: slice step on axis 0 must be a constant integer, got s');
    });
    it('reports a symbolic index out of range at run time as a RuntimeError naming the node, on every backend', () => {
      const x = T.dmatrix('x');
      const i = T.iscalar('i');
      for (const backend of usable) {
        const f = T.function([x, i], x.slice(i, [i]), { backend });
        close(f([[1, 2, 3], [4, 5, 6]], -1) as T.NDArray, [6]);
        expectError(() => f([[1, 2, 3], [4, 5, 6]], 2), T.RuntimeError, 'slice: index 2 is out of range for axis 0 of size 2', 'x[i, i:]');
        // a symbolic index alone does not change the output shape: one program, one plan per shape
        const row = T.function([x, i], x.slice(i), { backend });
        close(row([[1, 2, 3], [4, 5, 6]], 1) as T.NDArray, [4, 5, 6]);
        close(row([[1, 2, 3], [4, 5, 6]], -2) as T.NDArray, [1, 2, 3]);
        expect(row.info().plans).toBe(1);
        expectError(() => row([[1, 2, 3], [4, 5, 6]], -3), T.RuntimeError, 'slice: index -3 is out of range for axis 0 of size 2', 'x[i]');
      }
    });
  });

  it('slices minibatches x[i*bs : (i+1)*bs] through givens, the last one clamped and one past the end empty', () => {
    const X = T.shared(T.array([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]], { dtype: 'float64' }), { name: 'X' });
    const x = T.dmatrix('x');
    const i = T.iscalar('i');
    const bs = 2;
    for (const backend of usable) {
      const f = T.function([i], x.sum(1), { backend, givens: [[x, X.slice([i.mul(bs), i.add(1).mul(bs)])]] });
      close(f(0) as T.NDArray, [1, 5]);
      close(f(1) as T.NDArray, [9, 13]);
      close(f(2) as T.NDArray, [17]);
      expect((f(3) as T.NDArray).shape).toEqual([0]);
      const plans = f.info().plans;
      close(f(1) as T.NDArray, [9, 13]);
      expect(f.info().plans).toBe(plans);
    }
  });

  it('sets and increments a symbolic region, checking y against it when the step runs', () => {
    const x = T.dvector('x');
    const i = T.iscalar('i');
    const y = T.dvector('y');
    for (const backend of usable) {
      const f = T.function([x, i, y], T.incSubtensor(x, [[i, i.add(2)]], y), { backend });
      close(f([1, 2, 3, 4], 1, [10, 20]) as T.NDArray, [1, 12, 23, 4]);
      close(f([1, 2, 3, 4], 2, [10]) as T.NDArray, [1, 2, 13, 14]);
      close(f([1, 2, 3, 4], -1, [10]) as T.NDArray, [1, 2, 3, 4]); // x[-1:1] is empty
      expectError(() => f([1, 2, 3, 4], 3, [10, 20]), T.RuntimeError, 'incSubtensor: y must broadcast to the selected region [1], got [2]');
      const g = T.function([x, i], T.setSubtensor(x, [i], 0), { backend });
      close(g([1, 2, 3], -2) as T.NDArray, [1, 0, 3]);
    }
  });

  it('has gradients for x and y through symbolic bounds (finite differences)', () => {
    const i = T.constant(1, 'int32');
    checkOp({ fn: (x) => x.slice([i, i.add(2)], [null, null, -1]).sqr(), inputs: [X3[0]], expected: [[169, 144, 121, 100], [529, 484, 441, 400]] });
    checkOp({ fn: (x, y) => T.incSubtensor(x, [i, [null, i]], y).sqr(), inputs: [M, [5]], expected: [[1, 4, 9], [81, 25, 36], [49, 64, 81]] });
  });
});
