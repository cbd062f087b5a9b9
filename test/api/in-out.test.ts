import { describe as suite, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, expectError } from '../helpers';

suite('T.In, T.Out and into: bad input', () => {
  it('rejects bad In and Out options with typed errors', () => {
    const x = T.scalar('x');
    expectError(() => T.In(x, { valu: 3 } as never), T.ArgumentError, 'In:', 'option "valu" is not known');
    expectError(() => T.In(x, { borrow: 'yes' } as never), T.ArgumentError, 'In:', 'borrow must be a boolean');
    expectError(() => T.In(3 as never), T.ArgumentError, 'In:', 'variable must be a Variable');
    expectError(() => T.Out(x, { borow: true } as never), T.ArgumentError, 'Out:', 'option "borow" is not known');
  });

  it('rejects an In default of the wrong dtype or shape at T.function, naming the function and the input', () => {
    const x = T.vector('x', 'int32');
    expectError(() => T.function([T.In(x, { value: T.array([1.5, 2], { dtype: 'float32' }) })], x.mul(2), { name: 'f' }), T.CompileError, 'function f', 'the default of argument 0 (x', 'int32', 'float32');
    const m = T.matrix('m');
    expectError(() => T.function([T.In(m, { value: T.array([1, 2]) })], m.mul(2), { name: 'g' }), T.CompileError, 'function g', 'shape');
  });

  it('reports missing arguments, unknown keywords and double assignments all at once', () => {
    const x = T.scalar('x');
    const w = T.scalar('w');
    const f = T.function([x, T.In(w, { value: 3 })], x.mul(w), { name: 'f' });
    expectError(() => f({ w: 2 }), T.InputError, 'argument 0 (x) is missing and has no default');
    expectError(() => f(1, { v: 2 }), T.InputError, 'keyword "v" names no input', 'known: x, w');
    expectError(() => f(1, 2, { w: 2 }), T.InputError, 'argument 1 (w) is given both by position and by keyword');
    // an unnamed input is shown by its type, once
    const u = T.scalar();
    const g = T.function([u, T.In(w, { value: 3 })], u.mul(w), { name: 'g' });
    expectError(() => g({ w: 2 }), T.InputError, 'g: argument 0 (float32[]) is missing and has no default');
  });

  for (const backend of backends) {
    it(`rejects bad out arrays before running (${backend})`, () => {
      const x = T.vector('x');
      const w = T.shared(T.array([1, 2, 3], { dtype: 'float32' }), { name: 'w' });
      const f = T.function([x], T.Out(T.exp(x), { borrow: true }), { backend, name: 'f', updates: [[w, w.add(1)]] });
      const a = T.array([0, 1, 2], { dtype: 'float32' });
      expectError(() => f.into(T.zeros([3], 'float64'), a), T.InputError, 'f:', 'out[0] must have dtype float32, got float64');
      expectError(() => f.into(T.zeros([4], 'float32'), a), T.InputError, 'out[0] must have shape [3], got [4]');
      expectError(() => f.into([1, 2] as never, a), T.InputError, 'out must be an array of 1');
      const borrowed = f(a) as T.NDArray;
      expectError(() => f.into(borrowed, a), T.InputError, 'out[0] must be an array the caller owns, got a borrowed output');
      const dead = T.zeros([3], 'float32');
      structuredClone(dead.data.buffer, { transfer: [dead.data.buffer as ArrayBuffer] });
      expectError(() => f.into(dead, a), T.InputError, 'out[0] must be a live array', 'detached');
      // none of the failed calls ran: the update landed once, for the one good call
      expect(Array.from(w.getValue().data)).toEqual([2, 3, 4]);
    });
  }
});

