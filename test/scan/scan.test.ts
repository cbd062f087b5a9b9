import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends as all, close, expectError, nativeHas } from '../helpers';

// the loop runs natively where the addon has the Scan kernel; elsewhere the native backend is not offered for it
const backends = all.filter((b) => b === 'js' || nativeHas('Scan'));

const d = (v: T.NestedArray) => T.array(v, { dtype: 'float64' });
const run = (backend: 'js' | 'native', inputs: T.Variable[], out: T.Variable | T.Variable[], opts: T.FunctionOptions = {}) =>
  T.function(inputs, out, { backend, onUnusedInput: 'ignore', ...opts });

/** Central differences of a scalar function of one array argument. */
function numericGrad(f: (x: T.NDArray) => number, x: T.NDArray, eps = 1e-6): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.size; i++) {
    const x0 = x.data[i];
    x.data[i] = x0 + eps;
    const up = f(x);
    x.data[i] = x0 - eps;
    const down = f(x);
    x.data[i] = x0;
    out.push((up - down) / (2 * eps));
  }
  return out;
}

describe('scan: bad input', () => {
  const X = T.dmatrix('X');
  it('rejects a step function returning the wrong number of outputs, naming the scan and the counts', () => {
    expectError(() => T.scan((x: T.Variable, h: T.Variable) => [h, h], { sequences: X, outputsInfo: T.zeros([2], 'float64') as never, name: 'rnn' }), T.ArgumentError, 'scan rnn:', 'must return 1 output(s)', 'got 2', 'T.scan called at', 'scan.test.ts');
  });
  it('rejects an output whose dtype or ndim differs from its initial value, naming the output and where it was built', () => {
    const h0 = T.dvector('h0');
    expectError(() => T.scan((x: T.Variable, h: T.Variable) => T.cast(h.add(x), 'float32'), { sequences: X, outputsInfo: h0 }), T.ArgumentError, 'output 0 of the step function must have type float64[?]', 'got', 'float32', 'T.cast');
    expectError(() => T.scan((x: T.Variable, h: T.Variable) => T.sum(h.add(x)), { sequences: X, outputsInfo: h0 }), T.ArgumentError, 'output 0', 'float64[?]', 'float64[]');
  });
  it('rejects bad taps, nSteps and options, listing every problem', () => {
    const h0 = T.dvector('h0');
    expectError(
      () => T.scan((h: T.Variable) => h, { outputsInfo: { initial: h0, taps: [0] }, nSteps: -1, bogus: 1 } as never),
      T.ArgumentError,
      'option "bogus" is not known',
      'outputsInfo[0].taps must be a non-empty array of negative integers, got',
      'nSteps must be a non-negative integer, got -1',
    );
    expectError(() => T.scan((h: T.Variable) => h, { outputsInfo: h0, nSteps: 2.5 }), T.ArgumentError, 'nSteps must be a non-negative integer, got 2.5');
    expectError(() => T.scan((h: T.Variable) => h, { outputsInfo: h0, nSteps: T.dscalar('n') }), T.ArgumentError, 'nSteps must be a non-negative integer or an int32 scalar, got n of type float64[]');
    expectError(() => T.scan((h: T.Variable) => h, { outputsInfo: h0 }), T.ArgumentError, 'nSteps must be given when there are no sequences');
    expectError(() => T.scan('no' as never, { sequences: X }), T.ArgumentError, 'fn must be a function, got');
    expectError(() => T.scan((x: T.Variable) => x, { sequences: T.dscalar('s') }), T.ArgumentError, 'sequences[0] must have a time axis');
  });
  it('rejects taps that reach before the initial value, at build time where its rows are known and at run time otherwise', () => {
    expectError(() => T.scan((a: T.Variable, b: T.Variable) => a.add(b), { outputsInfo: { initial: T.constant([1], 'float64'), taps: [-2, -1] }, nSteps: 3 }), T.ArgumentError, 'outputsInfo[0].taps [-2, -1] reach 2 steps back, before its initial value of 1 row(s)');
    const init = T.dvector('init');
    const [r] = T.scan((a: T.Variable, b: T.Variable) => a.add(b), { outputsInfo: { initial: init, taps: [-2, -1] }, nSteps: 3 });
    for (const b of backends) expect(() => run(b, [init], r)(d([1]))).toThrow(/the initial value of output 0 must have at least 2 rows for lags up to 2, got shape \[1\]/);
  });
  it('rejects a non-scalar until condition and a non-integer nSteps value at run time', () => {
    expectError(() => T.scanUntil(T.dvector('v')), T.ShapeError, 'scanUntil: cond must be a scalar');
    const k = T.iscalar('k');
    const [r] = T.scan((h: T.Variable) => h.mul(2), { outputsInfo: T.constant(1, 'float64'), nSteps: k });
    for (const b of backends) expect(() => run(b, [k], r as T.Variable)(-3)).toThrow(/nSteps must be a non-negative integer, got -3/);
  });
  it('a sequence shorter than nSteps is a run-time ShapeError naming the sequence', () => {
    const [r] = T.scan((x: T.Variable, h: T.Variable) => h.add(x), { sequences: T.dvector('x'), outputsInfo: T.constant(0, 'float64'), nSteps: 5 });
    for (const b of backends) {
      const f = run(b, [((r as T.Variable).owner!.inputs[0])], r as T.Variable);
      expect(() => f([1, 2, 3])).toThrow(/sequences\[0\] must have at least 5 entries along its first axis for 5 steps, got 3/);
    }
  });
  it('with strict, reading a variable that is not an argument is an error naming it', () => {
    const W = T.dmatrix('W');
    expectError(() => T.scan((x: T.Variable) => x.dot(W), { sequences: X, strict: true }), T.ArgumentError, 'with strict', 'W', 'pass them as nonSequences');
    expect(() => T.scan((x: T.Variable, w: T.Variable) => x.dot(w), { sequences: X, nonSequences: [W], strict: true })).not.toThrow();
  });
  it('the gradient of a loop ended by until is a GradError naming the scan', () => {
    const x = T.dvector('x');
    const [r] = T.scan((v: T.Variable, h: T.Variable) => [h.add(v), T.scanUntil(h.gt(3))], { sequences: x, outputsInfo: T.constant(0, 'float64') });
    expect(() => T.grad(T.sum(r as T.Variable), x)).toThrow(T.GradError);
  });
});

