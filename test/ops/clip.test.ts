import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('clip', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op and the arguments', () => {
      expectError(() => T.clip(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 3]), 1), T.ShapeError, 'clip:', 'x [2, 3]', 'lo [4, 3]');
    });
    it('lists every argument that is not a tensor', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.clip(T.fvector(), bad, bad), T.ArgumentError, 'clip: lo must be', 'hi must be', got);
        expectError(() => T.clip(bad, 0, 1), T.ArgumentError, 'clip: x must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('limits x to [lo, hi] with numbers (gradient 1 inside, 0 outside)', () =>
      checkOp({ fn: (x) => T.clip(x, -1, 2), inputs: [[-3, -0.5, 1.5, 4]], expected: [-1, -0.5, 1.5, 2] }));
    it('takes tensor bounds that broadcast, with gradients for lo and hi where they are taken', () =>
      checkOp({ fn: T.clip, inputs: [[[-3, 0.5, 3], [0.2, 0.7, 1.5]], [0, 0.6, 1], [[1], [2]]], expected: [[0, 0.6, 1], [0.2, 0.7, 1.5]] }));
    it('sends the gradient to x on the closed interval, to lo below it and to hi above it', () => {
      const [x, lo, hi] = [T.dvector('x'), T.dscalar('lo'), T.dscalar('hi')];
      const g = T.grad(T.sum(T.clip(x, lo, hi)), [x, lo, hi]);
      const X = [-2, 0, 0.5, 1, 3, 4];
      close(run([x, lo, hi], g[0], X, 0, 1), [0, 1, 1, 1, 0, 0]);
      close(run([x, lo, hi], g[1], X, 0, 1), 1);
      close(run([x, lo, hi], g[2], X, 0, 1), 2);
    });
  });

  describe('edge values', () => {
    it('keeps NaN, clamps ±inf, and gives hi when lo > hi (NumPy)', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.clip(x, -1, 1), [NaN, Infinity, -Infinity]))).toEqual([NaN, 1, -1]);
      expect(flat(run([x], T.clip(x, 2, 1), [0, 5]))).toEqual([1, 1]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.fmatrix('x');
      expect(run([x], T.clip(x, 0, 1), T.zeros([0, 2], 'float32')).shape).toEqual([0, 2]);
    });
  });

  describe('dtypes and method form', () => {
    it('keeps int32 with integer bounds; a fractional bound gives floatX', () => {
      const i = T.ivector('i');
      const r = run([i], T.clip(i, 0, 5), [-3, 2, 9]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([0, 2, 5]);
      expect(T.clip(i, 0.5, 2).dtype).toBe('float32');
    });
    it('x.clip(lo, hi) equals T.clip(x, lo, hi)', () => {
      const x = T.dvector('x');
      expect(flat(run([x], x.clip(0, 1), [-1, 0.25, 7]))).toEqual([0, 0.25, 1]);
    });
  });
});
