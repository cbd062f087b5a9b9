import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, run } from './support';

const { binaryCrossentropy: bce, binaryCrossentropyWithLogits: bcel } = T.nnet;

describe('binaryCrossentropy and binaryCrossentropyWithLogits', () => {
  describe('bad input', () => {
    it('rejects integer probabilities and non-tensors', () => {
      expectError(() => bce(T.ivector('p'), T.dvector('t')), T.DTypeError, 'binaryCrossentropy: probs must have a float dtype, got int32[?]');
      expectError(() => bcel('abc', T.dvector('t')), T.ArgumentError, 'binaryCrossentropyWithLogits: logits must be');
    });
    it('rejects mismatched static shapes and ranks', () => {
      expectError(() => bce(T.tensor('float64', [2, 3]), T.tensor('float64', [2, 4])), T.ShapeError, 'binaryCrossentropy: targets must have the shape of probs [2, 3], got [2, 4]');
      expectError(() => bcel(T.dmatrix('x'), T.dvector('t')), T.ShapeError, 'binaryCrossentropyWithLogits: targets must have the shape of logits [?, ?], got [?]');
    });
    it('reports shapes that differ at run time with the op name', () => {
      const x = T.dvector('x');
      const t = T.dvector('t');
      expect(() => run([x, t], bcel(x, t), [1, 2], [1])).toThrow(/binaryCrossentropyWithLogits: targets must have the shape of logits \[2\], got \[1\]/);
    });
  });

  describe('forward and gradient', () => {
    it('from probabilities: -(t log p + (1-t) log(1-p)), gradients for p and t', () => {
      checkOp({ fn: bce, inputs: [[0.2, 0.9, 0.5], [0, 1, 0.3]], expected: [-Math.log(0.8), -Math.log(0.9), Math.LN2] });
    });
    it('from logits: max(x,0) - x t + log1p(exp(-|x|)), gradients sigmoid(x) - t and -x', () => {
      checkOp({ fn: bcel, inputs: [[0, 2, -3], [1, 0, 0.5]], expected: [Math.LN2, 2 + Math.log1p(Math.exp(-2)), 1.5 + Math.log1p(Math.exp(-3))] });
    });
    it('from logits is exact at ±1e4 (no overflow, no log(0)), also in float32, with finite gradients', () => {
      for (const dt of ['float64', 'float32'] as const) {
        const x = T.tensor(dt, [null], 'x');
        const t = T.tensor(dt, [null], 't');
        const xs = T.array([1e4, -1e4, 1e4, -1e4], { dtype: dt });
        const ts = T.array([0, 1, 1, 0], { dtype: dt });
        expect(flat(run([x, t], bcel(x, t), xs, ts))).toEqual([1e4, 1e4, 0, 0]);
        expect(flat(run([x, t], T.grad(T.sum(bcel(x, t)), x), xs, ts))).toEqual([1, -1, 0, 0]);
      }
    });
    it('from probabilities gives 0, not NaN, where p is exactly the target 0 or 1, and +inf where it is the opposite', () => {
      const p = T.dvector('p');
      const t = T.dvector('t');
      expect(flat(run([p, t], bce(p, t), [0, 1, 0, 1], [0, 1, 1, 0]))).toEqual([0, 0, Infinity, Infinity]);
    });
    it('casts integer targets to the probabilities dtype', () => {
      const p = T.fvector('p');
      const t = T.ivector('t');
      const y = bce(p, t);
      expect(y.dtype).toBe('float32');
      close(run([p, t], y, T.array([0.5, 0.25], { dtype: 'float32' }), T.array([1, 0], { dtype: 'int32' })), [Math.LN2, -Math.log(0.75)]);
    });
  });

  (nativeHas('BinaryCrossentropy', 'BinaryCrossentropyWithLogits') ? describe : describe.skip)('native agrees with TypeScript', () => {
    it('on random shapes and values, edge values included', () => {
      const edge = fc.constantFrom(0, 1, -0, 1e4, -1e4, 50, -50, NaN);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 3 }), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), fc.integer({ min: 0, max: 1e6 }), fc.array(edge, { maxLength: 3 }), (s, dt, seed, edges) => {
          const rng = new T.RandomState(seed);
          const n = s.reduce((a, b) => a * b, 1);
          const xs = Array.from(rng.uniform(-8, 8, [n]).data);
          const ps = Array.from(rng.uniform(0, 1, [n]).data);
          const ts = Array.from(rng.uniform(0, 1, [n]).data).map((v, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : v));
          edges.forEach((e, i) => i < n && (xs[i] = e));
          for (const [f, a] of [[bcel, xs], [bce, ps]] as const) {
            const x = T.tensor(dt, s.map(() => null), 'x');
            const t = T.tensor(dt, s.map(() => null), 't');
            const vx = T.array(a, { dtype: dt }).reshape(s);
            const vt = T.array(ts, { dtype: dt }).reshape(s);
            const js = T.function([x, t], f(x, t), { backend: 'js' })(vx, vt) as T.NDArray;
            const nat = T.function([x, t], f(x, t), { backend: 'native' })(vx, vt) as T.NDArray;
            expect(nat.shape).toEqual(js.shape);
            close(nat.reshape([nat.size]), flat(js), dt === 'float32' ? 1e-6 : 1e-14);
          }
        }),
        { numRuns: 60 },
      );
    });
  });
});