describe('scan: the loop page of Theano\'s tutorial', () => {
  for (const b of backends) {
    it(`A**k with a symbolic number of steps (${b})`, () => {
      const k = T.iscalar('k');
      const A = T.dvector('A');
      const [result, updates] = T.scan((prior: T.Variable, a: T.Variable) => prior.mul(a), { outputsInfo: T.onesLike(A), nonSequences: A, nSteps: k });
      const finalResult = T.slice(result as T.Variable, -1);
      const power = run(b, [A, k], finalResult, { updates });
      close(power(d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 2) as T.NDArray, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    });
    it(`polynomial coefficients times powers, summed (${b})`, () => {
      const coefficients = T.dvector('coefficients');
      const x = T.dscalar('x');
      const [components] = T.scan((c: T.Variable, power: T.Variable, freeVar: T.Variable) => c.mul(T.pow(freeVar, power)), {
        sequences: [coefficients, T.arange(1000)],
        nonSequences: x,
      });
      const poly = run(b, [coefficients, x], T.sum(components as T.Variable));
      close(poly(d([1, 0, 2]), 3) as T.NDArray, 19);
    });
    it(`a tanh recurrence over a sequence, against a loop in JS (${b})`, () => {
      const X = T.dmatrix('X');
      const W = T.dmatrix('W');
      const bSym = T.dvector('b');
      const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.dot(W).add(hp.dot(W)).add(bSym)), { sequences: X, outputsInfo: T.zerosLike(bSym) });
      const f = run(b, [X, W, bSym], h as T.Variable);
      const Xv = [[1, 2], [3, 4], [0.5, -1]];
      const Wv = [[0.1, -0.2], [0.3, 0.4]];
      const bv = [0.5, -0.5];
      const want: number[][] = [];
      let hp = [0, 0];
      for (const x of Xv) {
        const s = [0, 1].map((j) => Math.tanh(x[0] * Wv[0][j] + x[1] * Wv[1][j] + hp[0] * Wv[0][j] + hp[1] * Wv[1][j] + bv[j]));
        want.push(s);
        hp = s;
      }
      close(f(d(Xv), d(Wv), d(bv)) as T.NDArray, want, 1e-12);
    });
    it(`row and column norms, and the trace (${b})`, () => {
      const X = T.dmatrix('X');
      const [rows] = T.scan((x: T.Variable) => T.sqrt(T.sum(T.sqr(x))), { sequences: X });
      const [cols] = T.scan((x: T.Variable) => T.sqrt(T.sum(T.sqr(x))), { sequences: X.T });
      const [diag] = T.scan((i: T.Variable, j: T.Variable, m: T.Variable) => T.slice(m, i, j), { sequences: [T.arange(X.shape[0]), T.arange(X.shape[1])], nonSequences: X });
      const f = run(b, [X], [rows as T.Variable, cols as T.Variable, T.sum(diag as T.Variable)]);
      const [r, c, tr] = f(d([[3, 4], [6, 8]])) as T.NDArray[];
      close(r, [5, 10]);
      close(c, [Math.hypot(3, 6), Math.hypot(4, 8)]);
      close(tr, 11);
    });
    it(`taps [-2, -1] with a symbolic nSteps: Fibonacci (${b})`, () => {
      const n = T.iscalar('n');
      const [fib] = T.scan((a: T.Variable, c: T.Variable) => a.add(c), { outputsInfo: { initial: T.constant([1, 1], 'float64'), taps: [-2, -1] }, nSteps: n });
      close(run(b, [n], fib as T.Variable)(8) as T.NDArray, [2, 3, 5, 8, 13, 21, 34, 55]);
    });
    it(`sequence taps [-1, 0, 1] read x[t-1], x[t], x[t+1] (${b})`, () => {
      const x = T.dvector('x');
      const [r] = T.scan((a: T.Variable, c: T.Variable, e: T.Variable) => a.add(c.mul(10)).add(e.mul(100)), { sequences: { input: x, taps: [-1, 0, 1] } });
      close(run(b, [x], r as T.Variable)(d([1, 2, 3, 4])) as T.NDArray, [321, 432]);
    });
    it(`an accumulator updating a shared variable inside the loop (${b})`, () => {
      const acc = T.shared(d(0), 'acc');
      const x = T.dvector('x');
      const [, updates] = T.scan((v: T.Variable) => new Map([[acc, acc.add(v)]]), { sequences: x });
      const f = run(b, [x], [], { updates });
      f(d([1, 2, 3]));
      expect(acc.getValue().data[0]).toBe(6);
      f(d([10]));
      expect(acc.getValue().data[0]).toBe(16);
    });
    it(`goBackwards iterates from the end, outputs in iteration order (${b})`, () => {
      const x = T.dvector('x');
      const [r] = T.scan((v: T.Variable, h: T.Variable) => h.mul(10).add(v), { sequences: x, outputsInfo: T.constant(0, 'float64'), goBackwards: true });
      close(run(b, [x], r as T.Variable)(d([1, 2, 3])) as T.NDArray, [3, 32, 321]);
    });
    it(`until ends the loop early; outputs keep only the steps run (${b})`, () => {
      const [r] = T.scan((h: T.Variable) => [h.mul(2), T.scanUntil(h.mul(2).gt(40))], { outputsInfo: T.constant(1, 'float64'), nSteps: 100 });
      close(run(b, [], r as T.Variable)() as T.NDArray, [2, 4, 8, 16, 32, 64]);
    });
    it(`map, reduce, foldl and foldr (${b})`, () => {
      const x = T.dvector('x');
      const [sq] = T.map((v: T.Variable) => v.sqr(), x);
      const [s] = T.reduce((v: T.Variable, a: T.Variable) => a.add(v), x, T.constant(0, 'float64'));
      const [l] = T.foldl((v: T.Variable, a: T.Variable) => a.mul(10).add(v), x, T.constant(0, 'float64'));
      const [rr] = T.foldr((v: T.Variable, a: T.Variable) => a.mul(10).add(v), x, T.constant(0, 'float64'));
      const f = run(b, [x], [sq, s, l, rr] as T.Variable[]);
      const [a, c, e, g] = f(d([1, 2, 3])) as T.NDArray[];
      close(a, [1, 4, 9]);
      close(c, 6);
      close(e, 123);
      close(g, 321);
    });
    it(`zero steps give an empty sequence (${b})`, () => {
      const n = T.iscalar('n');
      const [r] = T.scan((h: T.Variable) => h.add(1), { outputsInfo: T.constant([0, 0], 'float64'), nSteps: n });
      expect((run(b, [n], r as T.Variable)(0) as T.NDArray).shape).toEqual([0, 2]);
    });
    it(`random draws inside the loop differ per step and advance the stream by default (${b})`, () => {
      const srng = new T.random.RandomStreams(7);
      const n = T.iscalar('n');
      const [r] = T.scan(() => srng.uniform([3]), { nSteps: n });
      const f = run(b, [n], r as T.Variable);
      const a = f(4) as T.NDArray;
      const rows = [0, 1, 2, 3].map((i) => Array.from(a.data.slice(3 * i, 3 * i + 3)).join());
      expect(new Set(rows).size).toBe(4);
      const again = f(4) as T.NDArray;
      expect(Array.from(again.data)).not.toEqual(Array.from(a.data));
    });
  }
});

