import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const A = [[1, -2, 3], [0.5, 2, -1]];
const B = [[2, -3, 1], [0.25, 4, 0]];

describe('maximum', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      expectError(() => T.maximum(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 3])), T.ShapeError, 'maximum: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]', 'dim -2 differs');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.maximum(T.fvector(), bad), T.ArgumentError, 'maximum: b must be', got);
        expectError(() => T.maximum(bad, T.fvector()), T.ArgumentError, 'maximum: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('takes the larger element, the gradient going to the argument taken', () => checkOp({ fn: T.maximum, inputs: [A, B], expected: [[2, -2, 3], [0.5, 4, 0]] }));
    it('clamps below with a scalar (relu)', () => checkOp({ fn: (x) => T.maximum(x, 0), inputs: [A], expected: [[1, 0, 3], [0.5, 2, 0]] }));
    it('broadcasts a column [n, 1] against a row [1, m]', () => checkOp({ fn: T.maximum, inputs: [[[1], [3]], [[0, 2, 4]]], expected: [[1, 2, 4], [3, 3, 4]] }));
    it('broadcasts a vector along the rows and sums its gradient back over them', () => {
      checkOp({ fn: T.maximum, inputs: [A, [0, 1, 2]], expected: [[1, 1, 3], [0.5, 2, 2]] });
      const a = T.dmatrix('a');
      const b = T.dvector('b');
      close(run([a, b], T.grad(T.sum(T.maximum(a, b)), b), A, [0, 1, 2]), [0, 1, 1]);
    });
    it('gives the whole gradient to a on a tie, as Theano: d/da = [a >= b], d/db = [b > a]', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      const [ga, gb] = T.grad(T.sum(T.maximum(a, b)), [a, b]);
      close(run([a, b], ga, [1, 2, 3], [1, 5, 0]), [1, 0, 1]);
      close(run([a, b], gb, [1, 2, 3], [1, 5, 0]), [0, 1, 0]);
    });
  });

  describe('edge values', () => {
    it('propagates NaN from either side, as NumPy', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      expect(flat(run([a, b], T.maximum(a, b), [NaN, 1, NaN], [1, NaN, NaN]))).toEqual([NaN, NaN, NaN]);
    });
    it('handles ±inf', () => {
      const a = T.dvector('a');
      expect(flat(run([a], T.maximum(a, 0), [Infinity, -Infinity]))).toEqual([Infinity, 0]);
      expect(flat(run([a], T.grad(T.sum(T.maximum(a, 0)), a), [Infinity, -Infinity]))).toEqual([1, 0]);
    });
    it('takes maxima of empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.maximum(e, [1, 2, 3]), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32', () => {
      const i = T.ivector('i');
      const j = T.ivector('j');
      const r = run([i, j], T.maximum(i, j), [1, -5, 7], [2, -6, 7]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([2, -5, 7]);
    });
    it('upcasts mixed operands; a JS number takes the tensor dtype', () => {
      expect(T.maximum(T.ivector(), T.fvector()).dtype).toBe('float32');
      expect(T.maximum(T.fvector(), T.dvector()).dtype).toBe('float64');
      expect(T.maximum(T.fvector(), 0).dtype).toBe('float32');
      expect(T.maximum(T.ivector(), 0.5).dtype).toBe('float32');
    });
  });

  describe('method form', () => {
    it('x.maximum(y) equals T.maximum(x, y)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.maximum(0), A), [[1, 0, 3], [0.5, 2, 0]]);
      close(run([x], x.maximum([0, 1, 2]), A), run([x], T.maximum(x, [0, 1, 2]), A).toArray());
    });
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Maximum kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.maximum(x, 0));
      close(f([-1, 2]) as T.NDArray, [0, 2]);
      expect(f.info().backend).toBe(nativeHas('Maximum') ? 'native' : 'js');
    });
  });
});
