import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const PI = Math.PI;

describe('sin', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.sin(bad), T.ArgumentError, 'sin: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, 1/2, 1, -1 and √2/2 at 0, π/6, π/2, -π/2 and π/4 (gradient cos x)', () =>
      checkOp({ fn: T.sin, inputs: [[0, PI / 6, PI / 2, -PI / 2, PI / 4]], expected: [0, 0.5, 1, -1, Math.SQRT1_2] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.sin, inputs: [[[PI, 5 * PI / 6], [-PI / 6, 3 * PI / 2]]], expected: [[0, 0.5], [-0.5, -1]] }));
    it('has derivative cos x: 1 at 0, 1/2 at π/3, -1 at π', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.sin(x)), x), [0, PI / 3, PI]), [1, 0.5, -1]);
    });
  });

  describe('edge values', () => {
    it('gives NaN at ±inf, keeps NaN and -0', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.sin(x), [Infinity, -Infinity, NaN, -0]));
      expect(r.slice(0, 3)).toEqual([NaN, NaN, NaN]);
      expect(Object.is(r[3], -0)).toBe(true);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.sin(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.sin(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(Math.sin(1))]);
    });
    it('keeps float32 and float64', () => {
      expect(T.sin(T.fvector()).dtype).toBe('float32');
      expect(T.sin(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.sin() equals T.sin(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.sin(), [PI / 6, PI / 2]), [0.5, 1]);
    });
  });

  describe('second order', () => {
    it('d²sin/dx² = -sin', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.sin(x)), x)), x), [PI / 6, PI / 2, 0]), [-0.5, -1, 0]);
    });
    it('its first derivative cos x agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.sin(x)), x), inputs: [[0, PI / 3]], expected: [1, 0.5] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Sin kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.sin(x));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Sin') ? 'native' : 'js');
    });
  });
});
