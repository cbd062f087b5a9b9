import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { categoricalCrossentropy } from '../../lib/ops/categorical-crossentropy';
import { close } from '../helpers';
import { compileEach, kernels } from './support';

interface Case {
  rewrite: string;
  build: (x: T.Variable) => T.Variable;
  x: T.NestedArray;
  /** The exact values (to float64 rounding), by hand from the math. */
  expected: T.NestedArray;
  /** A kernel the rewritten program must run. */
  kernel: string;
}

// Each stabilization at inputs where the plain graph is wrong: -inf / inf from overflow or log(0) (logits of ±1e4),
// or a total loss of precision (1 + 1e-20 rounds to 1). Compiled with rewrites 'none', the same expression must fail
// there; with the rewrites on it must be finite and right.
const cases: Case[] = [
  { rewrite: 'log(sigmoid(x)) -> -softplus(-x)', build: (x) => T.log(T.sigmoid(x)), x: [-1e4, 0, 1e4], expected: [-1e4, -Math.LN2, 0], kernel: 'Softplus' },
  { rewrite: 'log(1 - sigmoid(x)) -> -softplus(x)', build: (x) => T.log(T.sub(1, T.sigmoid(x))), x: [1e4, 0, -1e4], expected: [-1e4, -Math.LN2, 0], kernel: 'Softplus' },
  { rewrite: 'log(softmax(x)) -> logSoftmax(x)', build: (x) => T.log(T.nnet.softmax(x)), x: [[1e4, 0, -1e4], [0, 0, 0]], expected: [[0, -1e4, -2e4], [-Math.log(3), -Math.log(3), -Math.log(3)]], kernel: 'LogSoftmax' },
  { rewrite: 'log(1 + x) -> log1p(x)', build: (x) => T.log(T.add(1, x)), x: [1e-20, -1e-18, 1e4], expected: [1e-20, -1e-18, Math.log(10001)], kernel: 'Log1p' },
  { rewrite: 'log(1 + x) -> log1p(x)', build: (x) => T.log(T.add(x, 1)), x: [1e-20, 3], expected: [1e-20, Math.log(4)], kernel: 'Log1p' },
  { rewrite: 'exp(x) - 1 -> expm1(x)', build: (x) => T.sub(T.exp(x), 1), x: [1e-20, -1e-18, 5], expected: [1e-20, -1e-18, Math.expm1(5)], kernel: 'Expm1' },
  { rewrite: 'log(sum(exp(x))) -> logsumexp(x)', build: (x) => T.log(T.sum(T.exp(x), 1)), x: [[1e4, 1e4], [-1e4, -1e4]], expected: [1e4 + Math.LN2, -1e4 + Math.LN2], kernel: 'Logsumexp' },
  { rewrite: 'log(sum(exp(x))) -> logsumexp(x)', build: (x) => T.log(T.sum(T.exp(x), 0, { keepdims: true })), x: [[1e4, -1e4], [1e4, -1e4]], expected: [[1e4 + Math.LN2, -1e4 + Math.LN2]], kernel: 'Logsumexp' },
  { rewrite: 'log(sum(exp(x))) -> logsumexp(x)', build: (x) => T.log(T.sum(T.exp(x))), x: [[1e4, 1e4], [1e4, 1e4]], expected: 1e4 + Math.log(4), kernel: 'Logsumexp' },
];

const wrong = (got: T.NDArray, expected: T.NestedArray) => {
  const e = T.array(expected, { dtype: 'float64' }).data;
  return Array.from(got.data).some((v, i) => !Number.isFinite(v) || Math.abs(v - e[i]) > 1e-6 * Math.max(1e-300, Math.abs(e[i])));
};

