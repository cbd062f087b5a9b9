import { describe, expect, it } from 'vitest';
import * as T from '../../lib';

// Compile work must grow linearly with the graph. Instead of timing anything, these tests count it: each rewriteLog
// entry reports the graph nodes its rewrite visited (examined, walked through or rebuilt), and Variable ids count the
// variables compilation created. A graph twice as large may cost about twice as much; quadratic work costs 4x.

type Graph = { inputs: T.Variable[]; outputs: T.Variable[]; updates?: [T.SharedVariable, T.Variable][] };

const nextId = () => T.constant(0).id;

/** Visits per rewrite and per phase, passes per phase, and variables created while compiling the graph. */
function work(g: Graph) {
  const before = nextId();
  const f = T.function(g.inputs, g.outputs, { updates: g.updates, backend: 'js' });
  const created = nextId() - before - 1;
  const log = f.rewriteLog();
  return { f, created, visits: new Map(log.map((e) => [e.name, e.visits])), passes: new Map(log.filter((e) => e.kind === 'phase').map((e) => [e.name, e.passes])) };
}

/** Compiles build(n) and build(2n) and checks that no rewrite, phase or the variables created grew faster than linearly. */
function expectLinear(build: (n: number) => Graph, n: number) {
  const a = work(build(n));
  const b = work(build(2 * n));
  const linear = (small: number, big: number, what: string) => expect(big, `${what}: ${small} at size ${n}, ${big} at size ${2 * n}`).toBeLessThanOrEqual(2.5 * small + 100);
  for (const [name, v] of b.visits) linear(a.visits.get(name)!, v, name);
  linear(a.created, b.created, 'variables created');
  // a rewrite that needs one more pass per level of the graph would be quadratic too (up to the pass limit)
  expect(b.passes).toEqual(a.passes);
  return [a, b];
}

const chain = (n: number, link: (y: T.Variable, i: number) => T.Variable, x: T.Variable) => {
  let y = x;
  for (let i = 0; i < n; i++) y = link(y, i);
  return y;
};

describe('compile work grows linearly with the graph', () => {
  it('a scalar chain with a new constant per link (merge, fusion)', () => {
    const [, big] = expectLinear((n) => {
      const x = T.dscalar('x');
      return { inputs: [x], outputs: [chain(n, (y) => y.add(1), x)] };
    }, 400);
    expect((big.f(0) as T.NDArray[])[0].data[0]).toBe(800);
  });

  it('multiplications by constants and negations, collected into one scaling', () => {
    const [small] = expectLinear((n) => {
      const x = T.dvector('x');
      return { inputs: [x], outputs: [chain(n, (y, i) => (i % 3 === 2 ? T.neg(y) : y.mul(2)), x)] };
    }, 300);
    // 200 doublings and 100 negations: one Mul by 2^200
    expect(small.f.program.steps.map((s) => s.kernel)).toEqual(['Mul']);
    expect(Array.from((small.f([1, -0.5]) as T.NDArray[])[0].data)).toEqual([2 ** 200, -(2 ** 199)]);
  });

  it('the same chain with every link read elsewhere too', () => {
    expectLinear((n) => {
      const x = T.dvector('x');
      let sum: T.Variable = x;
      chain(n, (y, i) => {
        const next = i % 3 === 2 ? T.neg(y) : y.mul(1.5);
        sum = sum.add(next);
        return next;
      }, x);
      return { inputs: [x], outputs: [sum] };
    }, 200);
  });

  it('x - x and x / x at the end of an elementwise chain (shape sources)', () => {
    expectLinear((n) => {
      const x = T.dvector('x');
      const y = chain(n, (v, i) => (i % 2 ? T.exp(v) : T.tanh(v)), x);
      return { inputs: [x], outputs: [y.sub(y).add(y.div(y))] };
    }, 300);
  });

  it('nested log(sigmoid(.)) (stabilize) and transposes of transposes (canonicalize)', () => {
    expectLinear((n) => {
      const x = T.dvector('x');
      const m = T.dmatrix('m');
      return { inputs: [x, m], outputs: [chain(n, (y) => T.log(T.sigmoid(y)), x), chain(n, (y) => y.T.T.add(1), m)] };
    }, 150);
  });

  it('a stack of dot(y.T, W) * 0.5 + y (gemm, transpose flags)', () => {
    const W = T.shared(new T.RandomState(1).uniform(-1, 1, [3, 3]), { name: 'W' });
    expectLinear((n) => {
      const m = T.dmatrix('m');
      return { inputs: [m], outputs: [chain(n, (y) => T.dot(y.T, W).mul(0.5).add(y), m)] };
    }, 100);
  });

  it('an MLP training step with n hidden layers (grad, gemm, fusion, softmax cross-entropy)', () => {
    const rng = new T.RandomState(0);
    expectLinear((n) => {
      const x = T.fmatrix('x');
      const t = T.fmatrix('t');
      const params: T.SharedVariable[] = [];
      let h: T.Variable = x;
      for (let i = 0; i <= n; i++) {
        const W = T.shared(rng.uniform(-0.5, 0.5, [4, 4], 'float32'));
        const b = T.shared(T.zeros([4], 'float32'));
        params.push(W, b);
        const z = T.dot(h, W).add(b);
        h = i < n ? T.sigmoid(z) : T.nnet.softmax(z);
      }
      const cost = T.mean(T.nnet.categoricalCrossentropy(h, t));
      const grads = T.grad(cost, params);
      return { inputs: [x, t], outputs: [cost], updates: params.map((p, i) => [p, p.sub(grads[i].mul(0.1))] as [T.SharedVariable, T.Variable]) };
    }, 8);
  });
});

describe('rewrites on very deep graphs', () => {
  // each of these overflowed the stack or took seconds (quadratic) before the walks became iterative and linear
  it('compile 20,000-link chains they walk along, without recursion', () => {
    const x = T.dvector('x');
    const negs = chain(20000, (y) => T.neg(y), x); // neg(neg(x)) -> x: a chain of replacements
    const scaled = chain(20000, (y, i) => (i % 2 ? y.mul(2) : y.mul(0.5)), x); // one scaling by 1
    const deep = chain(20000, (y) => T.exp(y), x);
    const zero = deep.sub(deep); // x - x -> zeros shaped like the chain's shape source
    const f = T.function([x], [negs, scaled, zero], { backend: 'js' });
    const [a, b, c] = f([1, -2]) as T.NDArray[];
    expect(Array.from(a.data)).toEqual([1, -2]);
    expect(Array.from(b.data)).toEqual([1, -2]);
    expect(Array.from(c.data)).toEqual([0, 0]);
    expect(f.program.steps.length).toBeLessThanOrEqual(2); // no exp chain left: only the zeros
  }, 30_000);
});
