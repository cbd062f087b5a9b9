// The convnet-tta section of npm run bench (issue 13): time to 0.90 test accuracy on Fashion-MNIST with the modern
// convnet of examples/convnet.ts, against the same net in idiomatic PyTorch (bench/convnet_tta_torch.py) started from
// the same initial parameters and fed the same batches in the same order (a setup file both read). Only training
// steps are timed on both sides; the test accuracy is evaluated every EVAL_EVERY steps, outside the timer.
// Run alone with `npm run bench -- convnet-tta` (a few minutes: both sides train to the target).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as T from '../lib';
import { buildConvnet, testAccuracy } from '../examples/convnet';
import { load, missingFiles } from '../examples/fashion-mnist';
import { Section } from './harness';

const CFG = { batch: 128, lr: 0.002, dropout: 0.3, target: 0.9, evalEvery: 100, maxSteps: 3 * 469 };

interface Run {
  seconds: number;
  steps: number;
  accuracy: number;
  history: [number, number, number][];
}

/** The training image indices, batch after batch: one seeded shuffle per epoch. */
function batchOrder(n: number, steps: number): Int32Array {
  const order = new Int32Array(steps * CFG.batch);
  const rng = new T.RandomState(42);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < order.length; k++) {
    const j = k % n;
    if (j === 0) {
      const u = rng.uniform(0, 1, [n], 'float64').data;
      for (let i = n - 1; i > 0; i--) {
        const r = Math.floor(u[i] * (i + 1));
        [perm[i], perm[r]] = [perm[r], perm[i]];
      }
    }
    order[k] = perm[j];
  }
  return order;
}

export async function convnetTtaSection(): Promise<Section | null> {
  if (missingFiles().length) return null;
  const [X, Y] = load('train', 0);
  const [Xt, Yt] = load('t10k', 0);
  const model = buildConvnet({ channels: [32, 64], hidden: 256, dropout: CFG.dropout, lr: CFG.lr, seed: 0 });
  const order = batchOrder(X.shape[0], CFG.maxSteps);
  const threads = model.train.info().backend === 'native' ? T.config.threads || os.cpus().length : 1;
  // the setup PyTorch starts from: nodeano's initial parameters, the batch order and the configuration
  const setup = path.join(os.tmpdir(), `nodeano-convnet-tta-${process.pid}.npz`);
  const arrays: Record<string, T.NDArray> = {};
  for (const [k, v] of Object.entries(model.params)) arrays[k] = v.getValue();
  arrays.order = new T.NDArray(order, [order.length], 'int32');
  arrays.config = T.array([CFG.batch, CFG.lr, CFG.dropout, CFG.target, CFG.evalEvery, CFG.maxSteps], { dtype: 'float64' });
  T.io.saveNpz(setup, arrays);

  const ours: Run = { seconds: 0, steps: 0, accuracy: 0, history: [] };
  const xb = new Float32Array(CFG.batch * 784);
  const yb = new Int32Array(CFG.batch);
  while (ours.steps < CFG.maxSteps) {
    for (let i = 0; i < CFG.batch; i++) {
      const r = order[ours.steps * CFG.batch + i];
      xb.set(X.data.subarray(r * 784, (r + 1) * 784), i * 784);
      yb[i] = Y.data[r];
    }
    const t0 = performance.now();
    model.train(new T.NDArray(xb, [CFG.batch, 784], 'float32'), new T.NDArray(yb, [CFG.batch], 'int32'));
    ours.seconds += (performance.now() - t0) / 1e3;
    ours.steps++;
    if (ours.steps % CFG.evalEvery === 0) {
      ours.accuracy = testAccuracy(model.predict, Xt, Yt);
      ours.history.push([ours.steps, Number(ours.seconds.toFixed(3)), ours.accuracy]);
      if (ours.accuracy >= CFG.target) break;
    }
  }
  let torch: (Run & { torch: string }) | null = null;
  let skip = '';
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'convnet_tta_torch.py'), setup, String(threads)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    if (r.skip) skip = r.skip;
    else torch = r;
  } catch (e) {
    skip = `bench/convnet_tta_torch.py failed (${(e as Error).message.split('\n')[0]})`;
  } finally {
    fs.rmSync(setup, { force: true });
  }
  const row = (name: string, r: Run) => ({ name, ns: (r.seconds * 1e9), rounds: 1 });
  const reached = (r: Run) => (r.accuracy >= CFG.target ? `reached ${r.accuracy.toFixed(4)} after ${r.steps} steps` : `did not reach ${CFG.target} in ${r.steps} steps (best ${Math.max(...r.history.map((h) => h[2])).toFixed(4)})`);
  const results = [row(`nodeano, ${model.train.info().backend} backend: ${reached(ours)}`, ours), ...(torch ? [row(`PyTorch ${torch.torch}, ${threads} threads: ${reached(torch)}`, torch)] : [])];
  return {
    title: `Time to ${CFG.target} test accuracy on Fashion-MNIST, examples/convnet.ts (3×3 conv 32 and 64 + spatial batch norm + ReLU + 2×2 max pool, 256 hidden, dropout ${CFG.dropout}, Adam ${CFG.lr}, batch ${CFG.batch})`,
    baseline: results[results.length - 1].name,
    results,
    notes: [
      torch ? `Both start from nodeano's initial parameters and take the same batches in the same order; dropout masks differ (each library's own generator). Test accuracy every ${CFG.evalEvery} steps, outside the timed training steps. History (step, s, accuracy): nodeano ${JSON.stringify(ours.history)}; PyTorch ${JSON.stringify(torch.history)}.` : `PyTorch not measured: ${skip}.`,
      'Target: nodeano at ≤ 1.0× PyTorch\'s time.',
    ],
  };
}
