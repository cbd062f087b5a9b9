import { PHASES } from '../../lib/rewrite';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { planMemory } from '../../lib/compile/memory-plan';
import { close, expectError } from '../helpers';

describe('function: bad input at compile time', () => {
  it('lists every bad input, output and option in one error', () => {
    const x = T.matrix('x');
    const W = T.shared(T.zeros([2, 2]), { name: 'W' });
    expectError(
      () => T.function([x, W as T.Variable, x.add(1), 3 as never], 7 as never, { bogus: 1 } as never),
      T.CompileError,
      'option "bogus" is not known',
      'inputs[1] (W) must not be a shared variable',
      'inputs[2] must be an input variable',
      'inputs[3] must be a Variable',
      'outputs must be a Variable',
    );
  });
  it('rejects duplicate inputs, constants as inputs and a non-array inputs', () => {
    const x = T.vector('x');
    expectError(() => T.function([x, x], x), T.CompileError, 'inputs[1] (x) is listed twice');
    expectError(() => T.function([T.constant(1)], T.constant(1)), T.CompileError, 'must not be a constant');
    expectError(() => T.function(x as never, x), T.ArgumentError, 'inputs must be an array');
  });
  it('names an unused input unless told to ignore it', () => {
    const x = T.vector('x');
    const z = T.vector('z');
    expectError(() => T.function([x, z], x.mul(2)), T.CompileError, 'inputs 1 (z) are not used', 'onUnusedInput: "ignore"');
    expect(() => T.function([x, z], x.mul(2), { onUnusedInput: 'ignore' })).not.toThrow();
  });
  it('names a missing input and where it was created', () => {
    const x = T.vector('x');
    const z = T.vector('z');
    expectError(() => T.function([x], x.add(z)), T.CompileError, 'depend on z', 'function.test.ts', 'must be listed in inputs');
  });
  it('rejects an update whose type does not match its shared variable', () => {
    const W = T.shared(T.zeros([2, 2], 'float32'), { name: 'W' });
    const v = T.dvector('v');
    expectError(() => T.function([v], undefined, { updates: [[W, v]] }), T.CompileError, 'update of W must have type float32[?, ?]', 'got float64[?]', 'T.cast');
    expectError(() => T.function([], undefined, { updates: [[W, W.mul(2)], [W, W]] }), T.CompileError, 'updates W a second time');
    expectError(() => T.function([], undefined, { updates: [[v as never, v]] }), T.CompileError, 'updates[0][0] must be a shared variable');
    expectError(() => T.function([], undefined, { updates: 3 as never }), T.CompileError, 'updates must be an array of [variable, value] pairs');
  });
  it('rejects a given whose type does not match', () => {
    const x = T.fmatrix('x');
    expectError(() => T.function([], x.sum(), { givens: [[x, T.dvector('d')]] }), T.CompileError, 'givens replacement for x must have type float32[?, ?]');
  });
  it('rejects an unknown backend name', () => {
    const x = T.vector('x');
    expectError(() => T.function([x], x, { backend: 'gpu' as never }), T.CompileError, 'backend must be "js" or "native"');
  });
  it('makes asking for native without the addon an error, not a silent fallback', () => {
    // a fresh process where the addon is disabled, as on a machine without OpenBLAS or a compiler
    const script = `
      const T = require(${JSON.stringify(path.resolve(__dirname, '../../lib'))});
      const x = T.vector('x');
      const out = { auto: T.function([x], x.mul(2)).info().backend, backend: T.backend() };
      try { T.function([x], x, { backend: 'native' }); } catch (e) { out.error = e.constructor.name + ': ' + e.message; }
      console.log(JSON.stringify(out));`;
    const res = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, NODEANO_DISABLE_NATIVE: '1', NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    });
    const out = JSON.parse(res.trim().split('\n').pop()!);
    expect(out.auto).toBe('js');
    expect(out.backend).toEqual({ name: 'js', reason: 'disabled by NODEANO_DISABLE_NATIVE=1' });
    expect(out.error).toContain('BackendError: function: backend "native" is not available: disabled by NODEANO_DISABLE_NATIVE=1');
  }, 30000);
});

