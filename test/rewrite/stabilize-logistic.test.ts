import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends } from '../helpers';

// The logistic function as tutorials write it: recognized as a sigmoid, its cross-entropy stabilized, and its
// gradient taken from the stable form. Each case is wrong (inf or NaN) with rewrites off and right with them on.
const Z = [-1e4, -800, -40, 0, 40, 800, 1e4];

describe('stabilizing the logistic function and its cross-entropy', () => {
  for (const backend of backends) {
    it(`1 / (1 + exp(-z)) becomes sigmoid(z), with a finite gradient (${backend})`, () => {
      const z = T.dvector('z');
      const p = T.div(1, T.add(1, T.exp(T.neg(z))));
      const g = T.grad(T.sum(p), z);
      const f = T.function([z], [p, g], { backend });
      expect(f.program.steps.map((s) => s.kernel)).not.toContain('Exp');
      const [pv, gv] = f(Z) as T.NDArray[];
      Z.forEach((v, i) => {
        const s = 1 / (1 + Math.exp(-v));
        expect(pv.data[i]).toBeCloseTo(s, 12);
        expect(gv.data[i]).toBeCloseTo(s * (1 - s), 12);
      });
      const gRaw = T.grad(T.sum(p), z, { stabilize: false });
      const raw = T.function([z], [p, gRaw], { backend, rewrites: 'none' })(Z) as T.NDArray[];
      expect(Array.from(raw[1].data).some(Number.isNaN)).toBe(true);
    });

    it(`the tutorial's -y log p - (1-y) log(1-p) and its gradient are finite and exact at |z| up to 1e4 (${backend})`, () => {
      const z = T.dvector('z');
      const y = T.dvector('y');
      const p = T.div(1, T.add(1, T.exp(T.neg(z))));
      const xent = T.neg(y).mul(T.log(p)).sub(T.sub(1, y).mul(T.log(T.sub(1, p))));
      const g = T.grad(T.sum(xent), z);
      const ys = Z.map((_, i) => i % 2);
      const [xv, gv] = T.function([z, y], [xent, g], { backend })(Z, ys) as T.NDArray[];
      // exact: softplus(z) - y z, and its derivative sigmoid(z) - y
      Z.forEach((v, i) => {
        const sp = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
        expect(xv.data[i]).toBeCloseTo(sp - ys[i] * v, 9);
        expect(gv.data[i]).toBeCloseTo(1 / (1 + Math.exp(-v)) - ys[i], 12);
      });
      const gRaw = T.grad(T.sum(xent), z, { stabilize: false });
      const raw = T.function([z, y], [xent, gRaw], { backend, rewrites: 'none' })(Z, ys) as T.NDArray[];
      expect(Array.from(raw[0].data).every(Number.isFinite) && Array.from(raw[1].data).every(Number.isFinite)).toBe(false);
    });

    it(`binaryCrossentropy(sigmoid(z), t) becomes the logits form (${backend})`, () => {
      const z = T.dvector('z');
      const t = T.dvector('t');
      const xent = T.nnet.binaryCrossentropy(T.sigmoid(z), t);
      const g = T.grad(T.sum(xent), z);
      const f = T.function([z, t], [xent, g], { backend });
      expect(f.program.steps.map((s) => s.kernel)).toContain('BinaryCrossentropyWithLogits');
      const ts = Z.map((_, i) => (i % 3) / 2);
      const [xv, gv] = f(Z, ts) as T.NDArray[];
      Z.forEach((v, i) => {
        expect(xv.data[i]).toBeCloseTo(Math.max(v, 0) - v * ts[i] + Math.log1p(Math.exp(-Math.abs(v))), 9);
        expect(gv.data[i]).toBeCloseTo(1 / (1 + Math.exp(-v)) - ts[i], 12);
      });
    });
  }

  it('rejects a non-boolean stabilize option', () => {
    const z = T.dvector('z');
    expect(() => T.grad(T.sum(z), z, { stabilize: 1 as never })).toThrow(/stabilize must be a boolean/);
  });

  it('T.grad keeps differentiating the graph as written when nothing needs stabilizing or wrt is not a leaf', () => {
    const x = T.dvector('x');
    const h = T.tanh(x);
    const cost = T.sum(T.sqr(h));
    // wrt an intermediate variable: the user's own node must stay in the gradient graph
    const gh = T.grad(cost, h);
    expect(Array.from((T.function([x], gh)([0.5]) as T.NDArray).data)[0]).toBeCloseTo(2 * Math.tanh(0.5), 12);
  });
});
