import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, close, expectError, nativeHas } from '../helpers';
import { flat } from '../ops/support';

// A function with a data-dependent output shape (booleanMask) runs as a chain of programs (lib/compile/segments.ts).
const usable = backends.filter((b) => b === 'js' || nativeHas('BooleanMask', 'BooleanMaskGrad'));

describe('segmented functions', () => {
  for (const backend of usable) {
    describe(backend, () => {
      it('runs every segment on the requested backend and plans once per signature of sizes', () => {
        const x = T.dvector('x');
        const f = T.function([x], x.mask(x.gt(0)).sum(), { backend });
        expect(f.info().backend).toBe(backend);
        close(f([1, -2, 3]) as T.NDArray, 4);
        const after1 = f.info().plans;
        close(f([5, -2, 1]) as T.NDArray, 6);
        expect(f.info().plans).toBe(after1);
        close(f([5, 2, 1]) as T.NDArray, 8);
        expect(f.info().plans).toBe(after1 + 1);
        expect(f.info().calls).toBe(3);
      });

      it('applies updates only after the last segment, each reading the values from before the call', () => {
        const s = T.shared(T.array([1, 2, 3]), { name: 's' });
        const c = T.shared(T.array(0), { name: 'c' });
        const x = T.dvector('x');
        const sel = s.mask(x.gt(0));
        const f = T.function([x], [sel, s.mul(2)], { backend, updates: [[s, s.add(1)], [c, c.add(sel.sum())]] });
        const [a, b] = f([1, 0, 1]) as T.NDArray[];
        expect(flat(a)).toEqual([1, 3]);
        expect(flat(b)).toEqual([2, 4, 6]);
        expect(flat(s.getValue())).toEqual([2, 3, 4]);
        expect(flat(c.getValue())).toEqual([4]);
      });

      it('applies no update when a later segment fails, and names the failing node', () => {
        const s = T.shared(T.array([1, 2, 3]), { name: 's' });
        const x = T.dvector('x');
        const y = T.dvector('y');
        const sel = s.mask(x.gt(0));
        const f = T.function([x, y], sel.add(y), { backend, updates: [[s, s.add(1)]] });
        close(f([1, 1, 0], [10, 20]) as T.NDArray, [11, 22]);
        expect(flat(s.getValue())).toEqual([2, 3, 4]);
        expectError(() => f([1, 1, 1], [10, 20]), T.RuntimeError, 'add');
        expect(flat(s.getValue())).toEqual([2, 3, 4]);
      });

      it('passes inputs and earlier values through to any later segment, and returns a repeated output twice', () => {
        const x = T.dvector('x');
        const w = T.dscalar('w');
        const a = x.mask(x.gt(0));
        const b = a.mask(a.gt(2)).mul(w);
        const f = T.function([x, w], [b, a, b, x.sum()], { backend });
        const [b1, a1, b2, sx] = f([1, 3, -1, 4], 2) as T.NDArray[];
        expect(flat(b1)).toEqual([6, 8]);
        expect(flat(a1)).toEqual([1, 3, 4]);
        expect(flat(b2)).toEqual([6, 8]);
        expect(b2).not.toBe(b1);
        close(sx, 7);
      });

      it('queues async calls whole, each seeing the previous call’s updates', async () => {
        const s = T.shared(T.array([1, -1, 2]), { name: 's' });
        const f = T.function([], s.mask(s.gt(0)).sum(), { backend, updates: [[s, s.add(1)]] });
        const [r1, r2, r3] = await Promise.all([f.async(), f.async(), f.async()]);
        close(r1 as T.NDArray, 3);
        close(r2 as T.NDArray, 5);
        close(r3 as T.NDArray, 7 + 1);
        expect(flat(s.getValue())).toEqual([4, 2, 5]);
      });

      it('trains through a mask: the gradient has the input’s shape and needs no extra segment', () => {
        const W = T.shared(T.array([0.5, -1, 2]), { name: 'W' });
        const x = T.dvector('x');
        const cost = T.sum(W.mul(x).mask(x.gt(0)).sqr());
        const gW = T.grad(cost, W);
        const f = T.function([x], cost, { backend, updates: [[W, W.sub(gW.mul(0.1))]] });
        close(f([2, -1, 1]) as T.NDArray, 1 + 4);
        // dW = 2 W x^2 where x > 0: [4, 0, 4]
        close(W.getValue(), [0.1, -1, 1.6]);
      });
    });
  }

  it('leaves functions without data-dependent ops as one program', () => {
    const x = T.dvector('x');
    const f = T.function([x], x.mul(2));
    f([1, 2]);
    expect(f.info().plans).toBe(1);
  });
});

describe('constant masks', () => {
  it('need no segments: the count is known when the graph is built, and so is the static length', () => {
    const x = T.dmatrix('x');
    const y = x.mask(T.constant([false, true, true]));
    expect(y.staticShape).toEqual([2, null]);
    for (const backend of usable) {
      const f = T.function([x], [y, T.grad(T.sum(y.sqr()), x)], { backend });
      const [a, g] = f([[1, 2], [3, 4], [5, 6]]) as T.NDArray[];
      close(a, [[3, 4], [5, 6]]);
      close(g, [[0, 0], [6, 8], [10, 12]]);
      expect(f.info().plans).toBe(1);
    }
  });
});
