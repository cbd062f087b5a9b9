import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { philoxBlock, plog, sincos2pi } from '../../lib/random/philox';
import { backends, expectError, nativeHas } from '../helpers';

const N = 100000;
const nativeRandom = nativeHas('RandomUniform', 'RandomNormal', 'RandomBinomial');
const randomBackends = backends.filter((b) => b === 'js' || nativeRandom);

function draw(v: T.Variable, backend: 'js' | 'native' = 'js'): T.NDArray {
  return T.function([], v, { backend })() as T.NDArray;
}

function moments(d: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  const mean = s / d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i] - mean) ** 2;
  return { mean, variance: v / d.length };
}

describe('RandomStreams', () => {
  describe('bad input', () => {
    const srng = new T.random.RandomStreams(1);
    it('rejects a bad seed', () => {
      expectError(() => new T.random.RandomStreams(-1), T.ArgumentError, 'RandomStreams: seed must be a non-negative safe integer', '-1');
      expectError(() => srng.seed(1.5), T.ArgumentError, 'RandomStreams.seed: seed must be', '1.5');
    });
    it('rejects a bad size, listing every problem', () => {
      expectError(() => srng.uniform([2, -1]), T.ArgumentError, 'random.uniform: size must be an array of non-negative integers', '[2,-1]');
      expectError(() => srng.normal([1.5], 0, -1), T.ArgumentError, 'random.normal: std must be >= 0, got -1', 'size must be');
      expectError(() => srng.binomial('x' as never), T.ArgumentError, 'random.binomial: size must be', '"x"');
    });
    it('rejects a bad p, n, low/high and dtype', () => {
      expectError(() => srng.binomial([2], 1, 1.5), T.ArgumentError, 'random.binomial: p must be a probability in [0, 1], got number 1.5');
      expectError(() => srng.binomial([2], 1, NaN), T.ArgumentError, 'p must be a probability');
      expectError(() => srng.binomial([2], -1, 0.5), T.ArgumentError, 'n must be an integer in [0, 2^20], got number -1');
      expectError(() => srng.uniform([2], 0, Infinity), T.ArgumentError, 'random.uniform: high must be a finite number');
      expectError(() => srng.uniform([2], 0, 1, 'int32'), T.DTypeError, 'random.uniform: dtype must be "float32" or "float64", got "int32"');
      expectError(() => srng.binomial([2], 1, 0.5, 'bool'), T.DTypeError, 'random.binomial: dtype must be "float32", "float64" or "int32"');
    });
    it('rejects a bad noDefaultUpdates option', () => {
      expectError(() => T.function([], srng.uniform([2]), { noDefaultUpdates: 'yes' as never }), T.CompileError, 'noDefaultUpdates must be a boolean or an array of shared variables');
    });
    it('reports a state of the wrong shape at run time', () => {
      const s = new T.random.RandomStreams(3);
      const u = s.uniform([2]);
      const [state] = s.stateUpdates[0];
      state.setValue(T.array([1, 2, 3], { dtype: 'int32' }));
      for (const backend of randomBackends) expectError(() => draw(u, backend), T.NodeanoError, 'random: state must have shape [4]');
    });
  });

  describe('the generator', () => {
    it('is Philox4x32-10: the Random123 known-answer vectors', () => {
      const o = new Uint32Array(4);
      philoxBlock(0, 0, 0, 0, 0, 0, o);
      expect([...o]).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
      philoxBlock(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, o);
      expect([...o]).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
      philoxBlock(0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, o);
      expect([...o]).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
    });
    it('has its own log and sin/cos within a few ulp of libm', () => {
      const rng = new T.RandomState(5);
      const us = rng.uniform(0, 1, [10000]).data;
      const sc = new Float64Array(2);
      for (const u of us) {
        expect(Math.abs(plog(u) - Math.log(u))).toBeLessThanOrEqual(4e-16 * Math.abs(Math.log(u)) + 1.2e-16);
        sincos2pi(u, sc);
        expect(Math.abs(sc[0] - Math.sin(2 * Math.PI * u))).toBeLessThan(4e-15);
        expect(Math.abs(sc[1] - Math.cos(2 * Math.PI * u))).toBeLessThan(4e-15);
      }
      expect(plog(1)).toBe(0);
      expect(plog(2 ** -53)).toBeCloseTo(-53 * Math.LN2, 13);
    });
  });

  describe('distributions (1e5 draws, fixed seeds; tolerances are about 5 standard errors)', () => {
    it('uniform(-1, 3) float64: in range, mean 1, variance 16/12, no lag-1 correlation', () => {
      const d = draw(new T.random.RandomStreams(11).uniform([N], -1, 3, 'float64')).data;
      const { mean, variance } = moments(d);
      expect(Math.min(...d)).toBeGreaterThanOrEqual(-1);
      expect(Math.max(...d)).toBeLessThan(3);
      expect(Math.abs(mean - 1)).toBeLessThan(0.02);
      expect(Math.abs(variance - 16 / 12)).toBeLessThan(0.02);
      let c = 0;
      for (let i = 1; i < N; i++) c += (d[i] - 1) * (d[i - 1] - 1);
      expect(Math.abs(c / (N - 1) / variance)).toBeLessThan(0.016);
    });
    it('uniform float32 in [0, 1): mean 1/2, variance 1/12, every tenth of the range near 10%', () => {
      const d = draw(new T.random.RandomStreams(12).uniform([N])).data;
      const { mean, variance } = moments(d);
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
      expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.0015);
      const bins = new Array(10).fill(0);
      for (const x of d) bins[Math.floor(x * 10)]++;
      for (const b of bins) expect(Math.abs(b / N - 0.1)).toBeLessThan(0.005);
    });
    it('normal(2, 3): mean 2, variance 9, 68.27% within one sigma, 95.45% within two', () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const d = draw(new T.random.RandomStreams(13).normal([N], 2, 3, dtype)).data;
        const { mean, variance } = moments(d);
        expect(Math.abs(mean - 2)).toBeLessThan(0.05);
        expect(Math.abs(variance - 9)).toBeLessThan(0.2);
        let one = 0;
        let two = 0;
        for (const x of d) {
          if (Math.abs(x - 2) < 3) one++;
          if (Math.abs(x - 2) < 6) two++;
        }
        expect(Math.abs(one / N - 0.6827)).toBeLessThan(0.0075);
        expect(Math.abs(two / N - 0.9545)).toBeLessThan(0.0035);
      }
    });
    it('binomial(1, 0.3) is 1 with frequency 0.3; binomial(5, 0.4) has mean 2 and variance 1.2', () => {
      const s = new T.random.RandomStreams(14);
      const b = draw(s.binomial([N], 1, 0.3)).data;
      expect(b.every((x) => x === 0 || x === 1)).toBe(true);
      expect(Math.abs(moments(b).mean - 0.3)).toBeLessThan(0.0075);
      const m = moments(draw(s.binomial([N], 5, 0.4, 'float64')).data);
      expect(Math.abs(m.mean - 2)).toBeLessThan(0.018);
      expect(Math.abs(m.variance - 1.2)).toBeLessThan(0.03);
      expect([...draw(s.binomial([100], 3, 0)).data].every((x) => x === 0)).toBe(true);
      expect([...draw(s.binomial([100], 3, 1)).data].every((x) => x === 3)).toBe(true);
    });
  });

  describe('state', () => {
    it('advances through the function updates: each call gives new numbers, the counter counts calls', () => {
      const s = new T.random.RandomStreams(21);
      const u = s.uniform([4], 0, 1, 'float64');
      const [state] = s.stateUpdates[0];
      const key = Array.from(state.getValue().data.slice(0, 2));
      const f = T.function([], u);
      const a = f() as T.NDArray;
      const b = f() as T.NDArray;
      expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
      expect(Array.from(state.getValue().data)).toEqual([...key, 2, 0]);
      s.seed(21);
      expect(Array.from((f() as T.NDArray).data)).toEqual(Array.from(a.data));
      expect(Array.from((f() as T.NDArray).data)).toEqual(Array.from(b.data));
    });
    it('gives the same numbers for the same seed and different ones for another seed or another draw', () => {
      const a = draw(new T.random.RandomStreams(5).uniform([8]));
      const b = draw(new T.random.RandomStreams(5).uniform([8]));
      const s = new T.random.RandomStreams(6);
      const c = draw(s.uniform([8]));
      const d = draw(s.uniform([8]));
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
      expect(Array.from(c.data)).not.toEqual(Array.from(d.data));
    });
    it('carries the 64-bit counter into its high word', () => {
      const s = new T.random.RandomStreams(2);
      const u = s.normal([3]);
      const [state] = s.stateUpdates[0];
      const v = state.getValue().data;
      state.setValue(T.array([v[0], v[1], -1, 7], { dtype: 'int32' }));
      for (const backend of randomBackends) {
        state.setValue(T.array([v[0], v[1], -1, 7], { dtype: 'int32' }));
        draw(u, backend);
        expect(Array.from(state.getValue().data)).toEqual([v[0], v[1], 0, 8]);
      }
    });
    it('stays put with noDefaultUpdates (all, or listed) and when the caller gives its own update', () => {
      const s = new T.random.RandomStreams(3);
      const u = s.uniform([5]);
      const [state] = s.stateUpdates[0];
      for (const opts of [{ noDefaultUpdates: true }, { noDefaultUpdates: [state] }, { updates: [[state, state]] as [T.SharedVariable, T.Variable][] }]) {
        const f = T.function([], u, opts);
        const a = (f() as T.NDArray).data;
        expect(Array.from((f() as T.NDArray).data)).toEqual(Array.from(a));
      }
      expect(Array.from(state.getValue().data.slice(2))).toEqual([0, 0]);
    });
    it('advances draws that only an update reads, and not draws that givens replace', () => {
      const s = new T.random.RandomStreams(9);
      const noise = s.normal([3], 0, 1, 'float64');
      const [state] = s.stateUpdates[0];
      const W = T.shared(T.zeros([3], 'float64'), { name: 'W' });
      const f = T.function([], [], { updates: [[W, T.add(W, noise)]] });
      f();
      f();
      expect(Array.from(state.getValue().data.slice(2))).toEqual([2, 0]);
      const x = T.dvector('x');
      const g = T.function([x], T.mul(noise, 2), { givens: [[noise, x]] });
      expect(Array.from((g([1, 2, 3]) as T.NDArray).data)).toEqual([2, 4, 6]);
      expect(Array.from(state.getValue().data.slice(2))).toEqual([2, 0]);
    });
    it('prints as the distribution with its parameters', () => {
      const s = new T.random.RandomStreams(1);
      expect(T.pp(s.uniform([2, 3], -1, 1))).toBe('uniform(rng0, size=[2, 3], low=-1, high=1, float32)[0]');
      expect(T.pp(s.binomial(T.matrix('h'), 1, 0.8, 'float32'))).toBe('binomial(rng1, size=shapeOf(h), n=1, p=0.8, float32)[0]');
    });
    it('takes the run-time shape of a size variable, for any batch size', () => {
      const x = T.matrix('x');
      const s = new T.random.RandomStreams(4);
      const m = s.binomial(x, 1, 0.5, 'float32');
      expect(m.type.toString()).toBe(x.type.toString());
      const f = T.function([x], m);
      expect((f(T.zeros([2, 3])) as T.NDArray).shape).toEqual([2, 3]);
      expect((f(T.zeros([7, 1])) as T.NDArray).shape).toEqual([7, 1]);
      expect((f(T.zeros([0, 4])) as T.NDArray).shape).toEqual([0, 4]);
    });
  });

  (nativeRandom ? describe : describe.skip)('native and TypeScript streams', () => {
    it('are identical bit for bit, call after call, for every distribution and dtype', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 40 }),
          fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 0, maxLength: 3 }),
          fc.constantFrom('uniform', 'normal', 'binomial'),
          fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
          fc.double({ min: -1e3, max: 1e3, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.boolean(),
          (seed, size, dist, dtype, a, p, fromVariable) => {
            const run = (backend: 'js' | 'native') => {
              const s = new T.random.RandomStreams(seed);
              const ref = T.tensor('float32', size.map(() => null), 'ref');
              const sz = fromVariable ? ref : size;
              const v = dist === 'uniform' ? s.uniform(sz, a, a + 2, dtype) : dist === 'normal' ? s.normal(sz, a, 2, dtype) : s.binomial(sz, 4, p, dtype);
              const f = T.function(fromVariable ? [ref] : [], v, { backend });
              const arg = fromVariable ? [T.zeros(size, 'float32')] : [];
              return [f(...arg), f(...arg), f(...arg)].map((r) => Array.from((r as T.NDArray).data));
            };
            expect(run('native')).toEqual(run('js'));
          },
        ),
        { numRuns: 60 },
      );
    });
    it('agree on 1e5 normal and uniform draws', () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const js = draw(new T.random.RandomStreams(99).normal([N], 0, 1, dtype), 'js').data;
        const nat = draw(new T.random.RandomStreams(99).normal([N], 0, 1, dtype), 'native').data;
        expect(Buffer.from(nat.buffer, nat.byteOffset, nat.byteLength).equals(Buffer.from(js.buffer, js.byteOffset, js.byteLength))).toBe(true);
      }
    });
  });
});

