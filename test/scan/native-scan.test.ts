import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { scanGradHook } from '../../lib/scan/op';
import { close, expectError, nativeAvailable } from '../helpers';

// The native Scan (native/kernels/scan_loop.cc) against the TypeScript reference kernel (lib/scan/op.ts).
const d = nativeAvailable ? describe : describe.skip;

type Vals = (T.NDArray | number)[];

/** Same dtype and shape, elements within tol (empty arrays included). */
function same(actual: T.NDArray, expected: T.NDArray, tol: number, what = ''): void {
  expect(actual.dtype, what).toBe(expected.dtype);
  expect(actual.shape, what).toEqual(expected.shape);
  close(actual.reshape([actual.size]), Array.from(expected.data), tol);
}

/** Compiles on both backends, runs on the same values, and checks every output agrees (the native one ran natively). */
function agree(inputs: T.Variable[], outputs: T.Variable | T.Variable[], values: Vals, tol: number, opts: { updates?: T.ScanUpdates } = {}): T.NDArray[] {
  const run = (backend: 'js' | 'native') => {
    const f = T.function(inputs, outputs, { backend, onUnusedInput: 'ignore', updates: opts.updates });
    expect(f.info().backend).toBe(backend);
    const r = f(...values);
    return r === undefined ? [] : Array.isArray(r) ? r : [r];
  };
  const js = run('js');
  const nat = run('native');
  expect(nat.length).toBe(js.length);
  js.forEach((j, k) => same(nat[k], j, tol, `output ${k}`));
  return nat;
}

const rand = (shape: number[], seed: number, dtype: T.DType = 'float32', scale = 1) => T.array(new T.RandomState(seed).uniform(-scale, scale, shape), { dtype });
const dtype = fc.constantFrom<'float32' | 'float64'>('float32', 'float64');
const tolOf = (dt: T.DType) => (dt === 'float32' ? 1e-5 : 1e-12);
const seed = fc.integer({ min: 0, max: 1e6 });

