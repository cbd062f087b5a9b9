import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, compileOnBackends, expectError } from '../helpers';

const f64 = (v: T.NestedArray) => T.array(v, { dtype: 'float64' });
const vec = (n: number, name: string) => T.tensor('float64', [n], name);

/** ∂expr/∂inputs[k] by central differences: shape [...expr.shape, ...inputs[k].shape]. */
function numericJacobian(inputs: T.Variable[], expr: T.Variable, values: T.NDArray[], k: number, eps = 1e-6): T.NDArray {
  const f = T.function(inputs, expr, { backend: 'js', onUnusedInput: 'ignore' });
  const vals = values.map((v) => v.copy());
  const x = vals[k];
  const outSize = (f(...vals) as T.NDArray).size;
  const outShape = (f(...vals) as T.NDArray).shape;
  const J = T.zeros([...outShape, ...x.shape], 'float64');
  for (let j = 0; j < x.size; j++) {
    const x0 = x.data[j];
    x.data[j] = x0 + eps;
    const up = (f(...vals) as T.NDArray).data;
    x.data[j] = x0 - eps;
    const down = (f(...vals) as T.NDArray).data;
    x.data[j] = x0;
    for (let i = 0; i < outSize; i++) J.data[i * x.size + j] = (up[i] - down[i]) / (2 * eps);
  }
  return J;
}

/** Evaluates `out` on every backend present and checks each against `expected`. */
function check(inputs: T.Variable[], out: T.Variable, values: T.NDArray[], expected: T.NDArray | T.NestedArray, tol = 1e-6): void {
  const exp = expected instanceof T.NDArray ? expected.toArray() : expected;
  const fns = compileOnBackends(inputs, out);
  expect(fns.length).toBeGreaterThan(0);
  for (const [, f] of fns) close(f(...values) as T.NDArray, exp as T.NestedArray, tol);
}

describe('jacobian / hessian on symbolic shapes (a scan over the rows, as Theano builds them)', () => {
  it('the Jacobian of tanh(v A) with v and A of unknown shapes matches finite differences', () => {
    const v = T.dvector('v');
    const A = T.dmatrix('A');
    const y = T.tanh(v.dot(A).mul(v.sum()));
    const values = [f64([0.3, -0.2, 0.5]), f64([[1, 2], [3, 4], [-1, 0.5]])];
    const J = T.jacobian(y, [v, A]);
    const f = T.function([v, A], J, { backend: 'js' });
    const [Jv, JA] = f(...values) as T.NDArray[];
    close(Jv, numericJacobian([v, A], y, values, 0).toArray() as T.NestedArray, 1e-6);
    close(JA, numericJacobian([v, A], y, values, 1).toArray() as T.NestedArray, 1e-6);
  });
  it('the Hessian of a cost in a vector of unknown length', () => {
    const x = T.dvector('x');
    const H = T.hessian(T.sum(T.sqr(x).mul(x)).add(x.prod()), x);
    const xv = f64([1, 2, 3]);
    close(T.function([x], H, { backend: 'js' })(xv) as T.NDArray, [[6, 3, 2], [3, 12, 1], [2, 1, 18]], 1e-9);
  });
  it('a disconnected wrt of unknown shape gets zeros of [expr, wrt] shape with ignore', () => {
    const x = T.dvector('x');
    const z = T.dmatrix('z');
    const [, Jz] = T.jacobian(T.sqr(x), [x, z], { disconnectedInputs: 'ignore' });
    expect((T.function([x, z], Jz, { backend: 'js' })(f64([1, 2]), f64([[1, 2, 3]])) as T.NDArray).shape).toEqual([2, 1, 3]);
  });
});

