import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 0, 3], [2, -1, 0.5]];

describe('all', () => {
  describe('bad input', () => {
    it('rejects an axis out of range, repeated or non-integer, naming all', () => {
      expectError(() => T.all(T.fmatrix(), 2), T.ShapeError, 'all: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.all(T.fmatrix(), [0, -2]), T.ArgumentError, 'all: axis must not repeat');
      expectError(() => T.all(T.fmatrix(), 1.5), T.ArgumentError, 'all: axis must be an integer');
    });
    it('rejects a non-boolean keepdims and bad options, naming all', () => {
      expectError(() => T.all(T.fmatrix(), 0, { keepdims: 'no' as unknown as boolean }), T.ArgumentError, 'all: keepdims must be a boolean, got "no"');
      expectError(() => T.all(T.fmatrix(), 0, 3 as unknown as boolean), T.ArgumentError, 'all: options must be');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.all(bad), T.ArgumentError, 'all: x must be', got);
    });
  });

  describe('forward', () => {
    it('is true where every element is nonzero', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.all(x), M))).toEqual([0]);
      expect(flat(run([x], T.all(x, 0), M))).toEqual([1, 0, 1]);
      expect(flat(run([x], T.all(x, -1), M))).toEqual([0, 1]);
      expect(flat(run([x], T.all(x), [[1, -2], [0.1, 3]]))).toEqual([1]);
    });
    it('keeps reduced axes with keepdims', () => {
      const x = T.dmatrix('x');
      const r = run([x], T.all(x, 1, { keepdims: true }), [[1, 2], [0, 1]]);
      expect(r.shape).toEqual([2, 1]);
      expect(flat(r)).toEqual([1, 0]);
    });
  });

  describe('edge values', () => {
    it('is true for an empty group, as NumPy', () => {
      const e = T.dmatrix('e');
      expect(flat(run([e], T.all(e), T.zeros([0, 3], 'float64')))).toEqual([1]);
      expect(flat(run([e], T.all(e, 0), T.zeros([0, 2], 'float64')))).toEqual([1, 1]);
    });
    it('counts NaN and inf as nonzero and -0 as zero', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.all(v), [NaN, Infinity, -Infinity]))).toEqual([1]);
      expect(flat(run([v], T.all(v), [1, -0]))).toEqual([0]);
    });
  });

  describe('dtypes and gradient', () => {
    it('returns bool for every input dtype', () => {
      for (const x of [T.fmatrix(), T.dmatrix(), T.imatrix(), T.tensor('bool', [null])]) expect(T.all(x).dtype).toBe('bool');
      const b = T.tensor('bool', [null], 'b');
      expect(flat(run([b], T.all(b), [true, true]))).toEqual([1]);
      const i = T.ivector('i');
      expect(flat(run([i], T.all(i), [3, 0]))).toEqual([0]);
    });
    it('passes no gradient back to x', () => {
      const x = T.dvector('x');
      expectError(() => T.grad(T.sum(T.cast(T.all(x), 'float64')), x), T.GradError, 'is not connected');
    });
  });

  describe('method form', () => {
    it('x.all(axis, opts) equals T.all(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], x.all(0), M))).toEqual([1, 0, 1]);
    });
  });
});
