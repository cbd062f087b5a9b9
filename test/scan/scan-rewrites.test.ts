import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close } from '../helpers';
import { ScanOp } from '../../lib/scan/op';

const d = (v: T.NestedArray) => T.array(v, { dtype: 'float64' });
const scanSteps = (f: T.CompiledFunction) => f.program.steps.filter((s) => s.kernel === 'Scan');

describe('scan rewrites', () => {
  it('dot(x_t, W) with W loop-invariant becomes one product over all steps, read as a sequence', () => {
    const X = T.tensor('float64', [null, null, null], 'X');
    const W = T.dmatrix('W');
    const U = T.dmatrix('U');
    const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.dot(W).add(hp.dot(U))), { sequences: X, outputsInfo: T.zeros([2, 3], 'float64') as never });
    const op = (h as T.Variable).owner!.op as ScanOp;
    // X and dot(X, W) are both sequences; the body keeps only the recurrent product
    expect(op.spec.seqOffsets).toEqual([[0], [0]]);
    expect(op.inner.nodes.filter((n) => n.op.name === 'dot')).toHaveLength(1);
    const f = T.function([X, W, U], h as T.Variable, { backend: 'js' });
    const Xv = [[[1, 2], [3, 4]], [[0.5, -1], [2, 0]], [[0, 1], [1, 0]]];
    const Wv = [[0.1, 0.2, -0.1], [0.3, -0.2, 0.4]];
    const Uv = [[0.2, 0, 0.1], [0.1, 0.3, 0], [-0.2, 0.1, 0.2]];
    let hp = [[0, 0, 0], [0, 0, 0]];
    const want: number[][][] = [];
    for (const x of Xv) {
      hp = x.map((row, b) => [0, 1, 2].map((j) => Math.tanh(row[0] * Wv[0][j] + row[1] * Wv[1][j] + hp[b].reduce((s, v, k) => s + v * Uv[k][j], 0))));
      want.push(hp);
    }
    close(f(d(Xv), d(Wv), d(Uv)) as T.NDArray, want, 1e-12);
    // and its gradient through the hoisted product is still right
    T.verifyGrad((x, w) => {
      const [r] = T.scan((xt: T.Variable, p: T.Variable) => T.tanh(xt.dot(w).add(p)), { sequences: x, outputsInfo: T.constant([0, 0], 'float64') });
      return T.sum(T.sqr(r as T.Variable));
    }, [d([[0.1, 0.2, 0.3], [-0.3, 0.1, 0.2]]), d([[0.2, -0.1], [0.3, 0.4], [0.1, 0.1]])]);
  });
  it('an output read only as out[-1] keeps only its last value (two buffers instead of [n, ...])', () => {
    const X = T.dmatrix('X');
    const [acc] = T.scan((x: T.Variable, a: T.Variable) => a.add(x), { sequences: X, outputsInfo: T.zeros([1000], 'float64') as never });
    const last = T.slice(acc as T.Variable, -1);
    const f = T.function([X], last, { backend: 'js' });
    const g = T.function([X], last, { backend: 'js', rewrites: 'none' });
    const Xv = T.array(Array.from({ length: 50 }, (_, t) => Array.from({ length: 1000 }, (_, j) => (t * j) % 7)), { dtype: 'float64' });
    close(f(Xv) as T.NDArray, (g(Xv) as T.NDArray).toArray() as T.NestedArray);
    expect(scanSteps(f)[0].attrs.outModes).toEqual([1]);
    expect(scanSteps(g)[0].attrs.outModes).toEqual([0]);
    // 50 × 1000 doubles of history are never kept
    expect(f.info().arenaBytes).toBeLessThan(g.info().arenaBytes / 10);
    expect(f.rewriteLog().find((e) => e.name.startsWith('scan output read only'))!.count).toBe(1);
  });
  it('identical scans over the same inputs run once', () => {
    const x = T.dvector('x');
    const step = (v: T.Variable, h: T.Variable) => h.mul(0.5).add(v);
    const [a] = T.scan(step, { sequences: x, outputsInfo: T.constant(0, 'float64') });
    const [b] = T.scan(step, { sequences: x, outputsInfo: T.constant(0, 'float64') });
    const [c] = T.scan((v: T.Variable, h: T.Variable) => h.mul(0.25).add(v), { sequences: x, outputsInfo: T.constant(0, 'float64') });
    const f = T.function([x], [T.sum(a as T.Variable).add(T.sum(b as T.Variable)), T.sum(c as T.Variable)], { backend: 'js' });
    expect(scanSteps(f)).toHaveLength(2);
    const [s, r] = f(d([1, 2])) as T.NDArray[];
    close(s, 2 * (1 + 2.5));
    close(r, 1 + 2.25);
  });
});

describe('scan checkpoint option', () => {
  it('keeps only the outputs for the gradient (the products of a state with a weight are recomputed): same gradient, less memory', () => {
    const X = T.tensor('float64', [null, null, null], 'X');
    const U = T.dmatrix('U');
    const build = (checkpoint: boolean) => {
      const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.add(hp.dot(U))), { sequences: X, outputsInfo: T.zeros([4, 64], 'float64') as never, checkpoint });
      return T.function([X, U], T.grad(T.sum(T.sqr(h as T.Variable)), U), { backend: 'js' });
    };
    const rng = new T.RandomState(2);
    const Xv = rng.uniform(-1, 1, [30, 4, 64], 'float64');
    const Uv = rng.uniform(-0.1, 0.1, [64, 64], 'float64');
    const kept = build(false);
    const light = build(true);
    close(light(Xv, Uv) as T.NDArray, (kept(Xv, Uv) as T.NDArray).toArray() as T.NestedArray, 1e-10);
    // the kept products are 30 x 4 x 64 doubles that the checkpointed loop does not store
    expect(light.info().arenaBytes).toBeLessThan(kept.info().arenaBytes);
    expect(() => T.scan((x: T.Variable) => x, { sequences: X, checkpoint: 'yes' as never })).toThrow(/checkpoint must be a boolean/);
  });
});
