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
  it('runs event-loop callbacks while async steps are in flight, and none while sync steps run', async () => {
    const rng = new T.RandomState(0);
    const W = T.shared(rng.uniform(-0.1, 0.1, [400, 400], 'float32'), { name: 'W' });
    const X = T.shared(rng.uniform(-1, 1, [400, 400], 'float32'), { name: 'X' });
    const cost = T.sum(T.sqr(T.tanh(T.dot(X, W))));
    const step = T.function([], cost, { updates: [[W, W.sub(T.grad(cost, W).mul(1e-4))]], backend: 'native' });
    // counts the event-loop turns (setImmediate callbacks) that happen while `run` is pending: no clock involved
    const turnsDuring = async (run: () => Promise<unknown>) => {
      let turns = 0;
      let stop = false;
      const spin = () => {
        if (stop) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      await run();
      stop = true;
      return turns;
    };
    // one async step runs on a worker: the loop keeps turning until it resolves
    const asyncTurns = await turnsDuring(() => step.async());
    // the same step called synchronously (wrapped in a resolved promise) gives the loop no turn at all
    const syncTurns = await turnsDuring(async () => {
      for (let i = 0; i < 5; i++) step();
    });
    expect(syncTurns).toBe(0);
    expect(asyncTurns).toBeGreaterThan(0);
    // and the updates of async and sync steps are the same computation
    const W0 = W.getValue();
    const c1 = (await step.async()) as T.NDArray;
    const W1 = W.getValue();
    W.setValue(W0);
    const c2 = step() as T.NDArray;
    expect(c2.data[0]).toBe(c1.data[0]);
    expect(Array.from(W.getValue().data)).toEqual(Array.from(W1.data));
  }, 60000);
});