suite('T.In, T.Out and into', () => {
  for (const backend of backends) {
    it(`gives defaults and keyword arguments as Theano's In does (${backend})`, () => {
      const x = T.scalar('x');
      const y = T.scalar('y');
      const w = T.scalar('w');
      // the tutorial's f = function([x, In(y, value=1), In(w, value=2, name='w_by_name')], z)
      const f = T.function([x, T.In(y, { value: 1 }), T.In(w, { value: 2, name: 'wByName' })], x.add(y).mul(w), { backend });
      expect((f(33) as T.NDArray).get()).toBe(68);
      expect((f(33, 2) as T.NDArray).get()).toBe(70);
      expect((f(33, 0, 1) as T.NDArray).get()).toBe(33);
      expect((f(33, { wByName: 1 }) as T.NDArray).get()).toBe(34);
      expect((f(33, { wByName: 1, y: 0 }) as T.NDArray).get()).toBe(33);
    });

    it(`returns a borrowed output as a view that the next call overwrites (${backend})`, () => {
      const x = T.vector('x');
      const f = T.function([x], T.Out(T.exp(x), { borrow: true }), { backend });
      const g = T.function([x], T.exp(x), { backend });
      const first = f(T.array([0, 1], { dtype: 'float32' })) as T.NDArray;
      const kept = Array.from(first.data);
      f(T.array([2, 3], { dtype: 'float32' }));
      expect(Array.from(first.data)).not.toEqual(kept);
      expect(first.data[0]).toBeCloseTo(Math.exp(2), 4);
      // without borrow, results stay the caller's
      const own = g(T.array([0, 1], { dtype: 'float32' })) as T.NDArray;
      g(T.array([2, 3], { dtype: 'float32' }));
      expect(own.data[1]).toBeCloseTo(Math.E, 5);
    });

    it(`never lends an input, a shared value or a constant (${backend})`, () => {
      const x = T.vector('x');
      const s = T.shared(T.array([5, 6], { dtype: 'float32' }), { name: 's' });
      const f = T.function([x], [T.Out(x, { borrow: true }), T.Out(s, { borrow: true })], { backend });
      const a = T.array([1, 2], { dtype: 'float32' });
      const [rx, rs] = f(a) as T.NDArray[];
      rx.data[0] = 100;
      rs.data[0] = 100;
      expect(a.data[0]).toBe(1);
      expect(s.getValue().data[0]).toBe(5);
    });

    it(`writes outputs into the caller's arrays with into and asyncInto (${backend})`, async () => {
      const x = T.vector('x');
      const f = T.function([x], [T.exp(x), x.mul(2)], { backend });
      const a = T.array([0, 1], { dtype: 'float32' });
      const o = T.zeros([2], 'float32');
      const [r0, r1] = f.into([o, null], a) as T.NDArray[];
      expect(r0).toBe(o);
      expect(o.data[1]).toBeCloseTo(Math.E, 5);
      expect(Array.from(r1.data)).toEqual([0, 2]);
      const p = T.zeros([2], 'float32');
      const [q0] = (await f.asyncInto([null, p], a)) as T.NDArray[];
      expect(Array.from(p.data)).toEqual([0, 2]);
      expect(q0.data[1]).toBeCloseTo(Math.E, 5);
    });

    it(`leaves no cached plan behind when planning fails (${backend})`, () => {
      const X = T.matrix('X');
      const V = T.vector('V');
      const f = T.function([X, V], T.add(X, V), { backend });
      const good = f(T.zeros([3, 4], 'float32'), T.zeros([4], 'float32')) as T.NDArray;
      expect(good.shape).toEqual([3, 4]);
      for (let i = 0; i < 2; i++) expectError(() => f(T.zeros([4, 3], 'float32'), T.zeros([4], 'float32')), T.NodeanoError, 'broadcast-compatible');
      expect((f(T.ones([2, 4], 'float32'), T.ones([4], 'float32')) as T.NDArray).shape).toEqual([2, 4]);
    });
  }

  for (const backend of backends) {
    it(`rejects a detached input with an InputError (${backend})`, () => {
      const x = T.vector('x');
      const f = T.function([x], x.mul(2), { backend, name: 'f' });
      const a = T.array([1, 2], { dtype: 'float32' });
      structuredClone(a.data.buffer, { transfer: [a.data.buffer as ArrayBuffer] });
      expectError(() => f(a), T.InputError, 'f:', 'argument 0 (x', 'detached');
      const ta = new Float32Array(2);
      structuredClone(ta.buffer, { transfer: [ta.buffer] });
      expectError(() => f(ta), T.InputError, 'detached');
    });
  }

  it('names an unnamed input by its type once in argument errors', () => {
    const m = T.matrix();
    const f = T.function([m], m.mul(2));
    try {
      f('bad');
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toContain('argument 0 (float32[?, ?])');
      expect(m).not.toMatch(/<float32\[\?, \?\]>: float32/);
      return;
    }
    throw new Error('expected an error');
  });
});