describe('jacobian / hessian / Lop / Rop: bad input', () => {
  it('jacobian rejects a non-Variable or integer expression and bad wrt, listing all', () => {
    const x = vec(3, 'x');
    expectError(() => T.jacobian(3 as never, x), T.GradError, 'jacobian: expression must be a Variable, got number 3');
    expectError(() => T.jacobian(T.cast(x, 'int32'), [x, T.ivector('i')]), T.GradError, 'expression (cast', 'must have a float dtype, got int32', 'wrt[1] (i) must have a float dtype');
  });
  it('jacobian of an expression of unknown size raises for a disconnected wrt too', () => {
    const x = T.dvector('x');
    const z = T.dvector('z');
    expectError(() => T.jacobian(T.tanh(x), [x, z]), T.GradError, 'jacobian: wrt[1] (z) is not connected to the expression tanh(x)');
  });
  it('jacobian raises for a wrt the expression does not depend on', () => {
    const x = vec(3, 'x');
    const z = vec(2, 'z');
    expectError(() => T.jacobian(T.sqr(x), [x, z]), T.GradError, 'jacobian: wrt[1] (z) is not connected to the expression sqr(x)');
  });
  it('jacobian does not take knownGrads', () => {
    const x = vec(3, 'x');
    expectError(() => T.jacobian(T.sqr(x), x, { knownGrads: [] } as T.DiffOptions), T.GradError, 'option "knownGrads" is not known');
  });
  it('hessian rejects a non-scalar cost and a wrt without a static shape', () => {
    const x = vec(3, 'x');
    expectError(() => T.hessian(T.sqr(x), x), T.GradError, 'hessian: cost must be a scalar (rank 0), got sqr(x) of shape [3]');
  });
  it('hessian raises for a cost that does not depend on wrt', () => {
    const x = vec(3, 'x');
    expectError(() => T.hessian(T.sum(T.sqr(vec(2, 'y'))), x), T.GradError, 'hessian: wrt (x) is not connected to the cost');
  });
  it('Lop rejects eval points of the wrong shape, dtype or count, listing all', () => {
    const x = vec(3, 'x');
    const y = T.tanh(x);
    const m = T.sqr(x);
    expectError(() => T.Lop(y, x, T.constant([1, 2], 'float64')), T.GradError, 'Lop: evalPoints must have the shape of tanh(x) [3], got [2]');
    expectError(() => T.Lop([y, m], x, [T.ivector('i'), T.dmatrix('M')]), T.GradError, 'evalPoints[0] must have a float dtype like tanh(x) (float64), got int32', 'evalPoints[1] must have the shape of sqr(x) [3], got [?, ?]');
    expectError(() => T.Lop([y, m], x, [T.dvector('v')]), T.GradError, 'evalPoints must be a list of 2 values, one per f');
    expectError(() => T.Lop(T.cast(x, 'int32'), x, [1, 2, 3]), T.GradError, 'f (cast', 'must have a float dtype, got int32');
  });
  it('Rop rejects eval points that do not match wrt and a bad f', () => {
    const x = vec(3, 'x');
    expectError(() => T.Rop(T.tanh(x), x, T.dmatrix('v')), T.GradError, 'Rop: evalPoints must have the shape of x [3], got [?, ?]');
    expectError(() => T.Rop('y' as never, [x], [[1, 2, 3]]), T.GradError, 'Rop: f must be a Variable, got "y"');
    expectError(() => T.Rop(T.tanh(x), [x, x], [T.dvector('v')]), T.GradError, 'evalPoints must be a list of 2 values, one per wrt');
  });
  it('Rop raises when f does not depend on wrt, unless told to ignore it', () => {
    const x = vec(3, 'x');
    const y = vec(2, 'y');
    expectError(() => T.Rop(T.tanh(y), x, T.dvector('v')), T.GradError, 'Rop: f (tanh(y)) is not connected to wrt (x)');
    const r = T.Rop(T.tanh(y), x, T.dvector('v'), { disconnectedInputs: 'ignore' });
    check([y], r, [f64([1, 2])], [0, 0]);
  });
});

