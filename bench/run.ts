// npm run bench: every comparison measured side by side in one run; results in bench/results/latest.json and the
// README table.
import * as T from '../lib';
import { compare, save, Section } from './harness';
import { makeHandwrittenXor } from './xor-handwritten';

function xorSection(): Section {
  const rng = new T.RandomState(1);
  const w1 = rng.uniform(-1, 1, [2, 5], 'float32');
  const w2 = rng.uniform(-1, 1, [5, 1], 'float32');
  const X = T.shared(T.array([[0, 0], [0, 1], [1, 0], [1, 1]]), { name: 'X' });
  const y = T.shared(T.array([[0], [1], [1], [0]]), { name: 'y' });
  const build = (backend: 'js' | 'native') => {
    const W1 = T.shared(w1, { name: 'W1' });
    const W2 = T.shared(w2, { name: 'W2' });
    const out = T.sigmoid(T.dot(T.sigmoid(T.dot(X, W1)), W2));
    const cost = T.sum(T.sqr(y.sub(out)));
    const [g1, g2] = T.grad(cost, [W1, W2]);
    return T.function([], cost, { updates: [[W1, W1.sub(g1.mul(0.1))], [W2, W2.sub(g2.mul(0.1))]], backend });
  };
  const hand = makeHandwrittenXor(w1.data as Float32Array, w2.data as Float32Array);
  const jsTrain = build('js');
  const results = compare([
    { name: 'hand-written TypeScript backprop', run: (n) => { for (let i = 0; i < n; i++) hand.step(); } },
    { name: 'nodeano, TypeScript backend', run: (n) => { for (let i = 0; i < n; i++) jsTrain(); } },
  ]);
  return { title: 'XOR training step (examples/xor.ts train())', baseline: 'hand-written TypeScript backprop', results };
}

save([xorSection()]);
