// The convnet section of npm run bench (issue 13): the LeNet5 training step of examples/lenet.ts (the port of
// DeepLearningTutorials' convolutional_mlp.py) at batch 500 and 128, against the same net in idiomatic PyTorch
// (bench/convnet_torch.py: nn.Conv2d, F.max_pool2d, nn.Linear, torch.optim.SGD), rounds interleaved with ours.
// Run alone with `npm run bench -- convnet`.
import * as os from 'os';
import * as T from '../lib';
import { buildLenet } from '../examples/lenet';
import { compareWithPeers, Result, Section, startPythonPeers } from './harness';

const BATCHES = [500, 128];
const NKERNS = [20, 50];
const ROUND_MS = 400;

/** A LeNet5 training step over random images: shared datasets of one batch each, the step cutting batch 0. */
function lenetStep(batch: number): { step: () => unknown; backend: string; kernels: number } {
  const rng = new T.RandomState(11);
  const set = () => [rng.uniform(0, 1, [batch, 784], 'float32'), rng.randint(0, 10, [batch])];
  const { trainModel } = buildLenet({ batch, lr: 0.1, nkerns: NKERNS }, { train: set(), valid: set(), test: set() });
  return { step: () => trainModel(0), backend: trainModel.info().backend, kernels: trainModel.program.steps.length };
}

export async function convnetSection(): Promise<Section[]> {
  const models = BATCHES.map(lenetStep);
  const backend = models[0].backend;
  const threads = backend === 'native' ? T.config.threads || os.cpus().length : 1;
  const started = await startPythonPeers('convnet_torch.py', [threads, ROUND_MS, ...NKERNS, ...BATCHES].map(String), threads);
  const peers = typeof started === 'string' ? null : started;
  const loop = (f: () => unknown) => (n: number) => {
    for (let i = 0; i < n; i++) f();
  };
  let results: Result[];
  try {
    results = await compareWithPeers(
      BATCHES.map((b, i) => ({ name: `lenet ${b}: nodeano, ${backend} backend`, run: loop(models[i].step) })),
      peers?.peers ?? null,
      { rounds: backend === 'native' ? 7 : 2, roundMs: ROUND_MS },
    );
  } finally {
    peers?.close();
  }
  const peerNote = peers
    ? `PyTorch ${peers.versions.torch} (Debian python3-torch, oneDNN) in the same rounds (bench/convnet_torch.py) with torch.set_num_threads(1) and (${threads}), the threads nodeano computes on; the faster PyTorch row is the baseline.`
    : `PyTorch not measured: ${started as string}.`;
  return BATCHES.map((b, i) => {
    const key = `lenet ${b}: `;
    const rows = results.filter((r) => r.name.startsWith(key)).map((r) => ({ ...r, name: r.name.slice(key.length) }));
    const torch = rows.filter((r) => r.name.startsWith('PyTorch'));
    return {
      title: `LeNet5 training step (examples/lenet.ts, convolutional_mlp.py): batch ${b}, ${NKERNS.join(' and ')} filters of 5×5, 2×2 max pooling, tanh, 500 hidden, softmax, SGD, float32`,
      baseline: (torch.length ? torch.reduce((x, y) => (y.ns < x.ns ? y : x)) : rows[0]).name,
      results: rows,
      notes: [peerNote, `Target: nodeano at ≤ 1.0× PyTorch. nodeano's step is ${models[i].kernels} kernels; the batch is cut out of a shared dataset by givens, as in the tutorial.`],
    };
  });
}
