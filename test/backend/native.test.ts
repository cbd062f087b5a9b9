import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, nativeAvailable } from '../helpers';

// Native kernels against the TypeScript reference on random shapes and values, float32 and float64.
const d = nativeAvailable ? describe : describe.skip;

function agree(build: (...xs: T.Variable[]) => T.Variable, values: T.NDArray[], tol: number): void {
  const vars = values.map((v, i) => T.tensor(v.dtype, v.shape.map(() => null), `x${i}`));
  const out = build(...vars);
  const js = T.function(vars, out, { backend: 'js', onUnusedInput: 'ignore' })(...values) as T.NDArray;
  const nat = T.function(vars, out, { backend: 'native', onUnusedInput: 'ignore' })(...values) as T.NDArray;
  expect(nat.dtype).toBe(js.dtype);
  expect(nat.shape).toEqual(js.shape);
  close(nat.reshape([nat.size]), Array.from(js.data), tol);
}

const dims = fc.integer({ min: 1, max: 7 });
const shape = fc.array(dims, { minLength: 1, maxLength: 4 });
const dtype = fc.constantFrom<'float32' | 'float64'>('float32', 'float64');
const tolOf = (dt: T.DType) => (dt === 'float32' ? 2e-5 : 1e-12);

function randomArray(s: number[], dt: T.DType, seed: number, scale = 3): T.NDArray {
  const rng = new T.RandomState(seed);
  return T.array(rng.uniform(-scale, scale, s), { dtype: dt });
}

/** A shape that broadcasts against `s`: some dims set to 1, maybe fewer leading dims. */
const broadcastOf = (s: number[]) =>
  fc.tuple(fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length - 1 })).map(([ones, drop]) =>
    s.map((v, i) => (ones[i] ? 1 : v)).slice(drop),
  );