describe('jacobian', () => {
  const W = f64([[0.5, -1, 2, 0.25], [1.5, 0.5, -0.5, 1], [-2, 0.75, 1, 0.5]]);
  const xv = f64([0.3, -0.2, 0.1, 0.4]);

  it('of a vector -> vector map matches finite differences and the closed form diag(1 - h²)·W', () => {
    const x = vec(4, 'x');
    const Wv = T.tensor('float64', [3, 4], 'W');
    const h = T.tanh(T.dot(Wv, x));
    const J = T.jacobian(h, x);
    expect(J.staticShape).toEqual([3, 4]);
    const hv = (T.function([Wv, x], h)(W, xv) as T.NDArray).data;
    const closed = [0, 1, 2].map((i) => [0, 1, 2, 3].map((j) => (1 - hv[i] * hv[i]) * W.data[i * 4 + j]));
    check([Wv, x], J, [W, xv], closed, 1e-9);
    check([Wv, x], J, [W, xv], numericJacobian([Wv, x], h, [W, xv], 1), 1e-6);
  });

  it('with respect to several wrt, and with respect to a matrix', () => {
    const x = vec(4, 'x');
    const Wv = T.tensor('float64', [3, 4], 'W');
    const h = T.sigmoid(T.dot(Wv, x));
    const [Jw, Jx] = T.jacobian(h, [Wv, x]);
    expect(Jw.staticShape).toEqual([3, 3, 4]);
    check([Wv, x], Jw, [W, xv], numericJacobian([Wv, x], h, [W, xv], 0), 1e-6);
    check([Wv, x], Jx, [W, xv], numericJacobian([Wv, x], h, [W, xv], 1), 1e-6);
  });

  it('of a matrix expression has shape [...expression, ...wrt]', () => {
    const a = vec(2, 'a');
    const b = vec(3, 'b');
    const outer = T.mul(T.expandDims(a, 1), T.sqr(b)); // [2, 3]: a_i b_j²
    const J = T.jacobian(outer, b);
    expect(J.staticShape).toEqual([2, 3, 3]);
    const av = f64([2, -1]);
    const bv = f64([0.5, 1, -3]);
    check([a, b], J, [av, bv], numericJacobian([a, b], outer, [av, bv], 1), 1e-6);
  });

  it('of an elementwise map is diagonal: d exp(x)/dx = diag(exp(x))', () => {
    const x = vec(3, 'x');
    const xs = [0, 1, -2];
    check([x], T.jacobian(T.exp(x), x), [f64(xs)], xs.map((v, i) => xs.map((_, j) => (i === j ? Math.exp(v) : 0))), 1e-12);
  });

  it('of a scalar expression is its gradient', () => {
    const x = T.dvector('x');
    const J = T.jacobian(T.sum(T.sqr(x)), x);
    check([x], J, [f64([1, -2])], [2, -4]);
  });

  it('of an empty expression is empty with the trailing dims of wrt', () => {
    const x = vec(3, 'x');
    const e = T.tensor('float64', [0], 'e');
    const J = T.jacobian(T.add(e, T.sum(x)), x);
    expect(J.staticShape).toEqual([0, 3]);
  });

  it('gives zeros for a disconnected wrt when asked, of shape [...expression, ...wrt]', () => {
    const x = vec(3, 'x');
    const z = T.dmatrix('z');
    const [, Jz] = T.jacobian(T.sqr(x), [x, z], { disconnectedInputs: 'ignore' });
    const f = T.function([x, z], Jz, { onUnusedInput: 'ignore' });
    const r = f([1, 2, 3], [[1, 2]]) as T.NDArray;
    expect(r.shape).toEqual([3, 1, 2]);
    expect(Array.from(r.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(T.jacobian(T.sqr(x), [x, z], { disconnectedInputs: 'ignore', returnDisconnected: 'null' })[1]).toBeNull();
  });

  it('respects considerConstant', () => {
    const x = vec(2, 'x');
    const y = T.sqr(x);
    // d/dx (y ⊙ x) with y constant is diag(y)
    check([x], T.jacobian(y.mul(x), x, { considerConstant: [y] }), [f64([3, -1])], [[9, 0], [0, 1]]);
  });
});

describe('hessian', () => {
  it('of a quadratic form xᵀAx is A + Aᵀ exactly', () => {
    const x = vec(3, 'x');
    const A = T.dmatrix('A');
    const Av = f64([[1, 2, 0], [-3, 4, 5], [0.5, 6, -7]]);
    const H = T.hessian(T.dot(x, T.dot(A, x)), x);
    expect(H.staticShape).toEqual([3, 3]);
    const expected = [0, 1, 2].map((i) => [0, 1, 2].map((j) => Av.data[i * 3 + j] + Av.data[j * 3 + i]));
    check([x, A], H, [f64([0.3, -1, 2]), Av], expected, 1e-12);
  });

  it('of ½xᵀx + bᵀx is the identity, and of a linear cost is zero', () => {
    const x = vec(3, 'x');
    const b = T.dvector('b');
    check([x, b], T.hessian(T.sum(T.sqr(x)).mul(0.5).add(T.dot(b, x)), x), [f64([1, 2, 3]), f64([4, 5, 6])], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 1e-12);
    check([x, b], T.hessian(T.dot(b, x), x), [f64([1, 2, 3]), f64([4, 5, 6])], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  });

  it('of log-sum-exp is diag(p) - ppᵀ with p = softmax(x)', () => {
    const x = vec(4, 'x');
    const xs = [0.5, -1, 2, 0];
    const e = xs.map(Math.exp);
    const s = e.reduce((a, c) => a + c, 0);
    const p = e.map((v) => v / s);
    const expected = p.map((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj));
    check([x], T.hessian(T.logsumexp(x), x), [f64(xs)], expected, 1e-9);
  });

  it('matches finite differences of the gradient for a non-quadratic cost, for several wrt', () => {
    const x = vec(3, 'x');
    const W = T.tensor('float64', [2, 3], 'W');
    const cost = T.sum(T.tanh(T.dot(W, x)).mul(T.sigmoid(T.dot(W, x))));
    const [Hw, Hx] = T.hessian(cost, [W, x]);
    expect(Hw.staticShape).toEqual([2, 3, 2, 3]);
    const vals = [f64([[0.5, -0.3, 0.8], [0.1, 0.9, -0.4]]), f64([0.2, -0.7, 1.1])];
    const gx = T.grad(cost, x);
    const gW = T.grad(cost, W);
    check([W, x], Hx, vals, numericJacobian([W, x], gx, vals, 1), 1e-6);
    check([W, x], Hw, vals, numericJacobian([W, x], gW, vals, 0), 1e-6);
  });

  it('is symmetric on random points (fast-check)', () => {
    const x = vec(3, 'x');
    const H = T.function([x], T.hessian(T.sum(T.exp(x.mul(T.sum(x)))), x), { backend: 'js' });
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), (xs) => {
        const h = (H(xs) as T.NDArray).data;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(h[i * 3 + j] - h[j * 3 + i])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(h[i * 3 + j])));
      }),
      { numRuns: 20 },
    );
  });
});

