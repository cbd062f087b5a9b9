import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[3, 9, 2], [8, 1, 8]];

describe('argmax', () => {
  describe('bad input', () => {
    it('rejects a list of axes with a clear error', () => {
      expectError(() => T.argmax(T.fmatrix(), [0, 1] as unknown as number), T.ArgumentError, 'argmax: axis must be a single integer or undefined', 'got [0,1]');
      expectError(() => T.argmax(T.fmatrix(), [0] as unknown as number), T.ArgumentError, 'argmax: axis must be a single integer');
    });
    it('rejects an axis out of range or non-integer, naming argmax', () => {
      expectError(() => T.argmax(T.fmatrix(), 2), T.ShapeError, 'argmax: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.argmax(T.fmatrix(), 0.5), T.ArgumentError, 'argmax: axis must be an integer');
      expectError(() => T.argmax(T.fmatrix(), '0' as unknown as number), T.ArgumentError, 'argmax: axis must be a single integer');
    });
    it('rejects an empty reduction at build time and at run time', () => {
      expectError(() => T.argmax(T.tensor('float64', [2, 0]), 1), T.ShapeError, 'argmax: x must not be empty along axis 1');
      const v = T.dvector('v');
      const f = T.function([v], T.argmax(v));
      expect(() => f([])).toThrow(/argmax: x must not be empty along axis 0/);
    });
    it('rejects bad options and non-tensor arguments', () => {
      expectError(() => T.argmax(T.fmatrix(), 0, { keepdims: 1 as unknown as boolean }), T.ArgumentError, 'argmax: keepdims must be a boolean');
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.argmax(bad), T.ArgumentError, 'argmax: x must be', got);
    });
  });

  describe('forward', () => {
    it('gives the flat row-major index over all axes by default', () => {
      const x = T.dmatrix('x');
      const r = run([x], T.argmax(x), M);
      expect(r.shape).toEqual([]);
      expect(flat(r)).toEqual([1]);
      expect(flat(run([x], T.argmax(x), [[0, 1], [7, 2]]))).toEqual([2]);
    });
    it('gives the index along one axis, also a negative one, the first of ties', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.argmax(x, 0), M))).toEqual([1, 0, 1]);
      expect(flat(run([x], T.argmax(x, 1), M))).toEqual([1, 0]);
      expect(flat(run([x], T.argmax(x, -1), M))).toEqual([1, 0]);
    });
    it('reduces the middle axis of a rank-3 tensor', () => {
      const x = T.tensor3('x', 'float64');
      expect(flat(run([x], T.argmax(x, 1), [[[1, 6], [5, 2], [3, 4]], [[0, 0], [9, 9], [9, 10]]]))).toEqual([1, 0, 1, 2]);
    });
    it('keeps the reduced axis as size 1 with keepdims', () => {
      const x = T.dmatrix('x');
      const r = run([x], T.argmax(x, 1, { keepdims: true }), M);
      expect(r.shape).toEqual([2, 1]);
      expect(flat(r)).toEqual([1, 0]);
      expect(run([x], T.argmax(x, undefined, true), M).shape).toEqual([1, 1]);
    });
    it('gives 0 for a scalar', () => {
      const s = T.dscalar('s');
      expect(flat(run([s], T.argmax(s), 4))).toEqual([0]);
    });
  });

  describe('edge values', () => {
    it('lets the first NaN win, as NumPy', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.argmax(v), [1, NaN, 9, NaN]))).toEqual([1]);
      expect(flat(run([v], T.argmax(v), [NaN, 1]))).toEqual([0]);
    });
    it('handles infinities', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.argmax(v), [-Infinity, -Infinity]))).toEqual([0]);
      expect(flat(run([v], T.argmax(v), [-Infinity, 3, Infinity]))).toEqual([2]);
    });
    it('gives an empty result when only a kept axis is empty', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.argmax(x, 1), T.zeros([0, 3], 'float64')).shape).toEqual([0]);
    });
  });

  describe('dtypes and gradient', () => {
    it('returns int32 for every input dtype', () => {
      for (const x of [T.fmatrix(), T.dmatrix(), T.imatrix(), T.tensor('bool', [null])]) expect(T.argmax(x).dtype).toBe('int32');
      const b = T.tensor('bool', [null], 'b');
      expect(flat(run([b], T.argmax(b), [false, true, true]))).toEqual([1]);
    });
    it('passes no gradient back to x', () => {
      const x = T.dvector('x');
      expectError(() => T.grad(T.sum(T.cast(T.argmax(x), 'float64')), x), T.GradError, 'is not connected');
    });
  });

  describe('method form', () => {
    it('x.argmax(axis, opts) equals T.argmax(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], x.argmax(1), M))).toEqual([1, 0]);
      expect(flat(run([x], x.argmax(), M))).toEqual([1]);
    });
  });
});
