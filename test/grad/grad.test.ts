import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { applyUnary, defineElemwise } from '../../lib/ops/elemwise';
import { close, compileOnBackends, expectError } from '../helpers';

describe('grad: bad input', () => {
  it('rejects a non-scalar cost, naming it and its shape', () => {
    const x = T.vector('x');
    expectError(() => T.grad(T.sqr(x), x), T.GradError, 'grad: cost must be a scalar', 'sqr(x)', '[?]');
  });
  it('rejects an integer cost and integer wrt, listing both', () => {
    const i = T.ivector('i');
    expectError(() => T.grad(T.sum(i), i), T.GradError, 'cost must be a float scalar', 'wrt (i) must have a float dtype', 'integer inputs get no gradient');
  });
  it('rejects a wrt that is not a Variable', () => {
    const x = T.vector('x');
    expectError(() => T.grad(T.sum(x), [x, 3 as unknown as T.Variable]), T.GradError, 'wrt[1] must be a Variable');
  });
  it('names a disconnected wrt and where it was created', () => {
    const x = T.vector('x');
    const z = T.vector('z');
    expectError(() => T.grad(T.sum(x), [x, z]), T.GradError, 'wrt[1] (z) is not connected to the cost', 'disconnectedInputs: "ignore"', 'grad.test.ts');
  });
  it('names every disconnected wrt in one error', () => {
    const [x, y, z] = [T.vector('x'), T.vector('y'), T.vector('z')];
    expectError(() => T.grad(T.sum(x), [y, x, z]), T.GradError, 'wrt[0] (y), wrt[2] (z) are not connected');
  });
  it('rejects bad option values, listing all of them', () => {
    const x = T.vector('x');
    expectError(
      () => T.grad(T.sum(x), x, { disconnectedInputs: 'zero' as 'raise', returnDisconnected: 'None' as 'zero', considerConstant: 'x' as unknown as T.Variable[], colour: 1 } as T.GradOptions),
      T.GradError,
      'option "colour" is not known',
      'disconnectedInputs must be "raise", "warn" or "ignore", got "zero"',
      'returnDisconnected must be "zero" or "null", got "None"',
      'considerConstant must be an array of Variables, got "x"',
    );
    expectError(() => T.grad(T.sum(x), x, { disconnected: 'ignore' as 'zero' }), T.GradError, 'disconnected must be "raise" or "zero"');
    expectError(() => T.grad(T.sum(x), x, { disconnected: 'zero', disconnectedInputs: 'ignore' }), T.GradError, 'pass either it or them');
  });
  it('rejects a considerConstant entry that is not a Variable, and a wrt that is listed there', () => {
    const x = T.vector('x');
    const y = x.mul(2);
    expectError(() => T.grad(T.sum(y), x, { considerConstant: [y, 3 as unknown as T.Variable] }), T.GradError, 'considerConstant[1] must be a Variable, got number 3');
    expectError(() => T.grad(T.sum(y), x, { considerConstant: [x] }), T.GradError, 'wrt (x) is listed in considerConstant');
  });
  it('rejects knownGrads of the wrong shape, rank, dtype or kind, listing all', () => {
    const x = T.tensor('float64', [3], 'x');
    const h = T.tanh(x);
    const m = T.dmatrix('m');
    expectError(
      () => T.grad(null, x, { knownGrads: [[h, T.constant([1, 2, 3, 4], 'float64')], [m, T.dvector('v')], [T.ivector('i'), [1]], [3 as unknown as T.Variable, 1]] }),
      T.GradError,
      'knownGrads[0][1] must have the shape of tanh(x) [3], got [4]',
      'knownGrads[1][1] must have the shape of m [?, ?], got [?]',
      'knownGrads[2][0] (i) must have a float dtype, got int32',
      'knownGrads[3][0] must be a Variable, got number 3',
    );
    expectError(() => T.grad(null, x, { knownGrads: [[h, T.ivector('gi')]] }), T.GradError, 'knownGrads[0][1] must have a float dtype like tanh(x) (float64), got int32');
    expectError(() => T.grad(null, x, { knownGrads: [[h, 'a']] }), T.GradError, 'knownGrads[0][1] must be a Variable, number, nested array or NDArray, got "a"');
    expectError(() => T.grad(null, x, { knownGrads: 5 as never }), T.GradError, 'knownGrads must be a Map or an array of [variable, gradient] pairs');
    expectError(() => T.grad(null, x, { knownGrads: [[h, 1], [h, 2]] }), T.GradError, 'knownGrads[1][0] (tanh(x)) is listed twice');
  });
  it('needs a cost or knownGrads', () => {
    expectError(() => T.grad(null, T.vector('x')), T.GradError, 'cost must be a Variable (it may be null only with knownGrads), got null');
  });
});

