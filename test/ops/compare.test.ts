import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

type Cmp = (a: unknown, b: unknown) => T.Variable;
const OPS: [string, Cmp, (a: number, b: number) => boolean][] = [
  ['eq', T.eq, (a, b) => a === b],
  ['neq', T.neq, (a, b) => a !== b],
  ['lt', T.lt, (a, b) => a < b],
  ['le', T.le, (a, b) => a <= b],
  ['gt', T.gt, (a, b) => a > b],
  ['ge', T.ge, (a, b) => a >= b],
];

const A = [[1, -2, 3], [0.5, 2, -1]];
const B = [[2, -2, 1], [0.5, 4, 0]];

describe('comparisons (eq, neq, lt, le, gt, ge)', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [name, op] of OPS) {
        for (const [bad, got] of NOT_TENSORS) {
          expectError(() => op(T.fvector(), bad), T.ArgumentError, `${name}: b must be`, got);
          expectError(() => op(bad, T.fvector()), T.ArgumentError, `${name}: a must be`, got);
        }
      }
    });
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      for (const [name, op] of OPS) {
        expectError(() => op(T.tensor('float32', [2, 3]), T.tensor('float32', [4, 3])), T.ShapeError, `${name}: a and b must have broadcast-compatible shapes`, 'a [2, 3]', 'b [4, 3]', 'dim -2 differs');
      }
    });
    it('rejects run-time shapes that cannot broadcast, naming the op and the node', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      const f = T.function([a, b], T.lt(a, b));
      expectError(() => f([1, 2], [1, 2, 3]), T.RuntimeError, 'lt: inputs must have broadcast-compatible shapes, got [2] and [3]', 'node: (a < b)');
    });
  });

  describe('forward', () => {
    it('compares elementwise, giving 0/1 as JS comparison does', () => {
      const a = T.dmatrix('a');
      const b = T.dmatrix('b');
      for (const [name, op, ref] of OPS) {
        const r = run([a, b], op(a, b), A, B);
        expect(r.dtype, name).toBe('bool');
        expect(flat(r), name).toEqual(A.flat().map((x, i) => Number(ref(x, B.flat()[i]))));
      }
    });
    it('broadcasts a column [n, 1] against a row [1, m]', () => {
      const c = T.dmatrix('c');
      const r = T.dmatrix('r');
      expect(run([c, r], T.lt(c, r), [[1], [3]], [[0, 2, 4]]).toArray()).toEqual([[false, true, true], [false, false, true]]);
    });
    it('broadcasts a vector along the rows and a JS number against everything', () => {
      const a = T.dmatrix('a');
      expect(flat(run([a], T.ge(a, [1, 2, 3]), A))).toEqual([1, 0, 1, 0, 1, 0]);
      expect(flat(run([a], T.gt(a, 0), A))).toEqual([1, 0, 1, 1, 1, 0]);
      expect(flat(run([a], T.eq(2, a), A))).toEqual([0, 0, 0, 0, 1, 0]);
    });
    it('compares empty tensors to empty bool tensors', () => {
      const e = T.dmatrix('e');
      const r = run([e], T.eq(e, [1, 2, 3]), T.zeros([0, 3], 'float64'));
      expect(r.shape).toEqual([0, 3]);
      expect(r.dtype).toBe('bool');
    });
  });

  describe('edge values', () => {
    it('is false wherever a NaN is involved, except neq which is true', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      const av = [NaN, 1, NaN];
      const bv = [1, NaN, NaN];
      for (const [name, op] of OPS) expect(flat(run([a, b], op(a, b), av, bv)), name).toEqual(name === 'neq' ? [1, 1, 1] : [0, 0, 0]);
    });
    it('orders ±inf and treats -0 as equal to 0', () => {
      const a = T.dvector('a');
      expect(flat(run([a], T.lt(a, 1e308), [-Infinity, Infinity]))).toEqual([1, 0]);
      expect(flat(run([a], T.eq(a, Infinity), [Infinity, -Infinity]))).toEqual([1, 0]);
      expect(flat(run([a], T.eq(a, 0), [-0, 0]))).toEqual([1, 1]);
    });
  });

  describe('dtypes', () => {
    it('gives bool for every input dtype', () => {
      for (const dt of ['float32', 'float64', 'int32', 'bool'] as T.DType[]) {
        for (const [name, op] of OPS) expect(op(T.tensor(dt, [null]), T.tensor(dt, [null])).dtype, `${name} ${dt}`).toBe('bool');
      }
    });
    it('upcasts mixed operands to a common dtype before comparing (int32 vs float64 is exact)', () => {
      const i = T.ivector('i');
      const d = T.dvector('d');
      expect(flat(run([i, d], T.eq(i, d), [16777217, 3], [16777216, 3]))).toEqual([0, 1]);
      expect(T.lt(T.ivector(), T.fvector()).owner!.inputs.map((v) => v.dtype)).toEqual(['float32', 'float32']);
    });
    it('lets a JS number take the tensor dtype, so 0.1 compares as a float32 against float32', () => {
      const x = T.fvector('x');
      expect(flat(run([x], T.eq(x, 0.1), T.array([0.1, 0.2], { dtype: 'float32' })))).toEqual([1, 0]);
      expect(T.lt(T.ivector(), 0.5).owner!.inputs.map((v) => v.dtype)).toEqual(['float32', 'float32']);
    });
    it('compares bool tensors without casting them', () => {
      const p = T.tensor('bool', [null], 'p');
      const q = T.tensor('bool', [null], 'q');
      const out = T.eq(p, q);
      expect(out.owner!.inputs).toEqual([p, q]);
      expect(run([p, q], out, [true, false, true], [true, true, false]).toArray()).toEqual([true, false, false]);
    });
    it('casts to float32 as 0 and 1', () => {
      const x = T.dvector('x');
      const r = run([x], T.cast(T.gt(x, 0), 'float32'), [-1, 0, 2]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, 0, 1]);
    });
  });

  describe('gradient', () => {
    it('passes no gradient back through a comparison (x is disconnected from a cost built only on it)', () => {
      const x = T.dvector('x');
      const cost = T.sum(T.cast(T.gt(x, 0), 'float64'));
      expectError(() => T.grad(cost, x), T.GradError, 'not connected');
      close(run([x], T.grad(cost, x, { disconnected: 'zero' }), [-1, 2]), [0, 0]);
    });
    it('lets the gradient flow around a comparison used as a where condition', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.where(T.gt(x, 0), x.mul(3), x)), x), [-1, 2]), [1, 3]);
    });
  });

  describe('method form', () => {
    it('x.eq(y) ... x.ge(y) equal T.eq(x, y) ... T.ge(x, y)', () => {
      const x = T.dmatrix('x');
      for (const [name, op] of OPS) {
        const m = (x as unknown as Record<string, (o: unknown) => T.Variable>)[name].call(x, [1, 2, 3]);
        expect(flat(run([x], m, A)), name).toEqual(flat(run([x], op(x, [1, 2, 3]), A)));
      }
    });
    it('prints as infix', () => {
      const x = T.dvector('x');
      expect(T.pp(x.ge(0))).toContain('x >= 0');
      expect(T.pp(x.neq(x))).toContain('x != x');
    });
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no comparison kernels', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.lt(x, 0));
      expect(flat(f([-1, 2]) as T.NDArray)).toEqual([1, 0]);
      expect(f.info().backend).toBe(nativeHas('Lt') ? 'native' : 'js');
    });
  });
});
