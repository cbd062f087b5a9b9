// DeepLearningTutorials' convolutional_mlp.py (LeNet5), ported line by line: two convolution + max-pooling layers
// (20 and 50 filters of 5×5, 2×2 pooling, tanh), a 500-unit tanh hidden layer and a softmax (logistic regression)
// layer, trained by plain SGD on minibatches of 500 that `givens` cut out of shared datasets by an index, with the
// tutorial's early stopping on a validation set. The data is Debian's Fashion-MNIST (dataset-fashion-mnist) instead
// of the tutorial's mnist.pkl.gz: its last 10,000 training images are the validation set, as the tutorial splits
// MNIST. Parameters are checkpointed after every epoch; --resume continues from the checkpoint.
//
//   sudo apt-get install dataset-fashion-mnist
//   npx tsx examples/lenet.ts [--epochs 200] [--batch 500] [--lr 0.1] [--nkerns 20,50] [--limit N]
//                             [--backend js|native] [--checkpoint lenet.safetensors] [--resume]
import * as fs from 'node:fs';
import * as T from '../lib';
import { load, missingFiles } from './fashion-mnist';

function args() {
  const a = process.argv.slice(2);
  const get = (name: string, dflt: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 && i + 1 < a.length ? a[i + 1] : dflt;
  };
  const backend = get('backend', 'auto');
  if (!['auto', 'js', 'native'].includes(backend)) throw new T.ArgumentError(`--backend must be js, native or auto, got ${backend}`);
  return {
    epochs: Number(get('epochs', '200')),
    batch: Number(get('batch', '500')),
    lr: Number(get('lr', '0.1')),
    nkerns: get('nkerns', '20,50').split(',').map(Number),
    limit: Number(get('limit', '0')),
    checkpoint: get('checkpoint', 'lenet.safetensors'),
    resume: a.includes('--resume'),
    backend: backend === 'auto' ? undefined : (backend as 'js' | 'native'),
  };
}

/** Pool Layer of a convolutional network: conv2d, max pooling, then tanh of the result plus one bias per map. */
class LeNetConvPoolLayer {
  readonly W: T.SharedVariable;
  readonly b: T.SharedVariable;
  readonly output: T.Variable;
  readonly params: T.SharedVariable[];
  constructor(rng: T.RandomState, readonly input: T.Variable, filterShape: number[], imageShape: number[], poolsize: [number, number] = [2, 2]) {
    if (imageShape[1] !== filterShape[1]) throw new T.ArgumentError(`LeNetConvPoolLayer: imageShape[1] must equal filterShape[1], got ${imageShape[1]} and ${filterShape[1]}`);
    // there are "num input feature maps * filter height * filter width" inputs to each hidden unit
    const fanIn = filterShape[1] * filterShape[2] * filterShape[3];
    // each unit in the lower layer receives a gradient from "num output feature maps * filter height * filter width" / pooling size
    const fanOut = Math.floor((filterShape[0] * filterShape[2] * filterShape[3]) / (poolsize[0] * poolsize[1]));
    // initialize weights with random weights
    const WBound = Math.sqrt(6 / (fanIn + fanOut));
    this.W = T.shared(rng.uniform(-WBound, WBound, filterShape, T.config.floatX), { borrow: true });
    // the bias is a 1D tensor -- one bias per output feature map
    this.b = T.shared(T.zeros([filterShape[0]], T.config.floatX), { borrow: true });
    // convolve input feature maps with filters
    const convOut = T.nnet.conv2d(input, this.W, { filterShape, inputShape: imageShape });
    // pool each feature map individually, using maxpooling
    const pooledOut = T.signal.pool2d(convOut, { ws: poolsize, ignoreBorder: true });
    // add the bias term: the bias vector is reshaped to (1, n_filters, 1, 1) to broadcast over batch, height, width
    this.output = T.tanh(pooledOut.add(this.b.dimshuffle('x', 0, 'x', 'x')));
    this.params = [this.W, this.b];
  }
}

/** mlp.py's HiddenLayer: activation(dot(input, W) + b), W uniform in ±sqrt(6 / (nIn + nOut)). */
class HiddenLayer {
  readonly W: T.SharedVariable;
  readonly b: T.SharedVariable;
  readonly output: T.Variable;
  readonly params: T.SharedVariable[];
  constructor(rng: T.RandomState, readonly input: T.Variable, nIn: number, nOut: number, activation: (x: T.Variable) => T.Variable = T.tanh) {
    const bound = Math.sqrt(6 / (nIn + nOut));
    this.W = T.shared(rng.uniform(-bound, bound, [nIn, nOut], T.config.floatX), { name: 'W', borrow: true });
    this.b = T.shared(T.zeros([nOut], T.config.floatX), { name: 'b', borrow: true });
    this.output = activation(T.dot(input, this.W).add(this.b));
    this.params = [this.W, this.b];
  }
}

