import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


const PI = Math.PI;
const R3 = Math.sqrt(3);

describe('arctan2', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      expectError(() => T.arctan2(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 3])), T.ShapeError, 'arctan2: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]', 'dim -2 differs');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.arctan2(T.fvector(), bad), T.ArgumentError, 'arctan2: b must be', got);
        expectError(() => T.arctan2(bad, T.fvector()), T.ArgumentError, 'arctan2: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('gives the angle of (b, a) in all four quadrants (gradients b/r², -a/r²)', () =>
      checkOp({ fn: T.arctan2, inputs: [[1, 1, -1, -1], [1, -1, 1, -1]], expected: [PI / 4, 3 * PI / 4, -PI / 4, -3 * PI / 4] }));
    it('applies elementwise to matrices', () => checkOp({ fn: T.arctan2, inputs: [[[R3, 1], [-2, 0.5]], [[1, R3], [0.5, 0]]], expected: [[PI / 3, PI / 6], [Math.atan(-4), PI / 2]] }));
    it('broadcasts a column [n, 1] against a row [1, m]', () => checkOp({ fn: T.arctan2, inputs: [[[1], [-1]], [[1, -1, R3]]], expected: [[PI / 4, 3 * PI / 4, PI / 6], [-PI / 4, -3 * PI / 4, -PI / 6]] }));
    it('sums the gradient of a broadcast scalar back: d/db Σ atan2(a, b) = Σ -a/(a² + b²)', () => {
      const a = T.dvector('a');
      const b = T.dscalar('b');
      close(run([a, b], T.grad(T.sum(T.arctan2(a, b)), b), [1, -1, 2], 1), -0.5 + 0.5 - 0.4);
    });
  });

  describe('edge values', () => {
    it('follows IEEE atan2 at zeros and infinities', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      const r = flat(run([a, b], T.arctan2(a, b), [0, 0, 1, Infinity, 1, -Infinity], [0, -1, 0, Infinity, -Infinity, 1]));
      close(T.array(r, { dtype: 'float64' }), [0, PI, PI / 2, PI / 4, PI, -PI / 2]);
    });
    it('propagates NaN from either side', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      expect(flat(run([a, b], T.arctan2(a, b), [NaN, 1], [1, NaN]))).toEqual([NaN, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.arctan2(e, [1, 2, 3]), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('computes int32 in floatX (float32 by default)', () => {
      const i = T.ivector('i');
      const j = T.ivector('j');
      const r = run([i, j], T.arctan2(i, j), [1, 0], [1, -1]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([Math.fround(PI / 4), Math.fround(PI)]);
    });
    it('upcasts mixed operands; a JS number takes the tensor dtype', () => {
      expect(T.arctan2(T.fvector(), T.dvector()).dtype).toBe('float64');
      expect(T.arctan2(T.fvector(), 1).dtype).toBe('float32');
      expect(T.arctan2(T.ivector(), T.fvector()).dtype).toBe('float32');
    });
  });

  describe('method form', () => {
    it('y.arctan2(x) equals T.arctan2(y, x)', () => {
      const y = T.dvector('y');
      close(run([y], y.arctan2(-1), [1, 0]), [3 * PI / 4, PI]);
    });
  });

  describe('second order', () => {
    it('its first derivative in a agrees with finite differences', () =>
      checkOp({ fn: (a, b) => T.grad(T.sum(T.arctan2(a, b)), a), inputs: [[1, 2], [1, -1]], expected: [0.5, -0.2] }));
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Arctan2 kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.arctan2(x, 1));
      close(f([0]) as T.NDArray, [0]);
      expect(f.info().backend).toBe(nativeHas('Arctan2') ? 'native' : 'js');
    });
  });
});