describe('grad options', () => {
  const xs = [0.5, -1, 2];
  const th = xs.map(Math.tanh);
  it('knownGrads without a cost backpropagates the given gradient: d/dx with dC/dh = v, h = tanh(x), is v(1 - h²)', () => {
    const x = T.dvector('x');
    const v = T.dvector('v');
    const h = T.tanh(x);
    const g = T.grad(null, x, { knownGrads: [[h, v]] });
    for (const [, f] of compileOnBackends([x, v], g)) close(f(xs, [1, 2, 3]) as T.NDArray, th.map((t, i) => (i + 1) * (1 - t * t)));
  });
  it('knownGrads takes a Map, casts float widths and accepts plain numbers', () => {
    const x = T.fvector('x');
    const h = T.sqr(x);
    const g = T.grad(null, x, { knownGrads: new Map<T.Variable, unknown>([[h, T.constant([1, 1, 1], 'float64')]]) });
    expect(g.dtype).toBe('float32');
    close(T.function([x], g)(xs) as T.NDArray, xs.map((a) => 2 * a));
    const g2 = T.grad(null, x, { knownGrads: [[h, 0.5]] });
    close(T.function([x], g2)(xs) as T.NDArray, xs.map((a) => a));
  });
  it('a known gradient replaces what flows from the cost into that variable; other paths still add', () => {
    const x = T.dvector('x');
    const h = T.sqr(x);
    // cost = sum(h) + sum(3x); with dC/dh := 10 the result is 10·2x + 3 (the cost's own 1 for h is replaced)
    const cost = T.sum(h).add(T.sum(x.mul(3)));
    const g = T.grad(cost, x, { knownGrads: [[h, T.constant([10, 10, 10], 'float64')]] });
    for (const [, f] of compileOnBackends([x], g)) close(f(xs) as T.NDArray, xs.map((a) => 20 * a + 3));
  });
  it('a known gradient for wrt itself is returned as is', () => {
    const x = T.dvector('x');
    const v = T.dvector('v');
    const g = T.grad(T.sum(T.sqr(x)), x, { knownGrads: [[x, v]] });
    expect(g).toBe(v);
  });
  it('considerConstant cuts the paths through the listed variables (Theano consider_constant)', () => {
    const x = T.dvector('x');
    const y = T.sqr(x);
    // cost = sum(y·x) with y constant: d/dx = y = x²; without it 3x²
    const cost = T.sum(y.mul(x));
    for (const [, f] of compileOnBackends([x], T.grad(cost, x, { considerConstant: [y] }))) close(f(xs) as T.NDArray, xs.map((a) => a * a));
    for (const [, f] of compileOnBackends([x], T.grad(cost, x))) close(f(xs) as T.NDArray, xs.map((a) => 3 * a * a));
  });
  it('considerConstant on the only path leaves wrt disconnected', () => {
    const x = T.dvector('x');
    const y = T.exp(x);
    expectError(() => T.grad(T.sum(y), x, { considerConstant: [y] }), T.GradError, 'wrt (x) is not connected');
  });
  it('disconnectedInputs "warn" warns and returns zeros; "ignore" with returnDisconnected "null" returns null', () => {
    const x = T.dvector('x');
    const z = T.dvector('z');
    const warnings: string[] = [];
    const origEmit = process.emitWarning;
    process.emitWarning = ((m: string) => warnings.push(m)) as typeof process.emitWarning;
    try {
      const [gx, gz] = T.grad(T.sum(x), [x, z], { disconnectedInputs: 'warn' });
      close(T.function([x, z], gz, { onUnusedInput: 'ignore' })(xs, [1, 2]) as T.NDArray, [0, 0]);
      expect(gx).toBeInstanceOf(T.Variable);
    } finally {
      process.emitWarning = origEmit;
    }
    expect(warnings.some((w) => w.includes('wrt[1] (z) is not connected to the cost'))).toBe(true);
    const r = T.grad(T.sum(x), [x, z], { disconnectedInputs: 'ignore', returnDisconnected: 'null' });
    expect(r[0]).toBeInstanceOf(T.Variable);
    expect(r[1]).toBeNull();
  });
});

