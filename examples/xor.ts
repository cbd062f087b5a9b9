// The Theano XOR tutorial, ported line by line: a 2-5-1 sigmoid network learns XOR by gradient descent,
// with the weights and data held in shared variables and the whole step compiled once.
import * as T from '../lib';

const X = T.shared(T.array([[0, 0], [0, 1], [1, 0], [1, 1]]), { name: 'X' });
const y = T.shared(T.array([[0], [1], [1], [0]]), { name: 'y' });
const rng = new T.RandomState(1);
const lr = 0.1;

// weights uniform in [-1, 1), as in the tutorial (no biases)
function layer(nIn: number, nOut: number, name: string): T.SharedVariable {
  return T.shared(rng.uniform(-1, 1, [nIn, nOut]), { name, dtype: T.config.floatX });
}
const W1 = layer(2, 5, 'W1');
const W2 = layer(5, 1, 'W2');

const output = T.nnet.sigmoid(T.dot(T.nnet.sigmoid(T.dot(X, W1)), W2));
const cost = T.sum(T.sqr(y.sub(output)));
const updates: [T.SharedVariable, T.Variable][] = [
  [W1, W1.sub(T.grad(cost, W1).mul(lr))],
  [W2, W2.sub(T.grad(cost, W2).mul(lr))],
];

const train = T.function([], cost, { updates });
const test = T.function([], output);

for (let i = 0; i < 60000; i++) {
  const c = train() as T.NDArray;
  if (i % 10000 === 0) console.log(`step ${i}: cost ${c.get().toFixed(6)}`);
}
console.log('outputs for [0,0], [0,1], [1,0], [1,1]:');
console.log((test() as T.NDArray).toString());

export { train, test, W1, W2 };
