// A modern convnet on Fashion-MNIST (Debian's dataset-fashion-mnist): two blocks of 3×3 convolution, spatial batch
// normalization, ReLU and 2×2 max pooling (32 and 64 channels), a 256-unit ReLU layer with dropout, softmax
// cross-entropy and Adam on a cosine schedule. The batch statistics' running averages are updates of the training
// step; the predictor normalizes with them. Parameters, running averages, Adam's state and the dropout stream are
// checkpointed after every epoch, and --resume continues exactly where a run stopped.
//
//   sudo apt-get install dataset-fashion-mnist
//   npx tsx examples/convnet.ts [--epochs 10] [--batch 128] [--lr 0.002] [--channels 32,64] [--hidden 256]
//                               [--dropout 0.3] [--limit N] [--seed 0] [--backend js|native]
//                               [--checkpoint convnet.safetensors] [--resume]
import * as fs from 'node:fs';
import * as T from '../lib';
import { accuracy, load, missingFiles } from './fashion-mnist';

function args() {
  const a = process.argv.slice(2);
  const get = (name: string, dflt: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 && i + 1 < a.length ? a[i + 1] : dflt;
  };
  const backend = get('backend', 'auto');
  if (!['auto', 'js', 'native'].includes(backend)) throw new T.ArgumentError(`--backend must be js, native or auto, got ${backend}`);
  return {
    epochs: Number(get('epochs', '10')),
    batch: Number(get('batch', '128')),
    lr: Number(get('lr', '0.002')),
    channels: get('channels', '32,64').split(',').map(Number),
    hidden: Number(get('hidden', '256')),
    dropout: Number(get('dropout', '0.3')),
    limit: Number(get('limit', '0')),
    seed: Number(get('seed', '0')),
    checkpoint: get('checkpoint', 'convnet.safetensors'),
    resume: a.includes('--resume'),
    backend: backend === 'auto' ? undefined : (backend as 'js' | 'native'),
  };
}

export interface ConvnetOptions {
  channels: number[];
  hidden: number;
  dropout: number;
  lr: number;
  seed: number;
  backend?: 'js' | 'native';
}

/**
 * The model. Returns the training step (images [n, 784] in [0, 1], int32 labels; returns the mean loss), the
 * predictor (class indices, running statistics, no dropout), the learning rate, the parameters in a fixed order
 * (for exporting the initialization) and everything a checkpoint must hold.
 */
export function buildConvnet(opts: ConvnetOptions) {
  const rng = new T.RandomState(opts.seed);
  const srng = new T.random.RandomStreams(opts.seed + 1);
  const params: Record<string, T.SharedVariable> = {};
  const running: Record<string, T.SharedVariable> = {};
  const f32 = (a: T.NDArray) => a.astype('float32');
  let cIn = 1;
  opts.channels.forEach((c, i) => {
    params[`conv${i}.W`] = T.shared(f32(T.train.init.heUniform(rng, [c, cIn, 3, 3])), `conv${i}.W`);
    params[`bn${i}.gamma`] = T.shared(T.ones([c], 'float32'), `bn${i}.gamma`);
    params[`bn${i}.beta`] = T.shared(T.zeros([c], 'float32'), `bn${i}.beta`);
    running[`bn${i}.mean`] = T.shared(T.zeros([c], 'float32'), `bn${i}.mean`);
    running[`bn${i}.var`] = T.shared(T.ones([c], 'float32'), `bn${i}.var`);
    cIn = c;
  });
  const side = 28 >> opts.channels.length;
  const flat = cIn * side * side;
  params['fc.W'] = T.shared(f32(T.train.init.heUniform(rng, [flat, opts.hidden])), 'fc.W');
  params['fc.b'] = T.shared(T.zeros([opts.hidden], 'float32'), 'fc.b');
  params['out.W'] = T.shared(f32(T.train.init.glorotUniform(rng, [opts.hidden, 10])), 'out.W');
  params['out.b'] = T.shared(T.zeros([10], 'float32'), 'out.b');

  const x = T.fmatrix('x');
  const labels = T.ivector('labels');
  const bnUpdates: [T.SharedVariable, T.Variable][] = [];
  const logits = (training: boolean) => {
    let h: T.Variable = x.reshape([-1, 1, 28, 28]);
    opts.channels.forEach((_, i) => {
      const z = T.nnet.conv2d(h, params[`conv${i}.W`], { borderMode: 'half', filterFlip: false });
      const [gamma, beta, mean, variance] = [params[`bn${i}.gamma`], params[`bn${i}.beta`], running[`bn${i}.mean`], running[`bn${i}.var`]];
      let n: T.Variable;
      if (training) {
        const outs = T.nnet.bn.batchNormalizationTrain(z, gamma, beta, { axes: 'spatial', epsilon: 1e-5, runningAverageFactor: 0.1, runningMean: mean, runningVar: variance });
        n = outs[0];
        bnUpdates.push([mean, outs[3]], [variance, outs[4]]);
      } else {
        n = T.nnet.bn.batchNormalizationTest(z, gamma, beta, mean, variance, { axes: 'spatial', epsilon: 1e-5 });
      }
      h = T.signal.pool2d(T.nnet.relu(n), { ws: [2, 2], ignoreBorder: true });
    });
    const f = T.nnet.relu(T.dot(h.flatten(2), params['fc.W']).add(params['fc.b']));
    return T.dot(T.nnet.dropout(f, opts.dropout, srng, { training }), params['out.W']).add(params['out.b']);
  };
  const cost = T.mean(T.nnet.softmaxCrossentropyWithLogits(logits(true), labels));
  const lr = T.shared(opts.lr, { name: 'lr', dtype: 'float32' });
  const list = Object.values(params);
  const updates = T.train.adam(cost, list, { learningRate: lr });
  const train = T.function([x, labels], cost, { updates: [...updates, ...bnUpdates], name: 'train', backend: opts.backend });
  const predict = T.function([x], T.argmax(logits(false), 1), { name: 'predict', backend: opts.backend });
  const saved: Record<string, T.SharedVariable> = { ...params, ...running };
  updates.state.forEach((s, i) => (saved[`adam.${i}`] = s));
  srng.stateUpdates.forEach(([s], i) => (saved[`dropout.${i}`] = s));
  return { train, predict, lr, params, saved };
}

