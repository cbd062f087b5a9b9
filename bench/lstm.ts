// The lstm section of npm run bench (issue 12): the character-level LSTM of examples/char-lstm.ts against the same
// model in idiomatic PyTorch (bench/lstm_torch.py, rounds interleaved with ours), its forward alone, a tanh RNN of
// many tiny steps (what one loop iteration costs), and the compile time of the training function.
// Run alone with `npm run bench -- lstm`.
import * as os from 'os';
import * as T from '../lib';
import { buildLstm } from '../examples/char-lstm';
import { compare, compareWithPeers, Result, Section, startPythonPeers } from './harness';

const S = { vocab: 96, embed: 96, hidden: 256, seq: 64, batch: 32 };
const RNN = { steps: 1000, hidden: 8 };
const ROUND_MS = 300;
const sizes = `vocab ${S.vocab}, embedding ${S.embed}, LSTM ${S.hidden}, sequence ${S.seq}, batch ${S.batch}`;

/** h_t = tanh(x_t W + h_{t-1} U + b) over RNN.steps steps of batch 1: the loop's per-step cost, the math negligible. */
function tinyRnn() {
  const rng = new T.RandomState(5);
  const n = RNN.hidden;
  const W = T.shared(rng.uniform(-0.5, 0.5, [n, n], 'float32'), 'W');
  const U = T.shared(rng.uniform(-0.5, 0.5, [n, n], 'float32'), 'U');
  const b = T.shared(T.zeros([n], 'float32'), 'b');
  const X = T.tensor3('X', 'float32');
  const [hs] = T.scan((x: T.Variable, h: T.Variable) => T.tanh(x.dot(W).add(h.dot(U)).add(b)), { sequences: X, outputsInfo: T.zeros([1, n], 'float32'), name: 'rnn' });
  return { f: T.function([X], hs as T.Variable, { name: 'rnn' }), x: rng.uniform(0, 1, [RNN.steps, 1, n], 'float32') };
}

export async function lstmSection(): Promise<Section[]> {
  const model = buildLstm({ ...S, lr: 0.5, optimizer: 'sgd', seed: 0 });
  const backend = model.train.info().backend;
  // the TypeScript backend computes on the calling thread; the native one on T.config.threads (0: one per core)
  const threads = backend === 'native' ? T.config.threads || os.cpus().length : 1;
  const ids = new T.RandomState(7).randint(0, S.vocab, [S.batch, S.seq + 1]);
  const rnn = tinyRnn();
  const loop = (f: () => unknown) => (n: number) => {
    for (let i = 0; i < n; i++) f();
  };

  const { ids: idsVar, loss, updates } = model.graph;
  const compiled = compare(
    [
      { name: 'T.function([ids], loss, { updates })', run: loop(() => T.function([idsVar], loss, { updates })) },
      { name: 'T.train.sgd (the gradient through the scan) and T.function', run: loop(() => T.function([idsVar], loss, { updates: T.train.sgd(loss, model.params, { learningRate: 0.5 }) })) },
    ],
    { rounds: 5, roundMs: 300 },
  );

  const args = [threads, ROUND_MS, S.vocab, S.embed, S.hidden, S.seq, S.batch, RNN.steps, RNN.hidden].map(String);
  const started = await startPythonPeers('lstm_torch.py', args, threads);
  const peers = typeof started === 'string' ? null : started;
  let results: Result[];
  try {
    // a training step on the TypeScript backend takes seconds: fewer rounds there
    results = await compareWithPeers(
      [
        { name: `train: nodeano, ${backend} backend`, run: loop(() => model.train(ids)) },
        { name: `forward: nodeano, ${backend} backend`, run: loop(() => model.forward(ids)) },
        { name: `rnn: nodeano T.scan, ${rnn.f.info().backend} backend`, run: loop(() => rnn.f(rnn.x)) },
      ],
      peers?.peers ?? null,
      { rounds: backend === 'native' ? 7 : 3, roundMs: ROUND_MS },
    );
  } finally {
    peers?.close();
  }
  const part = (key: string, per = 1) => results.filter((r) => r.name.startsWith(`${key}: `)).map((r) => ({ ...r, name: r.name.slice(key.length + 2), ns: r.ns / per }));
  // PyTorch's fastest configuration in this run is the baseline (on a loaded 2-core machine often one thread)
  const base = (rows: Result[]) => {
    const torch = rows.filter((r) => r.name.startsWith('PyTorch'));
    return (torch.length ? torch.reduce((a, b) => (b.ns < a.ns ? b : a)) : rows[0]).name;
  };
  const peerNote = peers
    ? `PyTorch ${peers.versions.torch} (Debian python3-torch) in the same rounds (bench/lstm_torch.py: nn.Embedding + nn.LSTM + nn.Linear + nn.CrossEntropyLoss + torch.optim.SGD) with torch.set_num_threads(1) and (${threads}), the threads nodeano computes on (${backend} backend); the faster PyTorch row is the baseline.`
    : `PyTorch not measured: ${started as string}.`;
  const train = part('train');
  const forward = part('forward');
  const rnnRows = part('rnn', RNN.steps);
  const kernels = model.train.program.steps.length;
  return [
    {
      title: `char-LSTM training step (examples/char-lstm.ts): ${sizes}, softmax cross-entropy over all steps, SGD, float32`,
      baseline: base(train),
      results: train,
      notes: [peerNote, `Target: nodeano at ≤ 1.0× PyTorch. nodeano's step is ${kernels} kernels around one Scan; x_t·W is one product over the sequence before the loop (scan's hoisting rewrite).`],
    },
    {
      title: `char-LSTM forward and loss, no gradient: ${sizes}`,
      baseline: base(forward),
      results: forward,
      notes: ['Target: nodeano at ≤ 1.0× PyTorch (torch.no_grad()).'],
    },
    {
      title: `tanh RNN over ${RNN.steps.toLocaleString('en')} steps, batch 1, hidden ${RNN.hidden}: time per step (a call / ${RNN.steps})`,
      baseline: base(rnnRows),
      results: rnnRows,
      notes: ['What one loop iteration costs when its math is negligible.'],
    },
    {
      title: 'Compiling the char-LSTM training function (the forward graph built once)',
      baseline: compiled[0].name,
      results: compiled,
      notes: [`First row: the gradient and SGD updates built once, T.function timed; second: both timed. ${kernels} kernels in the compiled step, on the ${backend} backend. Target: T.function ≤ 100 ms.`],
    },
  ];
}
