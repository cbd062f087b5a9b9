import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { buildMlp } from '../../bench/models';
import { close, expectError } from '../helpers';

const MERGE = 'identical subgraphs and equal constants -> computed once';
const FINAL_MERGE = 'identical subgraphs after fusion -> computed once (final merge)';
const kernels = (f: T.CompiledFunction) => f.program.steps.map((s) => s.kernel);
const count = (f: T.CompiledFunction, kernel: string) => kernels(f).filter((k) => k === kernel).length;
const outs = (r: unknown) => r as T.NDArray[];

describe('merge: bad input', () => {
  it('lists both merge rewrites among the known names when an excluded name is wrong', () => {
    const x = T.dvector('x');
    expectError(() => T.function([x], x.exp(), { rewrites: { exclude: ['merge identical subgraphs'] } }), T.ArgumentError, MERGE, FINAL_MERGE, '"merge identical subgraphs"');
  });
});

describe('merge', () => {
  it('computes a duplicated subgraph once and returns it for both outputs', () => {
    const x = T.dvector('x');
    const ys = [x.exp().add(1), x.exp().add(1)];
    const unfused = T.function([x], ys, { rewrites: { exclude: ['fusion'] } });
    const all = T.function([x], ys);
    const none = T.function([x], ys, { rewrites: 'none' });
    expect(kernels(unfused)).toEqual(['Exp', 'Add']);
    expect(kernels(all)).toEqual(['Fused']);
    expect(kernels(none)).toEqual(['Exp', 'Add', 'Exp', 'Add']);
    expect(unfused.program.outputs[0]).toBe(unfused.program.outputs[1]);
    const want = outs(none([0, 1, -2]));
    for (const f of [unfused, all]) {
      const got = outs(f([0, 1, -2]));
      got.forEach((o, i) => close(o, want[i].toArray(), 1e-12));
      got[0].data[0] = 42; // each output is the caller's own array even when both come from one slot
      expect(got[1].data[0]).toBe(want[1].data[0]);
    }
    expect(unfused.rewriteLog().find((e) => e.name === MERGE)!.count).toBe(3); // exp, add and the constant 1
  });

  it('merges equal constants into one, and through them the nodes that use them', () => {
    const x = T.dvector('x');
    const ys = [x.add(T.constant([1, 2, 3], 'float64')), x.add(T.constant([1, 2, 3], 'float64')), x.mul(T.constant([1, 2, 3], 'float64'))];
    const f = T.function([x], ys);
    const g = T.function([x], ys, { rewrites: 'none' });
    expect(f.program.constants).toEqual([{ dtype: 'float64', shape: [3], data: [1, 2, 3] }]);
    expect(kernels(f)).toEqual(['Add', 'Mul']);
    expect(g.program.constants).toHaveLength(3);
    const want = outs(g([4, 5, 6]));
    outs(f([4, 5, 6])).forEach((o, i) => close(o, want[i].toArray()));
  });

  it('does not merge constants that differ only in the sign of zero or in NaN bits', () => {
    const x = T.dvector('x');
    const otherNaN = new Float64Array(1);
    new DataView(otherNaN.buffer).setFloat64(0, NaN, true);
    new DataView(otherNaN.buffer).setUint8(0, 1); // a NaN with another payload: same value to JS, other bytes
    const ys = [x.mul(T.constant([0, 1], 'float64')), x.mul(T.constant([-0, 1], 'float64')), x.add(T.constant([NaN, 1], 'float64')), x.add(T.constant([NaN, 1], 'float64')), x.add(new T.NDArray(otherNaN, [1]))];
    const f = T.function([x], ys);
    expect(f.program.constants.map((c) => c.data.map((d) => (Object.is(d, -0) ? '-0' : String(d))))).toEqual([['0', '1'], ['-0', '1'], ['NaN', '1'], ['NaN']]);
    expect(kernels(f)).toEqual(['Mul', 'Mul', 'Add', 'Add']);
    const [a, b] = outs(f([-1, 2]));
    expect(Object.is(a.data[0], -0)).toBe(true);
    expect(Object.is(b.data[0], 0)).toBe(true);
  });

  it('keeps fused kernels apart whose constants JSON cannot tell apart (NaN, Infinity, -0)', () => {
    const x = T.dvector('x');
    const f = T.function([x], [x.add(NaN).exp(), x.add(Infinity).exp(), T.div(1, x.mul(0)), T.div(1, x.mul(-0))]);
    expect(kernels(f)).toEqual(['Fused', 'Fused', 'Fused', 'Fused']);
    const got = outs(f([1]));
    const want = outs(T.function([x], [x.add(NaN).exp(), x.add(Infinity).exp(), T.div(1, x.mul(0)), T.div(1, x.mul(-0))], { rewrites: 'none' })([1]));
    expect(got.map((o) => o.data[0])).toEqual([NaN, Infinity, Infinity, -Infinity]);
    expect(want.map((o) => o.data[0])).toEqual([NaN, Infinity, Infinity, -Infinity]);
  });

  it('lets a gradient reuse the forward sigmoid instead of recomputing it', () => {
    const x = T.dvector('x');
    const s = T.sigmoid(x);
    const dx = T.grad(T.sigmoid(x).sum(), x); // a second sigmoid(x), built independently
    const f = T.function([x], [s, dx]);
    const g = T.function([x], [s, dx], { rewrites: { exclude: ['merge', 'final-merge'] } });
    expect(count(f, 'Sigmoid')).toBe(1);
    expect(count(g, 'Sigmoid')).toBe(2);
    const want = outs(T.function([x], [s, dx], { rewrites: 'none' })([0.5, -3, 8]));
    outs(f([0.5, -3, 8])).forEach((o, i) => close(o, want[i].toArray(), 1e-12));
  });

  it('leaves no two identical steps in an MLP training step and keeps its numbers', () => {
    const a = buildMlp([6, 5, 4, 3], 4, { seed: 1 });
    const b = buildMlp([6, 5, 4, 3], 4, { seed: 1, rewrites: 'none' });
    const keys = a.train.program.steps.map((s) => JSON.stringify([s.kernel, s.attrs, s.inputs]));
    expect(new Set(keys).size).toBe(keys.length);
    for (let i = 0; i < 3; i++) close(a.train(a.X, a.Y) as T.NDArray, (b.train(b.X, b.Y) as T.NDArray).toArray(), 1e-5);
    a.params.forEach((p, i) => close(p.getValue(), b.params[i].getValue().toArray(), 1e-5));
  });

  it('keeps duplicates when excluded by name or by phase', () => {
    const x = T.dvector('x');
    const ys = [x.exp().add(1), x.exp().add(1)];
    const byName = T.function([x], ys, { rewrites: { exclude: ['fusion', MERGE, FINAL_MERGE] } });
    const byPhase = T.function([x], ys, { rewrites: { exclude: ['fusion', 'merge', 'final-merge'] } });
    expect(kernels(byName)).toEqual(['Exp', 'Add', 'Exp', 'Add']);
    expect(kernels(byPhase)).toEqual(['Exp', 'Add', 'Exp', 'Add']);
    expect(byName.rewriteLog().map((e) => e.name)).not.toContain(MERGE);
    const [p, q] = outs(byName([1, 2]));
    close(p, q.toArray(), 0);
  });

  it('keeps outputs and updates working when they share a merged source', () => {
    const x = T.dvector('x');
    const mk = () => {
      const w = T.shared(T.array([1, 2], { dtype: 'float64' }), { name: 'w' });
      const v = T.shared(T.array([0, 0], { dtype: 'float64' }), { name: 'v' });
      // output, w's update and v's update are the same expression, built three times
      const f = (rewrites: T.FunctionOptions['rewrites']) =>
        T.function([x], [w.mul(2).add(x), w], { updates: [[w, w.mul(2).add(x)], [v, w.mul(2).add(x)]], rewrites });
      return { w, v, f };
    };
    const m = mk();
    const r = mk();
    const merged = m.f('all');
    const plain = r.f('none');
    expect(count(merged, 'Mul') + count(merged, 'Fused')).toBe(1);
    for (let i = 0; i < 3; i++) {
      const a = outs(merged([1, -1]));
      const b = outs(plain([1, -1]));
      a.forEach((o, k) => close(o, b[k].toArray(), 0));
      close(m.w.getValue(), r.w.getValue().toArray(), 0);
      close(m.v.getValue(), r.v.getValue().toArray(), 0);
    }
    close(m.w.getValue(), [15, 9], 0);
  });

  it('reports its counts in rewriteLog under both phases', () => {
    const x = T.dvector('x');
    const log = T.function([x], [x.exp().add(1), x.exp().add(1)]).rewriteLog();
    expect(log.find((e) => e.name === MERGE)).toMatchObject({ phase: 'merge', count: 3 });
    expect(log.find((e) => e.name === FINAL_MERGE)).toMatchObject({ phase: 'final-merge', count: 0 });
  });
});
