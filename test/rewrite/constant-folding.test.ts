import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { broadcastLike } from '../../lib/ops/broadcast-to';
import { reduceTo } from '../../lib/ops/sum-to';
import { MAX_FOLDED_ELEMENTS } from '../../lib/rewrite/constant-folding';
import { backends, close, expectError } from '../helpers';

const FOLD = 'op(constants) -> constant computed at compile time';
const MERGE = 'identical subgraphs and equal constants -> computed once';
const kernels = (f: T.CompiledFunction) => f.program.steps.map((s) => s.kernel);
const folds = (f: T.CompiledFunction) => f.rewriteLog().find((e) => e.name === FOLD)!.count;
const c64 = (v: T.NestedArray | number) => T.constant(v, 'float64');

describe('constant folding: bad input', () => {
  it('leaves a node that throws at compile time in the graph, so the error names it at call time', () => {
    const bad = broadcastLike(T.constant([1, 2, 3]), T.constant([1, 2]));
    const badSum = reduceTo(c64([[1, 2, 3]]), c64([1, 2]));
    for (const backend of backends) {
      const f = T.function([], bad, { backend });
      expect(kernels(f)).toEqual(['BroadcastTo']);
      expect(folds(f)).toBe(0);
      expectError(() => f(), T.RuntimeError, 'broadcastTo: x must broadcast to [2], got [3]', 'node: broadcastTo(', 'created at: test/rewrite/constant-folding.test.ts:');
      const g = T.function([], badSum.mul(2), { backend });
      expect(kernels(g)).toEqual(['SumTo', 'Mul']);
      expectError(() => g(), T.RuntimeError, 'sumTo: x must broadcast to [1, 3], got [2]', 'node: sumTo(', 'created at: test/rewrite/constant-folding.test.ts:');
    }
  });
});

