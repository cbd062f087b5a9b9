import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const PI = Math.PI;

describe('arcsin', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.arcsin(bad), T.ArgumentError, 'arcsin: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, ±π/6, π/4 and π/3 at 0, ±1/2, √2/2 and √3/2 (gradient 1/√(1 - x²))', () =>
      checkOp({ fn: T.arcsin, inputs: [[0, 0.5, -0.5, Math.SQRT1_2, Math.sqrt(3) / 2]], expected: [0, PI / 6, -PI / 6, PI / 4, PI / 3] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.arcsin, inputs: [[[-Math.SQRT1_2, 0.5], [0, -Math.sqrt(3) / 2]]], expected: [[-PI / 4, PI / 6], [0, -PI / 3]] }));
    it('has derivative 1 at 0 and 2/√3 at ±1/2', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.arcsin(x)), x), [0, 0.5, -0.5]), [1, 2 / Math.sqrt(3), 2 / Math.sqrt(3)]);
    });
  });

  describe('edge values', () => {
    it('gives ±π/2 at ±1 with an infinite gradient there', () => {
      const x = T.dvector('x');
      close(run([x], T.arcsin(x), [1, -1]), [PI / 2, -PI / 2]);
      expect(flat(run([x], T.grad(T.sum(T.arcsin(x)), x), [1, -1]))).toEqual([Infinity, Infinity]);
    });
    it('is NaN outside [-1, 1] (arcsin(2) = NaN) and keeps NaN and -0', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.arcsin(x), [2, -1.5, Infinity, NaN, -0]));
      expect(r.slice(0, 4)).toEqual([NaN, NaN, NaN, NaN]);
      expect(Object.is(r[4], -0)).toBe(true);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.arcsin(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.arcsin(i), [0, 1, 2]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(PI / 2), NaN]);
    });
    it('keeps float32 and float64', () => {
      expect(T.arcsin(T.fvector()).dtype).toBe('float32');
      expect(T.arcsin(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.arcsin() equals T.arcsin(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.arcsin(), [0.5, 1]), [PI / 6, PI / 2]);
    });
  });

  describe('second order', () => {
    it('d²arcsin/dx² = x / (1 - x²)^(3/2)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.arcsin(x)), x)), x), [0, 0.5, -0.6]), [0, 0.5 / 0.75 ** 1.5, -0.6 / 0.512]);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.arcsin(x)), x), inputs: [[0, 0.6]], expected: [1, 1.25] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Arcsin kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.arcsin(x));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Arcsin') ? 'native' : 'js');
    });
  });
});
