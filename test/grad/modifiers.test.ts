import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, compileOnBackends, expectError } from '../helpers';
import { NOT_TENSORS } from '../ops/support';

const MODIFIERS: [string, (x: unknown) => T.Variable][] = [
  ['zeroGrad', (x) => T.zeroGrad(x)],
  ['disconnectedGrad', (x) => T.disconnectedGrad(x)],
  ['gradClip', (x) => T.gradClip(x, -1, 1)],
  ['gradScale', (x) => T.gradScale(x, 2)],
];

/** The gradient of sum(w * m(x)) + sum(x) w.r.t. x on every backend: w ⊙ (what m lets through) + 1. */
function gradThrough(m: (x: T.Variable) => T.Variable, xs: number[], ws: number[], opts: T.GradOptions = {}): T.NDArray[] {
  const x = T.dvector('x');
  const w = T.dvector('w');
  const g = T.grad(T.sum(w.mul(m(x))).add(T.sum(x)), x, opts);
  return compileOnBackends([x, w], g).map(([, f]) => f(xs, ws) as T.NDArray);
}

describe('gradient modifiers: bad input', () => {
  it('reject non-tensor x with an ArgumentError naming the op', () => {
    for (const [name, m] of MODIFIERS) for (const [bad, got] of NOT_TENSORS) expectError(() => m(bad), T.ArgumentError, `${name}: x must be`, got);
  });
  it('gradClip lists every bad bound', () => {
    const x = T.dvector('x');
    expectError(() => T.gradClip(x, NaN, 'a' as unknown as number), T.ArgumentError, 'gradClip: lo must be a number', 'got number NaN', 'hi must be a number', 'got "a"');
    expectError(() => T.gradClip(x, 2, 1), T.ArgumentError, 'gradClip: lo must be <= hi, got lo 2 > hi 1');
  });
  it('gradScale rejects a non-finite multiplier', () => {
    expectError(() => T.gradScale(T.dvector('x'), Infinity), T.ArgumentError, 'gradScale: multiplier must be a finite number, got number Infinity');
  });
});

describe('gradient modifiers: forward identity at no run-time cost', () => {
  for (const [name, m] of MODIFIERS) {
    it(`${name} returns x unchanged (dtype, static shape, values) on every backend`, () => {
      const x = T.tensor('float32', [2, null], 'x');
      const y = m(x);
      expect(y.dtype).toBe('float32');
      expect(y.staticShape).toEqual([2, null]);
      for (const [, f] of compileOnBackends([x], T.exp(y))) close(f([[0, 1, -1], [NaN, Infinity, 2]]) as T.NDArray, [[1, Math.E, 1 / Math.E], [NaN, Infinity, Math.exp(2)]], 1e-6);
    });
    it(`${name} leaves no step in the program, even with rewrites off`, () => {
      const x = T.dmatrix('x');
      for (const rewrites of ['all', 'none'] as const) {
        const f = T.function([x], T.sqr(m(m(x))), { rewrites });
        expect(f.program.steps.map((s) => s.kernel)).toEqual(['Sqr']);
        close(f([[1, -2]]) as T.NDArray, [[1, 4]]);
        // as an output of its own it is the input itself
        const id = T.function([x], m(x), { rewrites });
        expect(id.program.steps).toHaveLength(0);
        close(id([[1, -2]]) as T.NDArray, [[1, -2]]);
      }
    });
  }
  it('keeps integer and bool tensors as they are', () => {
    const i = T.ivector('i');
    for (const [, m] of MODIFIERS) {
      for (const [, f] of compileOnBackends([i], m(i))) expect(Array.from((f([3, -4]) as T.NDArray).data)).toEqual([3, -4]);
    }
  });
  it('does not stop elementwise fusion around it', () => {
    const x = T.dvector('x');
    const f = T.function([x], T.exp(T.zeroGrad(T.tanh(x))).mul(2));
    expect(f.program.steps.map((s) => s.kernel)).not.toContain('ZeroGrad');
    close(f([0.5]) as T.NDArray, [2 * Math.exp(Math.tanh(0.5))]);
  });
  it('works inside updates and givens', () => {
    const s = T.shared(T.array([1, 2], { dtype: 'float64' }), { name: 's' });
    const x = T.dvector('x');
    const f = T.function([x], T.zeroGrad(s), { updates: [[s, T.disconnectedGrad(s.add(x))]] });
    close(f([10, 10]) as T.NDArray, [1, 2]);
    close(s.getValue(), [11, 12]);
  });
});

