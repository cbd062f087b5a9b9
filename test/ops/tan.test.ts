import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const PI = Math.PI;

describe('tan', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.tan(bad), T.ArgumentError, 'tan: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('gives 0, 1, -1, √3 and 1/√3 at 0, π/4, -π/4, π/3 and π/6 (gradient 1 + tan²)', () =>
      checkOp({ fn: T.tan, inputs: [[0, PI / 4, -PI / 4, PI / 3, PI / 6]], expected: [0, 1, -1, Math.sqrt(3), 1 / Math.sqrt(3)] }));
    it('applies elementwise to a matrix, with period π', () => checkOp({ fn: T.tan, inputs: [[[PI + PI / 4, 3 * PI / 4], [-PI / 3, PI]]], expected: [[1, -1], [-Math.sqrt(3), 0]] }));
    it('has derivative 1 + tan²: 1 at 0, 2 at π/4, 4 at π/3', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.tan(x)), x), [0, PI / 4, PI / 3]), [1, 2, 4]);
    });
  });

  describe('edge values', () => {
    it('is large but finite next to π/2 (which has no exact double), NaN at ±inf, keeps NaN', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.tan(x), [PI / 2, Infinity, -Infinity, NaN]));
      expect(r[0]).toBeGreaterThan(1e16);
      expect(r.slice(1)).toEqual([NaN, NaN, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.tan(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.tan(i), [0, 1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(Math.tan(1))]);
    });
    it('keeps float32 and float64', () => {
      expect(T.tan(T.fvector()).dtype).toBe('float32');
      expect(T.tan(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.tan() equals T.tan(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.tan(), [0, PI / 4]), [0, 1]);
    });
  });

  describe('second order', () => {
    it('d²tan/dx² = 2 tan (1 + tan²)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.tan(x)), x)), x), [0, PI / 4, -PI / 3]), [0, 4, -8 * Math.sqrt(3)]);
    });
    it('its first derivative 1 + tan² agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.tan(x)), x), inputs: [[0, PI / 4]], expected: [1, 2] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Tan kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.tan(x));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Tan') ? 'native' : 'js');
    });
  });
});
