import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, close, expectError, nativeAvailable } from '../helpers';

describe('async calls', () => {
  for (const backend of backends) {
    it(`${backend}: queue calls of one function in order, each seeing the previous updates`, async () => {
      const c = T.shared(T.array([0], { dtype: 'float64' }), { name: 'c' });
      const f = T.function([], c, { updates: [[c, c.add(1)]], backend });
      const results = await Promise.all([f.async(), f.async(), f.async()]);
      expect(results.map((r) => (r as T.NDArray).data[0])).toEqual([0, 1, 2]);
      close(c.getValue(), [3]);
    });
    it(`${backend}: reject bad arguments through the promise and keep the queue going`, async () => {
      const x = T.dvector('x');
      const f = T.function([x], x.mul(2), { backend });
      await expect(f.async('nope')).rejects.toBeInstanceOf(T.InputError);
      close((await f.async([1, 2])) as T.NDArray, [2, 4]);
    });
  }
  it('refuses a synchronous call while async calls of the same function are pending', async () => {
    const x = T.dvector('x');
    const f = T.function([x], x.mul(2));
    const p = f.async([1]);
    expectError(() => f([1]), T.RuntimeError, 'asynchronous call(s) of this function are still running');
    await p;
    expect(() => f([1])).not.toThrow();
  });
  it('refuses calls after dispose', () => {
    const x = T.dvector('x');
    const f = T.function([x], x.mul(2));
    f.dispose();
    expectError(() => f([1]), T.RuntimeError, 'disposed');
  });
});

const d = nativeAvailable ? describe : describe.skip;
d('native async: the event loop stays responsive during a long training loop', () => {
  it('keeps event-loop lag small while async steps run on a worker thread', async () => {
    const rng = new T.RandomState(0);
    const W = T.shared(rng.uniform(-0.1, 0.1, [400, 400], 'float32'), { name: 'W' });
    const X = T.shared(rng.uniform(-1, 1, [400, 400], 'float32'), { name: 'X' });
    const cost = T.sum(T.sqr(T.tanh(T.dot(X, W))));
    const step = T.function([], cost, { updates: [[W, W.sub(T.grad(cost, W).mul(1e-4))]], backend: 'native' });
    step();
    // measure how late a 1 ms timer fires while steps run back to back, async vs sync
    const lagDuring = async (run: () => Promise<void>) => {
      let worst = 0;
      let stop = false;
      const tick = async () => {
        while (!stop) {
          const t0 = performance.now();
          await new Promise((r) => setTimeout(r, 1));
          worst = Math.max(worst, performance.now() - t0 - 1);
        }
      };
      const ticking = tick();
      await run();
      stop = true;
      await ticking;
      return worst;
    };
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) step();
    const stepMs = (performance.now() - t0) / 5;
    const n = Math.max(10, Math.ceil(300 / stepMs));
    const asyncLag = await lagDuring(async () => {
      for (let i = 0; i < n; i++) await step.async();
    });
    const syncLag = await lagDuring(async () => {
      for (let i = 0; i < n; i++) step();
    });
    // synchronous steps block the loop for the whole run; async ones leave it free between and during steps
    expect(syncLag, `sync lag ${syncLag.toFixed(1)} ms over ${n} steps of ${stepMs.toFixed(2)} ms`).toBeGreaterThan(n * stepMs * 0.5);
    expect(asyncLag, `async lag ${asyncLag.toFixed(1)} ms vs sync ${syncLag.toFixed(1)} ms`).toBeLessThan(syncLag / 3);
  }, 60000);
});
