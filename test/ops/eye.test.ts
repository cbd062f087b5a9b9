import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact } from './shape-support';
import { flat, run } from './support';

describe('eye', () => {
  describe('bad input', () => {
    it('rejects negative, fractional or data-dependent sizes and a fractional k, listing every problem', () => {
      expectError(() => T.eye(-1, 2.5, 0.5), T.ArgumentError, 'eye: n must be >= 0, got -1', 'm must be an integer, T.shapeI(y, i)', 'k must be an integer in [-2147483647, 2147483647], got 0.5');
      expectError(() => T.eye(T.iscalar('n')), T.ArgumentError, 'eye: n must be', 'got n (int32[])');
    });
    it('rejects sizes beyond any array while the graph is built', () => {
      expectError(() => T.eye(1e300), T.ArgumentError, 'eye: n must be at most 2147483647, got 1e+300');
      expectError(() => T.eye(2, 2 ** 31, 2 ** 40), T.ArgumentError, 'eye: m must be at most 2147483647, got 2147483648', 'k must be an integer in [-2147483647, 2147483647], got 1099511627776');
      expectError(() => T.eye(1e5), T.ArgumentError, 'eye: n * m must be at most 2147483647 elements, got 100000 * 100000 = 10000000000');
    });
    it('reports a symbolic size too large for an array at run time, naming the node', () => {
      for (const backend of backends) {
        const x = T.dvector('x');
        const f = T.function([x], T.eye(x.shape[0].mul(1e5)), { backend });
        expectError(() => f([1]), T.RuntimeError, 'eye: output shape [100000, 100000] must have at most 2147483647 elements, got 10000000000', 'node: eye(x.shape[0]*100000');
      }
    });
    it('rejects an unknown dtype', () => {
      expectError(() => T.eye(2, 2, 0, 'int8' as T.DType), T.DTypeError, 'eye: dtype must be one of float32, float64, int32, bool, got "int8"');
    });
    it('reports a negative symbolic size at run time', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.eye(x.shape[0].sub(3)), { backend: 'js' });
      expectError(() => f([1]), T.RuntimeError, 'eye: n and m must be >= 0, got -2, -2');
    });
  });

  describe('values', () => {
    it('is the floatX identity by default', () => {
      const r = run([], T.eye(3));
      expect(r.dtype).toBe(T.config.floatX);
      expect(flat(r)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    });
    it('puts ones on diagonal k of an n x m matrix', () => {
      expect(flat(run([], T.eye(2, 3, 1, 'int32')))).toEqual([0, 1, 0, 0, 0, 1]);
      expect(flat(run([], T.eye(3, 2, -1, 'float64')))).toEqual([0, 0, 1, 0, 0, 1]);
      expect(flat(run([], T.eye(2, 2, 5)))).toEqual([0, 0, 0, 0]);
    });
    it('takes symbolic sizes: T.eye(x.shape[1])', () => {
      const x = T.dmatrix('x');
      const e = T.eye(x.shape[1], undefined, 0, 'float64');
      expect(e.staticShape).toEqual([null, null]);
      expect(flat(run([x], e, [[1, 2]]))).toEqual([1, 0, 0, 1]);
      expect(run([x], e, T.zeros([1, 0], 'float64')).shape).toEqual([0, 0]);
    });
    it('is a constant in gradients: d sum(x * eye) = eye', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.mul(x, T.eye(x.shape[0], x.shape[1], 0, 'float64'))), x), inputs: [[[1, 2], [3, 4]]], expected: [[1, 0], [0, 1]], noGrad: true }));
  });

  describe.skipIf(!nativeHas('Eye'))('native agrees with the TypeScript reference', () => {
    it('random sizes and diagonals, every dtype', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: -7, max: 7 }), fc.constantFrom<T.DType>('int32', 'float32', 'float64', 'bool'), (n, m, k, dt) => {
          agreeExact((x) => T.eye(x.shape[0], x.shape[1], k, dt), [T.zeros([n, m], 'float64')]);
        }),
        { numRuns: 40 },
      );
    });
  });
});
