import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close } from '../helpers';

// Problems met while porting Theano's loop page, its scan guide and lstm.py (examples/scan-tutorial.ts,
// examples/lstm-classifier.ts). `it.fails` marks what does not work yet: each such test passes once the problem is
// fixed, and then fails, so that it is turned into a plain test.

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

describe('outside lib/scan, found while porting the scan examples', () => {
  // the scan guide's "simple accumulation into a scalar": seq = T.arange(up_to) with up_to = T.iscalar("up_to");
  // arange's length must follow from shapes today, so the example builds the range with a scan of its own
  it.fails('T.arange of an int32 scalar input is a sequence a scan can run over', () => {
    const up_to = T.iscalar('up_to');
    const seq = T.arange(up_to);
    const [r] = T.scan((v: T.Variable, s: T.Variable) => s.add(v), { sequences: seq, outputsInfo: T.constant(0, 'int32') });
    expect(Array.from((T.function([up_to], r as T.Variable, { backend: 'js' })(5) as T.NDArray).data)).toEqual([0, 1, 3, 6, 10]);
  });

  // the loop page's Jacobian example is how Theano builds T.jacobian: a scan over arange(y.shape[0]) of grad(y[i], v);
  // T.jacobian still demands static shapes (issue 12, item 2)
  it.fails('T.jacobian of an expression of symbolic shape', () => {
    const v = T.dvector('v');
    const A = T.dmatrix('A');
    const J = T.jacobian(T.tanh(T.dot(v, A)), v);
    close(T.function([A, v], J, { backend: 'js' })(d([[1, 0], [0, 1]]), d([0, 0])) as T.NDArray, [[1, 0], [0, 1]]);
  });

  // the scan guide's Gibbs chain draws trng.binomial(size=hmean.shape, n=1, p=hmean); RandomStreams.binomial takes
  // a number p only, so the example writes uniform(p) < p
  it.fails('RandomStreams.binomial with a symbolic probability p', () => {
    const srng = new T.random.RandomStreams(1);
    const p = T.dvector('p');
    const draw = srng.binomial(p, 1, p as unknown as number, 'float64');
    expect(Array.from((T.function([p], draw, { backend: 'js' })(d([0, 1, 0, 1])) as T.NDArray).data)).toEqual([0, 1, 0, 1]);
  });
});
