// A 2-hidden-layer MLP with dropout learns the classic 3-class spiral (300 points in the plane, generated here from a
// seed): softmax cross-entropy on integer labels, Adam, shuffled minibatches, and dropout masks drawn from a symbolic
// RandomStreams that advances on every training call. The same weights feed a second, deterministic graph (no dropout)
// that evaluates the accuracy on the training set.
//
//   npx tsx examples/mlp-dropout.ts [--backend js|native] [--epochs 60] [--batch 32] [--lr 0.01] [--hidden 64]
//                                   [--dropout 0.1] [--seed 0]
import * as T from '../lib';

function args() {
  const a = process.argv.slice(2);
  const get = (name: string, dflt: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 && i + 1 < a.length ? a[i + 1] : dflt;
  };
  const backend = get('backend', 'auto');
  if (!['auto', 'js', 'native'].includes(backend)) throw new T.ArgumentError(`--backend must be js, native or auto, got ${backend}`);
  return {
    backend: backend === 'auto' ? undefined : (backend as 'js' | 'native'),
    epochs: Number(get('epochs', '60')),
    batch: Number(get('batch', '32')),
    lr: Number(get('lr', '0.01')),
    hidden: Number(get('hidden', '64')),
    dropout: Number(get('dropout', '0.1')),
    seed: Number(get('seed', '0')),
  };
}

/**
 * The CS231n spiral: `perClass` points on each of K arms, radius growing from 0 to 1 while the angle turns by 4
 * radians, plus normal noise of 0.2 on the angle. Returns float32 points [K * perClass, 2] and int32 labels.
 */
function spiral(rng: T.RandomState, perClass: number, K: number): [T.NDArray, T.NDArray] {
  const X = new Float32Array(perClass * K * 2);
  const y = new Int32Array(perClass * K);
  const noise = rng.randn(perClass * K).data;
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < perClass; i++) {
      const n = k * perClass + i;
      const r = i / (perClass - 1);
      const t = k * 4 + (4 * i) / (perClass - 1) + noise[n] * 0.2;
      X[2 * n] = r * Math.sin(t);
      X[2 * n + 1] = r * Math.cos(t);
      y[n] = k;
    }
  }
  return [new T.NDArray(X, [perClass * K, 2], 'float32'), new T.NDArray(y, [perClass * K], 'int32')];
}

const opt = args();
const K = 3;
const rng = new T.RandomState(opt.seed);
const [X, labels] = spiral(rng, 100, K);

// ReLU rather than tanh: the spiral's decision boundary is a stack of bends that piecewise-linear units carve out
// quickly with Adam, ReLU units do not saturate (so a few large pre-activations early on cannot stall training as they
// would with tanh), and inverted dropout's 1/(1-p) rescaling leaves a ReLU layer's expected output unchanged.
const sizes = [2, opt.hidden, opt.hidden, K];
const params: T.SharedVariable[] = [];
const layers: [T.SharedVariable, T.SharedVariable][] = [];
for (let i = 0; i + 1 < sizes.length; i++) {
  const W = T.shared(T.train.init.heUniform(rng, [sizes[i], sizes[i + 1]]), `W${i + 1}`);
  const b = T.shared(T.zeros([sizes[i + 1]], 'float32'), `b${i + 1}`);
  layers.push([W, b]);
  params.push(W, b);
}

const srng = new T.random.RandomStreams(opt.seed + 1);

/** The logits; with training = true each hidden layer's output goes through dropout (a fresh mask per call). */
function logits(x: T.Variable, training: boolean): T.Variable {
  let h = x;
  layers.forEach(([W, b], i) => {
    const z = T.dot(h, W).add(b);
    h = i + 1 < layers.length ? T.nnet.dropout(T.nnet.relu(z), opt.dropout, srng, { training }) : z;
  });
  return h;
}

const x = T.fmatrix('x');
const y = T.ivector('y');
const cost = T.mean(T.nnet.categoricalCrossentropy(T.nnet.softmax(logits(x, true)), y));
const updates = T.train.adam(cost, params, { learningRate: opt.lr });
const train = T.function([x, y], cost, { updates, name: 'train', backend: opt.backend });
const predict = T.function([x], T.argmax(logits(x, false), 1), { name: 'predict', backend: opt.backend });
console.log(`backend: train ${train.info().backend}, predict ${predict.info().backend}; ${X.shape[0]} spiral points, layers ${sizes.join('-')}, dropout ${opt.dropout}`);

function accuracy(pred: T.NDArray, target: T.NDArray): number {
  let right = 0;
  for (let i = 0; i < pred.size; i++) if (pred.data[i] === target.data[i]) right++;
  return right / pred.size;
}

const order = new T.RandomState(opt.seed + 2); // advances every epoch, so each epoch visits the points in a new order
for (let epoch = 1; epoch <= opt.epochs; epoch++) {
  let sum = 0;
  let count = 0;
  for (const [xb, yb] of T.train.minibatches([X, labels], opt.batch, { shuffle: true, rng: order })) {
    sum += (train(xb, yb) as T.NDArray).get() * xb.shape[0];
    count += xb.shape[0];
  }
  console.log(`epoch ${epoch}: loss ${(sum / count).toFixed(4)}`);
}
console.log(`final train accuracy ${accuracy(predict(X) as T.NDArray, labels).toFixed(4)}`);