describe('grad', () => {
  it('returns zeros of the runtime shape for a disconnected wrt when asked', () => {
    const x = T.vector('x');
    const z = T.matrix('z');
    const gz = T.grad(T.sum(x), z, { disconnected: 'zero' });
    const f = T.function([x, z], gz, { onUnusedInput: 'ignore' });
    close(f([1, 2], [[1, 2, 3], [4, 5, 6]]) as T.NDArray, [[0, 0, 0], [0, 0, 0]]);
  });

  it('accumulates over every path from wrt to the cost', () => {
    const x = T.dscalar('x');
    // c = x*x + 3x + x  ->  dc/dx = 2x + 4
    const c = x.mul(x).add(x.mul(3)).add(x);
    const f = T.function([x], T.grad(c, x));
    close(f(2.5) as T.NDArray, 9);
  });

  it('keeps the shape of wrt: a single Variable gives a Variable, a list gives a list', () => {
    const x = T.vector('x');
    const c = T.sum(x);
    expect(T.grad(c, x)).toBeInstanceOf(T.Variable);
    expect(T.grad(c, [x])).toHaveLength(1);
  });

  it('differentiates twice: the second derivative of sum(sigmoid) is s(1-s)(1-2s)', () => {
    const x = T.dvector('x');
    const g1 = T.grad(T.sum(T.sigmoid(x)), x);
    const g2 = T.grad(T.sum(g1), x);
    const xs = [-2, -0.5, 0, 1, 3];
    const s = xs.map((v) => 1 / (1 + Math.exp(-v)));
    close(T.function([x], g2)(xs) as T.NDArray, s.map((v) => v * (1 - v) * (1 - 2 * v)), 1e-9);
  });

  it('gives the Hessian-vector structure of a quadratic form: d²(xᵀAx)/dx² rows', () => {
    const x = T.dvector('x');
    const A = T.dmatrix('A');
    const q = T.dot(x, T.dot(A, x));
    const g = T.grad(q, x); // (A + Aᵀ) x
    const h0 = T.grad(T.sum(g.mul(T.constant([1, 0], 'float64'))), x); // first row of A + Aᵀ
    const f = T.function([x, A], [g, h0]);
    const [gv, hv] = f([1, 2], [[1, 2], [3, 4]]) as T.NDArray[];
    close(gv, [1 * 2 + 5 * 2, 5 * 1 + 8 * 2].map((_, i) => [2 * 1 + 5 * 2, 5 * 1 + 8 * 2][i]), 1e-12);
    close(hv, [2, 5], 1e-12);
  });

  it('sums the gradient of a broadcast back to the input runtime shape', () => {
    const X = T.dmatrix('X');
    const b = T.dvector('b');
    const c = T.sum(T.sqr(X.add(b)));
    T.verifyGrad((X_, b_) => T.sqr(X_.add(b_)), [[[1, 2, 3], [4, 5, 6]], [0.5, -1, 2]]);
    const gb = T.function([X, b], T.grad(c, b))([[1, 2, 3], [4, 5, 6]], [0, 0, 0]) as T.NDArray;
    close(gb, [2 * (1 + 4), 2 * (2 + 5), 2 * (3 + 6)]);
  });

  it('flows through casts from float32 to float64 and back', () => {
    const x = T.fvector('x');
    const c = T.sum(T.sqr(T.cast(x, 'float64')));
    const g = T.grad(c, x);
    expect(g.dtype).toBe('float32');
    close(T.function([x], g)([1, -2]) as T.NDArray, [2, -4]);
  });

  it('stops at integer casts: no gradient reaches through an int32 value', () => {
    const x = T.dvector('x');
    const c = T.sum(T.cast(T.cast(x, 'int32'), 'float64'));
    expectError(() => T.grad(c, x), T.GradError, 'not connected');
  });
});

describe('verifyGrad', () => {
  it('passes for a correct gradient and fails, naming the input and index, for a wrong one', () => {
    T.verifyGrad((a, b) => T.dot(a, b).tanh(), [[[0.1, 0.2], [0.3, -0.4]], [[1, -1], [0.5, 2]]]);
    // x³ with a deliberately wrong gradient rule (2x instead of 3x²)
    const wrongCube = defineElemwise({ name: 'wrongCube', kernel: 'TestWrongCube', arity: 1, js: () => 'a * a * a', grad: ([x], _o, g) => [T.mul(g, x.mul(2))] });
    expectError(() => T.verifyGrad((x) => applyUnary(wrongCube, x), [[-1, 2]]), T.GradError, 'gradient of input 0', 'flat index');
  });
  it('rejects bad arguments', () => {
    expectError(() => T.verifyGrad(3 as never, [[1]]), T.ArgumentError, 'fn must be a function');
    expectError(() => T.verifyGrad((x) => x, []), T.ArgumentError, 'inputs must be a non-empty array');
    expectError(() => T.verifyGrad((x) => x, [T.array([1], { dtype: 'int32' })]), T.ArgumentError, 'inputs[0] must be float');
  });
});
