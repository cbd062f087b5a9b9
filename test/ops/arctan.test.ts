import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const PI = Math.PI;

describe('arctan', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.arctan(bad), T.ArgumentError, 'arctan: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, ±π/4, π/3 and π/6 at 0, ±1, √3 and 1/√3 (gradient 1/(1 + x²))', () =>
      checkOp({ fn: T.arctan, inputs: [[0, 1, -1, Math.sqrt(3), 1 / Math.sqrt(3)]], expected: [0, PI / 4, -PI / 4, PI / 3, PI / 6] }));
    it('applies elementwise to a matrix', () => checkOp({ fn: T.arctan, inputs: [[[-Math.sqrt(3), 1], [0, -1 / Math.sqrt(3)]]], expected: [[-PI / 3, PI / 4], [0, -PI / 6]] }));
    it('has derivative 1 at 0, 1/2 at ±1 and 1/5 at 2', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.arctan(x)), x), [0, 1, -1, 2]), [1, 0.5, 0.5, 0.2]);
    });
  });

  describe('edge values', () => {
    it('goes to ±π/2 at ±inf with a zero gradient, and keeps NaN and -0', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.arctan(x), [Infinity, -Infinity, NaN, -0]));
      close(T.array(r.slice(0, 2), { dtype: 'float64' }), [PI / 2, -PI / 2]);
      expect(r[2]).toBeNaN();
      expect(Object.is(r[3], -0)).toBe(true);
      expect(flat(run([x], T.grad(T.sum(T.arctan(x)), x), [Infinity, -1e200]))).toEqual([0, 0]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.arctan(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.arctan(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(PI / 4)]);
    });
    it('keeps float32 and float64', () => {
      expect(T.arctan(T.fvector()).dtype).toBe('float32');
      expect(T.arctan(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.arctan() equals T.arctan(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.arctan(), [1, 0]), [PI / 4, 0]);
    });
  });

  describe('second order', () => {
    it('d²arctan/dx² = -2x / (1 + x²)²', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.arctan(x)), x)), x), [0, 1, -2]), [0, -0.5, 0.16]);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.arctan(x)), x), inputs: [[0, 1, -2]], expected: [1, 0.5, 0.2] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Arctan kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.arctan(x));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Arctan') ? 'native' : 'js');
    });
  });
});
