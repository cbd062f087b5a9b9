import { PHASES } from '../../lib/rewrite';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, close, expectError, nativeHas } from '../helpers';
import { planMemory } from '../../lib/compile/memory-plan';
import { flat, NOT_TENSORS, run } from './support';

// backends whose addon has these kernels (an older addon would run the program on the TypeScript backend)
const usable = backends.filter((b) => b === 'js' || nativeHas('IncSubtensor'));

const M = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];

describe('incSubtensor and setSubtensor', () => {
  describe('bad input', () => {
    it('rejects a non-tensor x or y with ArgumentErrors naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.incSubtensor(bad, [0], 1), T.ArgumentError, 'incSubtensor: x must be', got);
        expectError(() => T.setSubtensor(T.dvector('x'), [0], bad), T.ArgumentError, 'setSubtensor: y must be', got);
      }
    });
    it('rejects an index that is neither a spec list nor an integer tensor', () => {
      expectError(() => T.incSubtensor(T.dvector('x'), 3 as never, 1), T.ArgumentError, 'incSubtensor: index must be an array of per-axis specs', 'got 3');
      expectError(() => T.setSubtensor(T.dvector('x'), T.dvector('i'), 1), T.DTypeError, 'setSubtensor: indices must have dtype int32, got float64');
    });
    it('rejects a y that cannot broadcast to the selected region (ShapeError), statically and at run time', () => {
      expectError(() => T.incSubtensor(T.tensor('float64', [3, 3]), [[0, 2]], T.tensor('float64', [3, 2])), T.ShapeError, 'incSubtensor: y must broadcast to the selected region [2, 3], got [3, 2]');
      expectError(() => T.setSubtensor(T.dmatrix('x'), [0], T.dmatrix('y')), T.ShapeError, 'setSubtensor: y must broadcast to the selected region [?], got [?, ?]');
      expectError(() => T.incSubtensor(T.tensor('float64', [3, 3]), [0, 3], 2), T.ShapeError, 'incSubtensor: index on axis 1 must be in [-3, 3), got 3');
      const x = T.dmatrix('x');
      const y = T.dvector('y');
      expectError(() => run([x, y], T.incSubtensor(x, [[1]], y), M, [1, 2]), T.RuntimeError, 'incSubtensor: y must broadcast to the selected region [2, 3], got [2]');
      const i = T.ivector('i');
      expectError(() => run([x, i, y], T.incSubtensor(x, i, y), M, [0, 1], [1, 2]), T.RuntimeError, 'incSubtensor: y must broadcast to the selected region [2, 3], got [2]');
    });
    it('rejects a y of a wider dtype and an increment of bool data (DTypeError)', () => {
      expectError(() => T.incSubtensor(T.fvector('x'), [[0, 1]], T.dvector('y')), T.DTypeError, 'incSubtensor: y must have dtype float32 (or one that casts to it safely), got float64');
      expectError(() => T.incSubtensor(T.tensor('bool', [null]), [0], true), T.DTypeError, 'incSubtensor: x must have dtype float32, float64 or int32, got bool');
    });
  });

  describe('forward', () => {
    it('adds or writes a broadcast y into a slice region, leaving x itself unchanged', () => {
      const x = T.dmatrix('x');
      close(run([x], T.incSubtensor(x, [[0, 2], [null, null, -2]], 10), M), [[11, 2, 13], [14, 5, 16], [7, 8, 9]]);
      close(run([x], T.setSubtensor(x, [null, 1], [-1, -2, -3]), M), [[1, -1, 3], [4, -2, 6], [7, -3, 9]]);
      close(run([x], T.setSubtensor(x, [[-1, null, -1]], [0, 1, 2]), M), [[0, 1, 2], [0, 1, 2], [0, 1, 2]]);
      close(run([x], T.incSubtensor(x, [[3]], 10), M), M);
    });
    it('accumulates repeated integer indices and lets the last write of a repeated index win', () => {
      const x = T.dmatrix('x');
      const i = T.ivector('i');
      close(run([x, i], T.incSubtensor(x, i, [[1, 1, 1]]), M, [0, 2, 0, -3]), [[4, 5, 6], [4, 5, 6], [8, 9, 10]]);
      close(run([x, i], T.setSubtensor(x, i, [[10], [20]]), M, [1, 1]), [[1, 2, 3], [20, 20, 20], [7, 8, 9]]);
      close(run([x, i], T.incSubtensor(x, i, [100, 200], { axis: 1 }), M, [2, 0]), [[201, 2, 103], [204, 5, 106], [207, 8, 109]]);
    });
    it('works on int32 (wrapping) and sets bool', () => {
      const a = T.ivector('a');
      expect(flat(run([a], T.incSubtensor(a, [[0, 1]], 1), [2147483647, 0]))).toEqual([-2147483648, 0]);
      const b = T.tensor('bool', [null], 'b');
      expect(flat(run([b], T.setSubtensor(b, [[1]], false), [true, true, true]))).toEqual([1, 0, 0]);
    });
  });

  describe('updates', () => {
    it('writes a slice update straight into the shared buffer, on every backend', () => {
      for (const backend of usable) {
        const s = T.shared(T.array([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' }), { name: 's' });
        const v = T.dvector('v');
        const f = T.function([v], s.slice(null, -1), { backend, updates: [[s, T.setSubtensor(T.incSubtensor(s, [null, [1]], 10), [0, [null, null, 2]], v)]] });
        expect(planMemory(f.program, [[2]], [[2, 3]]).sharedAlias.length).toBe(2);
        close(f([-1, -3]) as T.NDArray, [3, 6]);
        close(s.getValue(), [[-1, 12, -3], [4, 15, 16]]);
      }
    });
  });

  describe('aliasing', () => {
    it('reads y before writing when the plan writes the result over x and y is x itself', () => {
      const x = T.dvector('x');
      const t = x.mul(2);
      const cases: [T.Variable, number[]][] = [
        [T.incSubtensor(t, [[null, null, -1]], t), [8, 8, 8]],
        [T.setSubtensor(t, [[null, null, -1]], t), [6, 4, 2]],
        [T.incSubtensor(t, T.constant([2, 1, 0], 'int32'), t), [8, 8, 8]],
        [T.setSubtensor(t, T.constant([2, 1, 0], 'int32'), t), [6, 4, 2]],
      ];
      for (const [out, want] of cases) {
        // graph rewrites off, in-place reuse on: the TypeScript plan does write the result over t's buffer (an
        // intermediate: an output itself is computed into the returned array instead)
        const f = T.function([x], out.mul(1), { backend: 'js', rewrites: { exclude: PHASES.filter((p) => p !== 'inplace') } });
        expect(Array.from(planMemory(f.program, [[3]], []).inPlace)).toContain(1);
        expect(flat(f([1, 2, 3]) as T.NDArray)).toEqual(want);
        expect(flat(run([x], out, [1, 2, 3]))).toEqual(want);
      }
    });
  });

  describe('gradient', () => {
    it('passes g to x (inc) or g with the region zeroed (set), and g at the region summed to y (finite differences)', () => {
      checkOp({ fn: (x, y) => T.incSubtensor(x, [[0, 2], [null, null, -2]], y).sqr(), inputs: [M, [[1], [2]]], expected: [[4, 4, 16], [36, 25, 64], [49, 64, 81]] });
      checkOp({ fn: (x, y) => T.setSubtensor(x, [1], y).mul(x), inputs: [M, [1, 2, 3]], expected: [[1, 4, 9], [4, 10, 18], [49, 64, 81]] });
    });
    it('passes gradients through the integer-index forms with repeated indices (finite differences)', () => {
      const idx = T.constant([2, 0, 2], 'int32');
      checkOp({ fn: (x, y) => T.incSubtensor(x, idx, y).sqr(), inputs: [M, [1, 2, 3]], expected: [[4, 16, 36], [16, 25, 36], [81, 144, 225]] });
      checkOp({ fn: (x, y) => T.setSubtensor(x, T.constant([1], 'int32'), y, { axis: 1 }).mul(x), inputs: [M, [[1], [2], [3]]], expected: [[1, 2, 9], [16, 10, 36], [49, 24, 81]] });
    });
  });
});

describe('incSubtensor(region, y): the Theano two-argument form', () => {
  it('incSubtensor(x.take(idx), y) with int32 indices adds y into x at idx, with gradients, on every backend', () => {
    const x = T.dmatrix('x');
    const idx = T.ivector('idx');
    const y = T.dmatrix('y');
    const out = T.incSubtensor(x.take(idx), y);
    const explicit = T.incSubtensor(x, idx, y);
    const cost = T.sum(out.mul(out));
    const [gx, gy] = T.grad(cost, [x, y]);
    const xv = T.array(M, { dtype: 'float64' });
    const iv = T.array([2, 0, 2], { dtype: 'int32' });
    const yv = T.array([[1, 1, 1], [10, 20, 30], [2, 2, 2]], { dtype: 'float64' });
    const expected = [[11, 22, 33], [4, 5, 6], [10, 11, 12]];
    for (const backend of usable) {
      const f = T.function([x, idx, y], [out, explicit, gx, gy], { backend });
      const [o, e, dx, dy] = f(xv, iv, yv) as T.NDArray[];
      close(o, expected);
      close(e, expected);
      close(dx, expected.map((r) => r.map((v) => 2 * v)));
      close(dy, [[20, 22, 24], [22, 44, 66], [20, 22, 24]]);
    }
    T.verifyGrad((a, b) => T.incSubtensor(a.take(T.constant([2, 0], 'int32')), b), [xv, T.array([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' })]);
  });
  it('setSubtensor(x.take(idx, 1), y) and incSubtensor(x.slice(...), y) index the tensor the region came from', () => {
    const x = T.dmatrix('x');
    const idx = T.ivector('idx');
    const set = T.setSubtensor(x.take(idx, 1), 0);
    const inc = T.incSubtensor(x.slice(null, [1, 3]), 100);
    for (const backend of usable) {
      const [s, i] = T.function([x, idx], [set, inc], { backend })(T.array(M, { dtype: 'float64' }), T.array([0], { dtype: 'int32' })) as T.NDArray[];
      close(s, [[0, 2, 3], [0, 5, 6], [0, 8, 9]]);
      close(i, [[1, 102, 103], [4, 105, 106], [7, 108, 109]]);
    }
  });
  it('rejects a region that is not a take or slice, naming the explicit form', () => {
    expectError(() => T.incSubtensor(T.dvector('v').mul(2), 1), T.ArgumentError, 'incSubtensor: x must be the result of a take or slice when called as incSubtensor(x, y)', 'incSubtensor(x, index, y)');
  });
});