describe('scan: gradients against finite differences', () => {
  it('BPTT of a tanh RNN: sequences, initial state and weights', () => {
    T.verifyGrad((X, W, U, h0) => {
      const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.dot(W).add(hp.dot(U))), { sequences: X, outputsInfo: h0 });
      return T.sum(T.sqr(h as T.Variable));
    }, [d([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [-0.2, 0.1]]), d([[0.1, 0.2, 0.3], [0.3, 0.4, -0.1]]), d([[0.2, -0.3, 0.1], [0.1, 0.2, 0.3], [-0.1, 0.4, 0.2]]), d([0.5, -0.5, 0.1])]);
  });
  it('a non-sequence and an expression of it (both reach the cost)', () => {
    T.verifyGrad((X, W, h0) => {
      const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.dot(W).add(hp.dot(W.T))), { sequences: X, outputsInfo: h0 });
      return T.sum(T.sqr(h as T.Variable));
    }, [d([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]), d([[0.1, 0.2], [0.3, 0.4]]), d([0.5, -0.5])]);
  });
  it('taps [-2, -1] and sequence taps [-1, 0, 1]', () => {
    T.verifyGrad((x, init, w) => {
      const [r] = T.scan((a: T.Variable, b: T.Variable, c: T.Variable, p2: T.Variable, p1: T.Variable) => T.tanh(a.mul(w).add(b).sub(c.mul(0.5)).add(p2.mul(0.3)).add(p1.mul(p2).mul(0.2))), {
        sequences: { input: x, taps: [-1, 0, 1] },
        outputsInfo: { initial: init, taps: [-2, -1] },
      });
      return T.sum(T.sqr(r as T.Variable).mul(T.arange(1, 5)));
    }, [d([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]), d([0.2, -0.1]), d(0.7)]);
  });
  it('several outputs, one not fed back, and a reduction (only the last value reaches the cost)', () => {
    T.verifyGrad((x, h0, w) => {
      const [outs] = T.scan((v: T.Variable, h: T.Variable) => [T.tanh(h.mul(w).add(v)), v.mul(h)], { sequences: x, outputsInfo: [h0, null] });
      const [h, y] = outs as T.Variable[];
      return T.slice(h, -1).add(T.sum(y));
    }, [d([0.1, -0.2, 0.3, 0.4]), d(0.3), d(0.9)]);
  });
  it('goBackwards', () => {
    T.verifyGrad((x, h0) => {
      const [h] = T.scan((v: T.Variable, hp: T.Variable) => T.sin(hp.add(v)), { sequences: x, outputsInfo: h0, goBackwards: true });
      return T.sum((h as T.Variable).mul(T.arange(1, 4)));
    }, [d([0.1, -0.2, 0.3]), d(0.4)]);
  });
  it('second order: the gradient of the gradient (a Hessian-vector product through the loop)', () => {
    T.verifyGrad((x, w, v) => {
      const [h] = T.scan((s: T.Variable, hp: T.Variable) => T.tanh(hp.mul(w).add(s)), { sequences: x, outputsInfo: T.constant(0.1, 'float64') });
      const g = T.grad(T.sum(T.sqr(h as T.Variable)), x);
      return T.sum(g.mul(v));
    }, [d([0.1, -0.2, 0.3]), d(0.8), d([0.3, 0.2, -0.5])]);
  });
  it('truncateGradient backpropagates through the last k steps only', () => {
    const x = T.dvector('x');
    const [h] = T.scan((v: T.Variable, hp: T.Variable) => hp.mul(0.5).add(v), { sequences: x, outputsInfo: T.constant(0, 'float64'), truncateGradient: 2 });
    const cost = T.slice(h as T.Variable, -1);
    const g = T.function([x], T.grad(cost, x), { backend: 'js' })(d([1, 2, 3, 4])) as T.NDArray;
    // h3 = x3 + .5 x2 + .25 x1 + ...: only the last two steps count
    close(g, [0, 0, 0.5, 1]);
    // without truncation, all four
    const [hf] = T.scan((v: T.Variable, hp: T.Variable) => hp.mul(0.5).add(v), { sequences: x, outputsInfo: T.constant(0, 'float64') });
    close(T.function([x], T.grad(T.slice(hf as T.Variable, -1), x), { backend: 'js' })(d([1, 2, 3, 4])) as T.NDArray, [0.125, 0.25, 0.5, 1]);
  });
  it('the gradient of a shared-variable update carried through the loop', () => {
    const w = T.dscalar('w');
    const acc = T.shared(d(1), 'acc');
    const x = T.dvector('x');
    const [, updates] = T.scan((v: T.Variable) => new Map([[acc, acc.mul(w).add(v)]]), { sequences: x });
    const last = updates.get(acc)!;
    const f = T.function([x, w], T.grad(last, w), { backend: 'js' });
    const xv = d([0.5, -1, 2]);
    const value = T.function([x, w], last, { backend: 'js' });
    const num = numericGrad((wv) => (value(xv, wv) as T.NDArray).data[0], d(1.3))[0];
    close(f(xv, 1.3) as T.NDArray, num, 1e-6);
  });
});

