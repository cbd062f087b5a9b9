import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[3, 1, 2], [4, 6, 5]];
const X3 = [[[1, 8], [3, 4], [5, 6]], [[7, 2], [9, 10], [11, 0.5]]];

describe('min', () => {
  describe('bad input', () => {
    it('rejects an axis out of range with a ShapeError naming min', () => {
      expectError(() => T.min(T.fmatrix(), 2), T.ShapeError, 'min: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.min(T.fmatrix(), [0, -3]), T.ShapeError, 'min: axis must be in [-2, 2)', 'got -3');
    });
    it('rejects repeated and non-integer axes', () => {
      expectError(() => T.min(T.fmatrix(), [1, -1]), T.ArgumentError, 'min: axis must not repeat, got [1, -1]');
      for (const axis of [0.5, '1', [0, 1.5]]) expectError(() => T.min(T.fmatrix(), axis as number), T.ArgumentError, 'min: axis must be an integer');
    });
    it('rejects a statically empty reduced axis', () => {
      expectError(() => T.min(T.tensor('float64', [0, 3]), 0), T.ShapeError, 'min: x must not be empty along axis 0');
    });
    it('rejects an empty reduced axis at run time', () => {
      const e = T.dmatrix('e');
      const f = T.function([e], T.min(e));
      expect(() => f(T.zeros([0, 3], 'float64'))).toThrow(/min: x must not be empty along axis 0/);
    });
    it('rejects a non-boolean keepdims and bad options, naming min', () => {
      expectError(() => T.min(T.fmatrix(), 0, { keepdims: 'no' as unknown as boolean }), T.ArgumentError, 'min: keepdims must be a boolean, got "no"');
      expectError(() => T.min(T.fmatrix(), 0, 3 as unknown as boolean), T.ArgumentError, 'min: options must be');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.min(bad), T.ArgumentError, 'min: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('has gradients that agree with finite differences over axis lists, negative axes and keepdims (no ties)', () => {
      checkOp({ fn: (x) => T.min(x, [-1, 0], true), inputs: [X3], expected: [[[1], [3], [0.5]]] });
      checkOp({ fn: (x) => T.sum(T.sqr(T.min(x, -2))), inputs: [X3], expected: 1 + 16 + 49 + 0.25 });
    });
    it('takes the minimum of all elements by default', () => checkOp({ fn: (x) => T.min(x), inputs: [M], expected: 1 }));
    it('takes the minimum along axis 0 and axis 1', () => {
      checkOp({ fn: (x) => T.min(x, 0), inputs: [M], expected: [3, 1, 2] });
      checkOp({ fn: (x) => T.min(x, 1), inputs: [M], expected: [1, 4] });
    });
    it('counts a negative axis from the end', () => checkOp({ fn: (x) => T.min(x, -1), inputs: [M], expected: [1, 4] }));
    it('reduces non-adjacent axes of a rank-3 tensor', () => checkOp({ fn: (x) => T.min(x, [0, 2]), inputs: [X3], expected: [1, 3, 0.5] }));
    it('keeps reduced axes as size 1 with keepdims', () => {
      checkOp({ fn: (x) => T.min(x, 1, { keepdims: true }), inputs: [M], expected: [[1], [4]] });
      checkOp({ fn: (x) => T.min(x, undefined, true), inputs: [M], expected: [[1]] });
    });
    it('sends the gradient to every tied minimum and nowhere else', () => {
      const x = T.dmatrix('x');
      close(run([x], T.grad(T.sum(T.min(x, 1)), x), [[2, 1, 1], [0, 3, 0]]), [[0, 1, 1], [1, 0, 1]]);
    });
  });

  describe('edge values', () => {
    it('propagates NaN wherever it is, and handles inf', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.min(v), [NaN, -1]))).toEqual([NaN]);
      expect(flat(run([v], T.min(v), [-1, NaN, -5]))).toEqual([NaN]);
      expect(flat(run([v], T.min(v), [Infinity, Infinity]))).toEqual([Infinity]);
      expect(flat(run([v], T.min(v), [3, -Infinity]))).toEqual([-Infinity]);
    });
    it('gives an empty result for an empty kept axis', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.min(e, 1), T.zeros([0, 3], 'float64')).shape).toEqual([0]);
    });
  });

  describe('dtypes', () => {
    it('keeps the input dtype', () => {
      const i = T.imatrix('i');
      const r = run([i], T.min(i, 0), [[1, -7], [3, 2]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, -7]);
      expect(T.min(T.fmatrix()).dtype).toBe('float32');
      const b = T.tensor('bool', [null], 'b');
      expect(flat(run([b], T.min(b), [true, false]))).toEqual([0]);
    });
  });

  describe('method form', () => {
    it('x.min(axis, opts) equals T.min(x, axis, opts), and x.max exists beside it', () => {
      const x = T.dmatrix('x');
      close(run([x], x.min(1, { keepdims: true }), M), [[1], [4]]);
      close(run([x], x.min(), M), 1);
      close(run([x], x.max(0), M), [4, 6, 5]);
    });
  });
});
