import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, run } from './support';

const cce = T.nnet.categoricalCrossentropy;
const P = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]];
const labels = (v: number[]) => T.array(v, { dtype: 'int32' });

describe('categoricalCrossentropy', () => {
  describe('bad input', () => {
    it('rejects labels of a float dtype, and integer probs, with a DTypeError', () => {
      expectError(() => cce(T.dmatrix('p'), T.dvector('t')), T.DTypeError, 'categoricalCrossentropy: targets must be int32 labels [N] or rows [N, K], got float64[?]');
      expectError(() => cce(T.imatrix('p'), T.ivector('t')), T.DTypeError, 'categoricalCrossentropy: probs must have a float dtype, got int32[?, ?]');
    });
    it('rejects wrong ranks and mismatched static shapes with a ShapeError', () => {
      expectError(() => cce(T.dvector('p'), T.ivector('t')), T.ShapeError, 'probs must have rank 2 [N, K], got float64[?]');
      expectError(() => cce(T.dmatrix('p'), T.tensor3('t', 'float64')), T.ShapeError, 'targets must be int32 labels [N] or rows [N, K]');
      expectError(() => cce(T.tensor('float64', [2, 3]), T.tensor('int32', [3])), T.ShapeError, 'targets must have shape [2] or [2, 3] to match probs, got [3]');
      expectError(() => cce(T.tensor('float64', [2, 3]), T.tensor('float64', [2, 4])), T.ShapeError, 'got [2, 4]');
      expectError(() => cce('abc', T.ivector('t')), T.ArgumentError, 'categoricalCrossentropy: probs must be');
    });
    it('reports mismatched run-time shapes and out-of-range labels as errors naming the op, on every backend', () => {
      const p = T.dmatrix('p');
      const t = T.ivector('t');
      expect(() => run([p, t], cce(p, t), P, labels([1, 2, 0]))).toThrow(/categoricalCrossentropy: targets must have shape \[2\] or \[2, 3\]/);
      for (const bad of [[1, 3], [-1, 0]]) {
        for (const backend of ['js', ...(nativeHas('CategoricalCrossentropy') ? ['native' as const] : [])] as ('js' | 'native')[]) {
          const f = T.function([p, t], cce(p, t), { backend });
          const at = bad[0] === 1 ? 1 : 0;
          expectError(() => f(P, labels(bad)), T.RuntimeError, `categoricalCrossentropy: targets[${at}] must be a label in [0, 3), got ${bad[at]}`, 'node: categoricalCrossentropy(p, t)');
        }
      }
    });
  });

  describe('forward and gradient', () => {
    it('is -log p[label] for int32 labels (gradient -1/p at the label)', () => {
      checkOp({ fn: (p) => cce(p, T.constant(labels([1, 2]))), inputs: [P], expected: [-Math.log(0.7), -Math.log(0.25)] });
    });
    it('is -sum t log p for one-hot and soft target rows (gradients for probs and targets)', () => {
      const rows = [[0, 1, 0], [0.5, 0.5, 0]];
      checkOp({ fn: cce, inputs: [P, rows], expected: [-Math.log(0.7), -(0.5 * Math.log(0.5) + 0.5 * Math.log(0.25))] });
    });
    it('has a gradient of its gradient (Hessian-vector products), for labels and rows', () => {
      const w = T.constant(T.array([[0.3, -1, 2], [1.5, 0.5, -0.7]], { dtype: 'float64' }));
      T.verifyGrad((p) => T.grad(T.sum(cce(p, T.constant(labels([1, 2])))), p) as T.Variable, [P]);
      T.verifyGrad((p, t) => T.mul(T.grad(T.sum(T.mul(cce(p, t), T.constant(T.array([2, -1], { dtype: 'float64' })))), p) as T.Variable, w), [P, [[0.2, 0.8, 0], [0.5, 0.25, 0.25]]]);
    });
    it('matches the one-hot form for labels, in float32 too', () => {
      const p = T.fmatrix('p');
      const t = T.ivector('t');
      const a = run([p, t], cce(p, t), T.array(P, { dtype: 'float32' }), labels([2, 0]));
      const b = run([p, t], cce(p, T.nnet.oneHot(t, 3)), T.array(P, { dtype: 'float32' }), labels([2, 0]));
      expect(a.dtype).toBe('float32');
      close(a, flat(b), 1e-7);
      close(a, [-Math.log(0.1), -Math.log(0.5)], 1e-6);
    });
    it('counts a zero-weight term as 0 even where p = 0, and gives +inf (no clamp) where a target has p = 0', () => {
      const p = T.dmatrix('p');
      const t = T.dmatrix('t');
      expect(flat(run([p, t], cce(p, t), [[0, 1], [1, 0]], [[0, 1], [0, 1]]))).toEqual([0, Infinity]);
      const g = run([p, t], T.grad(T.sum(cce(p, t)), p), [[0, 1], [0.5, 0.5]], [[0, 1], [0, 1]]);
      expect(flat(g)).toEqual([0, -1, 0, -2]);
    });
    it('stays exact on softmax of logits at ±1e4', () => {
      const x = T.dmatrix('x');
      const t = T.ivector('t');
      const out = run([x, t], cce(T.nnet.softmax(x), t), [[1e4, -1e4, 0], [-1e4, 1e4, 1e4]], labels([0, 1]));
      close(out, [0, Math.LN2], 1e-12);
    });
    it('handles an empty batch', () => {
      const p = T.dmatrix('p');
      const t = T.ivector('t');
      expect(run([p, t], cce(p, t), T.zeros([0, 3], 'float64'), T.zeros([0], 'int32')).shape).toEqual([0]);
    });
  });

  (nativeHas('CategoricalCrossentropy', 'CategoricalCrossentropyGrad') ? describe : describe.skip)('native agrees with TypeScript', () => {
    it('on random shapes, labels and rows, values and gradients', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), fc.integer({ min: 0, max: 1e6 }), (n, k, useLabels, dt, seed) => {
          const rng = new T.RandomState(seed);
          const raw = rng.uniform(0, 1, [n, k]).data;
          raw.forEach((v, i) => (raw[i] = i % 5 === 3 ? 0 : v)); // some exact zeros
          const probs = T.array(Array.from(raw), { dtype: dt }).reshape([n, k]);
          const p = T.tensor(dt, [null, null], 'p');
          const lab = T.array(Array.from({ length: n }, (_, i) => (seed + i * 7) % k), { dtype: 'int32' });
          const tgt = useLabels ? lab : T.array(Array.from(rng.uniform(0, 1, [n, k]).data).map((v, i) => (i % 3 === 0 ? 0 : v)), { dtype: dt }).reshape([n, k]);
          const t = T.tensor(tgt.dtype, tgt.shape.map(() => null), 't');
          const loss = cce(p, t);
          const outs = [loss, T.grad(T.sum(loss), p)];
          const js = T.function([p, t], outs, { backend: 'js' })(probs, tgt) as T.NDArray[];
          const nat = T.function([p, t], outs, { backend: 'native' })(probs, tgt) as T.NDArray[];
          js.forEach((a, i) => {
            expect(nat[i].shape).toEqual(a.shape);
            close(nat[i].reshape([a.size]), flat(a), dt === 'float32' ? 1e-6 : 1e-14);
          });
        }),
        { numRuns: 60 },
      );
    });
  });
});
