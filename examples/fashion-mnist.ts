// Trains an MLP on Fashion-MNIST (Debian's dataset-fashion-mnist package), reports test accuracy per epoch,
// checkpoints parameters and optimizer state after every epoch, and resumes from the checkpoint with --resume.
//
//   sudo apt-get install dataset-fashion-mnist
//   npx tsx examples/fashion-mnist.ts [--epochs 12] [--batch 128] [--lr 0.001] [--hidden 512,256]
//                                     [--dropout 0.2] [--backend js|native] [--checkpoint fashion-mnist.safetensors] [--resume] [--limit N] [--seed 0]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as T from '../lib';

const DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/** The IDX files this example needs that are not in DIR. */
export function missingFiles(): string[] {
  return FILES.filter((f) => !fs.existsSync(path.join(DIR, f)));
}

/** Fraction of rows whose predicted class equals the label. */
export function accuracy(pred: T.NDArray, labels: T.NDArray): number {
  let right = 0;
  for (let i = 0; i < pred.size; i++) if (pred.data[i] === labels.data[i]) right++;
  return right / pred.size;
}

function args() {
  const a = process.argv.slice(2);
  const get = (name: string, dflt: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 && i + 1 < a.length ? a[i + 1] : dflt;
  };
  return {
    epochs: Number(get('epochs', '12')),
    batch: Number(get('batch', '128')),
    lr: Number(get('lr', '0.001')),
    hidden: get('hidden', '512,256').split(',').map(Number),
    checkpoint: get('checkpoint', 'fashion-mnist.safetensors'),
    resume: a.includes('--resume'),
    limit: Number(get('limit', '0')),
    seed: Number(get('seed', '0')),
    dropout: Number(get('dropout', '0.2')),
    backend: (get('backend', '') || undefined) as 'js' | 'native' | undefined,
  };
}

/** Images as float32 rows in [0, 1] and labels as int32, the first `limit` of each when limit > 0. */
export function load(kind: 'train' | 't10k', limit: number): [T.NDArray, T.NDArray] {
  const images = T.io.loadIdx(path.join(DIR, `${kind}-images-idx3-ubyte.gz`), { dtype: 'float32', scale: 1 / 255 });
  const labels = T.io.loadIdx(path.join(DIR, `${kind}-labels-idx1-ubyte.gz`));
  const n = limit > 0 ? Math.min(limit, labels.shape[0]) : labels.shape[0];
  const X = new T.NDArray(images.data.slice(0, n * 784), [n, 784], 'float32');
  return [X, new T.NDArray(labels.data.slice(0, n), [n], 'int32')];
}

/**
 * The model: 784 -> hidden... -> 10 with ReLU units and dropout after each hidden layer (training only), He-initialized
 * weights, zero biases, softmax cross-entropy on integer labels, Adam whose learning rate is a shared variable that
 * a cosine schedule sets each epoch. Returns the training step, the (dropout-free) predictor, the learning rate and
 * the shared variables to checkpoint.
 */
export function buildModel(opts: { hidden: number[]; lr: number; seed: number; dropout: number; backend?: 'js' | 'native' }) {
  const rng = new T.RandomState(opts.seed);
  const srng = new T.random.RandomStreams(opts.seed + 1);
  const sizes = [784, ...opts.hidden, 10];
  const params: T.SharedVariable[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    params.push(T.shared(T.train.init.heUniform(rng, [sizes[i], sizes[i + 1]]), `W${i + 1}`), T.shared(T.zeros([sizes[i + 1]], 'float32'), `b${i + 1}`));
  }
  const x = T.fmatrix('x');
  const labels = T.ivector('labels');
  const logits = (training: boolean) => {
    let h: T.Variable = x;
    for (let i = 0; 2 * i < params.length; i++) {
      const z = T.dot(h, params[2 * i]).add(params[2 * i + 1]);
      h = 2 * i + 2 < params.length ? T.nnet.dropout(T.nnet.relu(z), opts.dropout, srng, { training }) : z;
    }
    return h;
  };
  const cost = T.mean(T.nnet.categoricalCrossentropy(T.nnet.softmax(logits(true)), labels));
  const lr = T.shared(opts.lr, { name: 'lr', dtype: 'float32' });
  const updates = T.train.adam(cost, params, { learningRate: lr });
  const train = T.function([x, labels], cost, { updates, name: 'train', backend: opts.backend });
  const predict = T.function([x], T.argmax(logits(false), 1), { name: 'predict', backend: opts.backend });
  // parameters, Adam's moments and step count, and the dropout streams' states: a resumed run continues exactly
  return { train, predict, params, lr, saved: [...params, ...updates.state, ...srng.stateUpdates.map(([s]) => s)], sizes };
}

function main(): void {
  const opt = args();
  const missing = missingFiles();
  if (missing.length) {
    console.error(`Fashion-MNIST not found in ${DIR} (missing ${missing.join(', ')}).`);
    console.error('Install it with: sudo apt-get install dataset-fashion-mnist   (or set FASHION_MNIST_DIR to a folder with the IDX .gz files)');
    process.exit(2);
  }
  const [Xtrain, ytrain] = load('train', opt.limit);
  const [Xtest, ytest] = load('t10k', opt.limit);
  const { train, predict, saved, lr } = buildModel(opt);
  console.log(`Fashion-MNIST: ${Xtrain.shape[0]} training and ${Xtest.shape[0]} test images; ${train.info().backend} backend`);
  const schedule = T.train.schedules.cosine(opt.lr, opt.epochs, opt.lr / 20);

  let first = 0;
  if (opt.resume) {
    if (!fs.existsSync(opt.checkpoint)) {
      console.error(`--resume: no checkpoint at ${opt.checkpoint}`);
      process.exit(2);
    }
    const meta = T.io.loadCheckpoint(opt.checkpoint, saved);
    first = Number(meta.epoch);
    console.log(`resumed from ${opt.checkpoint} after epoch ${first} (test accuracy then ${meta.testAccuracy})`);
  }

  const testAccuracy = () => accuracy(predict(Xtest) as T.NDArray, ytest);

  const t0 = performance.now();
  for (let epoch = first; epoch < opt.epochs; epoch++) {
    lr.setValue(schedule(epoch));
    const bar = T.train.progress({ total: Xtrain.shape[0], label: `epoch ${epoch + 1}/${opt.epochs}` });
    let sum = 0;
    let batches = 0;
    // the shuffling seed depends only on the epoch, so a resumed run sees the same batches as an uninterrupted one
    for (const [xb, yb] of T.train.minibatches([Xtrain, ytrain], opt.batch, { shuffle: true, seed: opt.seed * 1000 + epoch })) {
      const c = (train(xb, yb) as T.NDArray).data[0];
      sum += c;
      batches++;
      bar.tick(xb.shape[0], { loss: sum / batches });
    }
    const acc = testAccuracy();
    bar.finish({ loss: sum / batches, 'test acc': acc });
    T.io.saveCheckpoint(opt.checkpoint, saved, { epoch: String(epoch + 1), testAccuracy: acc.toFixed(4) });
    console.log(`epoch ${epoch + 1}: train loss ${(sum / batches).toFixed(4)}, test accuracy ${acc.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`final test accuracy ${testAccuracy().toFixed(4)}; checkpoint in ${opt.checkpoint}`);
}

if (require.main === module) main();