describe('scan: run-time errors inside the body', () => {
  it('name the body node with its line in fn, and the loop with the line of T.scan', () => {
    const X = T.dmatrix('X');
    const W = T.dmatrix('W');
    const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(hp.add(x)), { sequences: X, outputsInfo: T.constant([0, 0], 'float64'), nonSequences: W });
    for (const b of backends) {
      let err: Error | null = null;
      try {
        T.function([X, W], h as T.Variable, { backend: b, onUnusedInput: 'ignore' })(d([[1, 2, 3]]), d([[1]]));
      } catch (e) {
        err = e as Error;
      }
      expect(err).toBeInstanceOf(T.NodeanoError);
      expect(err!.message).toMatch(/add/);
      // the body's line (in fn) and the line of the T.scan call
      expect(err!.message.match(/scan\.test\.ts:\d+/g)!.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('scan: Lop and Rop through a loop', () => {
  const x = T.dvector('x');
  const w = T.dscalar('w');
  const [h] = T.scan((v: T.Variable, hp: T.Variable) => T.tanh(hp.mul(w).add(v)), { sequences: x, outputsInfo: T.constant(0.2, 'float64') });
  const hv = h as T.Variable;
  const xv = d([0.1, -0.3, 0.5]);
  const value = T.function([x, w], hv, { backend: 'js' });
  const eps = 1e-6;
  it('Rop is the directional derivative J·v', () => {
    const v = T.dvector('v');
    const jv = T.function([x, w, v], T.Rop(hv, x, v), { backend: 'js' });
    const vv = [0.3, -0.2, 0.7];
    const up = value(d(Array.from(xv.data).map((a, i) => a + eps * vv[i])), 0.9) as T.NDArray;
    const down = value(d(Array.from(xv.data).map((a, i) => a - eps * vv[i])), 0.9) as T.NDArray;
    close(jv(xv, 0.9, d(vv)) as T.NDArray, Array.from(up.data).map((u, i) => (u - down.data[i]) / (2 * eps)), 1e-6);
  });
  it('Lop is uᵀJ', () => {
    const u = T.dvector('u');
    const uj = T.function([x, w, u], T.Lop(hv, w, u), { backend: 'js' });
    const uu = [1, -2, 0.5];
    const f = (wv: number) => Array.from((value(xv, wv) as T.NDArray).data).reduce((s, a, i) => s + a * uu[i], 0);
    close(uj(xv, 0.9, d(uu)) as T.NDArray, (f(0.9 + eps) - f(0.9 - eps)) / (2 * eps), 1e-6);
  });
});

describe('scan: result types', () => {
  it('one Variable for a step returning one, a list for a step returning a list (no casts needed)', () => {
    const x = T.dvector('x');
    const [a] = T.scan((v: T.Variable) => v.sqr(), { sequences: x });
    const one: T.Variable = a;
    const [b] = T.scan((v: T.Variable) => [v.sqr(), v.neg()], { sequences: x });
    const many: T.Variable[] = b;
    expect(one).toBeInstanceOf(T.Variable);
    expect(many).toHaveLength(2);
    close((T.function([x], [one, ...many], { backend: 'js' })(d([1, 2])) as T.NDArray[])[2], [-1, -2]);
  });
});
