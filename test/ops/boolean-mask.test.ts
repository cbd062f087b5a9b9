import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

// backends whose addon has these kernels (an older addon would run the program on the TypeScript backend)
const usable = backends.filter((b) => b === 'js' || nativeHas('BooleanMask', 'BooleanMaskGrad'));

const M = [[1, -2, 3], [-4, 5, -6]];

describe('booleanMask', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with ArgumentErrors naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.booleanMask(bad, T.tensor('bool', [null])), T.ArgumentError, 'booleanMask: x must be', got);
        expectError(() => T.booleanMask(T.dvector('x'), bad), T.ArgumentError, 'booleanMask: m must be', got);
      }
    });
    it('rejects a mask that is not bool (DTypeError)', () => {
      expectError(() => T.dvector('x').mask(T.ivector('m')), T.DTypeError, 'booleanMask: m must have dtype bool, got int32');
    });
    it("rejects a mask whose static shape is not x's leading dims (ShapeError)", () => {
      expectError(() => T.booleanMask(T.tensor('float64', [3, 4]), T.tensor('bool', [3, 5])), T.ShapeError, "booleanMask: m must have rank 1 to 2 and the shape of x's leading dims [3, 4], got [3, 5]");
      expectError(() => T.booleanMask(T.dvector('x'), T.tensor('bool', [null, null])), T.ShapeError, 'got [?, ?]');
      expectError(() => T.booleanMask(T.dvector('x'), T.tensor('bool', [])), T.ShapeError, 'booleanMask: m must have rank 1 to 1');
    });
    it('reports a run-time mask shape mismatch as a RuntimeError naming the node, on every backend', () => {
      const x = T.dmatrix('x');
      const m = T.tensor('bool', [null], 'm');
      for (const backend of usable) {
        const f = T.function([x, m], x.mask(m), { backend });
        expectError(() => f(M, [true, false, true]), T.RuntimeError, "booleanMask: m must have the shape of x's leading dims [2], got [3]", 'x[m]');
      }
    });
  });

  describe('forward', () => {
    it('selects elements with a full-shape mask and rows with a leading-dims mask', () => {
      const x = T.dmatrix('x');
      const pos = x.mask(x.gt(0));
      expect(pos.ndim).toBe(1);
      close(run([x], pos, M), [1, 3, 5]);
      const m = T.tensor('bool', [null], 'm');
      close(run([x, m], T.booleanMask(x, m), M, [false, true]), [[-4, 5, -6]]);
    });
    it('gives empty selections of the right shape, and int32 / bool data', () => {
      const x = T.dmatrix('x');
      expect(run([x], x.mask(x.gt(100)), M).shape).toEqual([0]);
      const m = T.tensor('bool', [null], 'm');
      expect(run([x, m], x.mask(m), M, [false, false]).shape).toEqual([0, 3]);
      const i = T.ivector('i');
      expect(flat(run([i], i.mask(i.lt(0)), [3, -1, 0, -7]))).toEqual([-1, -7]);
    });
    it('feeds later ops, a second mask and reductions, with the length changing from call to call', () => {
      const x = T.dvector('x');
      const pos = x.mask(x.gt(0));
      const y = pos.mask(pos.lt(5)).mul(10).sum().add(pos.sum());
      for (const [, f] of [['js', T.function([x], [y, pos], { backend: 'js' })], ...(nativeHas('BooleanMask') ? [['native', T.function([x], [y, pos], { backend: 'native' })]] : [])] as [string, T.CompiledFunction][]) {
        const [a, p] = f([1, -1, 7, 2]) as T.NDArray[];
        close(a, 30 + 10);
        expect(flat(p)).toEqual([1, 7, 2]);
        const [b] = f([-1, -2]) as T.NDArray[];
        close(b, 0);
        const [c] = f([6, 4, 3, 2, 1]) as T.NDArray[];
        close(c, 100 + 16);
        expect(f.info().plans).toBeGreaterThanOrEqual(4);
      }
    });
  });

  describe('gradient', () => {
    it('places g where the mask is true, zeros elsewhere (finite differences)', () => {
      checkOp({ fn: (x) => x.mask(x.gt(0)).sqr(), inputs: [M], expected: [1, 9, 25] });
      checkOp({ fn: (x) => T.booleanMask(x, T.constant([true, false, true])).mul(x.sum()), inputs: [[[1, 2], [3, 4], [5, 6]]], expected: [[21, 42], [105, 126]] });
    });
    it('has a second derivative through the scatter (the selection again)', () => {
      const x = T.dvector('x');
      const g = T.grad(T.sum(x.mask(x.gt(0)).pow(3)), x);
      const h = T.grad(T.sum(g), x);
      close(run([x], h, [1, -2, 3]), [6, 0, 18]);
    });
  });
});

const d = nativeHas('BooleanMask', 'BooleanMaskGrad') ? describe : describe.skip;
d('booleanMask native agrees with the TypeScript reference', () => {
  it('on random shapes, mask ranks and densities (empty selections included)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }), fc.nat(2), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (s, r, p, seed) => {
        const mr = 1 + (r % s.length);
        const rng = new T.RandomState(seed);
        const xv = rng.uniform(-5, 5, s);
        const mv = T.array(Array.from(rng.uniform(0, 1, s.slice(0, mr)).data, (u) => u < p), { dtype: 'bool' }).reshape(s.slice(0, mr));
        const x = T.tensor('float64', s.map(() => null), 'x');
        const m = T.tensor('bool', s.slice(0, mr).map(() => null), 'm');
        const y = x.mask(m);
        const outs = [y, T.grad(T.sum(y.mul(y)), x)];
        const js = T.function([x, m], outs, { backend: 'js' })(xv, mv) as T.NDArray[];
        const nat = T.function([x, m], outs, { backend: 'native' })(xv, mv) as T.NDArray[];
        js.forEach((a, i) => {
          expect(nat[i].shape).toEqual(a.shape);
          expect(flat(nat[i])).toEqual(flat(a));
        });
      }),
      { numRuns: 60 },
    );
  });
});