describe('Lop and Rop', () => {
  const Wv = f64([[0.5, -1, 2], [1.5, 0.5, -0.5]]);
  const xv = f64([0.3, -0.2, 0.7]);

  /** f = tanh(Wx) of shape [2] with its explicit Jacobian [2, 3]. */
  function setup() {
    const x = vec(3, 'x');
    const W = T.tensor('float64', [2, 3], 'W');
    const f = T.tanh(T.dot(W, x));
    const J = T.function([W, x], T.jacobian(f, x))(Wv, xv) as T.NDArray;
    return { x, W, f, J };
  }

  it('Lop(f, x, v) = vᵀJ', () => {
    const { x, W, f, J } = setup();
    const v = T.dvector('v');
    const vs = [2, -3];
    const expected = [0, 1, 2].map((j) => vs[0] * J.data[j] + vs[1] * J.data[3 + j]);
    check([W, x, v], T.Lop(f, x, v), [Wv, xv, f64(vs)], expected, 1e-12);
  });

  it('Lop over several f sums the products; over several wrt returns a list', () => {
    const { x, W, f } = setup();
    const g = T.sqr(x); // second f, Jacobian diag(2x)
    const [lx, lW] = T.Lop([f, g], [x, W], [T.constant([1, 0], 'float64'), T.constant([1, 1, 1], 'float64')]);
    const Jx = numericJacobian([W, x], f, [Wv, xv], 1);
    check([W, x], lx, [Wv, xv], [0, 1, 2].map((j) => Jx.data[j] + 2 * xv.data[j]), 1e-6);
    const JW = numericJacobian([W, x], f, [Wv, xv], 0);
    check([W, x], lW, [Wv, xv], [[0, 1, 2].map((j) => JW.data[j]), [0, 0, 0]], 1e-6);
  });

  it('Rop(f, x, v) = J·v, with no dummy left in the graph', () => {
    const { x, W, f, J } = setup();
    const v = T.dvector('v');
    const vs = [1, -2, 0.5];
    const r = T.Rop(f, x, v);
    expect(r.staticShape).toEqual([2]);
    const expected = [0, 1].map((i) => vs.reduce((a, vj, j) => a + J.data[i * 3 + j] * vj, 0));
    check([W, x, v], r, [Wv, xv, f64(vs)], expected, 1e-12);
  });

  it('Rop over several wrt sums the directional derivatives; several f give a list', () => {
    const { x, W, f } = setup();
    const dW = f64([[1, 0, -1], [0.5, 2, 0]]);
    const dx = f64([0.1, 0.2, -0.3]);
    const [r1, r2] = T.Rop([f, T.sum(T.sqr(x))], [W, x], [dW, dx]);
    // directional derivative by central differences along (dW, dx)
    const fn = T.function([W, x], f, { backend: 'js' });
    const eps = 1e-6;
    const at = (t: number) => fn(T.array(Array.from(Wv.data).map((w, k) => w + t * dW.data[k]), { dtype: 'float64' }).reshape([2, 3]), T.array(Array.from(xv.data).map((a, k) => a + t * dx.data[k]), { dtype: 'float64' })) as T.NDArray;
    const [up, down] = [at(eps), at(-eps)];
    check([W, x], r1, [Wv, xv], [0, 1].map((i) => (up.data[i] - down.data[i]) / (2 * eps)), 1e-6);
    check([W, x], r2, [Wv, xv], 2 * Array.from(xv.data).reduce((a, v, k) => a + v * dx.data[k], 0), 1e-12);
  });

  it('Rop and Lop agree: uᵀ(J v) = (uᵀJ) v on random points (fast-check)', () => {
    const x = vec(3, 'x');
    const y = T.sin(x).mul(T.sum(T.exp(x))); // [3], every output depends on every input
    const u = T.dvector('u');
    const v = T.dvector('v');
    const lhs = T.sum(u.mul(T.Rop(y, x, v)));
    const rhs = T.sum(T.Lop(y, x, u).mul(v));
    const fns = compileOnBackends([x, u, v], T.sub(lhs, rhs));
    const three = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(three, three, three, (xs, us, vs) => {
        for (const [, f] of fns) expect(Math.abs((f(xs, us, vs) as T.NDArray).data[0])).toBeLessThanOrEqual(1e-9);
      }),
      { numRuns: 20 },
    );
  });
});