describe('function: bad input at call time', () => {
  const x = T.fmatrix('x');
  const k = T.iscalar('k');
  const f = T.function([x, k], x.mul(k), { name: 'scale' });
  it('checks the argument count', () => {
    expectError(() => f([[1]]), T.InputError, 'scale: must be called with 2 argument(s)', 'got 1');
  });
  it('lists every bad argument: dtype, rank, non-integer for int32', () => {
    expectError(
      () => f(T.array([[1]], { dtype: 'float64' }), 1.5),
      T.InputError,
      'argument 0 (x: float32[?, ?]) must have dtype float32',
      'allowInputDowncast',
      'argument 1 (k: int32[])',
      'integers',
    );
    expectError(() => f([1, 2], 1), T.InputError, 'argument 0 (x: float32[?, ?]) must have shape [?, ?], got [2]');
    expectError(() => f('a', 1), T.InputError, 'must be an NDArray, typed array, nested array or number, got "a"');
  });
  it('checks static dims', () => {
    const r = T.tensor('float32', [null, 3], 'r');
    const g = T.function([r], r.sum());
    expectError(() => g([[1, 2]]), T.InputError, 'must have shape [?, 3], got [1, 2]');
  });
  it('casts safely without asking and downcasts only when allowed', () => {
    const d = T.dvector('d');
    const g = T.function([d], d.mul(2));
    close(g(new Int32Array([1, 2])) as T.NDArray, [2, 4]);
    const h = T.function([x], x.sum(), { allowInputDowncast: true });
    close(h(T.array([[1.5, 2]], { dtype: 'float64' })) as T.NDArray, 3.5);
  });
  it('takes a flat typed array where the type fixes the shape, and refuses where it cannot', () => {
    const r = T.tensor('float32', [null, 2], 'r');
    const g = T.function([r], r.sum(0));
    close(g(new Float32Array([1, 2, 3, 4])) as T.NDArray, [4, 6]);
    expectError(() => f(new Float32Array(4), 1), T.InputError, 'does not fix the shape');
  });
  it('reports a runtime shape mismatch with the node and where the user created it', () => {
    const a = T.matrix('a');
    const b = T.matrix('b');
    const g = T.function([a, b], T.dot(a, b));
    expectError(() => g([[1, 2]], [[1, 2]]), T.RuntimeError, 'dot: inner dimensions must agree', 'node: dot(a, b)', 'created at: test/compile/function.test.ts:');
    expectError(() => T.function([a, b], a.add(b))([[1, 2]], [[1, 2, 3]]), T.RuntimeError, 'broadcast-compatible', 'node: (a + b)');
  });
});

describe('function: outputs', () => {
  const x = T.dvector('x');
  it('returns one NDArray for one output, a list for a list, undefined for none', () => {
    expect(T.function([x], x.mul(2))([1])).toBeInstanceOf(T.NDArray);
    expect(T.function([x], [x.mul(2), x.sum()])([1])).toHaveLength(2);
    expect(T.function([x], [x.mul(2)])([1])).toHaveLength(1);
    const s = T.shared(T.zeros([1], 'float64'));
    expect(T.function([x], undefined, { updates: [[s, x]] })([1])).toBeUndefined();
    expect(T.function([x], [], { updates: [[s, x]] })([1])).toEqual([]);
  });
  it('returns fresh arrays that later calls do not overwrite', () => {
    const f = T.function([x], x.mul(2));
    const a = f([1, 2]) as T.NDArray;
    f([5, 6]);
    close(a, [2, 4]);
  });
  it('computes inputs, shared values and constants given directly as outputs', () => {
    const s = T.shared(T.array([3], { dtype: 'float64' }), { name: 's' });
    const [o1, o2, o3] = T.function([x], [x, s, T.constant(7)])([1]) as T.NDArray[];
    close(o1, [1]);
    close(o2, [3]);
    close(o3, 7);
  });
});