/** logistic_sgd.py's LogisticRegression: softmax(dot(input, W) + b) with W and b zero. */
class LogisticRegression {
  readonly W: T.SharedVariable;
  readonly b: T.SharedVariable;
  readonly pYGivenX: T.Variable;
  readonly yPred: T.Variable;
  readonly params: T.SharedVariable[];
  constructor(readonly input: T.Variable, nIn: number, nOut: number) {
    this.W = T.shared(T.zeros([nIn, nOut], T.config.floatX), { name: 'W', borrow: true });
    this.b = T.shared(T.zeros([nOut], T.config.floatX), { name: 'b', borrow: true });
    this.pYGivenX = T.nnet.softmax(T.dot(input, this.W).add(this.b));
    this.yPred = T.argmax(this.pYGivenX, 1);
    this.params = [this.W, this.b];
  }
  /** The mean negative log-likelihood of the labels y: -mean(log(p_y_given_x)[arange(n), y]). */
  negativeLogLikelihood(y: T.Variable): T.Variable {
    return T.mean(T.nnet.categoricalCrossentropy(this.pYGivenX, y));
  }
  /** The fraction of the minibatch's labels predicted wrongly (the zero-one loss). */
  errors(y: T.Variable): T.Variable {
    return T.mean(T.neq(this.yPred, y));
  }
}

/** Builds LeNet5 and its three compiled functions over shared datasets, as evaluate_lenet5 does. */
export function buildLenet(opts: { batch: number; lr: number; nkerns: number[]; backend?: 'js' | 'native' }, data: { train: T.NDArray[]; valid: T.NDArray[]; test: T.NDArray[] }) {
  const { batch: batchSize, lr: learningRate, nkerns } = opts;
  const rng = new T.RandomState(23455);
  const shared = ([x, y]: T.NDArray[]) => [T.shared(x, { borrow: true }), T.shared(y, { borrow: true })];
  const [trainSetX, trainSetY] = shared(data.train);
  const [validSetX, validSetY] = shared(data.valid);
  const [testSetX, testSetY] = shared(data.test);

  // allocate symbolic variables for the data
  const index = T.iscalar('index'); // index to a [mini]batch
  const x = T.fmatrix('x'); // the data is presented as rasterized images
  const y = T.ivector('y'); // the labels are presented as 1D vector of [int] labels

  // Reshape matrix of rasterized images of shape (batch_size, 28 * 28) to a 4D tensor
  const layer0Input = x.reshape([batchSize, 1, 28, 28]);
  // filtering reduces the image size to (28-5+1, 28-5+1) = (24, 24); maxpooling to (12, 12)
  const layer0 = new LeNetConvPoolLayer(rng, layer0Input, [nkerns[0], 1, 5, 5], [batchSize, 1, 28, 28], [2, 2]);
  // filtering reduces the image size to (12-5+1, 12-5+1) = (8, 8); maxpooling to (4, 4)
  const layer1 = new LeNetConvPoolLayer(rng, layer0.output, [nkerns[1], nkerns[0], 5, 5], [batchSize, nkerns[0], 12, 12], [2, 2]);
  // the HiddenLayer operates on 2D matrices of shape (batch_size, nkerns[1] * 4 * 4)
  const layer2Input = layer1.output.flatten(2);
  const layer2 = new HiddenLayer(rng, layer2Input, nkerns[1] * 4 * 4, 500, T.tanh);
  // classify the values of the fully-connected sigmoidal layer
  const layer3 = new LogisticRegression(layer2.output, 500, 10);
  // the cost we minimize during training is the NLL of the model
  const cost = layer3.negativeLogLikelihood(y);

  const batchOf = (X: T.SharedVariable, Y: T.SharedVariable): [T.Variable, T.Variable][] => [
    [x, X.slice([index.mul(batchSize), index.add(1).mul(batchSize)])],
    [y, Y.slice([index.mul(batchSize), index.add(1).mul(batchSize)])],
  ];
  // create a function to compute the mistakes that are made by the model
  const testModel = T.function([index], layer3.errors(y), { givens: batchOf(testSetX, testSetY), name: 'test_model', backend: opts.backend });
  const validateModel = T.function([index], layer3.errors(y), { givens: batchOf(validSetX, validSetY), name: 'validate_model', backend: opts.backend });

  // create a list of all model parameters to be fit by gradient descent
  const params = [...layer3.params, ...layer2.params, ...layer1.params, ...layer0.params];
  // create a list of gradients for all model parameters
  const grads = T.grad(cost, params);
  // the updates list, one SGD rule per (params[i], grads[i]) pair
  const updates = params.map((p, i): [T.SharedVariable, T.Variable] => [p, p.sub(grads[i].mul(learningRate))]);
  const trainModel = T.function([index], cost, { updates, givens: batchOf(trainSetX, trainSetY), name: 'train_model', backend: opts.backend });
  // the checkpoint names each parameter by its layer (the tutorial's layers leave them unnamed)
  const saved: Record<string, T.SharedVariable> = {};
  [layer0, layer1, layer2, layer3].forEach((l, i) => Object.assign(saved, { [`layer${i}.W`]: l.W, [`layer${i}.b`]: l.b }));
  return { trainModel, validateModel, testModel, params, saved };
}

