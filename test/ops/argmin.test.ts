import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[3, 1, 2], [0, 5, 0]];

describe('argmin', () => {
  describe('bad input', () => {
    it('rejects a list of axes, an axis out of range and a non-integer axis, naming argmin', () => {
      expectError(() => T.argmin(T.fmatrix(), [1, 0] as unknown as number), T.ArgumentError, 'argmin: axis must be a single integer or undefined');
      expectError(() => T.argmin(T.fmatrix(), -3), T.ShapeError, 'argmin: axis must be in [-2, 2)', 'got -3');
      expectError(() => T.argmin(T.fmatrix(), 1.5), T.ArgumentError, 'argmin: axis must be an integer');
    });
    it('rejects an empty reduction', () => {
      expectError(() => T.argmin(T.tensor('float64', [0])), T.ShapeError, 'argmin: x must not be empty along axis 0');
      const v = T.dvector('v');
      expect(() => T.function([v], T.argmin(v))([])).toThrow(/argmin: x must not be empty/);
    });
    it('rejects a non-boolean keepdims, naming argmin', () => {
      expectError(() => T.argmin(T.fmatrix(), 0, { keepdims: 1 as unknown as boolean }), T.ArgumentError, 'argmin: keepdims must be a boolean, got 1');
    });
    it('rejects non-tensor arguments', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.argmin(bad), T.ArgumentError, 'argmin: x must be', got);
    });
  });

  describe('forward', () => {
    it('gives the flat index by default and the index along an axis, the first of ties', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.argmin(x), M))).toEqual([3]);
      expect(flat(run([x], T.argmin(x, 0), M))).toEqual([1, 0, 1]);
      expect(flat(run([x], T.argmin(x, -1), M))).toEqual([1, 0]);
      expect(run([x], T.argmin(x, 0, { keepdims: true }), M).shape).toEqual([1, 3]);
    });
    it('lets the first NaN win and handles infinities', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.argmin(v), [-1, NaN, -9, NaN]))).toEqual([1]);
      expect(flat(run([v], T.argmin(v), [Infinity, Infinity]))).toEqual([0]);
      expect(flat(run([v], T.argmin(v), [Infinity, -Infinity, 0]))).toEqual([1]);
    });
  });

  describe('dtypes and method form', () => {
    it('returns int32, also for int32 input', () => {
      const i = T.ivector('i');
      const r = run([i], T.argmin(i), [4, -2, 7]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1]);
    });
    it('x.argmin(axis) equals T.argmin(x, axis)', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], x.argmin(1), M))).toEqual([1, 0]);
    });
  });
});