describe('function: updates', () => {
  it('applies all updates after the outputs, each reading the old values (swap works)', () => {
    const a = T.shared(T.array([1], { dtype: 'float64' }), { name: 'a' });
    const b = T.shared(T.array([2], { dtype: 'float64' }), { name: 'b' });
    const f = T.function([], [a, b], { updates: [[a, b], [b, a]] });
    const [oa, ob] = f() as T.NDArray[];
    close(oa, [1]);
    close(ob, [2]);
    close(a.getValue(), [2]);
    close(b.getValue(), [1]);
  });
  it('updates in place: a borrowed view sees the new value', () => {
    const w = T.shared(T.array([1, 2], { dtype: 'float64' }), { name: 'w' });
    const view = w.getValue({ borrow: true });
    T.function([], undefined, { updates: [[w, w.mul(10)]] })();
    close(view, [10, 20]);
    const copy = w.getValue();
    copy.data[0] = 99;
    close(w.getValue(), [10, 20]);
  });
  it('follows a shared value whose shape changes through setValue, making a new plan', () => {
    const w = T.shared(T.zeros([2], 'float64'), { name: 'w' });
    const f = T.function([], w.sum(), { updates: [[w, w.add(1)]] });
    f();
    w.setValue(T.ones([4], 'float64'));
    close(f() as T.NDArray, 4);
    close(w.getValue(), [2, 2, 2, 2]);
    expect(f.info().plans).toBe(2);
    expectError(() => w.setValue([[1]]), T.ShapeError, 'must have rank 1');
  });
  it('accepts a Map of updates and plain numbers as update values', () => {
    const c = T.shared(T.array([0], { dtype: 'int32' }), { name: 'count' });
    const f = T.function([], undefined, { updates: new Map([[c, c.add(1)]]) });
    f();
    f();
    expect(c.getValue().data[0]).toBe(2);
    T.function([], undefined, { updates: [[c, [0]]] })();
    expectError(() => T.function([], undefined, { updates: [[c, 0]] }), T.CompileError, 'update of count must have type int32[?]', 'got int32[]');
    expect(c.getValue().data[0]).toBe(0);
  });
});

describe('function: givens', () => {
  it('substitutes variables before compiling, without touching the user graph', () => {
    const x = T.dvector('x');
    const data = T.shared(T.array([1, 2, 3], { dtype: 'float64' }), { name: 'data' });
    const y = x.mul(2).sum();
    const f = T.function([], y, { givens: [[x, data]] });
    close(f() as T.NDArray, 12);
    expect(T.pp(y)).toBe('sum((x * 2), axes=[0])');
    close(T.function([x], y)([1]) as T.NDArray, 2);
  });
  it('replaces an intermediate value', () => {
    const x = T.dvector('x');
    const h = x.exp();
    const y = h.add(1);
    const f = T.function([x], y, { givens: [[h, x.mul(3)]] });
    close(f([1, 2]) as T.NDArray, [4, 7]);
  });
});

