import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { buildMlp } from '../../bench/models';
import { close, expectError } from '../helpers';

const kernels = (f: T.CompiledFunction) => f.program.steps.map((s) => s.kernel);

describe('rewrites: bad input', () => {
  it('rejects an unknown rewrites option or excluded name', () => {
    const x = T.vector('x');
    expectError(() => T.function([x], x.exp(), { rewrites: 'some' as never }), T.ArgumentError, 'rewrites must be "all", "none" or { exclude');
    expectError(() => T.function([x], x.exp(), { rewrites: { exclude: ['nope'] } }), T.ArgumentError, 'rewrites.exclude must name phases or rewrites', '"nope"');
  });
});

describe('fusion', () => {
  it('turns an elementwise chain into one fused step and keeps the numbers', () => {
    const x = T.dvector('x');
    const y = T.sigmoid(x.mul(2).add(1)).mul(T.tanh(x)).exp();
    const f = T.function([x], y);
    const g = T.function([x], y, { rewrites: 'none' });
    expect(kernels(f)).toEqual(['Fused']);
    expect(kernels(g)).toHaveLength(6);
    close(f([0.5, -3, 8]) as T.NDArray, (g([0.5, -3, 8]) as T.NDArray).toArray(), 1e-12);
    expect(f.rewriteLog().find((e) => e.phase === 'fusion')!.count).toBe(1);
  });
  it('does not fuse a value that is also used elsewhere or returned', () => {
    const x = T.dvector('x');
    const h = x.exp();
    const f = T.function([x], [h.add(1), h.mul(2)]);
    expect(kernels(f)).toEqual(['Exp', 'Add', 'Mul']);
  });
  it('fuses the sigmoid-derivative chains of an MLP gradient', () => {
    const { train } = buildMlp([6, 5, 4, 3], 4);
    const fused = train.program.steps.filter((s) => s.kernel === 'Fused');
    expect(fused.length).toBeGreaterThanOrEqual(3);
    const exprs = train.debugprint();
    expect(exprs).toMatch(/fused\{.*sigmoid/);
    expect(exprs).toMatch(/fused\{mul\(x0, mul\(x1, sub\(1, x1\)\)\)\}|fused\{.*sub\(1, x\d\).*\}/);
  });
  it('can be excluded by name or by phase', () => {
    const x = T.dvector('x');
    const y = x.exp().neg();
    expect(kernels(T.function([x], y, { rewrites: { exclude: ['fusion'] } }))).toEqual(['Exp', 'Neg']);
    expect(kernels(T.function([x], y, { rewrites: { exclude: ['elementwise tree -> fused kernel'] } }))).toEqual(['Exp', 'Neg']);
  });
});

describe('specialize: gemm', () => {
  it('makes alpha*dot(A,B) + beta*C one gemm, transposes as flags, and keeps the numbers', () => {
    const A = T.dmatrix('A');
    const B = T.dmatrix('B');
    const C = T.dmatrix('C');
    const y = T.dot(A.T, B).mul(0.5).add(C.mul(2));
    const f = T.function([A, B, C], y);
    expect(kernels(f)).toEqual(['Gemm']);
    expect(f.program.steps[0].attrs).toEqual({ transA: true, transB: false, alpha: 0.5, beta: 2 });
    const a = [[1, 2], [3, 4], [5, 6]];
    const b = [[1, 0], [0, 1], [1, 1]];
    const c = [[1, 1], [1, 1]];
    close(f(a, b, c) as T.NDArray, (T.function([A, B, C], y, { rewrites: 'none' })(a, b, c) as T.NDArray).toArray());
  });
  it('folds SGD updates W - lr * dot(X.T, g) into gemm with beta 1', () => {
    const { train } = buildMlp([6, 5, 3], 4);
    const gemms = train.program.steps.filter((s) => s.kernel === 'Gemm');
    expect(gemms.length).toBe(2);
    expect(gemms.every((s) => s.attrs.beta === 1 && Math.abs((s.attrs.alpha as number) + 0.1) < 1e-6)).toBe(true);
  });
  it('handles a bias vector and a C larger than the product by broadcasting', () => {
    const A = T.dmatrix('A');
    const B = T.dmatrix('B');
    const c = T.dvector('c');
    const C = T.dmatrix('C');
    const f = T.function([A, B, c, C], [T.dot(A, B).add(c), T.dot(A, B).add(C)]);
    const g = T.function([A, B, c, C], [T.dot(A, B).add(c), T.dot(A, B).add(C)], { rewrites: 'none' });
    const args = [[[1, 2]], [[1], [2]], [1, 2, 3], [[1, 2, 3], [4, 5, 6]]];
    const got = f(...args) as T.NDArray[];
    const want = g(...args) as T.NDArray[];
    got.forEach((o, i) => close(o, want[i].toArray()));
  });
});

describe('rewrites keep the numbers', () => {
  it('the MLP training step computes the same cost and updates with rewrites on and off', () => {
    const on = buildMlp([8, 6, 5, 4], 5, { seed: 3 });
    const off = buildMlp([8, 6, 5, 4], 5, { seed: 3, rewrites: 'none' });
    for (let i = 0; i < 3; i++) {
      close(on.train(on.X, on.Y) as T.NDArray, (off.train(off.X, off.Y) as T.NDArray).get(), 1e-5);
    }
    on.params.forEach((p, i) => close(p.getValue(), off.params[i].getValue().toArray() as T.NestedArray, 1e-5));
  });
});

describe('canonicalize', () => {
  it('drops x*1, x+0, x-0 and neg(neg(x)), keeping the numbers', () => {
    const x = T.dvector('x');
    const y = T.neg(T.neg(x.mul(1).add(0).sub(0))).exp();
    const f = T.function([x], y);
    expect(kernels(f)).toEqual(['Exp']);
    close(f([0, 1]) as T.NDArray, [1, Math.E], 1e-12);
  });
  it('does not drop x*1 when the constant would broadcast x to a larger shape', () => {
    const x = T.dvector('x');
    const f = T.function([x], x.mul(T.constant([[1], [1]], 'float64')));
    expect((f([1, 2]) as T.NDArray).shape).toEqual([2, 2]);
  });
  it('multiplies by a scalar instead of materializing the broadcast 1 of a sum gradient', () => {
    const x = T.dmatrix('x');
    const g = T.grad(T.sum(T.sqr(T.tanh(x))), x);
    const f = T.function([x], g);
    expect(kernels(f)).not.toContain('BroadcastTo');
    T.verifyGrad((v) => T.sqr(T.tanh(v)), [[[0.5, -1], [2, 0.1]]]);
    const xs = [[0.5, -1]];
    close(f(xs) as T.NDArray, (T.function([x], g, { rewrites: 'none' })(xs) as T.NDArray).toArray(), 1e-12);
  });
});
