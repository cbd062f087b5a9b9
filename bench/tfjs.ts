// TensorFlow.js sides of the comparisons (its cpu and wasm backends; tfjs-node cannot install offline), written as
// a TensorFlow.js user would: variables, tf.train optimizers, optimizer.minimize. Each backend is set up once.
import type * as TfModule from '@tensorflow/tfjs';

// loaded on first use with the console muted: tfjs prints an "install tfjs-node" banner when it is imported
let tf: typeof TfModule;
function loadTf(): void {
  if (tf) return;
  const log = console.log;
  const warn = console.warn;
  console.log = () => undefined;
  console.warn = () => undefined;
  try {
    tf = require('@tensorflow/tfjs');
    require('@tensorflow/tfjs-backend-wasm');
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

export type TfBackend = 'cpu' | 'wasm';

/** Switches TensorFlow.js to `name`, hiding its one-time "install tfjs-node" banner. */
export async function useTf(name: TfBackend): Promise<void> {
  loadTf();
  const log = console.log;
  const warn = console.warn;
  console.log = () => undefined;
  console.warn = () => undefined;
  try {
    if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js backend ${name} failed to initialize`);
    await tf.ready();
    tf.tidy(() => tf.add(tf.scalar(1), 1).dataSync());
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/** The XOR network of examples/xor.ts: 2-5-1 sigmoid, summed squared error, SGD 0.1, from the given weights. */
export function tfXor(w1: Float32Array, w2: Float32Array): { step: () => void; outputs: () => number[] } {
  const W1 = tf.variable(tf.tensor2d(w1, [2, 5]));
  const W2 = tf.variable(tf.tensor2d(w2, [5, 1]));
  const X = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tf.tensor2d([[0], [1], [1], [0]]);
  const opt = tf.train.sgd(0.1);
  const out = () => tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(X, W1)), W2));
  return {
    step: () => {
      opt.minimize(() => tf.sum(tf.square(tf.sub(y, out()))) as TfModule.Scalar);
    },
    outputs: () => Array.from(tf.tidy(() => out()).dataSync()),
  };
}

export interface TfMlp {
  /** One SGD/Adam step on a batch (x: rows of features, labels: int class ids). */
  step: (x: Float32Array, labels: Int32Array, n: number) => void;
  /** Predicted classes for `n` rows. */
  predict: (x: Float32Array, n: number) => Int32Array;
  /** Sets the optimizer's learning rate (TensorFlow.js reads it on every step). */
  setLearningRate: (lr: number) => void;
  dispose: () => void;
}

/**
 * An MLP with the given layer sizes and initial weights (W, b per layer, as Float32Arrays), `act` hidden units,
 * softmax cross-entropy, and `optimizer` ('sgd' with lr, or 'adam' with lr); `dropout` after hidden layers in training.
 */
export function tfMlp(sizes: number[], weights: Float32Array[], act: 'sigmoid' | 'relu', optimizer: 'sgd' | 'adam', lr: number, dropout = 0): TfMlp {
  const vars: TfModule.Variable[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    vars.push(tf.variable(tf.tensor2d(weights[2 * i], [sizes[i], sizes[i + 1]])), tf.variable(tf.tensor1d(weights[2 * i + 1])));
  }
  const opt = optimizer === 'sgd' ? tf.train.sgd(lr) : tf.train.adam(lr);
  const logits = (x: TfModule.Tensor2D, training: boolean) => {
    let h: TfModule.Tensor2D = x;
    for (let i = 0; 2 * i < vars.length; i++) {
      const z = tf.add(tf.matMul(h, vars[2 * i] as TfModule.Tensor2D), vars[2 * i + 1]) as TfModule.Tensor2D;
      if (2 * i + 2 < vars.length) {
        h = act === 'sigmoid' ? tf.sigmoid(z) : tf.relu(z);
        if (training && dropout > 0) h = tf.dropout(h, dropout) as TfModule.Tensor2D;
      } else h = z;
    }
    return h;
  };
  const k = sizes[sizes.length - 1];
  return {
    step: (x, labels, n) => {
      tf.tidy(() => {
        const xt = tf.tensor2d(x, [n, sizes[0]]);
        const yt = tf.oneHot(tf.tensor1d(labels, 'int32'), k);
        opt.minimize(() => tf.losses.softmaxCrossEntropy(yt, logits(xt, true)) as TfModule.Scalar);
      });
    },
    predict: (x, n) => tf.tidy(() => tf.argMax(logits(tf.tensor2d(x, [n, sizes[0]]), false), 1).dataSync() as Int32Array),
    setLearningRate: (v) => {
      (opt as unknown as { learningRate: number }).learningRate = v;
    },
    dispose: () => {
      vars.forEach((v) => v.dispose());
      opt.dispose();
    },
  };
}