describe('stabilize', () => {
  for (const c of cases) {
    it(`${c.rewrite}: finite and right at ${JSON.stringify(c.x)}, wrong without rewrites`, () => {
      const x = T.tensor('float64', Array.from({ length: T.array(c.x).ndim }, () => null), 'x');
      const y = c.build(x);
      for (const [backend, f] of compileEach([x], y, 'none')) expect(wrong(f(c.x) as T.NDArray, c.expected), `${backend} without rewrites`).toBe(true);
      for (const [backend, f] of compileEach([x], y, 'all')) {
        const got = f(c.x) as T.NDArray;
        expect(Array.from(got.data).every(Number.isFinite), `${backend} finite`).toBe(true);
        close(got, c.expected, 1e-12);
        expect(f.rewriteLog().find((e) => e.name === c.rewrite)!.count).toBe(1);
      }
      expect(kernels(T.function([x], y, { rewrites: { exclude: ['fusion'] }, backend: 'js' }))).toContain(c.kernel);
    });
  }

  it('stays correct in float32 at the extremes', () => {
    const x = T.fvector('x');
    const f = T.function([x], [T.log(T.sigmoid(x)), T.log(T.sub(1, T.sigmoid(x)))]);
    const [a, b] = f([-1e4, 1e4]) as T.NDArray[];
    close(a, [-1e4, 0], 1e-6);
    close(b, [0, -1e4], 1e-6);
  });

  it('rewrites log(sum(exp)) once and leaves logsumexp alone: the phase reaches a fixed point', () => {
    const x = T.dmatrix('x');
    const f = T.function([x], T.log(T.sum(T.exp(x), 1)));
    expect(f.rewriteLog().find((e) => e.name === 'log(sum(exp(x))) -> logsumexp(x)')!.count).toBe(1);
    const g = T.function([x], T.logsumexp(x, 1));
    expect(g.rewriteLog().find((e) => e.name === 'log(sum(exp(x))) -> logsumexp(x)')!.count).toBe(0);
  });

  it('leaves a 1 that broadcasts x to a larger shape alone', () => {
    const x = T.dvector('x');
    const one = T.constant([[1], [1]], 'float64');
    const f = T.function([x], T.log(T.add(one, x)));
    expect(kernels(f)).not.toContain('Log1p');
    expect((f([1e-20, 1]) as T.NDArray).shape).toEqual([2, 2]);
  });

  it('keeps the gradient of a stabilized expression equal to the unrewritten one at ordinary inputs', () => {
    const x = T.dvector('x');
    const cost = T.sum(T.log(T.sigmoid(x)).add(T.log(T.sub(1, T.sigmoid(x)))));
    const g = T.grad(cost, x);
    const vals = [-3, 0.5, 2];
    close(T.function([x], g)(vals) as T.NDArray, (T.function([x], g, { rewrites: 'none' })(vals) as T.NDArray).toArray() as T.NestedArray, 1e-12);
    T.verifyGrad((v) => T.log(T.sigmoid(v)), [T.array(vals)]);
  });

  it('can be excluded as a phase', () => {
    const x = T.dvector('x');
    const f = T.function([x], T.log(T.sigmoid(x)), { rewrites: { exclude: ['stabilize'] } });
    expect(kernels(f)).not.toContain('Softplus');
  });

  it('categoricalCrossentropy(softmax(x), t) -> the fused op: finite loss and gradient at ±1e4, NaN / inf without rewrites', () => {
    const x = T.dmatrix('x');
    const t = T.ivector('t');
    const loss = categoricalCrossentropy(T.nnet.softmax(x), t);
    // the gradient as written (T.grad would otherwise differentiate the stabilized cost): the compile-time
    // rewrites are what this test is about
    const g = T.grad(T.sum(loss), x, { stabilize: false });
    const X = [[1e4, -1e4], [-1e4, 1e4]];
    const labels = T.array([1, 1], { dtype: 'int32' });
    for (const [backend, f] of compileEach([x, t], [loss, g], 'none')) {
      const [l, gx] = f(X, labels) as T.NDArray[];
      expect(Array.from(l.data).some((v) => !Number.isFinite(v)) && Array.from(gx.data).some((v) => !Number.isFinite(v)), backend).toBe(true);
    }
    for (const [, f] of compileEach([x, t], [loss, g], 'all')) {
      const [l, gx] = f(X, labels) as T.NDArray[];
      close(l, [2e4, 0], 1e-12);
      close(gx, [[1, -1], [0, 0]], 1e-12);
      expect(kernels(f)).toEqual(expect.arrayContaining(['SoftmaxCrossentropy', 'SoftmaxCrossentropyGrad']));
      expect(kernels(f)).not.toContain('CategoricalCrossentropyGrad');
      expect(kernels(f)).not.toContain('Softmax');
    }
  });

  it('fuses crossentropy of softmax against target rows too, with the same numbers at ordinary inputs', () => {
    const x = T.dmatrix('x');
    const t = T.dmatrix('t');
    const cost = T.mean(categoricalCrossentropy(T.nnet.softmax(x), t));
    const [gx, gt] = T.grad(cost, [x, t]);
    const X = [[0.5, -1, 2], [3, 0, 1]];
    const Tt = [[0.2, 0.3, 0.5], [0, 1, 0]];
    const want = T.function([x, t], [cost, gx, gt], { rewrites: 'none' })(X, Tt) as T.NDArray[];
    for (const [, f] of compileEach([x, t], [cost, gx, gt], 'all')) {
      (f(X, Tt) as T.NDArray[]).forEach((o, i) => close(o, want[i].toArray() as T.NestedArray, 1e-12));
      expect(kernels(f)).toEqual(expect.arrayContaining(['SoftmaxCrossentropy', 'SoftmaxCrossentropyGrad']));
    }
  });

  it('keeps the gradients of log(sigmoid(x)) and log(1 - sigmoid(x)) finite at ±1e4 (NaN without rewrites)', () => {
    const x = T.dvector('x');
    // gradients as written, so the compile-time rewrites are tested (T.grad's own stabilization is tested in
    // stabilize-logistic.test.ts)
    const gs = T.grad(T.sum(T.log(T.sigmoid(x))), x, { stabilize: false });
    const gt = T.grad(T.sum(T.log(T.sub(1, T.sigmoid(x)))), x, { stabilize: false });
    const X = [-1e4, 0, 1e4];
    for (const [backend, f] of compileEach([x], [gs, gt], 'none')) {
      expect((f(X) as T.NDArray[]).some((o) => Array.from(o.data).some(Number.isNaN)), backend).toBe(true);
    }
    for (const [, f] of compileEach([x], [gs, gt], 'all')) {
      const [a, b] = f(X) as T.NDArray[];
      close(a, [1, 0.5, 0], 1e-12); // d log s = 1 - s
      close(b, [0, -0.5, -1], 1e-12); // d log(1 - s) = -s
      expect(f.rewriteLog().find((e) => e.name.startsWith('(a / s) * (s * b)'))!.count).toBe(2);
    }
  });
});
