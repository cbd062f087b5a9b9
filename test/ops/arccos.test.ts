import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const PI = Math.PI;

describe('arccos', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.arccos(bad), T.ArgumentError, 'arccos: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives π/2, π/3, 2π/3 and π/4 at 0, 1/2, -1/2 and √2/2 (gradient -1/√(1 - x²))', () =>
      checkOp({ fn: T.arccos, inputs: [[0, 0.5, -0.5, Math.SQRT1_2]], expected: [PI / 2, PI / 3, 2 * PI / 3, PI / 4] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.arccos, inputs: [[[-Math.SQRT1_2, Math.sqrt(3) / 2], [0, -Math.sqrt(3) / 2]]], expected: [[3 * PI / 4, PI / 6], [PI / 2, 5 * PI / 6]] }));
    it('has derivative -1 at 0 and -5/4 at ±3/5', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.arccos(x)), x), [0, 0.6, -0.6]), [-1, -1.25, -1.25]);
    });
  });

  describe('edge values', () => {
    it('gives 0 at 1 and π at -1 with a -inf gradient there', () => {
      const x = T.dvector('x');
      close(run([x], T.arccos(x), [1, -1]), [0, PI]);
      expect(flat(run([x], T.grad(T.sum(T.arccos(x)), x), [1, -1]))).toEqual([-Infinity, -Infinity]);
    });
    it('is NaN outside [-1, 1] (arccos(2) = NaN) and keeps NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.arccos(x), [2, -1.5, -Infinity, NaN]))).toEqual([NaN, NaN, NaN, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.arccos(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.arccos(i), [1, -1, 2]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(PI), NaN]);
    });
    it('keeps float32 and float64', () => {
      expect(T.arccos(T.fvector()).dtype).toBe('float32');
      expect(T.arccos(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.arccos() equals T.arccos(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.arccos(), [0.5, 1]), [PI / 3, 0]);
    });
  });

  describe('second order', () => {
    it('d²arccos/dx² = -x / (1 - x²)^(3/2)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.arccos(x)), x)), x), [0, 0.6]), [0, -0.6 / 0.512]);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.arccos(x)), x), inputs: [[0, -0.6]], expected: [-1, -1.25] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Arccos kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.arccos(x));
      close(f([1]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Arccos') ? 'native' : 'js');
    });
  });
});
