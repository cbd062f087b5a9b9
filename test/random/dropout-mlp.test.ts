import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, nativeHas } from '../helpers';

// A 2-layer MLP with dropout and categorical cross-entropy, trained by SGD from the same start on both backends:
// the dropout masks are the same bits, so the two runs follow the same trajectory.
function train(backend: 'js' | 'native', steps: number): { costs: number[]; W2: T.NDArray; fn: T.CompiledFunction } {
  const rng = new T.RandomState(3);
  const X = T.array(rng.normal(0, 1, [64, 4]).data, { dtype: 'float64' }).reshape([64, 4]);
  const labels = T.array(Array.from({ length: 64 }, (_, i) => (X.data[i * 4] + X.data[i * 4 + 1] > 0 ? 1 : 0) + (X.data[i * 4 + 2] > 0.5 ? 1 : 0)), { dtype: 'int32' });
  const W1 = T.shared(T.array(rng.normal(0, 0.5, [4, 16]).data, { dtype: 'float64' }).reshape([4, 16]), { name: 'W1' });
  const b1 = T.shared(T.zeros([16], 'float64'), { name: 'b1' });
  const W2 = T.shared(T.array(rng.normal(0, 0.5, [16, 3]).data, { dtype: 'float64' }).reshape([16, 3]), { name: 'W2' });
  const b2 = T.shared(T.zeros([3], 'float64'), { name: 'b2' });
  const x = T.dmatrix('x');
  const y = T.ivector('y');
  const srng = new T.random.RandomStreams(77);
  const h = T.nnet.dropout(T.tanh(T.add(T.dot(x, W1), b1)), 0.3, srng);
  const cost = T.mean(T.nnet.categoricalCrossentropy(T.nnet.softmax(T.add(T.dot(h, W2), b2)), y));
  const params = [W1, b1, W2, b2];
  const grads = T.grad(cost, params) as T.Variable[];
  const fn = T.function([x, y], cost, { backend, updates: params.map((p, i) => [p, T.sub(p, T.mul(grads[i], 0.5))] as [T.SharedVariable, T.Variable]) });
  const costs: number[] = [];
  for (let s = 0; s < steps; s++) costs.push((fn(X, labels) as T.NDArray).data[0]);
  return { costs, W2: W2.getValue(), fn };
}

describe('a dropout MLP with categorical cross-entropy', () => {
  it('learns on the TypeScript backend', () => {
    const { costs } = train('js', 60);
    expect(costs[59]).toBeLessThan(costs[0] * 0.6);
  });
  (nativeHas('RandomBinomial', 'CategoricalCrossentropy', 'CategoricalCrossentropyGrad') ? it : it.skip)('runs fully native and follows the TypeScript trajectory', () => {
    const js = train('js', 20);
    const nat = train('native', 20);
    expect(nat.fn.info().backend).toBe('native');
    close(T.array(nat.costs, { dtype: 'float64' }), js.costs, 1e-9);
    close(nat.W2, js.W2.toArray() as T.NestedArray, 1e-9);
  });
});
