import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [-1, 0, 4]];
const sm = (xs: number[]) => {
  const e = xs.map((v) => Math.exp(v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const cols = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));

describe('softmax and logSoftmax', () => {
  describe('bad input', () => {
    it('rejects a scalar, an axis out of range and a non-integer axis, naming the op', () => {
      expectError(() => T.softmax(T.fscalar()), T.ShapeError, 'softmax: x must have rank >= 1, got a scalar');
      expectError(() => T.softmax(T.fmatrix(), 2), T.ShapeError, 'softmax: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.logSoftmax(T.fmatrix(), -3), T.ShapeError, 'logSoftmax: axis must be in [-2, 2)', 'got -3');
      expectError(() => T.softmax(T.fmatrix(), 0.5), T.ArgumentError, 'softmax: axis must be an integer, got 0.5');
      expectError(() => T.logSoftmax(T.fmatrix(), [0] as unknown as number), T.ArgumentError, 'logSoftmax: axis must be an integer, got [0]');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.softmax(bad), T.ArgumentError, 'softmax: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('normalizes the last axis by default', () => {
      checkOp({ fn: (x) => T.softmax(x), inputs: [M], expected: M.map(sm) });
      checkOp({ fn: (x) => T.logSoftmax(x), inputs: [M], expected: M.map((r) => sm(r).map(Math.log)) });
    });
    it('normalizes any other axis, also a negative one', () => {
      const byCols = cols(cols(M).map(sm));
      checkOp({ fn: (x) => T.softmax(x, 0), inputs: [M], expected: byCols });
      checkOp({ fn: (x) => T.softmax(x, -2), inputs: [M], expected: byCols });
      checkOp({ fn: (x) => T.logSoftmax(x, 0), inputs: [M], expected: byCols.map((r) => r.map(Math.log)) });
      const x3 = [[[1, 2], [3, 5]], [[0, 0], [-1, 1]]];
      const mid = x3.map((m) => cols(cols(m).map(sm)));
      checkOp({ fn: (x) => T.softmax(x, 1), inputs: [x3], expected: mid });
    });
    it('has gradients that agree with finite differences along every axis', () => {
      const w = [[1, -2, 0.5], [3, 0.25, -1]];
      for (const axis of [0, 1, -1]) {
        T.verifyGrad((x) => T.sum(T.mul(T.softmax(x, axis), w)), [T.array(M, { dtype: 'float64' })]);
        T.verifyGrad((x) => T.sum(T.mul(T.logSoftmax(x, axis), w)), [T.array(M, { dtype: 'float64' })]);
      }
    });
  });

  describe('edge values', () => {
    it('does not overflow for huge logits', () => {
      const x = T.dmatrix('x');
      close(run([x], T.softmax(x, 0), [[1000, -1000], [1000, -1001]]), [[0.5, 1 / (1 + Math.exp(-1))], [0.5, Math.exp(-1) / (1 + Math.exp(-1))]]);
      close(run([x], T.logSoftmax(x), [[1e4, 0]]), [[0, -1e4]]);
    });
    it('gives NaN for a line of -inf, or one holding +inf or NaN (as NumPy)', () => {
      const x = T.dmatrix('x');
      const r = flat(run([x], T.softmax(x, 0), [[-Infinity, Infinity, NaN], [-Infinity, 1, 1]]));
      expect(r).toEqual([NaN, NaN, NaN, NaN, NaN, NaN]);
    });
    it('keeps empty shapes', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.softmax(x, 0), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
      expect(run([x], T.logSoftmax(x, 0), T.zeros([2, 0], 'float64')).shape).toEqual([2, 0]);
    });
  });

  describe('dtypes', () => {
    it('keeps float dtypes and gives floatX for int32', () => {
      expect(T.softmax(T.dmatrix()).dtype).toBe('float64');
      expect(T.logSoftmax(T.fmatrix(), 0).dtype).toBe('float32');
      const i = T.imatrix('i');
      const r = run([i], T.softmax(i, 0), [[0, 1], [0, 1]]);
      expect(r.dtype).toBe('float32');
      close(r, [[0.5, 0.5], [0.5, 0.5]]);
    });
  });
});
