import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


/** d erf/dx = (2/√π) e^-x² */
const dErf = (x: number) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);

// reference values from CPython's math.erf
const XS = [0, 0.1, 0.5, 1, -1.5, 2, 2.5, 3, -4];
const ERF = [0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, -0.9661051464753108, 0.9953222650189527, 0.999593047982555, 0.9999779095030014, -0.9999999845827421];

describe('erf', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.erf(bad), T.ArgumentError, 'erf: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('matches reference values on both sides of the series / continued-fraction switch at 2.5 (gradient (2/√π) e^-x²)', () =>
      checkOp({ fn: T.erf, inputs: [XS], expected: ERF }));
    it('is within a few ulps of the reference values', () => {
      const x = T.dvector('x');
      close(run([x], T.erf(x), XS), ERF, 1e-15);
    });
    it('applies elementwise to a matrix and is odd', () => checkOp({ fn: T.erf, inputs: [[[0.5, -0.5], [-1, 1]]], expected: [[ERF[2], -ERF[2]], [-ERF[3], ERF[3]]] }));
    it('has derivative 2/√π at 0 and (2/√π) e^-x² elsewhere', () => {
      const x = T.dvector('x');
      const xs = [0, 1, -2, 3];
      close(run([x], T.grad(T.sum(T.erf(x)), x), xs), xs.map(dErf), 1e-12);
    });
  });

  describe('edge values', () => {
    it('is continuous across the switch at 2.5: the step over it matches the slope within 4 ulps', () => {
      const x = T.dvector('x');
      const h = 1e-12;
      const [below, at] = flat(run([x], T.erf(x), [2.5 - h, 2.5]));
      expect(Math.abs(at - below - dErf(2.5) * h)).toBeLessThanOrEqual(4 * Number.EPSILON);
    });
    it('reaches exactly ±1 by ±6 and at ±inf, keeps NaN and -0', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.erf(x), [6, -6, 1e300, Infinity, -Infinity, NaN, -0]));
      expect(r.slice(0, 6)).toEqual([1, -1, 1, 1, -1, NaN]);
      expect(Object.is(r[6], -0)).toBe(true);
    });
    it('is linear near 0: erf(x) = (2/√π) x for tiny x, subnormals included', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.erf(x), [1e-300]))).toEqual([(2 / Math.sqrt(Math.PI)) * 1e-300]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.erf(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const r = run([i], T.erf(i), [0, 1, -3]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, Math.fround(ERF[3]), Math.fround(-ERF[7])]);
    });
    it('keeps float32 and float64', () => {
      expect(T.erf(T.fvector()).dtype).toBe('float32');
      expect(T.erf(T.dvector()).dtype).toBe('float64');
    });
  });

  describe('method form', () => {
    it('x.erf() equals T.erf(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.erf(), [0, 1]), [0, ERF[3]]);
    });
  });

  describe('second order', () => {
    it('d²erf/dx² = -2x (2/√π) e^-x²', () => {
      const x = T.dvector('x');
      const xs = [0, 0.5, -1.5];
      close(run([x], T.grad(T.sum(T.grad(T.sum(T.erf(x)), x)), x), xs), xs.map((v) => -2 * v * dErf(v)), 1e-12);
    });
    it('its first derivative agrees with finite differences', () => checkOp({ fn: (x) => T.grad(T.sum(T.erf(x)), x), inputs: [[0, 1, -2]], expected: [0, 1, -2].map(dErf) }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Erf kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.erf(x));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Erf') ? 'native' : 'js');
    });
  });
});