describe('constant folding', () => {
  it('computes an all-constant expression at compile time: no steps, the output read from a constant slot', () => {
    const y = T.exp(T.constant(1)).add(T.constant(2));
    const want = T.function([], y, { rewrites: 'none' })() as T.NDArray;
    expect(want.dtype).toBe(y.dtype);
    for (const backend of backends) {
      const f = T.function([], y, { backend });
      expect(kernels(f)).toEqual([]);
      expect(f.program.slots[f.program.outputs[0]].kind).toBe('constant');
      const got = f() as T.NDArray;
      expect(got.dtype).toBe(y.dtype);
      expect(got.shape).toEqual([]);
      expect(got.data[0]).toBe(want.data[0]);
      close(got, Math.E + 2);
    }
  });

  it('folds only the constant subtree of an expression that also reads an input', () => {
    const x = T.dvector('x');
    const y = x.add(T.exp(c64(2)).mul(3));
    const f = T.function([x], y);
    const none = T.function([x], y, { rewrites: 'none' });
    expect(kernels(f)).toEqual(['Add']);
    expect(kernels(none)).toEqual(['Exp', 'Mul', 'Add']);
    const add = f.program.steps[0];
    const folded = add.inputs.map((s) => f.program.slots[s]).find((s) => s.kind === 'constant')!;
    close(f.program.constants[folded.ref].data[0], 3 * Math.exp(2), 1e-15);
    close(f([1, -2]) as T.NDArray, (none([1, -2]) as T.NDArray).toArray(), 0);
    expect(folds(f)).toBe(2);
  });

  it('never folds shared variables: a new shared value changes the result', () => {
    const w = T.shared(T.array(2, { dtype: 'float64' }), { name: 'w' });
    const f = T.function([], T.exp(w).mul(T.exp(c64(0)).add(2)));
    expect(kernels(f)).toEqual(['Fused']);
    close(f() as T.NDArray, 3 * Math.exp(2), 1e-12);
    w.setValue(T.array(1, { dtype: 'float64' }));
    close(f() as T.NDArray, 3 * Math.E, 1e-12);
  });

  it('keeps the dtype of what it folds (int32, bool, float32 rounding)', () => {
    const ys = [T.constant([1, 2]).add(T.constant([3, 4])), T.sqrt(T.constant(2, 'float32')), T.sign(T.constant([1, -1, 0])).cast('bool')];
    const f = T.function([], ys);
    const none = T.function([], ys, { rewrites: 'none' });
    expect(kernels(f)).toEqual([]);
    const got = f() as T.NDArray[];
    const want = none() as T.NDArray[];
    got.forEach((o, i) => {
      expect(o.dtype).toBe(want[i].dtype);
      expect(Array.from(o.data)).toEqual(Array.from(want[i].data));
    });
    expect(got[1].data[0]).toBe(Math.fround(Math.SQRT2));
  });

  it('folds the constant parts of a gradient (the element count of a mean of constants)', () => {
    const x = T.dvector('x');
    const dx = T.grad(T.mean(c64([[1, 2], [3, 4]])).mul(x.sum()), x);
    const f = T.function([x], dx);
    const none = T.function([x], dx, { rewrites: 'none' });
    expect(kernels(f)).toEqual(['BroadcastTo']);
    expect(kernels(none).length).toBeGreaterThan(2);
    close(f([1, 2, 3]) as T.NDArray, (none([1, 2, 3]) as T.NDArray).toArray(), 0);
    close(f([1, 2, 3]) as T.NDArray, [2.5, 2.5, 2.5], 0);
  });

  it(`does not fold results of more than ${MAX_FOLDED_ELEMENTS} elements, shape-only nodes included`, () => {
    const big = T.constant(T.zeros([MAX_FOLDED_ELEMENTS + 1], 'float32'));
    const limit = T.constant(T.zeros([MAX_FOLDED_ELEMENTS], 'float32'));
    // canonicalize would turn sum(onesLike(big)) into a count, which is not what this test is about
    const f = T.function([], [big.add(1).sum(), T.onesLike(big).sum(), limit.add(1).sum()], { rewrites: { exclude: ['sum(broadcastTo(x)) -> x * count'] } });
    expect(kernels(f)).toEqual(['Add', 'Sum', 'BroadcastTo', 'Sum']);
    const [a, b, c] = f() as T.NDArray[];
    close(a, MAX_FOLDED_ELEMENTS + 1);
    close(b, MAX_FOLDED_ELEMENTS + 1);
    close(c, MAX_FOLDED_ELEMENTS);
  });

  it('writes an update whose value folds to a constant', () => {
    const w = T.shared(T.array([0, 0], { dtype: 'float64' }), { name: 'w' });
    const f = T.function([], w.sum(), { updates: [[w, c64([1, 2]).mul(3)]] });
    expect(kernels(f)).toEqual(['Sum', 'Copy']);
    close(f() as T.NDArray, 0);
    close(w.getValue(), [3, 6], 0);
    close(f() as T.NDArray, 9);
  });

  it('is listed in rewriteLog with merge, each with its count', () => {
    const y = T.exp(c64(1)).add(T.exp(c64(1)));
    const f = T.function([], y);
    const log = f.rewriteLog();
    expect(log.find((e) => e.name === MERGE)).toMatchObject({ phase: 'merge', count: 2 }); // the constant 1, then exp
    expect(log.find((e) => e.name === FOLD)).toMatchObject({ phase: 'constant-folding', count: 2 }); // exp, add
    expect(log.map((e) => e.phase).indexOf('merge')).toBeLessThan(log.map((e) => e.phase).indexOf('constant-folding'));
    expect(kernels(f)).toEqual([]);
    close(f() as T.NDArray, 2 * Math.E, 1e-15);
    const kept = T.function([], y, { rewrites: { exclude: [FOLD] } });
    expect(kernels(kept)).toEqual(['Exp', 'Add']);
    close(kept() as T.NDArray, 2 * Math.E, 1e-15);
  });
});
