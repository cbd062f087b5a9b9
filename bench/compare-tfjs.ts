// nodeano against TensorFlow.js (cpu and wasm backends) on identical float32 workloads: same initial weights,
// same data and batches, same optimizer. Work that runs for minutes is timed once per contender, one after the
// other (not interleaved like harness.compare), so read these ratios with the machine's noise in mind.
import * as T from '../lib';
import { accuracy, buildModel, load, missingFiles } from '../examples/fashion-mnist';
import { Result, Section } from './harness';
import { buildMlp } from './models';
import { tfMlp, tfXor, TfBackend, useTf } from './tfjs';
import { makeHandwrittenXor } from './xor-handwritten';

const ms = (t0: number) => performance.now() - t0;

/** XOR, 60,000 steps from the same weights: total time, and each contender must end near [0, 1, 1, 0]. */
export async function xorTfSection(native: boolean): Promise<Section> {
  const STEPS = 60000;
  const rng = new T.RandomState(1);
  const w1 = rng.uniform(-1, 1, [2, 5], 'float32').data as Float32Array;
  const w2 = rng.uniform(-1, 1, [5, 1], 'float32').data as Float32Array;
  const results: Result[] = [];
  const finals: string[] = [];
  const time = (name: string, step: () => unknown, outputs: () => number[]) => {
    const t0 = performance.now();
    for (let i = 0; i < STEPS; i++) step();
    results.push({ name, ns: (ms(t0) * 1e6) / STEPS, rounds: 1 });
    const o = outputs();
    if (![0, 1, 1, 0].every((t, i) => Math.abs(o[i] - t) < 0.1)) throw new Error(`${name} did not learn XOR: ${o}`);
    finals.push(`${name} ${o.map((v) => v.toFixed(3)).join('/')}`);
  };
  const hand = makeHandwrittenXor(w1, w2);
  time('hand-written TypeScript backprop', hand.step, () => Array.from(hand.O));
  for (const backend of native ? (['native', 'js'] as const) : (['js'] as const)) {
    const X = T.shared(T.array([[0, 0], [0, 1], [1, 0], [1, 1]], { dtype: 'float32' }), 'X');
    const y = T.shared(T.array([[0], [1], [1], [0]], { dtype: 'float32' }), 'y');
    const W1 = T.shared(new T.NDArray(w1.slice(), [2, 5], 'float32'), 'W1');
    const W2 = T.shared(new T.NDArray(w2.slice(), [5, 1], 'float32'), 'W2');
    const out = T.sigmoid(T.dot(T.sigmoid(T.dot(X, W1)), W2));
    const cost = T.sum(T.sqr(y.sub(out)));
    const train = T.function([], cost, { updates: T.train.sgd(cost, [W1, W2], { learningRate: 0.1 }), backend });
    const test = T.function([], out, { backend });
    time(`nodeano, ${backend === 'js' ? 'TypeScript' : 'native'} backend`, train, () => Array.from((test() as T.NDArray).data));
  }
  for (const b of ['wasm', 'cpu'] as TfBackend[]) {
    await useTf(b);
    const m = tfXor(w1, w2);
    time(`TensorFlow.js 4.22, ${b} backend`, m.step, m.outputs);
  }
  return {
    title: 'XOR, 60,000 training steps (2-5-1 sigmoid, SGD) from the same weights',
    baseline: 'hand-written TypeScript backprop',
    results,
    notes: [`Time per step shown; the whole run is 60,000 steps. Final outputs: ${finals.join('; ')}.`],
  };
}