d('native backend agrees with the TypeScript reference', () => {
  const unary: [string, (x: T.Variable) => T.Variable][] = [
    ['neg', T.neg], ['sqr', T.sqr], ['exp', T.exp], ['abs', T.abs], ['sign', T.sign], ['tanh', T.tanh], ['sigmoid', T.sigmoid],
    ['log', (x) => T.log(T.abs(x))], ['sqrt', (x) => T.sqrt(T.abs(x))],
  ];
  for (const [name, f] of unary) {
    it(`${name} on random shapes`, () => {
      fc.assert(fc.property(shape, dtype, fc.integer({ min: 0, max: 1e6 }), (s, dt, seed) => agree(f, [randomArray(s, dt, seed)], tolOf(dt) * 4)), { numRuns: 25 });
    });
  }
  const binary: [string, (a: T.Variable, b: T.Variable) => T.Variable][] = [
    ['add', T.add], ['sub', T.sub], ['mul', T.mul], ['div', T.div], ['pow', (a, b) => T.pow(T.abs(a), b)],
  ];
  for (const [name, f] of binary) {
    it(`${name} with broadcasting`, () => {
      fc.assert(
        fc.property(shape.chain((s) => fc.tuple(fc.constant(s), broadcastOf(s), fc.boolean())), dtype, fc.integer({ min: 0, max: 1e6 }), ([s, b, swap], dt, seed) => {
          const x = randomArray(s, dt, seed);
          const y = randomArray(b, dt, seed + 1);
          agree(f, swap ? [y, x] : [x, y], tolOf(dt) * 4);
        }),
        { numRuns: 25 },
      );
    });
  }
  it('fused elementwise chains (the sigmoid-derivative pattern) with broadcasting', () => {
    fc.assert(
      fc.property(shape.chain((s) => fc.tuple(fc.constant(s), broadcastOf(s))), dtype, fc.integer({ min: 0, max: 1e6 }), ([s, b], dt, seed) => {
        const f = (x: T.Variable, y: T.Variable) => {
          const sg = T.sigmoid(x.add(y));
          return sg.mul(T.sub(1, sg)).mul(T.tanh(y)).add(x.exp().mul(0.5));
        };
        agree(f, [randomArray(s, dt, seed), randomArray(b, dt, seed + 1)], tolOf(dt) * 8);
      }),
      { numRuns: 25 },
    );
  });
  it('dot for every rank combination and transposed operands', () => {
    fc.assert(
      fc.property(dims, dims, dims, dtype, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1e6 }), (m, k, n, dt, kind, seed) => {
        const A = randomArray([m, k], dt, seed);
        const B = randomArray([k, n], dt, seed + 1);
        const v = randomArray([k], dt, seed + 2);
        const tol = tolOf(dt) * k * 4;
        if (kind === 0) agree(T.dot, [A, B], tol);
        if (kind === 1) agree(T.dot, [A, v], tol);
        if (kind === 2) agree(T.dot, [v, B], tol);
        if (kind === 3) agree(T.dot, [v, v], tol);
        if (kind === 4) agree((a, b) => T.dot(a.T, b.T), [randomArray([k, m], dt, seed), randomArray([n, k], dt, seed + 1)], tol);
      }),
      { numRuns: 40 },
    );
  });
  it('gradients of dot use transposed operands without materializing them', () => {
    const X = randomArray([5, 3], 'float64', 1);
    const W = randomArray([3, 4], 'float64', 2);
    agree((x, w) => T.grad(T.sum(T.sigmoid(T.dot(x, w))), w), [X, W], 1e-12);
    agree((x, w) => T.grad(T.sum(T.sigmoid(T.dot(x, w))), x), [X, W], 1e-12);
  });
  it('sum, mean and max over any axes, with keepdims', () => {
    fc.assert(
      fc.property(shape, dtype, fc.integer({ min: 0, max: 1e6 }), fc.boolean(), fc.integer({ min: 0, max: 2 }), (s, dt, seed, keepdims, which) => {
        const axes = s.map((_, i) => i).filter((i) => (seed >> i) & 1);
        const axis = axes.length ? axes : undefined;
        const f = [T.sum, T.mean, T.max][which];
        agree((x) => f(x, axis, { keepdims }), [randomArray(s, dt, seed)], tolOf(dt) * 16);
      }),
      { numRuns: 60 },
    );
  });
  it('softmax and logSoftmax over the last axis, including extreme logits', () => {
    fc.assert(
      fc.property(shape, dtype, fc.integer({ min: 0, max: 1e6 }), (s, dt, seed) => {
        agree((x) => T.softmax(x), [randomArray(s, dt, seed, 50)], tolOf(dt) * 8);
        agree((x) => T.logSoftmax(x), [randomArray(s, dt, seed, 1e4)], tolOf(dt) * 8);
      }),
      { numRuns: 25 },
    );
  });
  it('transpose, cast, sumTo/broadcastTo through gradients', () => {
    fc.assert(
      fc.property(shape, dtype, fc.integer({ min: 0, max: 1e6 }), (s, dt, seed) => {
        const x = randomArray(s, dt, seed);
        agree((v) => T.transpose(v), [x], 0);
        agree((v) => T.cast(T.cast(v, 'int32'), dt === 'float32' ? 'float64' : 'float32'), [x], 1e-6);
        const b = x.shape.map((d0, i) => (i % 2 ? 1 : d0));
        agree((v, w) => T.grad(T.sum(T.sqr(v.mul(w))), w), [x, randomArray(b, dt, seed + 3)], tolOf(dt) * 64);
      }),
      { numRuns: 25 },
    );
  });
  it('edge values: 0, ±inf, NaN, huge magnitudes, empty tensors', () => {
    for (const dt of ['float32', 'float64'] as const) {
      const edge = T.array([0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 88.8, -88.8, 1e-40, 710, -710], { dtype: dt });
      for (const f of [T.exp, T.sigmoid, T.tanh, T.neg, T.sqr, T.abs, T.sign, (x: T.Variable) => T.log(T.abs(x))]) agree(f, [edge], tolOf(dt) * 4);
      agree((x) => T.sum(x, 1), [T.zeros([3, 0], dt)], 0);
      agree((x) => T.exp(x), [T.zeros([0, 4], dt)], 0);
    }
  });
});

d('loading the addon', () => {
  it('sets OPENBLAS_THREAD_TIMEOUT before OpenBLAS loads unless the user set it', () => {
    const { execFileSync } = require('child_process') as typeof import('child_process');
    const root = require('path').resolve(__dirname, '../..');
    const probe = "const T = require('./lib'); T.function([], [])(); console.log(process.env.OPENBLAS_THREAD_TIMEOUT)";
    const env = { ...process.env };
    delete env.OPENBLAS_THREAD_TIMEOUT;
    const run = (e: NodeJS.ProcessEnv) => execFileSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: root, env: e, encoding: 'utf8' }).trim();
    expect(run(env)).toBe('4');
    expect(run({ ...env, OPENBLAS_THREAD_TIMEOUT: '20' })).toBe('20');
  }, 60000);
});
