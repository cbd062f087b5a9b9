import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];

describe('prod', () => {
  describe('bad input', () => {
    it('rejects an axis out of range, repeated or non-integer, naming prod', () => {
      expectError(() => T.prod(T.fmatrix(), 2), T.ShapeError, 'prod: axis must be in [-2, 2) for a tensor of rank 2, got 2');
      expectError(() => T.prod(T.fmatrix(), [0, -2]), T.ArgumentError, 'prod: axis must not repeat, got [0, -2]');
      expectError(() => T.prod(T.fmatrix(), 0.5), T.ArgumentError, 'prod: axis must be an integer');
    });
    it('rejects a non-boolean keepdims and bad options, naming prod', () => {
      expectError(() => T.prod(T.fmatrix(), 0, { keepdims: 'no' as unknown as boolean }), T.ArgumentError, 'prod: keepdims must be a boolean, got "no"');
      expectError(() => T.prod(T.fmatrix(), 0, 3 as unknown as boolean), T.ArgumentError, 'prod: options must be');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.prod(bad), T.ArgumentError, 'prod: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('has gradients that agree with finite differences over axis lists, negative axes and keepdims', () => {
      const x3 = [[[1, -2], [0.5, 3]], [[2, 1.5], [-1, 0.25]]];
      checkOp({ fn: (x) => T.prod(x, [0, -1]), inputs: [x3], expected: [-6, -0.375] });
      checkOp({ fn: (x) => T.prod(x, [1], { keepdims: true }), inputs: [x3], expected: [[[0.5, -6]], [[-2, 0.375]]] });
    });
    it('multiplies all elements by default', () => checkOp({ fn: (x) => T.prod(x), inputs: [M], expected: 720 }));
    it('multiplies along an axis, also a negative one', () => {
      checkOp({ fn: (x) => T.prod(x, 0), inputs: [M], expected: [4, 10, 18] });
      checkOp({ fn: (x) => T.prod(x, -1), inputs: [M], expected: [6, 120] });
    });
    it('keeps reduced axes with keepdims', () => checkOp({ fn: (x) => T.prod(x, 1, { keepdims: true }), inputs: [M], expected: [[6], [120]] }));
    it('handles negative factors', () => checkOp({ fn: (x) => T.prod(x, 1), inputs: [[[-1, 2, -3], [0.5, -4, 2]]], expected: [6, -4] }));
    it('has the zero-safe gradient with one zero in a group: the product of the others at the zero, 0 elsewhere', () => {
      const x = T.dmatrix('x');
      close(run([x], T.grad(T.sum(T.prod(x, 1)), x), [[2, 0, 3], [1, 2, 4]]), [[0, 6, 0], [8, 4, 2]]);
      checkOp({ fn: (v) => T.prod(v, 1), inputs: [[[2, 0, 3], [1, 2, 4]]], expected: [0, 8] });
    });
    it('has a zero gradient for a group with two or more zeros', () => {
      const x = T.dmatrix('x');
      close(run([x], T.grad(T.sum(T.prod(x, 1)), x), [[0, 5, 0], [0, 0, 0]]), [[0, 0, 0], [0, 0, 0]]);
      checkOp({ fn: (v) => T.prod(v, 1), inputs: [[[0, 5, 0], [3, 0, 0]]], expected: [0, 0] });
    });
    it('has the zero-safe gradient with keepdims and over all axes', () => {
      checkOp({ fn: (v) => T.prod(v, 0, true), inputs: [[[2, 0], [3, 5], [0.5, 0]]], expected: [[3, 0]] });
      checkOp({ fn: (v) => T.prod(v), inputs: [[[2, 0.5], [0, 1.5]]], expected: 0 });
    });
    it('has a second derivative that agrees with finite differences away from zeros', () =>
      checkOp({ fn: (v) => T.grad(T.prod(v), v), inputs: [[1.5, 2, -3]], expected: [-6, -4.5, 3] }));
  });

  describe('edge values', () => {
    it('gives 1 for the product of an empty tensor, as NumPy', () => {
      const e = T.dmatrix('e');
      const z = T.zeros([0, 3], 'float64');
      expect(flat(run([e], T.prod(e), z))).toEqual([1]);
      expect(flat(run([e], T.prod(e, 0), z))).toEqual([1, 1, 1]);
      expect(run([e], T.prod(e, 1), z).shape).toEqual([0]);
    });
    it('propagates NaN and inf', () => {
      const v = T.dvector('v');
      expect(flat(run([v], T.prod(v), [2, NaN]))).toEqual([NaN]);
      expect(flat(run([v], T.prod(v), [0, Infinity]))).toEqual([NaN]);
      expect(flat(run([v], T.prod(v), [-2, Infinity]))).toEqual([-Infinity]);
    });
  });

  describe('dtypes', () => {
    it('keeps float dtypes and multiplies int32 and bool as int32, wrapping like C', () => {
      expect(T.prod(T.fmatrix()).dtype).toBe('float32');
      const i = T.ivector('i');
      const r = run([i], T.prod(i), [3, -4, 5]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([-60]);
      expect(flat(run([i], T.prod(i), [65536, 65536, 3]))).toEqual([0]);
      const b = T.tensor('bool', [null], 'b');
      const rb = run([b], T.prod(b), [true, true]);
      expect(rb.dtype).toBe('int32');
      expect(flat(rb)).toEqual([1]);
    });
  });

  describe('method form', () => {
    it('x.prod(axis, opts) equals T.prod(x, axis, opts)', () => {
      const x = T.dmatrix('x');
      close(run([x], x.prod(1, { keepdims: true }), M), [[6], [120]]);
      close(run([x], x.prod(), M), 720);
    });
  });
});
