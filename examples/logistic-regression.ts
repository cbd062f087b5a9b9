// Theano's logistic regression tutorial, ported line by line: 400 random examples of 784 features with random 0/1
// labels, a weight vector and bias held in shared variables, cross-entropy plus an L2 penalty, and plain gradient
// descent compiled into one training step. There is nothing to learn here but the data itself, and with 784 features
// for 400 points the model fits it exactly: the final accuracy on the training set is 1.
//
//   npx tsx examples/logistic-regression.ts [--backend js|native] [--steps 10000] [--until-fit]
//                                           [--xent logits|probs|tutorial] [--seed 42]
//
// --until-fit stops at the first step whose predictions are all correct instead of running every step.
// --xent picks how the cross-entropy is written: the tutorial's own formula (the default), nnet.binaryCrossentropy
// of the probabilities, or binaryCrossentropyWithLogits of z; all three train to the same result (see `xent` below).
import * as T from '../lib';

function args() {
  const a = process.argv.slice(2);
  const get = (name: string, dflt: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 && i + 1 < a.length ? a[i + 1] : dflt;
  };
  const backend = get('backend', 'auto');
  const xent = get('xent', 'tutorial');
  if (!['auto', 'js', 'native'].includes(backend)) throw new T.ArgumentError(`--backend must be js, native or auto, got ${backend}`);
  if (!['logits', 'probs', 'tutorial'].includes(xent)) throw new T.ArgumentError(`--xent must be logits, probs or tutorial, got ${xent}`);
  return {
    backend: backend === 'auto' ? undefined : (backend as 'js' | 'native'),
    steps: Number(get('steps', '10000')),
    untilFit: a.includes('--until-fit'),
    xent: xent as 'logits' | 'probs' | 'tutorial',
    seed: Number(get('seed', '42')),
  };
}

const opt = args();
const rng = new T.RandomState(opt.seed);

const N = 400; // training sample size
const feats = 784; // number of input variables

// generate a dataset: D = (input_values, target_class); the targets as float64, as the tutorial's T.dvector expects
const D: [T.NDArray, T.NDArray] = [rng.randn(N, feats), rng.randint(0, 2, N, 'float64')];
const trainingSteps = opt.steps;

// Declare symbolic variables
const x = T.dmatrix('x');
const y = T.dvector('y');

// initialize the weight vector w randomly; w and the bias b are shared so they keep their values between training
// iterations (updates)
const w = T.shared(rng.randn(feats), { name: 'w' });
const b = T.shared(0, { name: 'b', dtype: 'float64' });

// Construct the expression graph
const z = T.dot(x, w).add(b);
const p_1 = T.div(1, T.add(1, T.exp(T.neg(T.dot(x, w)).sub(b)))); // probability that target = 1
const prediction = p_1.gt(0.5); // the prediction thresholded
// Cross-entropy loss function, as the tutorial writes it. x.w starts with a standard deviation of 28, so p_1 is
// exactly 1 or 0 in float64 for many examples and log(1 - p_1) is -inf as written. The stabilize rewrites turn
// 1/(1+exp(-z)) into sigmoid(z) and log(sigmoid(z)), log(1 - sigmoid(z)) into softplus forms, and T.grad
// differentiates that stable form, so the loss and its gradient stay finite, as in Theano.
const xent =
  opt.xent === 'logits' ? T.nnet.binaryCrossentropyWithLogits(z, y)
  : opt.xent === 'probs' ? T.nnet.binaryCrossentropy(p_1, y)
  : T.neg(y).mul(T.log(p_1)).sub(T.sub(1, y).mul(T.log(T.sub(1, p_1))));
const cost = xent.mean().add(T.mul(0.01, w.pow(2).sum())); // the cost to minimize
const [gw, gb] = T.grad(cost, [w, b]); // the gradient of the cost w.r.t. weight vector w and bias term b

// Compile
const train = T.function([x, y], [prediction, xent], {
  updates: [[w, w.sub(gw.mul(0.1))], [b, b.sub(gb.mul(0.1))]],
  name: 'train',
  backend: opt.backend,
});
const predict = T.function([x], prediction, { name: 'predict', backend: opt.backend });
console.log(`backend: ${train.info().backend}; cross-entropy from ${opt.xent}`);

/** Fraction of predictions equal to the 0/1 targets. */
function accuracy(pred: T.NDArray, target: T.NDArray): number {
  let right = 0;
  for (let i = 0; i < pred.size; i++) if (pred.data[i] === target.data[i]) right++;
  return right / pred.size;
}

// Train
let step = 0;
while (step < trainingSteps) {
  const [pred, err] = train(D[0], D[1]) as T.NDArray[];
  step++;
  let mean = 0;
  for (let i = 0; i < err.size; i++) mean += err.data[i];
  mean /= err.size;
  const acc = accuracy(pred, D[1]);
  if (step === 1 || step % 1000 === 0 || step === trainingSteps) console.log(`step ${step}: mean cross-entropy ${mean.toFixed(6)}, training accuracy ${acc.toFixed(4)}`);
  if (!Number.isFinite(mean)) console.log(`step ${step}: the cross-entropy is ${mean}; b is now ${b.getValue().get()}`);
  if (!Number.isFinite(b.getValue().get())) break; // NaN gradients: nothing more to learn
  // pred comes from the weights before this step's update, so "fitted" means the weights before step `step` fit
  if (opt.untilFit && acc === 1) {
    console.log(`every training example classified correctly at step ${step}; stopping (--until-fit)`);
    break;
  }
}

console.log(`trained ${step} steps`);
console.log('Final model:');
console.log(`w: ${w.getValue().toString().slice(0, 200)}...`);
console.log(`b: ${b.getValue().get()}`);
const final = predict(D[0]) as T.NDArray;
console.log('target values for D:');
console.log(Array.from(D[1].data, (v) => String(v)).join(''));
console.log('prediction on D:');
console.log(Array.from(final.data, (v) => String(v)).join(''));
console.log(`final training accuracy ${accuracy(final, D[1]).toFixed(4)}`);
