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
    it('rejects static shapes that cannot broadcast, naming both inputs', () => {
      expectError(() => bce(T.tensor('float64', [2, 3]), T.tensor('float64', [2, 4])), T.ShapeError, 'binaryCrossentropy: probs and targets must have broadcast-compatible shapes, got probs [2, 3] and targets [2, 4]');
      expectError(() => bcel(T.tensor('float64', [3, 2]), T.tensor('float64', [2, 1, 4])), T.ShapeError, 'binaryCrossentropyWithLogits: logits and targets must have broadcast-compatible shapes', 'got logits [3, 2] and targets [2, 1, 4] (dim -1 differs)');
    });
    it('reports shapes that cannot broadcast at run time with the op name', () => {
      const x = T.dvector('x');
      const t = T.dvector('t');
      expect(() => run([x, t], bcel(x, t), [1, 2], [1, 2, 3])).toThrow(/binaryCrossentropyWithLogits: logits and targets must have broadcast-compatible shapes, got logits \[2\] and targets \[3\]/);
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
    it('broadcasts inputs as NumPy: a row of targets against a matrix, a column of logits against a row', () => {
      checkOp({ fn: bce, inputs: [[[0.2, 0.9], [0.5, 0.25]], [0, 1]], expected: [[-Math.log(0.8), -Math.log(0.9)], [Math.LN2, -Math.log(0.25)]] });
      checkOp({ fn: bce, inputs: [0.5, [[0, 1], [0.5, 1]]], expected: [[Math.LN2, Math.LN2], [Math.LN2, Math.LN2]] });
      checkOp({ fn: bcel, inputs: [[[0], [2]], [1, 0, 0.5]], expected: [[Math.LN2, Math.LN2, Math.LN2], [Math.log1p(Math.exp(-2)), 2 + Math.log1p(Math.exp(-2)), 1 + Math.log1p(Math.exp(-2))]] });
      const x = T.tensor('float64', [3, 1]);
      const t = T.tensor('float64', [null, 1, 4]);
      expect(bcel(x, t).staticShape).toEqual([null, 3, 4]);
      expect(bce(T.dmatrix(), T.dscalar()).staticShape).toEqual([null, null]);
    });
    it('sums each gradient back to the shape of its input when that broadcast', () => {
      T.verifyGrad((x, t) => T.sum(T.mul(bcel(x, t), [[1], [2], [-1]])), [[[0.5, -1, 2], [0, 3, -2], [1, 1, 1]], [0.2, 0.7, 1]]);
      T.verifyGrad((x, t) => T.sum(T.sqr(bcel(x, t))), [[[1.5], [-0.5]], [[[0.2, 0.9]], [[0.4, 0.1]]]]);
      T.verifyGrad((p, t) => T.sum(T.sqr(bce(p, t))), [[0.3, 0.6, 0.8], [[0.1], [0.9]]]);
      const p = T.dvector('p');
      const t = T.dmatrix('t');
      const [gp, gt] = T.grad(T.sum(bce(p, t)), [p, t]);
      expect(run([p, t], gp, [0.5, 0.25], [[1, 0], [0, 1]]).shape).toEqual([2]);
      close(run([p, t], gp, [0.5, 0.25], [[1, 0], [0, 1]]), [(0.5 - 1) / 0.25 + 0.5 / 0.25, 0.25 / 0.1875 + (0.25 - 1) / 0.1875]);
      expect(run([p, t], gt, [0.5, 0.25], [[1, 0], [0, 1]]).shape).toEqual([2, 2]);
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
        fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 3 }), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), fc.integer({ min: 0, max: 1e6 }), fc.array(edge, { maxLength: 3 }), fc.integer({ min: 0, max: 7 }), fc.nat(3), fc.boolean(), (s, dt, seed, edges, mask, drop, swap) => {
          // one input broadcasts against the other along the dims `mask` sets to 1 (leading ones may be dropped)
          const small = s.map((d, i) => ((mask >> i) & 1 ? 1 : d)).slice(drop % (s.length + 1));
          const [sx, st] = swap ? [small, s] : [s, small];
          const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
          const rng = new T.RandomState(seed);
          const xs = Array.from(rng.uniform(-8, 8, [size(sx)]).data);
          const ps = Array.from(rng.uniform(0, 1, [size(sx)]).data);
          const ts = Array.from(rng.uniform(0, 1, [size(st)]).data).map((v, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : v));
          edges.forEach((e, i) => i < xs.length && (xs[i] = e));
          for (const [f, a] of [[bcel, xs], [bce, ps]] as const) {
            const x = T.tensor(dt, sx.map(() => null), 'x');
            const t = T.tensor(dt, st.map(() => null), 't');
            const vx = T.array(a, { dtype: dt }).reshape(sx);
            const vt = T.array(ts, { dtype: dt }).reshape(st);
            const js = T.function([x, t], f(x, t), { backend: 'js' })(vx, vt) as T.NDArray;
            const nat = T.function([x, t], f(x, t), { backend: 'native' })(vx, vt) as T.NDArray;
            expect(nat.shape).toEqual(js.shape);
            close(nat.reshape([nat.size]), flat(js), dt === 'float32' ? 1e-6 : 1e-14);
          }
        }),
        { numRuns: 100 },
      );
    });
  });
});