/** The MLP step of the mlp section (784-512-512-10, batch 128, sigmoid, softmax cross-entropy, SGD) in ms/step. */
export async function mlpTfSection(native: boolean): Promise<Section | null> {
  if (!native) return null;
  const sizes = [784, 512, 512, 10];
  const batch = 128;
  const m = buildMlp(sizes, batch, { backend: 'native' });
  const weights = m.params.map((p) => p.getValue().data as Float32Array);
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) labels[i] = m.Y.data.subarray(i * 10, i * 10 + 10).indexOf(1);
  const x = m.X.data as Float32Array;
  const results: Result[] = [];
  const timeSteps = (name: string, step: () => void, n: number) => {
    step();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) step();
    results.push({ name, ns: (ms(t0) * 1e6) / n, rounds: n });
  };
  const old = T.config.threads;
  for (const threads of [2, 1]) {
    T.config.threads = threads;
    timeSteps(`nodeano, native, ${threads} thread${threads > 1 ? 's' : ''}`, () => m.train(m.X, m.Y), 300);
  }
  T.config.threads = old;
  for (const [b, n] of [['wasm', 20], ['cpu', 3]] as [TfBackend, number][]) {
    await useTf(b);
    const tm = tfMlp(sizes, weights, 'sigmoid', 'sgd', 0.1);
    timeSteps(`TensorFlow.js 4.22, ${b} backend`, () => tm.step(x, labels, batch), n);
    tm.dispose();
  }
  const fastestTf = Math.min(...results.filter((r) => r.name.startsWith('TensorFlow')).map((r) => r.ns));
  const ours = results[0].ns;
  return {
    title: 'MLP 784-512-512-10 training step vs TensorFlow.js (batch 128, sigmoid, softmax cross-entropy, SGD, float32)',
    baseline: 'nodeano, native, 2 threads',
    results,
    notes: [`nodeano is ${(fastestTf / ours).toFixed(1)}× faster than the fastest TensorFlow.js backend (target ≥ 5×). TensorFlow.js's wasm backend runs one thread in Node.`],
  };
}

/**
 * Wall time until test accuracy >= 0.89 on Fashion-MNIST, checked after every epoch, for nodeano and TensorFlow.js
 * (wasm, its fastest backend here): the model, schedule and batches of examples/fashion-mnist.ts, same initial weights.
 */
export async function fashionSection(native: boolean): Promise<Section | null> {
  if (missingFiles().length || !native) return null;
  const TARGET = 0.89;
  const EPOCHS = 12;
  const settings = { hidden: [512, 256], lr: 0.001, seed: 0, dropout: 0.2, backend: 'native' as const };
  const batch = 128;
  const schedule = T.train.schedules.cosine(settings.lr, EPOCHS, settings.lr / 20);
  const [Xtr, ytr] = load('train', 0);
  const [Xte, yte] = load('t10k', 0);
  const results: Result[] = [];
  const notes: string[] = [];
  const run = (name: string, setLr: (v: number) => void, step: (x: T.NDArray, y: T.NDArray) => void, predict: () => T.NDArray) => {
    const t0 = performance.now();
    const accs: string[] = [];
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      setLr(schedule(epoch));
      for (const [xb, yb] of T.train.minibatches([Xtr, ytr], batch, { shuffle: true, seed: epoch })) step(xb, yb);
      const acc = accuracy(predict(), yte);
      accs.push(acc.toFixed(4));
      if (acc >= TARGET) {
        results.push({ name, ns: ms(t0) * 1e6, rounds: epoch + 1 });
        notes.push(`${name}: ${acc.toFixed(4)} after ${epoch + 1} epochs (${accs.join(', ')}).`);
        return;
      }
    }
    notes.push(`${name}: did not reach ${TARGET} in ${EPOCHS} epochs (${accs.join(', ')}); ${(ms(t0) / 1000).toFixed(0)} s.`);
  };
  const model = buildModel(settings);
  const init = model.params.map((p) => p.getValue().data.slice() as Float32Array);
  run('nodeano, native', (v) => model.lr.setValue(v), (x, y) => model.train(x, y), () => model.predict(Xte) as T.NDArray);
  await useTf('wasm');
  const tm = tfMlp(model.sizes, init, 'relu', 'adam', settings.lr, settings.dropout);
  run('TensorFlow.js 4.22, wasm backend', tm.setLearningRate, (x, y) => tm.step(x.data as Float32Array, y.data as Int32Array, x.shape[0]), () => new T.NDArray(tm.predict(Xte.data as Float32Array, Xte.shape[0]), [Xte.shape[0]], 'int32'));
  tm.dispose();
  if (!results.some((r) => r.name.startsWith('nodeano'))) return null;
  return {
    title: `Time to ${TARGET} test accuracy on Fashion-MNIST (examples/fashion-mnist.ts: MLP 784-512-256-10, ReLU, dropout 0.2, Adam with cosine schedule, batch 128, same initial weights and batches)`,
    baseline: 'nodeano, native',
    results,
    notes: [...notes, 'Time per iteration here is the whole run until the target. The TensorFlow.js cpu backend is left out: at its measured ms/step one epoch takes tens of minutes.'],
  };
}
