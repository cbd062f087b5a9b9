import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, nativeAvailable } from '../helpers';

// dispose() releases memory now: native storage and plan arenas are returned to the system at once (RSS falls by
// about their size), and every later use is a typed error on every backend.
const MB = 2 ** 20;
const rss = () => process.memoryUsage().rss;

describe('dispose', () => {
  for (const backend of backends) {
    it(`using a disposed shared variable or function is a typed error (${backend})`, async () => {
      const w = T.shared(T.array([1, 2, 3], { dtype: 'float32' }), { name: 'w' });
      const x = T.vector('x', 'float32');
      const f = T.function([x], T.sum(w.mul(x)), { backend });
      expect((f(T.array([1, 1, 1], { dtype: 'float32' })) as T.NDArray).data[0]).toBe(6);
      w.dispose();
      w.dispose(); // twice is fine
      expect(w.isDisposed).toBe(true);
      expect(() => w.getValue()).toThrow(T.ArgumentError);
      expect(() => w.setValue([1, 2, 3])).toThrow(/w.setValue: the shared variable was disposed/);
      expect(() => f([1, 1, 1])).toThrow(T.RuntimeError);
      await expect(f.async([1, 1, 1])).rejects.toThrow(/shared variable w was disposed/);

      const g = T.function([x], x.mul(2), { backend });
      g([1, 2]);
      g.dispose();
      g.dispose();
      expect(() => g([1, 2])).toThrow(T.RuntimeError);
      expect(() => g([1, 2])).toThrow(/the function was disposed/);
      await expect(g.async([1, 2])).rejects.toThrow(/the function was disposed/);
    });

    it(`a function disposed while an async call is in flight still returns that call's result (${backend})`, async () => {
      const x = T.vector('x', 'float64');
      const f = T.function([x], T.cumsum(x.mul(2)), { backend });
      const p = f.async([1, 2, 3, 4]);
      await Promise.resolve(); // the queued call binds and starts its run in the microtask before this one
      f.dispose();
      expect(Array.from(((await p) as T.NDArray).data)).toEqual([2, 6, 12, 20]);
    });
  }

  const n = 1 << 26; // 256 MiB of float32
  (nativeAvailable ? it : it.skip)('shared.dispose() returns native storage to the system at once', () => {
    const w = T.shared(T.zeros([n], 'float32'), { name: 'big' });
    const data = w.getValue({ borrow: true }).data;
    data.fill(1); // touched: resident
    const before = rss();
    w.dispose();
    const fell = (before - rss()) / MB;
    expect(fell).toBeGreaterThan(128);
    expect(data.length).toBe(0); // the old view is detached, never dangling
  });

  (nativeAvailable ? it : it.skip)('f.dispose() returns the plan arenas to the system at once', () => {
    const x = T.vector('x', 'float32');
    const f = T.function([x], T.max(T.cumsum(x)), { backend: 'native' }); // the cumsum temp fills a 256 MiB arena
    const input = new Float32Array(n);
    input[7] = 3;
    expect((f(input) as T.NDArray).data[0]).toBe(3);
    const before = rss();
    f.dispose();
    const fell = (before - rss()) / MB;
    expect(fell).toBeGreaterThan(128);
  });
});
