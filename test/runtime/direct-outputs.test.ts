import { describe as suite, expect, it } from 'vitest';
import * as T from '../../lib';
import { planMemory, SMALL_OUTPUT_BYTES } from '../../lib/compile/memory-plan';
import { backends, close, nativeAvailable } from '../helpers';

const f32 = (xs: number[]) => T.array(xs, { dtype: 'float32' });

suite('outputs computed where the caller gets them', () => {
  for (const backend of backends) {
    it(`returns the array the kernel wrote: nothing of the output lives in the arena (${backend})`, () => {
      const x = T.vector('x');
      const f = T.function([x], T.nnet.sigmoid(x), { backend });
      const xs = Array.from({ length: 17 }, (_, i) => i - 8);
      const sig = xs.map((v) => 1 / (1 + Math.exp(-v)));
      const a = f(f32(xs)) as T.NDArray;
      // one step, its output outside the arena: the result cannot have been copied out of it
      expect(f.info().arenaBytes).toBe(0);
      close(a, sig);
      const b = f(f32(xs.map(() => 2))) as T.NDArray;
      // each call's result is its own array, and stays the caller's
      expect(b.data.buffer).not.toBe(a.data.buffer);
      close(a, sig);
    });

    it(`copies an output of at most ${SMALL_OUTPUT_BYTES} bytes out of the arena: cheaper than a fresh array a native call must move off V8's heap (${backend})`, () => {
      const x = T.vector('x');
      const f = T.function([x], [T.sum(T.exp(x)), T.exp(x)], { backend });
      const [s, e] = f(f32([0, 1])) as T.NDArray[];
      const plan = planMemory(f.program, [[2]], []);
      expect(plan.direct).toEqual([]);
      expect(f.info().arenaBytes).toBeGreaterThan(0);
      close(s, 1 + Math.E);
      close(e, [1, Math.E]);
      // still the caller's: the next call does not overwrite it
      const [s2] = f(f32([0, 0])) as T.NDArray[];
      close(s2, 2);
      close(s, 1 + Math.E);
      expect(planMemory(f.program, [[17]], []).directOf).toEqual([-1, 0]);
    });

    it(`into writes straight into the caller's array, except where it shares memory with an input (${backend})`, () => {
      const x = T.matrix('x');
      const f = T.function([x], T.dot(x, x), { backend });
      const m = f32([1, 2, 3, 4]).reshape([2, 2]);
      const out = T.zeros([2, 2], 'float32');
      expect(f.into(out, m)).toBe(out);
      close(out, [[7, 10], [15, 22]]);
      // out is the input itself: the dot must read x whole before anything lands in it
      expect(f.into(m, m)).toBe(m);
      close(m, [[7, 10], [15, 22]]);
    });

    it(`into a shared variable's own storage waits until every step has read it (${backend})`, () => {
      const w = T.shared(f32([1, 2, 3]), { name: 'w' });
      const x = T.vector('x');
      const f = T.function([x], T.add(T.mul(x, w), T.sum(w)), { backend });
      const view = w.getValue({ borrow: true });
      f.into(view, f32([1, 1, 1]));
      close(w.getValue(), [7, 8, 9]);
    });

    it(`a view step producing an output copies into it; a repeated output is a separate array (${backend})`, () => {
      const x = T.vector('x');
      const e = T.exp(x);
      const f = T.function([x], [e.reshape([2, 2]), e, e], { backend, rewrites: 'none' });
      const [a, b, c] = f(f32([0, 0, 0, 0])) as T.NDArray[];
      close(a, [[1, 1], [1, 1]]);
      close(b, [1, 1, 1, 1]);
      expect(c.data.buffer).not.toBe(b.data.buffer);
      b.data[0] = 5;
      expect(c.data[0]).toBe(1);
    });

    it(`outputs read by later steps and outputs that are update values land right (${backend})`, () => {
      const w = T.shared(f32([1, 2]), { name: 'w' });
      const x = T.vector('x');
      const h = T.mul(x, w);
      const next = w.add(h);
      const f = T.function([x], [h, T.sum(h), next], { backend, updates: [[w, next]] });
      const [hv, s, nv] = f(f32([1, 1])) as T.NDArray[];
      close(hv, [1, 2]);
      close(s, 3);
      close(nv, [2, 4]);
      close(w.getValue(), [2, 4]);
      nv.data[0] = 100;
      close(w.getValue(), [2, 4]);
    });

    it(`async calls resolve with their own arrays, right after a failure too (${backend})`, async () => {
      const x = T.matrix('x');
      const y = T.matrix('y');
      const f = T.function([x, y], [T.dot(x, y), T.exp(x)], { backend });
      const a = f32([1, 2, 3, 4]).reshape([2, 2]);
      const [d1, e1] = (await f.async(a, a)) as T.NDArray[];
      const [d2] = (await f.async(a, f32([1, 0, 0, 1]).reshape([2, 2]))) as T.NDArray[];
      close(d1, [[7, 10], [15, 22]]);
      close(e1, [[Math.E, Math.exp(2)], [Math.exp(3), Math.exp(4)]]);
      close(d2, [[1, 2], [3, 4]]);
      expect(d2.data.buffer).not.toBe(d1.data.buffer);
      await expect(f.async(a, f32([1, 2, 3]).reshape([3, 1]))).rejects.toBeInstanceOf(T.NodeanoError);
      const [d3] = (await f.async(a, a)) as T.NDArray[];
      close(d3, [[7, 10], [15, 22]]);
      // arrays an async call returned go back in without trouble, and asyncInto fills the caller's arrays
      const out = T.zeros([2, 2], 'float32');
      const [r] = (await f.asyncInto([out, null], d3, a)) as T.NDArray[];
      expect(r).toBe(out);
      close(out, [[37, 54], [81, 118]]);
    });
  }

  it('the plan leaves borrowed outputs, inputs, shared values and constants out of the direct ones', () => {
    const x = T.vector('x');
    const w = T.shared(f32([1, 2]), { name: 'w' });
    const e = T.exp(x);
    const f = T.function([x], [T.Out(e, { borrow: true }), x, w, T.neg(x)], { backend: 'js' });
    const plan = planMemory(f.program, [[17]], [[2]], [true]);
    expect(plan.directOf.map((j) => j >= 0)).toEqual([false, false, false, true]);
    expect(plan.direct).toEqual([f.program.outputs[3]]);
  });

  (nativeAvailable ? it : it.skip)('an unaligned out array is computed through staging and copied into place (native)', () => {
    const x = T.vector('x');
    const f = T.function([x], T.exp(x), { backend: 'native' });
    const raw = new Float32Array(9);
    const out = new T.NDArray(raw.subarray(1, 9), [8], 'float32');
    expect(out.data.byteOffset % 16).toBe(4);
    f.into(out, f32([0, 0, 0, 0, 1, 1, 1, 1]));
    close(out, [1, 1, 1, 1, Math.E, Math.E, Math.E, Math.E]);
    expect(raw[0]).toBe(0);
  });
});