describe('gradient modifiers: gradient effect', () => {
  const xs = [0.5, -2, 3];
  const ws = [4, -0.25, -3];
  it('zeroGrad: the path through it contributes zeros, and x stays connected', () => {
    for (const g of gradThrough((x) => T.zeroGrad(x), xs, ws)) close(g, [1, 1, 1]);
    const x = T.dvector('x');
    const only = T.grad(T.sum(T.zeroGrad(x).mul(3)), x);
    for (const [, f] of compileOnBackends([x], only)) close(f(xs) as T.NDArray, [0, 0, 0]);
  });
  it('zeroGrad: d/dx of zeroGrad(x)·x is x (the product rule keeps only one side)', () => {
    const x = T.dvector('x');
    for (const [, f] of compileOnBackends([x], T.grad(T.sum(T.zeroGrad(x).mul(x)), x))) close(f(xs) as T.NDArray, xs);
  });
  it('disconnectedGrad: the path through it is cut', () => {
    for (const g of gradThrough((x) => T.disconnectedGrad(x), xs, ws)) close(g, [1, 1, 1]);
  });
  it('disconnectedGrad: a wrt reached only through it is disconnected (raise by default, zeros or null when asked)', () => {
    const x = T.dvector('x');
    const c = T.sum(T.sqr(T.disconnectedGrad(x)));
    expectError(() => T.grad(c, x), T.GradError, 'grad: wrt (x) is not connected to the cost', 'disconnectedInputs: "ignore"');
    const z = T.grad(c, x, { disconnectedInputs: 'ignore' });
    for (const [, f] of compileOnBackends([x], z)) close(f(xs) as T.NDArray, [0, 0, 0]);
    expect(T.grad(c, x, { disconnectedInputs: 'ignore', returnDisconnected: 'null' })).toBeNull();
  });
  it('disconnectedGrad holds a target fixed: d/dx (x - stop(x²))² = 2(x - x²)', () => {
    const x = T.dvector('x');
    const c = T.sum(T.sqr(x.sub(T.disconnectedGrad(T.sqr(x)))));
    for (const [, f] of compileOnBackends([x], T.grad(c, x))) close(f(xs) as T.NDArray, xs.map((v) => 2 * (v - v * v)));
  });
  it('gradClip: the gradient through it is clipped elementwise into [lo, hi]', () => {
    for (const g of gradThrough((x) => T.gradClip(x, -1, 1), xs, ws)) close(g, [2, 0.75, 0]);
    for (const g of gradThrough((x) => T.gradClip(x, 0, Infinity), xs, ws)) close(g, [5, 1, 1]);
    for (const g of gradThrough((x) => T.gradClip(x, -Infinity, 0), xs, ws)) close(g, [1, 0.75, -2]);
  });
  it('gradClip: forward values do not matter, only the gradient is clipped', () => {
    const x = T.dvector('x');
    const y = T.gradClip(T.mul(x, 100), -0.5, 0.5);
    for (const [, f] of compileOnBackends([x], T.grad(T.sum(y), x))) close(f(xs) as T.NDArray, [50, 50, 50]);
  });
  it('gradScale: the gradient through it is multiplied (gradient reversal with -1)', () => {
    for (const g of gradThrough((x) => T.gradScale(x, -1), xs, ws)) close(g, ws.map((w) => 1 - w));
  });
  it('a modifier keeps acting in the graph of a gradient when it is differentiated again', () => {
    const x = T.dvector('x');
    // with s = gradScale(x, 3): g1 = d/dx sum(s·x·x) = 3x² + 2·s·x, and d/dx sum(g1) = 6x + 2(3x + x) = 14x
    const g1 = T.grad(T.sum(T.gradScale(x, 3).mul(x).mul(x)), x);
    const g2 = T.grad(T.sum(g1), x);
    for (const [, f] of compileOnBackends([x], g1)) close(f(xs) as T.NDArray, xs.map((v) => 5 * v * v));
    for (const [, f] of compileOnBackends([x], g2)) close(f(xs) as T.NDArray, xs.map((v) => 14 * v));
  });
  it('random inputs: gradClip agrees with a clamped reference on every backend (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 0, maxLength: 12 }),
        fc.double({ min: -3, max: 0, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (vals, lo, hi) => {
          const x = T.dvector('x');
          const w = T.dvector('w');
          const g = T.grad(T.sum(w.mul(T.gradClip(x, lo, hi))), x);
          for (const [, f] of compileOnBackends([x, w], g)) {
            close(f(vals, vals) as T.NDArray, vals.map((v) => Math.min(Math.max(v, lo), hi)), 1e-12);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
