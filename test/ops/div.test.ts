import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, -2, 3], [0.5, 2, -1]];

describe('div', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      expectError(() => T.div(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 3])), T.ShapeError, 'div: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]', 'dim -2 differs');
    });

    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.div(T.fvector(), bad), T.ArgumentError, 'div: b must be', got);
        expectError(() => T.div(bad, T.fvector()), T.ArgumentError, 'div: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('divides matrices elementwise', () => checkOp({ fn: T.div, inputs: [M, [[2, 4, -3], [0.25, 2, 4]]], expected: [[0.5, -0.5, -1], [2, 1, -0.25]] }));
    it('broadcasts a vector divisor along the rows', () => checkOp({ fn: T.div, inputs: [M, [1, 2, 4]], expected: [[1, -1, 0.75], [0.5, 1, -0.25]] }));
    it('broadcasts a column [n, 1] against a row [1, m]', () => checkOp({ fn: T.div, inputs: [[[1], [2]], [[2, 4, 8]]], expected: [[0.5, 0.25, 0.125], [1, 0.5, 0.25]] }));
    it('broadcasts a scalar numerator over a matrix (reciprocal)', () => checkOp({ fn: T.div, inputs: [1, [[2, -4], [0.5, 8]]], expected: [[0.5, -0.25], [2, 0.125]] }));
    it('broadcasts a rank-3 tensor along its middle axis', () =>
      checkOp({ fn: T.div, inputs: [[[[1, 2]], [[3, 4]]], [[[1, 1], [2, 2], [4, 4]], [[1, 1], [2, 2], [4, 4]]]], expected: [[[1, 2], [0.5, 1], [0.25, 0.5]], [[3, 4], [1.5, 2], [0.75, 1]]] }));

    it('sums the divisor gradient back to its shape: d sum(a/b)/db = -sum(a)/b²', () => {
      const a = T.dmatrix('a');
      const b = T.dscalar('b');
      close(run([a, b], T.grad(T.sum(T.div(a, b)), b), M, 2), -3.5 / 4);
    });
  });

  describe('edge values', () => {
    it('follows IEEE division by zero: ±inf, and NaN for 0/0', () => {
      const a = T.dvector('a');
      expect(flat(run([a], T.div(a, 0), [1, -1, 0]))).toEqual([Infinity, -Infinity, NaN]);
    });
    it('divides empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.div(e, [1, 2, 3]), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('int32 / int32 is true division in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const j = T.ivector('j');
      const r = run([i, j], T.div(i, j), [7, -7, 1], [2, 2, 0]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([3.5, -3.5, Infinity]);
    });
    it('int32 / int32 follows config.floatX = "float64"', () => {
      const prev = T.config.floatX;
      T.config.floatX = 'float64';
      try {
        expect(T.div(T.ivector(), T.ivector()).dtype).toBe('float64');
      } finally {
        T.config.floatX = prev;
      }
    });
    it('int32 / float32 computes in float32; float32 / JS number stays float32', () => {
      expect(T.div(T.ivector(), T.fvector()).dtype).toBe('float32');
      expect(T.fvector().div(3).dtype).toBe('float32');
      expect(T.dvector().div(T.ivector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.div(y) equals T.div(x, y)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.div(2), M), [[0.5, -1, 1.5], [0.25, 1, -0.5]]);
      close(run([x], x.div([1, 2, 4]), M), run([x], T.div(x, [1, 2, 4]), M).toArray());
    });
  });

  describe('second order', () => {
    it('d(1/x)/dx = -1/x², and its derivative 2/x³ agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.div(1, x)), x), inputs: [[1, 2, -0.5]], expected: [-1, -0.25, -4] }));
    it('d²(1/x)/dx² = 2/x³', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.div(1, x)), x)), x), [1, 2, -0.5]), [2, 0.25, -16]);
    });
  });
});
