import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';

const stats = (a: T.NDArray) => {
  const xs = Array.from(a.data);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length), max: Math.max(...xs.map(Math.abs)) };
};

describe('initializers', () => {
  it('reject bad arguments', () => {
    const rng = new T.RandomState(0);
    expectError(() => T.train.init.glorotUniform({} as never, [2, 2]), T.ArgumentError, 'init.glorotUniform', 'rng must be a T.RandomState');
    expectError(() => T.train.init.heNormal(rng, [2, -1]), T.ArgumentError, 'shape must be a non-empty array');
    expectError(() => T.train.init.glorotNormal(rng, [2, 2], { gain: 0 }), T.ArgumentError, 'gain must be a positive finite number');
  });

  it('draw with the documented limits and standard deviations, reproducibly from a seed', () => {
    const g = T.train.init.glorotUniform(new T.RandomState(1), [300, 200]);
    const limit = Math.sqrt(6 / 500);
    expect(g.dtype).toBe('float32');
    expect(stats(g).max).toBeLessThanOrEqual(limit);
    expect(stats(g).std).toBeCloseTo(limit / Math.sqrt(3), 3);
    expect(stats(T.train.init.heNormal(new T.RandomState(2), [400, 100], { dtype: 'float64' })).std).toBeCloseTo(Math.sqrt(2 / 400), 3);
    expect(stats(T.train.init.glorotNormal(new T.RandomState(3), [400, 100], { gain: 2 })).std).toBeCloseTo(2 * Math.sqrt(2 / 500), 3);
    expect(stats(T.train.init.heUniform(new T.RandomState(4), [16, 8, 3, 3])).max).toBeLessThanOrEqual(Math.sqrt(6 / (8 * 9)));
    expect(T.train.init.glorotUniform(new T.RandomState(5), [3, 3]).toArray()).toEqual(T.train.init.glorotUniform(new T.RandomState(5), [3, 3]).toArray());
  });
});

describe('minibatches', () => {
  const X = T.array([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]], { dtype: 'float32' });
  const y = T.array([0, 1, 2, 3, 4], { dtype: 'int32' });

  it('reject bad arguments', () => {
    expectError(() => [...T.train.minibatches([X, T.zeros([4])], 2)], T.ArgumentError, 'minibatches', 'must share their first dim');
    expectError(() => [...T.train.minibatches([X], 0)], T.ArgumentError, 'batchSize must be a positive integer');
    expectError(() => [...T.train.minibatches([], 2)], T.ArgumentError, 'arrays must be a non-empty array');
    expectError(() => [...T.train.minibatches([X], 2, { rng: 3 as never })], T.ArgumentError, 'rng must be a T.RandomState');
  });

  it('yield aligned rows in order, the last batch smaller unless dropped', () => {
    const bs = [...T.train.minibatches([X, y], 2)];
    expect(bs.map(([, yb]) => yb.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(bs[1][0].toArray()).toEqual([[2, 2], [3, 3]]);
    expect([...T.train.minibatches([X, y], 2, { dropLast: true })].length).toBe(2);
    expect(T.train.batchCount(5, 2)).toBe(3);
    expect(T.train.batchCount(5, 2, true)).toBe(2);
  });

  it('shuffle keeps rows aligned, covers every row once, and a shared RandomState gives a new order each epoch', () => {
    const rng = new T.RandomState(7);
    const epoch = () => [...T.train.minibatches([X, y], 2, { shuffle: true, rng })];
    const e1 = epoch();
    const e2 = epoch();
    for (const e of [e1, e2]) {
      const seen = e.flatMap(([xb, yb]) => Array.from(yb.data).map((v, k) => (expect(xb.data[2 * k]).toBe(v), v)));
      expect(seen.slice().sort()).toEqual([0, 1, 2, 3, 4]);
    }
    expect(e1.flatMap(([, yb]) => Array.from(yb.data))).not.toEqual(e2.flatMap(([, yb]) => Array.from(yb.data)));
    const again = [...T.train.minibatches([X, y], 2, { shuffle: true, seed: 3 })].flatMap(([, b]) => Array.from(b.data));
    expect([...T.train.minibatches([X, y], 2, { shuffle: true, seed: 3 })].flatMap(([, b]) => Array.from(b.data))).toEqual(again);
  });
});

describe('progress', () => {
  const sink = (tty: boolean) => {
    const chunks: string[] = [];
    const s = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) as Writable & { isTTY?: boolean };
    s.isTTY = tty;
    return { s, text: () => chunks.join('') };
  };

  it('rejects bad arguments', () => {
    expectError(() => T.train.progress({ total: -1 }), T.ArgumentError, 'progress', 'total must be a non-negative integer');
    const p = T.train.progress({ total: 3, stream: sink(false).s });
    expectError(() => p.tick(NaN), T.ArgumentError, 'progress.tick', 'n must be');
  });

  it('prints plain lines with loss, throughput and ETA when not on a terminal', () => {
    const out = sink(false);
    const p = T.train.progress({ total: 100, label: 'epoch 1/3', stream: out.s, logEvery: 0 });
    p.tick(40, { loss: 0.5 });
    p.finish({ loss: 0.25, acc: 0.9 });
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/3: 40\/100 \(40%\) \| loss 0\.5000 \| [\d.]+ samples\/s \| ETA [\d.]+[smh?]/);
    expect(lines[1]).toMatch(/^epoch 1\/3: 40\/100 \(40%\) \| loss 0\.2500 \| acc 0\.9000/);
  });

  it('draws a bar on a terminal', () => {
    const out = sink(true);
    const p = T.train.progress({ total: 10, label: 'fit', stream: out.s });
    p.tick(10, { loss: 1.5 });
    p.finish();
    expect(out.text()).toContain('fit [');
    expect(out.text()).toContain('100%');
    expect(out.text()).toContain('loss 1.500');
  });
});
