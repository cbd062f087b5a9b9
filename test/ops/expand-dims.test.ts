import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];

describe('expandDims', () => {
  describe('bad input', () => {
    it('rejects axes outside the output rank, giving the valid range', () => {
      const x = T.fmatrix('x');
      expectError(() => T.expandDims(x, 3), T.ArgumentError, 'expandDims: axes must be integers in [-3, 3), got 3');
      expectError(() => T.expandDims(x, -4), T.ArgumentError, 'in [-3, 3), got -4');
      expectError(() => T.expandDims(x, [0, 4]), T.ArgumentError, 'in [-4, 4), got [0,4]');
    });

    it('rejects repeated axes, also when they repeat only after normalizing negatives', () => {
      expectError(() => T.expandDims(T.fvector(), [0, 0]), T.ArgumentError, 'expandDims: axes must not repeat, got [0,0]');
      expectError(() => T.expandDims(T.fvector(), [0, -3]), T.ArgumentError, 'expandDims: axes must not repeat, got [0,-3]');
    });

    it('rejects non-integer axes', () => {
      for (const axes of [0.5, '1', [null], undefined]) {
        expectError(() => T.expandDims(T.fmatrix(), axes as number), T.ArgumentError, 'expandDims: axes must be integers');
      }
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.expandDims(bad, 0), T.ArgumentError, 'expandDims: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('turns a vector into a column with axis 1', () => checkOp({ fn: (x) => T.expandDims(x, [1]), inputs: [[1, 2, 3]], expected: [[1], [2], [3]] }));
    it('turns a vector into a row with axis 0', () => checkOp({ fn: (x) => T.expandDims(x, 0), inputs: [[1, 2, 3]], expected: [[1, 2, 3]] }));
    it('counts a negative axis from the end of the output', () => checkOp({ fn: (x) => T.expandDims(x, -1), inputs: [M], expected: [[[1], [2], [3]], [[4], [5], [6]]] }));
    it('inserts several axes at their output positions', () => checkOp({ fn: (x) => T.expandDims(x, [0, -1]), inputs: [M], expected: [[[[1], [2], [3]], [[4], [5], [6]]]] }));
    it('inserts an axis in the middle', () => checkOp({ fn: (x) => T.expandDims(x, 1), inputs: [M], expected: [[[1, 2, 3]], [[4, 5, 6]]] }));
    it('lifts a scalar to rank 1', () => checkOp({ fn: (x) => T.expandDims(x, 0), inputs: [7], expected: [7] }));
    it('broadcasts like a column once expanded', () => checkOp({ fn: (v, m) => T.mul(T.expandDims(v, 1), m), inputs: [[1, 2], M], expected: [[1, 2, 3], [8, 10, 12]] }));
  });

  describe('static shapes', () => {
    it('inserts 1s into the static shape', () => {
      const x = T.tensor('float32', [2, null]);
      expect(T.expandDims(x, [0, -1]).staticShape).toEqual([1, 2, null, 1]);
      expect(T.expandDims(x, [-1, 0]).staticShape).toEqual([1, 2, null, 1]);
      expect(T.expandDims(x, 1).staticShape).toEqual([2, 1, null]);
      expect(T.expandDims(T.fscalar(), [0, 1]).staticShape).toEqual([1, 1]);
    });
  });

  describe('edge values', () => {
    it('expands empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.expandDims(e, 1), T.zeros([0, 3], 'float64')).shape).toEqual([0, 1, 3]);
    });
    it('keeps NaN and inf', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.expandDims(v, 0), [NaN, -Infinity]))).toEqual([NaN, -Infinity]);
    });
  });

  describe('dtypes', () => {
    it('keeps the dtype', () => {
      const i = T.ivector('i');
      const r = run([i], T.expandDims(i, 0), [1, 2]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, 2]);
      expect(T.expandDims(T.fvector(), 0).dtype).toBe('float32');
      expect(T.expandDims(T.tensor('bool', [null]), 0).dtype).toBe('bool');
    });
    it('accepts a plain JS array', () => {
      const c = T.expandDims([1, 2], 1);
      expect(c.staticShape).toEqual([2, 1]);
      close(run([], c), [[1], [2]]);
    });
  });

  describe('second order', () => {
    it('d sum(expandDims(x)²)/dx = 2x, and its derivative agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.sqr(T.expandDims(x, [0, 2]))), x), inputs: [M], expected: [[2, 4, 6], [8, 10, 12]] }));
  });
});