d('native Scan agrees with the TypeScript reference', () => {
  it('reports an error inside the body as a RuntimeError naming the body node and the loop, as the reference does', () => {
    const X = T.fmatrix('X');
    const i = T.iscalar('i');
    const h0 = T.fscalar('h0');
    const [h] = T.scan((x: T.Variable, hp: T.Variable) => hp.add(x.slice(i)), { sequences: X, outputsInfo: h0, nonSequences: i }) as [T.Variable, T.ScanUpdates];
    for (const backend of ['js', 'native'] as const) {
      const f = T.function([X, h0, i], h, { backend });
      close(f([[1, 2], [3, 4]], 0, 1) as T.NDArray, [2, 6]);
      expectError(() => f([[1, 2], [3, 4]], 0, 5), T.RuntimeError, 'slice: index 5 is out of range for axis 0 of size 2', 'node: X[t][i]', 'native-scan.test.ts', '\n  inside scan(X');
    }
  });

  it('runs a tanh RNN over a random sequence (batch, hidden, steps random; odd sizes give unaligned rows)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), dtype, seed, (steps, batch, hidden, dt, s) => {
        const X = T.tensor3('X', dt);
        const h0 = T.matrix('h0', dt);
        const W = T.matrix('W', dt);
        const U = T.matrix('U', dt);
        const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.dot(W).add(hp.dot(U))), { sequences: X, outputsInfo: h0 }) as [T.Variable, T.ScanUpdates];
        agree([X, h0, W, U], h, [rand([steps, batch, hidden], s, dt), rand([batch, hidden], s + 1, dt), rand([hidden, hidden], s + 2, dt), rand([hidden, hidden], s + 3, dt)], tolOf(dt) * 10);
      }),
      { numRuns: 20 },
    );
  });

  it('feeds back taps [-2, -1] for a symbolic nSteps (an int32 input), zero steps included', () => {
    const k = T.iscalar('k');
    const x0 = T.fmatrix('x0');
    const a = T.fscalar('a');
    const [xs] = T.scan((x2: T.Variable, x1: T.Variable, av: T.Variable) => x1.mul(av).add(x2), { outputsInfo: { initial: x0, taps: [-2, -1] }, nonSequences: a, nSteps: k }) as [T.Variable, T.ScanUpdates];
    for (const n of [0, 1, 7]) {
      fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), seed, (w, s) => void agree([x0, a, k], xs, [rand([2, w], s), 0.5, n], 1e-5)), { numRuns: 5 });
    }
  });

  it('reads sequences at taps [-1, 0, 1] and a second sequence at [0]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 5 }), dtype, seed, (len, w, dt, s) => {
        const X = T.matrix('X', dt);
        const Y = T.matrix('Y', dt);
        const [o] = T.scan((xm: T.Variable, x0: T.Variable, xp: T.Variable, y: T.Variable) => xm.sub(xp).mul(x0).add(y), {
          sequences: [{ input: X, taps: [-1, 0, 1] }, Y],
        }) as [T.Variable, T.ScanUpdates];
        agree([X, Y], o, [rand([len, w], s, dt), rand([len + 1, w], s + 1, dt)], tolOf(dt) * 4);
      }),
      { numRuns: 15 },
    );
  });

  it('computes several outputs, one not fed back, and goes backwards', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), seed, (len, w, back, s) => {
        const X = T.fmatrix('X');
        const s0 = T.fvector('s0');
        const p0 = T.fvector('p0');
        const [outs] = T.scan((x: T.Variable, sp: T.Variable, pp: T.Variable) => [sp.add(x), pp.mul(x).add(1), x.sqr().sum()], {
          sequences: X,
          outputsInfo: [s0, p0, null],
          goBackwards: back,
        }) as [T.Variable[], T.ScanUpdates];
        agree([X, s0, p0], outs, [rand([len, w], s), rand([w], s + 1), rand([w], s + 2)], 1e-5);
      }),
      { numRuns: 15 },
    );
  });

  it('returns an input, a constant and the same value twice as outputs (copied into the rows, not computed there)', () => {
    const X = T.fmatrix('X');
    const h0 = T.fvector('h0');
    const [outs] = T.scan((x: T.Variable, hp: T.Variable) => {
      const h = hp.add(x);
      return [h, h, x, T.constant(3, 'float32'), hp];
    }, { sequences: X, outputsInfo: [h0, null, null, null, null] }) as [T.Variable[], T.ScanUpdates];
    agree([X, h0], outs, [rand([5, 3], 1), rand([3], 2)], 1e-6);
    // bodies without a single step: a sequence row passed through, a constant repeated
    const [id] = T.scan((x: T.Variable) => x, { sequences: X }) as [T.Variable, T.ScanUpdates];
    const [ones] = T.scan(() => T.constant([1, 2], 'float32'), { nSteps: 3 }) as [T.Variable, T.ScanUpdates];
    agree([X], [id, ones], [rand([4, 3], 3)], 0);
  });

  it('updates a shared variable inside the loop like the reference does', () => {
    for (const n of [0, 4]) {
      const results = (['js', 'native'] as const).map((backend) => {
        const acc = T.shared(T.array([1, 2, 3], { dtype: 'float32' }), 'acc');
        const X = T.fmatrix('X');
        const [ys, upd] = T.scan((x: T.Variable) => [x.add(acc), new Map([[acc, acc.add(x)]])], { sequences: X }) as [T.Variable, T.ScanUpdates];
        const f = T.function([X], ys, { backend, updates: upd });
        const y = f(rand([n, 3], 7)) as T.NDArray;
        const y2 = f(rand([n, 3], 8)) as T.NDArray;
        return [y, y2, acc.getValue()];
      });
      results[0].forEach((j, k) => same(results[1][k], j, 1e-6, `value ${k} after ${n} steps`));
    }
  });

  it('advances a random stream read in the body (a default update) exactly as the reference does', () => {
    const draws = (['js', 'native'] as const).map((backend) => {
      const srng = new T.RandomStreams(42);
      const X = T.fmatrix('X');
      const [y, upd] = T.scan((x: T.Variable) => x.add(srng.normal([3], 0, 1, 'float32')), { sequences: X }) as [T.Variable, T.ScanUpdates];
      const f = T.function([X], y, { backend, updates: upd });
      return [f(T.zeros([4, 3], 'float32')), f(T.zeros([2, 3], 'float32'))] as T.NDArray[];
    });
    draws[0].forEach((j, k) => same(draws[1][k], j, 0, `call ${k}`));
  });

  it('stops after the step whose until condition holds, and counts the steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.float({ min: Math.fround(0.5), max: 8, noNaN: true }), seed, (len, limit, s) => {
        const X = T.fvector('X');
        const lim = T.fscalar('lim');
        const [outs] = T.scan((x: T.Variable, acc: T.Variable) => {
          const a = acc.add(x.abs());
          return [[a, a.mul(2)], T.scanUntil(a.gt(lim))];
        }, { sequences: X, outputsInfo: [T.constant(0, 'float32'), null] }) as [T.Variable[], T.ScanUpdates];
        agree([X, lim], outs, [rand([len], s, 'float32', 2), limit], 1e-6);
      }),
      { numRuns: 20 },
    );
  });

  it('runs a scan nested in a scan body', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 }), seed, (outer, inner, w, s) => {
        const X = T.tensor3('X', 'float32');
        const h0 = T.fvector('h0');
        const [hs] = T.scan((xs: T.Variable, hp: T.Variable) => {
          const [inner] = T.scan((x: T.Variable, a: T.Variable) => T.tanh(a.add(x)), { sequences: xs, outputsInfo: hp }) as [T.Variable, T.ScanUpdates];
          return inner.sum(0).mul(0.5).add(hp);
        }, { sequences: X, outputsInfo: h0 }) as [T.Variable, T.ScanUpdates];
        agree([X, h0], hs, [rand([outer, inner, w], s), rand([w], s + 1)], 1e-5);
      }),
      { numRuns: 15 },
    );
  });

  it('writes every step into preallocated rows when called repeatedly, with into() arrays too', () => {
    const X = T.fmatrix('X');
    const h0 = T.fvector('h0');
    const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(hp.add(x)), { sequences: X, outputsInfo: h0 }) as [T.Variable, T.ScanUpdates];
    const js = T.function([X, h0], h, { backend: 'js' });
    const nat = T.function([X, h0], h, { backend: 'native' });
    const out = T.zeros([6, 3], 'float32');
    for (let s = 0; s < 3; s++) {
      const args = [rand([6, 3], s), rand([3], s + 9)];
      const want = js(...args) as T.NDArray;
      same(nat(...args) as T.NDArray, want, 1e-6);
      same(nat.into(out, ...args) as T.NDArray, want, 1e-6);
    }
    expect(nat.info().plans).toBe(1);
  });

  it('runs off the main thread (async) with the same values, the loop still one native call', async () => {
    const X = T.tensor3('X', 'float32');
    const h0 = T.fmatrix('h0');
    const W = T.fmatrix('W');
    const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.add(hp.dot(W))), { sequences: X, outputsInfo: h0 }) as [T.Variable, T.ScanUpdates];
    const f = T.function([X, h0, W], h, { backend: 'native' });
    const args = [rand([50, 2, 5], 1), rand([2, 5], 2), rand([5, 5], 3)];
    const sync = f(...args) as T.NDArray;
    const [a, b] = await Promise.all([f.async(...args), f.async(...args)]);
    same(a as T.NDArray, sync, 0);
    same(b as T.NDArray, sync, 0);
  });

  it.skipIf(!scanGradHook.fn)('backpropagates through the loop (a reverse scan) like the reference', () => {
    const X = T.fmatrix('X');
    const h0 = T.fvector('h0');
    const W = T.fmatrix('W');
    const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.add(hp.dot(W))), { sequences: X, outputsInfo: h0 }) as [T.Variable, T.ScanUpdates];
    const cost = h.sum();
    const grads = T.grad(cost, [W, h0]) as T.Variable[];
    agree([X, h0, W], grads, [rand([6, 4], 1), rand([4], 2), rand([4, 4], 3)], 1e-4);
  });

  it('backpropagates into a sequence read at taps [-1, 0, 1] (outputs stacked like the sequence, at an offset) and a truncated loop', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(-1, 2), seed, (len, w, truncate, s) => {
        const X = T.fmatrix('X');
        const h0 = T.fvector('h0');
        const [h] = T.scan((xm: T.Variable, x0: T.Variable, xp: T.Variable, hp: T.Variable) => T.tanh(hp.mul(xm).add(x0).sub(xp.mul(0.5))), {
          sequences: { input: X, taps: [-1, 0, 1] },
          outputsInfo: h0,
          truncateGradient: truncate,
        }) as [T.Variable, T.ScanUpdates];
        const grads = T.grad(h.sum(), [X, h0]) as T.Variable[];
        agree([X, h0], grads, [rand([len, w], s), rand([w], s + 1)], 1e-5);
      }),
      { numRuns: 10 },
    );
  });
});
