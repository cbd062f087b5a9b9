import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close } from '../helpers';

// Problems met while porting Theano's loop page, its scan guide and lstm.py (examples/scan-tutorial.ts,
// examples/lstm-classifier.ts), and checks made on the way. `it.fails` marks what does not work yet: each such test
// passes once the problem is fixed, and then fails, so that it is turned into a plain test.

const d = (v: T.NestedArray) => T.array(v, { dtype: 'float64' });

describe('scan: found while porting the scan examples', () => {
  // Theano's scan.py reads tap k of a multi-tap output from initial[k + mintap], i.e. the first mintap rows
  // (`init_out['initial'][:mintap]`); an initial value with more rows than the farthest tap keeps its later rows unused.
  it('an initial value longer than the farthest tap is read from its first rows, as in Theano', () => {
    const i0 = T.dvector('i0');
    const [r] = T.scan((a: T.Variable, c: T.Variable) => a.add(c), { outputsInfo: { initial: i0, taps: [-2, -1] }, nSteps: 2 });
    // taps -2 and -1 start at i0[0] = 10 and i0[1] = 20: 10 + 20 = 30, then 20 + 30 = 50
    close(T.function([i0], r as T.Variable, { backend: 'js' })(d([10, 20, 30])) as T.NDArray, [30, 50]);
    // and the gradient reaches those rows only (the last one is unused)
    const g = T.function([i0], T.grad(T.sum(r as T.Variable), i0), { backend: 'js' })(d([10, 20, 30])) as T.NDArray;
    close(g, [2, 3, 0]); // r0 = i0[0] + i0[1], r1 = i0[1] + r0
    T.verifyGrad((init) => T.sum(T.sqr(T.scan((a: T.Variable, c: T.Variable) => T.tanh(a.mul(c)), { outputsInfo: { initial: init, taps: [-2, -1] }, nSteps: 3 })[0] as T.Variable)), [d([0.3, -0.6, 0.9])]);
  });
});

describe('scan: non-sequences are computed once, before the loop (Theano cuts the step graph at them)', () => {
  // the loop page: "if you want to use a random variable d that will not be updated through scan loops, you should
  // pass this variable as a non_sequences argument"; Theano's scan replaces each non-sequence by a placeholder in
  // the step's graph, so what computes it stays outside the loop
  it('a random draw passed as a non-sequence is drawn once for all steps (and anew on every call)', () => {
    const srng = new T.random.RandomStreams(5);
    const X = T.dmatrix('X');
    const noise = srng.binomial([4], 1, 0.5, 'float64');
    const [r, updates] = T.scan((v: T.Variable, dd: T.Variable) => v.mul(dd), { sequences: X, nonSequences: noise });
    expect(updates.size).toBe(0);
    const f = T.function([X], r as T.Variable, { backend: 'js' });
    const rows = (a: T.NDArray) => [0, 1, 2, 3, 4, 5].map((i) => Array.from(a.data.slice(4 * i, 4 * i + 4)).join());
    const ones = d([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]);
    const first = rows(f(ones) as T.NDArray);
    expect(new Set(first).size).toBe(1);
    // the draw's own default update still advances the stream between calls
    const calls = [first[0], ...[1, 2, 3, 4, 5, 6].map(() => rows(f(ones) as T.NDArray)[0])];
    expect(new Set(calls).size).toBeGreaterThan(1);
  });
  it('an expression of a shared variable the loop updates, passed as a non-sequence, keeps its value from before the loop', () => {
    const k = T.shared(d(1), 'k');
    const twice = k.mul(2);
    const [r, updates] = T.scan((kk: T.Variable) => [kk, new Map([[k, k.add(1)]])], { nonSequences: twice, nSteps: 3 });
    const f = T.function([], r as T.Variable, { updates, backend: 'js' });
    close(f() as T.NDArray, [2, 2, 2]);
    expect(k.getValue().get()).toBe(4);
  });
});

describe('scan: non-sequences: the gradient', () => {
  it('reaches what computes a non-sequence outside the loop', () => {
    T.verifyGrad((x, w) => {
      const [h] = T.scan((v: T.Variable, hp: T.Variable, ww: T.Variable) => T.tanh(hp.mul(ww).add(v)), { sequences: x, outputsInfo: T.constant(0.2, 'float64'), nonSequences: T.sin(w).mul(2) });
      return T.sum(T.sqr(h as T.Variable));
    }, [d([0.1, -0.4, 0.3]), d(0.7)]);
  });
});

