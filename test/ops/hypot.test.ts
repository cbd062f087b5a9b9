import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, compileOnBackends, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('hypot', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      expectError(() => T.hypot(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 3])), T.ShapeError, 'hypot: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.hypot(T.fvector(), bad), T.ArgumentError, 'hypot: b must be', got);
        expectError(() => T.hypot(bad, T.fvector()), T.ArgumentError, 'hypot: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('is the length of (a, b) (gradients a/h, b/h)', () =>
      checkOp({ fn: T.hypot, inputs: [[3, -5, 0.5, -8], [4, 12, -1.2, 15]], expected: [5, 13, 1.3, 17] }));
    it('broadcasts a column [n, 1] against a row [1, m] and sums gradients back', () => {
      checkOp({ fn: T.hypot, inputs: [[[3], [6]], [[4, -8]]], expected: [[5, Math.hypot(3, 8)], [Math.hypot(6, 4), 10]] });
      const a = T.dvector('a');
      const b = T.dscalar('b');
      close(run([a, b], T.grad(T.sum(T.hypot(a, b)), b), [3, -6], 4), 4 / 5 + 4 / Math.hypot(6, 4));
    });
    it('computes integer and bool operands in floatX', () => {
      const a = T.ivector('a');
      const out = T.hypot(a, 4);
      expect(out.dtype).toBe(T.config.floatX);
      close(run([a], out, T.array([3, 0], { dtype: 'int32' })), [5, 4]);
    });
  });

  describe('edge values', () => {
    it('neither overflows nor underflows where a² + b² would', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      close(run([a, b], T.hypot(a, b), [3e200, 3e-200, 1e308], [4e200, 4e-200, 1e308]), [5e200, 5e-200, Math.SQRT2 * 1e308], 1e-15);
    });
    it('gives +inf for an infinite operand even against NaN, NaN otherwise, +0 for two zeros (NumPy)', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      for (const [, f] of compileOnBackends([a, b], T.hypot(a, b))) {
        const r = flat(f([Infinity, NaN, -Infinity, NaN, 1, -0, 0], [NaN, -Infinity, 2, 1, NaN, -0, -5]) as T.NDArray);
        expect(r).toEqual([Infinity, Infinity, Infinity, NaN, NaN, 0, 5]);
        expect(Object.is(r[5], 0)).toBe(true);
      }
    });
    it("gives Math.hypot's bits (one rounding to float32) on both backends, float32 and float64, fused or not", () => {
      const rng = new T.RandomState(3);
      for (const dt of ['float32', 'float64'] as const) {
        const xa = rng.uniform(-1e3, 1e3, [2000], dt);
        const xb = rng.uniform(-1e3, 1e3, [2000], dt);
        const a = T.tensor(dt, [null]);
        const b = T.tensor(dt, [null]);
        for (const out of [T.hypot(a, b), T.mul(T.hypot(T.add(a, 1), b), 2)]) {
          const results = compileOnBackends([a, b], out).map(([, f]) => flat(f(xa, xb) as T.NDArray));
          for (const r of results.slice(1)) expect(r).toEqual(results[0]);
        }
        const round = dt === 'float32' ? Math.fround : (v: number) => v;
        const h = flat(compileOnBackends([a, b], T.hypot(a, b))[0][1](xa, xb) as T.NDArray);
        expect(h).toEqual(h.map((_, i) => round(Math.hypot(xa.data[i], xb.data[i]))));
      }
    });
    it('runs in one native Fused kernel inside an elementwise chain', () => {
      const a = T.fvector('a');
      const f = T.function([a], T.exp(T.hypot(T.neg(a), 3)));
      expect(f.program.steps.map((s) => s.kernel)).toEqual(['Fused']);
      close(f([4, 0]) as T.NDArray, [Math.exp(5), Math.exp(3)], 1e-6);
    });
    it('maps empty tensors to empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.hypot(e, [1, 2, 3]), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });
});
