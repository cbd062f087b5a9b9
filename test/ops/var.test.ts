import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 6], [4, 4, 7]];

describe('var', () => {
  describe('bad input', () => {
    it('rejects an axis out of range, repeated or non-integer, naming var', () => {
      expectError(() => T.var(T.fmatrix(), 2), T.ShapeError, 'var: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.var(T.fmatrix(), [1, -1]), T.ArgumentError, 'var: axis must not repeat');
      expectError(() => T.var(T.fmatrix(), 0.5), T.ArgumentError, 'var: axis must be an integer');
    });
    it('rejects a bad ddof, keepdims or options value', () => {
      for (const ddof of [-1, 0.5, '1', NaN]) expectError(() => T.var(T.fmatrix(), 0, { ddof: ddof as number }), T.ArgumentError, 'var: ddof must be a non-negative integer');
      expectError(() => T.var(T.fmatrix(), 0, { keepdims: 'no' as unknown as boolean }), T.ArgumentError, 'var: keepdims must be a boolean');
      expectError(() => T.var(T.fmatrix(), 0, 3 as unknown as boolean), T.ArgumentError, 'var: options must be { keepdims?: boolean, ddof?: number }, got number 3');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.var(bad), T.ArgumentError, 'var: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives the population variance over all axes by default', () => checkOp({ fn: (x) => T.var(x), inputs: [M], expected: 13 / 3 }));
    it('reduces one axis, also a negative one', () => {
      checkOp({ fn: (x) => T.var(x, 1), inputs: [M], expected: [14 / 3, 2] });
      checkOp({ fn: (x) => T.var(x, -2), inputs: [M], expected: [2.25, 1, 0.25] });
    });
    it('divides by n - ddof', () => {
      checkOp({ fn: (x) => T.var(x, 1, { ddof: 1 }), inputs: [M], expected: [7, 3] });
      checkOp({ fn: (x) => T.var(x, undefined, { ddof: 2 }), inputs: [M], expected: 6.5 });
    });
    it('keeps reduced axes with keepdims', () => {
      checkOp({ fn: (x) => T.var(x, 1, { keepdims: true, ddof: 1 }), inputs: [M], expected: [[7], [3]] });
      checkOp({ fn: (x) => T.var(x, [0, 1], true), inputs: [M], expected: [[13 / 3]] });
    });
  });

  describe('edge values', () => {
    it('gives NaN for an empty reduction and inf or NaN when n - ddof <= 0, as NumPy', () => {
      const x = T.dmatrix('x');
      expect(flat(run([x], T.var(x, 0), T.zeros([0, 2], 'float64')))).toEqual([NaN, NaN]);
      expect(flat(run([x], T.var(x, 1, { ddof: 1 }), [[1], [3]]))).toEqual([NaN, NaN]);
      expect(flat(run([x], T.var(x, 0, { ddof: 2 }), [[1, 5], [3, 5]]))).toEqual([Infinity, NaN]);
    });
    it('propagates NaN', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.var(v), [1, NaN]))).toEqual([NaN]);
    });
  });

  describe('dtypes', () => {
    it('keeps float dtypes and gives floatX for int32 and bool', () => {
      expect(T.var(T.fmatrix()).dtype).toBe('float32');
      expect(T.var(T.dmatrix()).dtype).toBe('float64');
      const i = T.ivector('i');
      const r = run([i], T.var(i), [1, 2, 3, 4]);
      expect(r.dtype).toBe('float32');
      close(r, 1.25);
      expect(T.var(T.tensor('bool', [null])).dtype).toBe('float32');
    });
  });

  describe('method form', () => {
    it('x.var(axis, opts) equals T.var(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.var(1, { ddof: 1 }), M), [7, 3]);
      close(run([x], x.var(), M), 13 / 3);
    });
  });
});