function main(): void {
  const opt = args();
  const missing = missingFiles();
  if (missing.length) {
    console.error(`Fashion-MNIST not found (missing ${missing.join(', ')}). Install it with: sudo apt-get install dataset-fashion-mnist`);
    process.exit(2);
  }
  const [X, Y] = load('train', opt.limit);
  const [Xt, Yt] = load('t10k', opt.limit);
  // the tutorial's split: the last sixth of the training images validate (10,000 of 60,000)
  const nValid = Math.floor(X.shape[0] / 6);
  const nTrain = X.shape[0] - nValid;
  const rows = (A: T.NDArray, lo: number, hi: number, width: number) => new T.NDArray(A.data.slice(lo * width, hi * width), width > 1 ? [hi - lo, width] : [hi - lo], A.dtype);
  const data = {
    train: [rows(X, 0, nTrain, 784), rows(Y, 0, nTrain, 1)],
    valid: [rows(X, nTrain, X.shape[0], 784), rows(Y, nTrain, X.shape[0], 1)],
    test: [Xt, Yt],
  };
  const nTrainBatches = Math.floor(nTrain / opt.batch);
  const nValidBatches = Math.floor(nValid / opt.batch);
  const nTestBatches = Math.floor(Xt.shape[0] / opt.batch);
  if (!nTrainBatches || !nValidBatches || !nTestBatches) throw new T.ArgumentError(`--batch ${opt.batch} leaves an empty training, validation or test set`);
  console.log('... building the model');
  const { trainModel, validateModel, testModel, saved } = buildLenet(opt, data);
  console.log(`${nTrain} training, ${nValid} validation and ${Xt.shape[0]} test images; ${trainModel.info().backend} backend`);

  // early-stopping parameters
  let patience = 10000; // look as this many examples regardless
  const patienceIncrease = 2; // wait this much longer when a new best is found
  const improvementThreshold = 0.995; // a relative improvement of this much is considered significant
  const validationFrequency = Math.min(nTrainBatches, Math.floor(patience / 2)); // check every epoch here
  let bestValidationLoss = Infinity;
  let bestIter = 0;
  let testScore = 0;
  let epoch = 0;
  if (opt.resume) {
    if (!fs.existsSync(opt.checkpoint)) {
      console.error(`--resume: no checkpoint at ${opt.checkpoint}`);
      process.exit(2);
    }
    const meta = T.io.loadCheckpoint(opt.checkpoint, saved);
    epoch = Number(meta.epoch);
    [patience, bestValidationLoss, bestIter, testScore] = [Number(meta.patience), Number(meta.bestValidationLoss), Number(meta.bestIter), Number(meta.testScore)];
    console.log(`resumed from ${opt.checkpoint} after epoch ${epoch}`);
  }
  const mean = (fn: T.CompiledFunction, n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (fn(i) as T.NDArray).data[0];
    return s / n;
  };

  console.log('... training');
  const start = performance.now();
  let doneLooping = false;
  while (epoch < opt.epochs && !doneLooping) {
    epoch = epoch + 1;
    for (let minibatchIndex = 0; minibatchIndex < nTrainBatches; minibatchIndex++) {
      const iter = (epoch - 1) * nTrainBatches + minibatchIndex;
      if (iter % 100 === 0) console.log(`training @ iter = ${iter}`);
      trainModel(minibatchIndex);
      if ((iter + 1) % validationFrequency === 0) {
        // compute zero-one loss on validation set
        const thisValidationLoss = mean(validateModel, nValidBatches);
        console.log(`epoch ${epoch}, minibatch ${minibatchIndex + 1}/${nTrainBatches}, validation error ${(thisValidationLoss * 100).toFixed(6)} %`);
        // if we got the best validation score until now
        if (thisValidationLoss < bestValidationLoss) {
          // improve patience if loss improvement is good enough
          if (thisValidationLoss < bestValidationLoss * improvementThreshold) patience = Math.max(patience, iter * patienceIncrease);
          bestValidationLoss = thisValidationLoss;
          bestIter = iter;
          // test it on the test set
          testScore = mean(testModel, nTestBatches);
          console.log(`     epoch ${epoch}, minibatch ${minibatchIndex + 1}/${nTrainBatches}, test error of best model ${(testScore * 100).toFixed(6)} %`);
        }
      }
      if (patience <= iter) {
        doneLooping = true;
        break;
      }
    }
    T.io.saveCheckpoint(opt.checkpoint, saved, { epoch: String(epoch), patience: String(patience), bestValidationLoss: String(bestValidationLoss), bestIter: String(bestIter), testScore: String(testScore) });
  }
  const minutes = (performance.now() - start) / 60000;
  console.log('Optimization complete.');
  console.log(`Best validation score of ${(bestValidationLoss * 100).toFixed(6)} % obtained at iteration ${bestIter + 1}, with test performance ${(testScore * 100).toFixed(6)} %`);
  console.log(`The code ran for ${epoch} epochs, ${minutes.toFixed(2)} minutes; checkpoint in ${opt.checkpoint}`);
}

if (require.main === module) main();