/** Test accuracy of `predict` over X in chunks of `chunk` rows (so the activations of 10,000 images never coexist). */
export function testAccuracy(predict: T.CompiledFunction, X: T.NDArray, y: T.NDArray, chunk = 1000): number {
  let right = 0;
  for (let i = 0; i < X.shape[0]; i += chunk) {
    const n = Math.min(chunk, X.shape[0] - i);
    const xb = new T.NDArray(X.data.subarray(i * 784, (i + n) * 784), [n, 784], 'float32');
    const yb = new T.NDArray(y.data.subarray(i, i + n), [n], 'int32');
    right += accuracy(predict(xb) as T.NDArray, yb) * n;
  }
  return right / X.shape[0];
}

function main(): void {
  const opt = args();
  const missing = missingFiles();
  if (missing.length) {
    console.error(`Fashion-MNIST not found (missing ${missing.join(', ')}). Install it with: sudo apt-get install dataset-fashion-mnist`);
    process.exit(2);
  }
  const [Xtrain, ytrain] = load('train', opt.limit);
  const [Xtest, ytest] = load('t10k', opt.limit);
  const { train, predict, lr, saved } = buildConvnet(opt);
  console.log(`Fashion-MNIST: ${Xtrain.shape[0]} training and ${Xtest.shape[0]} test images; ${train.info().backend} backend`);
  const schedule = T.train.schedules.cosine(opt.lr, opt.epochs, opt.lr / 50);
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
  const t0 = performance.now();
  for (let epoch = first; epoch < opt.epochs; epoch++) {
    lr.setValue(schedule(epoch));
    const bar = T.train.progress({ total: Xtrain.shape[0], label: `epoch ${epoch + 1}/${opt.epochs}` });
    let sum = 0;
    let batches = 0;
    // the shuffling seed depends only on the epoch, so a resumed run sees the same batches as an uninterrupted one
    for (const [xb, yb] of T.train.minibatches([Xtrain, ytrain], opt.batch, { shuffle: true, seed: opt.seed * 1000 + epoch })) {
      sum += (train(xb, yb) as T.NDArray).data[0];
      batches++;
      bar.tick(xb.shape[0], { loss: sum / batches });
    }
    const acc = testAccuracy(predict, Xtest, ytest);
    bar.finish({ loss: sum / batches, 'test acc': acc });
    T.io.saveCheckpoint(opt.checkpoint, saved, { epoch: String(epoch + 1), testAccuracy: acc.toFixed(4) });
    console.log(`epoch ${epoch + 1}: train loss ${(sum / batches).toFixed(4)}, test accuracy ${acc.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`final test accuracy ${testAccuracy(predict, Xtest, ytest).toFixed(4)}; checkpoint in ${opt.checkpoint}`);
}

if (require.main === module) main();