describe('RandomStreams.binomial with a tensor p', () => {
  it('draws per-element probabilities (rbm.py Gibbs chain), n trials summed, and checks its arguments', () => {
    const srng = new T.random.RandomStreams(11);
    const p = T.dvector('p');
    const f = T.function([p], srng.binomial(p, 3, p, 'float64'), { backend: 'js' });
    const probs = T.array(Array.from({ length: 20000 }, (_, i) => (i < 10000 ? 0.2 : 0.9)), { dtype: 'float64' });
    const r = (f(probs) as T.NDArray).data;
    const mean = (a: number, b: number) => Array.from(r.slice(a, b)).reduce((s, v) => s + v, 0) / (b - a);
    expect(Math.abs(mean(0, 10000) - 0.6)).toBeLessThan(0.05);
    expect(Math.abs(mean(10000, 20000) - 2.7)).toBeLessThan(0.05);
    expect(Array.from(r).every((v) => Number.isInteger(v) && v >= 0 && v <= 3)).toBe(true);
    expect(() => srng.binomial(p, 100, p)).toThrow(/n must be an integer in \[0, 64\] when p is a tensor, got .*100/);
    expect(() => srng.binomial(p, 1, T.ivector('q'))).toThrow(/p must be a float tensor of probabilities/);
  });
});
