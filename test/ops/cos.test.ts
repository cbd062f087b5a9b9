import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const PI = Math.PI;

describe('cos', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.cos(bad), T.ArgumentError, 'cos: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 1, 1/2, 0, -1 and √2/2 at 0, π/3, π/2, π and -π/4 (gradient -sin x)', () =>
      checkOp({ fn: T.cos, inputs: [[0, PI / 3, PI / 2, PI, -PI / 4]], expected: [1, 0.5, 0, -1, Math.SQRT1_2] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.cos, inputs: [[[2 * PI / 3, -PI / 3], [2 * PI, 3 * PI]]], expected: [[-0.5, 0.5], [1, -1]] }));
    it('has derivative -sin x: 0 at 0, -1 at π/2, -1/2 at π/6', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.cos(x)), x), [0, PI / 2, PI / 6]), [0, -1, -0.5]);
    });
  });

  describe('edge values', () => {
    it('gives NaN at ±inf, keeps NaN, and is even at -0', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.cos(x), [Infinity, -Infinity, NaN, -0]))).toEqual([NaN, NaN, NaN, 1]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.cos(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.cos(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([1, Math.fround(Math.cos(1))]);
    });
    it('keeps float32 and float64', () => {
      expect(T.cos(T.fvector()).dtype).toBe('float32');
      expect(T.cos(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.cos() equals T.cos(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.cos(), [0, PI]), [1, -1]);
    });
  });

  describe('second order', () => {
    it('d²cos/dx² = -cos', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.cos(x)), x)), x), [0, PI / 3, PI]), [-1, -0.5, 1]);
    });
    it('its first derivative -sin x agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.cos(x)), x), inputs: [[PI / 6, -PI / 2]], expected: [-0.5, 1] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Cos kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.cos(x));
      close(f([0]) as T.NDArray, [1]);
      expect(f.info().backend).toBe(nativeHas('Cos') ? 'native' : 'js');
    });
  });
});
