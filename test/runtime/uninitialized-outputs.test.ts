import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { outputMemory } from '../../lib/compile/memory-plan';
import { CASES, outputsOf } from '../op-cases';
import { close, nativeAvailable, nativeHas } from '../helpers';

// Large fresh outputs of native calls come from memory nobody zeroed (lib/compile/memory-plan.ts allocSlot): every
// native kernel must write every element of its outputs. Here every output, however small, comes that way and
// poisoned (0xff bytes: NaN, -1), and every op case (forward and gradient) must still agree with the TypeScript
// backend, which gets zeroed arrays.
describe.skipIf(!nativeAvailable)('native kernels write every element of their outputs', () => {
  const saved = { ...outputMemory };
  beforeAll(() => Object.assign(outputMemory, { minBytes: 0, poison: true }));
  afterAll(() => Object.assign(outputMemory, saved));
  for (const [name, cases] of Object.entries(CASES)) {
    it(name, () => {
      for (const c of cases) {
        const { vars, outs, grads } = outputsOf(c);
        const all = [...outs, ...grads];
        let native: T.CompiledFunction;
        try {
          native = T.function(vars, all, { backend: 'native', onUnusedInput: 'ignore' });
        } catch (e) {
          if (e instanceof T.BackendError && /has no kernel/.test(e.message)) continue;
          throw e;
        }
        // random draws advance a stream between the two calls: nothing to compare
        if (native.program.updates.length) continue;
        const js = T.function(vars, all, { backend: 'js', onUnusedInput: 'ignore' });
        const a = native(...c.inputs) as T.NDArray[];
        const b = js(...c.inputs) as T.NDArray[];
        a.forEach((r, k) => close(r, b[k].toArray() as T.NestedArray, c.tol ?? 1e-6));
      }
    });
  }
  it.skipIf(!nativeHas('Scan'))('scan: stacked, last-value and sequence-length outputs, and the gradient', () => {
    const X = T.dmatrix('X');
    const W = T.dmatrix('W');
    const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.dot(W).add(hp.dot(W))), { sequences: { input: X, taps: [-1, 0] }, outputsInfo: T.zeros([3], 'float64') as never });
    const cost = T.sum(T.sqr(h as T.Variable)).add(T.sum(T.slice(h as T.Variable, -1)));
    const outs = [h as T.Variable, ...T.grad(cost, [X, W])];
    const Xv = new T.RandomState(3).uniform(-1, 1, [7, 3], 'float64');
    const Wv = new T.RandomState(4).uniform(-1, 1, [3, 3], 'float64');
    const a = T.function([X, W], outs, { backend: 'native' })(Xv, Wv) as T.NDArray[];
    const b = T.function([X, W], outs, { backend: 'js' })(Xv, Wv) as T.NDArray[];
    a.forEach((r, k) => close(r, b[k].toArray() as T.NestedArray, 1e-9));
    expect(a.length).toBe(3);
  });
  it.skipIf(!nativeHas('IfElse', 'Scan'))('ifelse branches and a loop ended early', () => {
    const x = T.dvector('x');
    const c = T.iscalar('c');
    const [p, q] = T.ifelse(c, [x.mul(2), T.sum(x)], [x, T.max(x)]) as T.Variable[];
    const [r] = T.scan((h: T.Variable) => [h.mul(2), T.scanUntil(h.mul(2).gt(40))], { outputsInfo: T.constant(1, 'float64'), nSteps: 100 });
    const outs = [p, q, r as T.Variable];
    for (const cv of [0, 1]) {
      const a = T.function([c, x], outs, { backend: 'native' })(cv, T.array([1, -2, 3], { dtype: 'float64' })) as T.NDArray[];
      const b = T.function([c, x], outs, { backend: 'js' })(cv, T.array([1, -2, 3], { dtype: 'float64' })) as T.NDArray[];
      a.forEach((v, k) => close(v, b[k].toArray() as T.NestedArray, 1e-12));
    }
  });
});