describe('scan: lstm.py\'s masked step, checked while porting', () => {
  // c = m_[:, None] * c + (1. - m_)[:, None] * c_ (and the same for h), mean pooling over the unmasked steps
  const mask = d([[1, 1], [1, 0], [0, 0]]);
  const pooled = (X: T.Variable, U: T.Variable, W: T.Variable) => {
    const m = T.constant(mask);
    const h0 = T.zerosLike(T.slice(X, 0));
    const [outs] = T.scan((m_: T.Variable, x_: T.Variable, h_: T.Variable, c_: T.Variable, u: T.Variable) => {
      const e = T.expandDims(m_, 1);
      const pre = T.dot(h_, u).add(x_);
      const [i, f, o] = [0, 1, 2].map((k) => T.nnet.sigmoid(T.slice(pre, null, [2 * k, 2 * k + 2])));
      let c = f.mul(c_).add(i.mul(T.tanh(T.slice(pre, null, [6, 8]))));
      c = e.mul(c).add(T.sub(1, e).mul(c_));
      let h = o.mul(T.tanh(c));
      h = e.mul(h).add(T.sub(1, e).mul(h_));
      return [h, c];
    }, { sequences: [m, T.dot(X, W)], outputsInfo: [h0, h0], nonSequences: U });
    const h = (outs as T.Variable[])[0];
    return h.mul(T.expandDims(m, 2)).sum(0).div(T.expandDims(m.sum(0), 1));
  };
  const X = d([[[0.1, 0.2], [0.3, 0.4]], [[0.5, -0.6], [0.7, 0.8]], [[0.2, 0.1], [-0.3, 0.2]]]);
  const U = d([[0.1, 0.2, -0.3, 0.4, 0.5, 0.1, 0.2, -0.1], [0.3, -0.4, 0.2, 0.1, -0.2, 0.3, 0.1, 0.4]]);
  const W = d([[0.5, -0.2, 0.3, 0.1, 0.4, -0.6, 0.2, 0.1], [0.2, 0.3, -0.1, 0.5, 0.2, 0.1, -0.3, 0.2]]);

  it('its gradient (through the loop, the mask and the pooling) matches finite differences', () => {
    T.verifyGrad((x, u, w) => T.sum(T.sqr(pooled(x, u, w))), [X, U, W]);
  });
  it('padding steps change nothing: whatever the inputs hold where the mask is 0, the pooled values are the same', () => {
    const [x, u, w] = [T.tensor3('x', 'float64'), T.dmatrix('u'), T.dmatrix('w')];
    const f = T.function([x, u, w], pooled(x, u, w), { backend: 'js' });
    const base = f(X, U, W) as T.NDArray;
    const noisy = d([[[0.1, 0.2], [0.3, 0.4]], [[0.5, -0.6], [9, -9]], [[7, 7], [-7, 7]]]);
    close(f(noisy, U, W) as T.NDArray, base.toArray() as number[][], 1e-12);
  });
});

describe('outside lib/scan, found while porting the scan examples', () => {
  // the scan guide's "simple accumulation into a scalar": seq = T.arange(up_to) with up_to = T.iscalar("up_to")
  it('T.arange of an int32 scalar input is a sequence a scan can run over', () => {
    const up_to = T.iscalar('up_to');
    const seq = T.arange(up_to);
    const [r] = T.scan((v: T.Variable, s: T.Variable) => s.add(v), { sequences: seq, outputsInfo: T.constant(0, 'int32') });
    expect(Array.from((T.function([up_to], r as T.Variable, { backend: 'js' })(5) as T.NDArray).data)).toEqual([0, 1, 3, 6, 10]);
  });

  // the loop page's Jacobian example is how Theano builds T.jacobian: a scan over arange(y.shape[0]) of grad(y[i], v);
  it('T.jacobian of an expression of symbolic shape', () => {
    const v = T.dvector('v');
    const A = T.dmatrix('A');
    const J = T.jacobian(T.tanh(T.dot(v, A)), v);
    close(T.function([A, v], J, { backend: 'js' })(d([[1, 0], [0, 1]]), d([0, 0])) as T.NDArray, [[1, 0], [0, 1]]);
  });

  // the scan guide's Gibbs chain draws trng.binomial(size=hmean.shape, n=1, p=hmean)
  it('RandomStreams.binomial with a symbolic probability p', () => {
    const srng = new T.random.RandomStreams(1);
    const p = T.dvector('p');
    const draw = srng.binomial(p, 1, p as unknown as number, 'float64');
    expect(Array.from((T.function([p], draw, { backend: 'js' })(d([0, 1, 0, 1])) as T.NDArray).data)).toEqual([0, 1, 0, 1]);
  });
});