describe('function: memory plan', () => {
  it('plans once per input-shape signature and reuses the buffers', () => {
    const x = T.dmatrix('x');
    const f = T.function([x], T.sigmoid(T.dot(x, x.T)).sum());
    f([[1, 2]]);
    f([[3, 4]]);
    expect(f.info().plans).toBe(1);
    f([[1, 2], [3, 4]]);
    expect(f.info().plans).toBe(2);
    f([[1, 2]]);
    expect(f.info().plans).toBe(2);
  });
  it('shares arena memory between temps whose lifetimes do not overlap', () => {
    const x = T.dvector('x');
    let y = x;
    for (let i = 0; i < 10; i++) y = y.exp().neg();
    const f = T.function([x], y.sum(), { rewrites: 'none' });
    f(new Float64Array(1000));
    const { arenaBytes, unsharedBytes } = f.info();
    // 20 temps of 8000 bytes, and the sum's 8 bytes padded to 64 (a small output is copied out of the arena, not
    // computed into a fresh array)
    expect(unsharedBytes).toBe(20 * 8000 + 64);
    expect(arenaBytes).toBeLessThanOrEqual(3 * 8000 + 64);
  });
  it('computes an update straight into the shared buffer when nothing reads the old value later', () => {
    const w = T.shared(T.array([1, 2], { dtype: 'float64' }), { name: 'w' });
    const v = T.shared(T.array([10, 20], { dtype: 'float64' }), { name: 'v' });
    // w's new value is produced first, but v's update still reads the old w: w must not be overwritten early
    const f = T.function([], undefined, { updates: [[w, w.mul(2)], [v, v.add(w)]] });
    f();
    close(w.getValue(), [2, 4]);
    close(v.getValue(), [11, 22]);
    const g = T.function([], undefined, { updates: [[w, w.exp().neg()]] });
    g();
    close(w.getValue(), [-Math.exp(2), -Math.exp(4)]);
    const plan = planMemory(g.program, [], [[2]]);
    expect(plan.sharedAlias).toHaveLength(2);
    expect(plan.arenaBytes).toBe(0);
  });
  it('lets an elementwise step write over an input that dies there, unless the inplace phase is excluded', () => {
    const x = T.dvector('x');
    let y = x;
    for (let i = 0; i < 10; i++) y = y.exp().neg();
    const graphOff = { exclude: PHASES.filter((p) => p !== 'inplace') };
    const f = T.function([x], y, { rewrites: graphOff, backend: 'js' });
    const g = T.function([x], y, { rewrites: { exclude: [...graphOff.exclude, 'inplace'] }, backend: 'js' });
    const none = T.function([x], y, { rewrites: 'none', backend: 'js' });
    const xs = new Float64Array(1000).fill(-1);
    const out = f(xs) as T.NDArray;
    const plan = planMemory(f.program, [[1000]], []);
    expect(plan.arenaBytes).toBe(8000);
    // every step but the first (a fresh temp) and the last (it writes the returned array) runs in place
    expect(plan.inPlace.reduce((a, b) => a + b, 0)).toBe(18);
    expect(plan.direct).toEqual([f.program.outputs[0]]);
    for (const h of [g, none]) {
      const p = planMemory(h.program, [[1000]], []);
      expect(p.inPlace.reduce((a, b) => a + b, 0)).toBe(0);
      expect(p.arenaBytes).toBeGreaterThan(plan.arenaBytes);
      expect(Array.from((h(xs) as T.NDArray).data)).toEqual(Array.from(out.data));
    }
    let v = -1;
    for (let i = 0; i < 10; i++) v = -Math.exp(v);
    expect(out.data[0]).toBeCloseTo(v, 12);
  });
  it('produces a serializable program: steps with kernel ids, slots and attributes', () => {
    const x = T.fmatrix('x');
    const f = T.function([x], T.sum(x, 1));
    const p = JSON.parse(JSON.stringify(f.program)) as T.Program;
    expect(p.steps.map((s) => s.kernel)).toEqual(['Sum']);
    expect(p.steps[0].attrs).toEqual({ axes: [1], keepdims: false });
    expect(p.slots[p.outputs[0]].kind).toBe('temp');
  });
});

describe('shared variables: dispose', () => {
  it('releases the value; later use by the variable or a function is a clear error', () => {
    const w = T.shared(T.ones([3], 'float64'), { name: 'w' });
    const f = T.function([], w.sum());
    close(f() as T.NDArray, 3);
    w.dispose();
    expectError(() => w.getValue(), T.ArgumentError, 'w.getValue: the shared variable was disposed');
    expectError(() => w.setValue([1, 2, 3]), T.ArgumentError, 'disposed');
    expectError(() => f(), T.RuntimeError, 'shared variable w was disposed');
  });
  it('setValue with the same shape writes into the storage that borrowed views see', () => {
    const w = T.shared(T.zeros([2], 'float64'), { name: 'w' });
    const view = w.getValue({ borrow: true });
    w.setValue([5, 6]);
    close(view, [5, 6]);
  });
});
