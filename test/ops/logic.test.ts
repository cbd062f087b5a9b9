import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

type Bin = (a: unknown, b: unknown) => T.Variable;
const BINARY: [string, string, Bin, (a: boolean, b: boolean) => boolean][] = [
  ['logicalAnd', 'and', T.logicalAnd, (a, b) => a && b],
  ['logicalOr', 'or', T.logicalOr, (a, b) => a || b],
  ['logicalXor', 'xor', T.logicalXor, (a, b) => a !== b],
];
const P = [true, true, false, false];
const Q = [true, false, true, false];

describe('logic (logicalAnd, logicalOr, logicalXor, logicalNot)', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [name, , op] of BINARY) {
        for (const [bad, got] of NOT_TENSORS) {
          expectError(() => op(T.fvector(), bad), T.ArgumentError, `${name}: b must be`, got);
          expectError(() => op(bad, T.fvector()), T.ArgumentError, `${name}: a must be`, got);
        }
      }
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.logicalNot(bad), T.ArgumentError, 'logicalNot: x must be', got);
    });
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      for (const [name, , op] of BINARY) {
        expectError(() => op(T.tensor('bool', [2, 3]), T.tensor('bool', [4, 3])), T.ShapeError, `${name}: a and b must have broadcast-compatible shapes`, 'a [2, 3]', 'b [4, 3]', 'dim -2 differs');
      }
    });
  });

  describe('forward', () => {
    it('follows the truth tables on bool tensors', () => {
      const p = T.tensor('bool', [null], 'p');
      const q = T.tensor('bool', [null], 'q');
      for (const [name, , op, ref] of BINARY) {
        expect(run([p, q], op(p, q), P, Q).toArray(), name).toEqual(P.map((x, i) => ref(x, Q[i])));
      }
      expect(run([p], T.logicalNot(p), P).toArray()).toEqual([false, false, true, true]);
    });
    it('broadcasts a column [n, 1] against a row [1, m] and a JS boolean against everything', () => {
      const c = T.tensor('bool', [null, 1], 'c');
      const r = T.tensor('bool', [1, null], 'r');
      expect(run([c, r], T.logicalAnd(c, r), [[true], [false]], [[true, false]]).toArray()).toEqual([[true, false], [false, false]]);
      expect(run([c, r], T.logicalXor(c, r), [[true], [false]], [[true, false]]).toArray()).toEqual([[false, true], [true, false]]);
      expect(run([c], T.logicalOr(c, false), [[true], [false]]).toArray()).toEqual([[true], [false]]);
    });
    it('combines comparisons into a range test', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.logicalAnd(x.gt(0), x.le(1)), [-1, 0, 0.5, 1, 2]))).toEqual([0, 0, 1, 1, 0]);
    });
  });

  describe('edge values', () => {
    it('reads ints and floats as nonzero = true, NaN and ±inf included, -0 as false', () => {
      const x = T.dvector('x');
      const i = T.ivector('i');
      expect(flat(run([x], T.logicalNot(x), [0, -0, 2.5, NaN, Infinity, -Infinity]))).toEqual([1, 1, 0, 0, 0, 0]);
      expect(flat(run([x, i], T.logicalAnd(x, i), [NaN, 0.1, 0, 3], [1, -7, 5, 0]))).toEqual([1, 1, 0, 0]);
      expect(flat(run([x, i], T.logicalOr(x, i), [0, -0, 0, NaN], [0, 0, 2, 0]))).toEqual([0, 0, 1, 1]);
    });
  });

  describe('dtypes', () => {
    it('gives bool for every input dtype, reading the inputs without casts', () => {
      for (const dt of ['float32', 'float64', 'int32', 'bool'] as T.DType[]) {
        for (const [name, , op] of BINARY) expect(op(T.tensor(dt, [null]), T.tensor('float64', [null])).dtype, `${name} ${dt}`).toBe('bool');
        expect(T.logicalNot(T.tensor(dt, [null])).dtype).toBe('bool');
      }
      const i = T.ivector('i');
      const f = T.fvector('f');
      expect(T.logicalXor(i, f).owner!.inputs).toEqual([i, f]);
    });
    it('casts to float32 as 0 and 1', () => {
      const p = T.tensor('bool', [null], 'p');
      const r = run([p], T.cast(T.logicalNot(p), 'float32'), [true, false]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, 1]);
    });
    it('passes no gradient back through a logic op', () => {
      const x = T.dvector('x');
      expectError(() => T.grad(T.sum(T.cast(T.logicalNot(x), 'float64')), x), T.GradError, 'not connected');
    });
  });

  describe('method form', () => {
    it('p.and(q), p.or(q), p.xor(q) and p.not() equal the functions', () => {
      const p = T.tensor('bool', [null], 'p');
      const q = T.tensor('bool', [null], 'q');
      for (const [name, method, op] of BINARY) {
        const m = (p as unknown as Record<string, (o: unknown) => T.Variable>)[method].call(p, q);
        expect(flat(run([p, q], m, P, Q)), name).toEqual(flat(run([p, q], op(p, q), P, Q)));
      }
      expect(flat(run([p], p.not(), P))).toEqual([0, 0, 1, 1]);
    });
    it('prints binary ops as infix', () => {
      const p = T.tensor('bool', [null], 'p');
      const q = T.tensor('bool', [null], 'q');
      expect(T.pp(p.and(q.not()))).toContain('p & logicalNot(q)');
    });
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no logic kernels', () => {
      const p = T.tensor('bool', [null], 'p');
      const f = T.function([p], p.not());
      expect(flat(f([true, false]) as T.NDArray)).toEqual([0, 1]);
      expect(f.info().backend).toBe(nativeHas('Not') ? 'native' : 'js');
    });
  });
});
