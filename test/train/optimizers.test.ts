import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, expectError } from '../helpers';

// cost(p) = sum(0.5 * a * p^2 + b * p), so g = a * p + b; every optimizer is checked against a host-side float64
// loop of its textbook update over several steps.
const A = [1, 3, 0.5];
const B = [-1, 2, 0.25];
const P0 = [0.3, -0.2, 1.5];
const gradOf = (p: number[]) => p.map((x, i) => A[i] * x + B[i]);

type Ref = (p: number[], g: number[], t: number, s: Record<string, number[]>) => void;
const zeros = () => [0, 0, 0];

const refs: Record<string, [(c: T.Variable, ps: T.SharedVariable[]) => T.train.Updates, Ref]> = {
  sgd: [(c, ps) => T.train.sgd(c, ps, { learningRate: 0.1 }), (p, g) => p.forEach((_, i) => (p[i] -= 0.1 * g[i]))],
  momentum: [
    (c, ps) => T.train.momentum(c, ps, { learningRate: 0.1, momentum: 0.8 }),
    (p, g, _t, s) => {
      s.v ??= zeros();
      p.forEach((_, i) => {
        s.v[i] = 0.8 * s.v[i] - 0.1 * g[i];
        p[i] += s.v[i];
      });
    },
  ],
  nesterov: [
    (c, ps) => T.train.nesterov(c, ps, { learningRate: 0.1, momentum: 0.8 }),
    (p, g, _t, s) => {
      s.v ??= zeros();
      p.forEach((_, i) => {
        s.v[i] = 0.8 * s.v[i] - 0.1 * g[i];
        p[i] += 0.8 * s.v[i] - 0.1 * g[i];
      });
    },
  ],
  adam: [
    (c, ps) => T.train.adam(c, ps, { learningRate: 0.05 }),
    (p, g, t, s) => {
      s.m ??= zeros();
      s.v ??= zeros();
      p.forEach((_, i) => {
        s.m[i] = 0.9 * s.m[i] + 0.1 * g[i];
        s.v[i] = 0.999 * s.v[i] + 0.001 * g[i] ** 2;
        const mh = s.m[i] / (1 - 0.9 ** t);
        const vh = s.v[i] / (1 - 0.999 ** t);
        // the symbolic form folds the bias corrections into the step size: same value up to where eps enters
        p[i] -= (0.05 * mh) / (Math.sqrt(vh) + 1e-8 * Math.sqrt(1 / (1 - 0.999 ** t)));
      });
    },
  ],
  adamW: [
    (c, ps) => T.train.adamW(c, ps, { learningRate: 0.05, weightDecay: 0.1 }),
    (p, g, t, s) => {
      s.m ??= zeros();
      s.v ??= zeros();
      p.forEach((_, i) => {
        s.m[i] = 0.9 * s.m[i] + 0.1 * g[i];
        s.v[i] = 0.999 * s.v[i] + 0.001 * g[i] ** 2;
        const lrT = (0.05 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
        p[i] = p[i] - 0.05 * 0.1 * p[i] - (lrT * s.m[i]) / (Math.sqrt(s.v[i]) + 1e-8);
      });
    },
  ],
  rmsprop: [
    (c, ps) => T.train.rmsprop(c, ps, { learningRate: 0.01, rho: 0.9 }),
    (p, g, _t, s) => {
      s.a ??= zeros();
      p.forEach((_, i) => {
        s.a[i] = 0.9 * s.a[i] + 0.1 * g[i] ** 2;
        p[i] -= (0.01 * g[i]) / (Math.sqrt(s.a[i]) + 1e-8);
      });
    },
  ],
  adagrad: [
    (c, ps) => T.train.adagrad(c, ps, { learningRate: 0.5 }),
    (p, g, _t, s) => {
      s.a ??= zeros();
      p.forEach((_, i) => {
        s.a[i] += g[i] ** 2;
        p[i] -= (0.5 * g[i]) / (Math.sqrt(s.a[i]) + 1e-8);
      });
    },
  ],
};

function problem() {
  const p = T.shared(T.array(P0, { dtype: 'float64' }), 'p');
  const cost = T.sum(T.add(T.mul(T.mul(0.5, T.constant(T.array(A, { dtype: 'float64' }))), T.sqr(p)), T.mul(T.constant(T.array(B, { dtype: 'float64' })), p)));
  return { p, cost };
}

describe('optimizers', () => {
  it('reject bad arguments, listing every problem', () => {
    const { p, cost } = problem();
    expectError(() => T.train.sgd(cost, [] as never), T.ArgumentError, 'sgd', 'params must be a non-empty array');
    expectError(() => T.train.adam(cost, [p], { learningRate: -1, beta1: 1 }), T.ArgumentError, 'learningRate must be', 'beta1 must be in [0, 1)');
    expectError(() => T.train.momentum(T.mul(p, 2), [p]), T.ArgumentError, 'cost must be a scalar');
    expectError(() => T.train.rmsprop([p], [p, p]), T.ArgumentError, 'grads must have one entry per param');
    expectError(() => T.train.adagrad(cost, [p], { clipNorm: 0 }), T.ArgumentError, 'clipNorm must be a positive number');
    expectError(() => T.train.sgd(cost, [T.shared(T.array([1], { dtype: 'int32' }), 'k')]), T.ArgumentError, 'must have a float dtype');
    expectError(() => T.train.sgd(cost, [p], null as never), T.ArgumentError, 'options must be an object');
  });

  for (const [name, [build, ref]] of Object.entries(refs)) {
    for (const backend of backends) {
      it(`${name} matches its textbook update over 6 steps (${backend})`, () => {
        const { p, cost } = problem();
        const updates = build(cost, [p]);
        const step = T.function([], cost, { updates, backend });
        const host = P0.slice();
        const s: Record<string, number[]> = {};
        for (let t = 1; t <= 6; t++) {
          step();
          ref(host, gradOf(host), t, s);
        }
        const got = Array.from(p.getValue().data);
        got.forEach((x, i) => expect(Math.abs(x - host[i])).toBeLessThan(1e-12 * Math.max(1, Math.abs(host[i]))));
      });
    }
  }

  it('state lives in named shared variables, so a checkpoint resumes exactly', () => {
    const run = (steps: number, resumeFrom?: string) => {
      const { p, cost } = problem();
      const updates = T.train.adam(cost, [p], { learningRate: 0.05 });
      expect(updates.state.map((s) => s.name)).toEqual(['adam/t', 'adam/p.m', 'adam/p.v']);
      if (resumeFrom) T.io.loadCheckpoint(resumeFrom, [p, ...updates.state]);
      const f = T.function([], cost, { updates });
      for (let k = 0; k < steps; k++) f();
      return { p, updates };
    };
    const file = `${require('node:os').tmpdir()}/nodeano-adam-${process.pid}.safetensors`;
    const a = run(3);
    T.io.saveCheckpoint(file, [a.p, ...a.updates.state]);
    const resumed = run(3, file);
    const straight = run(6);
    expect(Array.from(resumed.p.getValue().data)).toEqual(Array.from(straight.p.getValue().data));
  });

  it('clipNorm rescales the gradients to the given global norm, and leaves small ones alone', () => {
    const { p, cost } = problem();
    const g0 = gradOf(P0);
    const norm = Math.hypot(...g0);
    T.function([], cost, { updates: T.train.sgd(cost, [p], { learningRate: 1, clipNorm: 0.5 }) })();
    Array.from(p.getValue().data).forEach((x, i) => expect(x).toBeCloseTo(P0[i] - (g0[i] * 0.5) / norm, 12));
    const q = problem();
    T.function([], q.cost, { updates: T.train.sgd(q.cost, [q.p], { learningRate: 1, clipNorm: 100 }) })();
    Array.from(q.p.getValue().data).forEach((x, i) => expect(x).toBeCloseTo(P0[i] - g0[i], 12));
  });

  it('a learning rate may be a shared variable (host schedule) or a function of the step count', () => {
    const { p, cost } = problem();
    const lr = T.shared(0.1, { name: 'lr', dtype: 'float64' });
    const f = T.function([], cost, { updates: T.train.sgd(cost, [p], { learningRate: lr }) });
    const sched = T.train.schedules.exponential(0.1, 0.5);
    const host = P0.slice();
    for (let e = 0; e < 3; e++) {
      lr.setValue(sched(e));
      f();
      const g = gradOf(host);
      host.forEach((_, i) => (host[i] -= sched(e) * g[i]));
    }
    Array.from(p.getValue().data).forEach((x, i) => expect(x).toBeCloseTo(host[i], 12));
    const q = problem();
    const g2 = T.function([], q.cost, { updates: T.train.sgd(q.cost, [q.p], { learningRate: (t) => T.div(0.2, t) }) });
    const h2 = P0.slice();
    for (let t = 1; t <= 3; t++) {
      g2();
      const g = gradOf(h2);
      h2.forEach((_, i) => (h2[i] -= (0.2 / t) * g[i]));
    }
    Array.from(q.p.getValue().data).forEach((x, i) => expect(x).toBeCloseTo(h2[i], 12));
  });
});
