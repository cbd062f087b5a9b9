import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[0, 0, 3], [0, -0, 0]];

describe('any', () => {
  describe('bad input', () => {
    it('rejects an axis out of range, repeated or non-integer, naming any', () => {
      expectError(() => T.any(T.fmatrix(), -3), T.ShapeError, 'any: axis must be in [-2, 2) for a tensor of rank 2, got -3');
      expectError(() => T.any(T.fmatrix(), [1, 1]), T.ArgumentError, 'any: axis must not repeat');
      expectError(() => T.any(T.fmatrix(), [0.5]), T.ArgumentError, 'any: axis must be an integer');
    });
    it('rejects a non-boolean keepdims and bad options, naming any', () => {
      expectError(() => T.any(T.fmatrix(), 0, { keepdims: 'no' as unknown as boolean }), T.ArgumentError, 'any: keepdims must be a boolean, got "no"');
      expectError(() => T.any(T.fmatrix(), 0, 3 as unknown as boolean), T.ArgumentError, 'any: options must be');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.any(bad), T.ArgumentError, 'any: x must be', got);
    });
  });

  describe('forward', () => {
    it('is true where some element is nonzero', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.any(x), M))).toEqual([1]);
      expect(flat(run([x], T.any(x, 0), M))).toEqual([0, 0, 1]);
      expect(flat(run([x], T.any(x, -1), M))).toEqual([1, 0]);
      expect(run([x], T.any(x, undefined, true), M).shape).toEqual([1, 1]);
    });
  });

  describe('edge values', () => {
    it('is false for an empty group, as NumPy', () => {
      const e = T.dmatrix('e');
      expect(flat(run([e], T.any(e), T.zeros([0, 3], 'float64')))).toEqual([0]);
      expect(flat(run([e], T.any(e, 0), T.zeros([0, 2], 'float64')))).toEqual([0, 0]);
    });
    it('counts NaN as nonzero and -0 as zero', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.any(v), [0, NaN]))).toEqual([1]);
      expect(flat(run([v], T.any(v), [-0, 0]))).toEqual([0]);
    });
  });

  describe('dtypes and gradient', () => {
    it('returns bool for every input dtype', () => {
      for (const x of [T.fmatrix(), T.imatrix(), T.tensor('bool', [null])]) expect(T.any(x).dtype).toBe('bool');
      const b = T.tensor('bool', [null], 'b');
      expect(flat(run([b], T.any(b), [false, true]))).toEqual([1]);
    });
    it('passes no gradient back to x', () => {
      const x = T.dvector('x');
      expectError(() => T.grad(T.sum(T.cast(T.any(x), 'float64')), x), T.GradError, 'is not connected');
    });
  });

  describe('method form', () => {
    it('x.any(axis, opts) equals T.any(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], x.any(1), M))).toEqual([1, 0]);
    });
  });
});
