// A character-level LSTM language model trained on Debian's fortunes corpus: embedding, one LSTM layer written with
// T.scan over time, a softmax over the vocabulary at every step. Prints the training loss every --every steps,
// checkpoints parameters and optimizer state with each report, resumes with --resume, and ends with a sample drawn
// one character at a time by a compiled step function.
//
//   sudo apt-get install fortunes
//   npx tsx examples/char-lstm.ts [--steps 2000] [--every 100] [--batch 32] [--seq 64] [--embed 96] [--hidden 256]
//                                 [--optimizer adam|sgd] [--lr 0.002] [--sample 400] [--temperature 0.8] [--prime "Q: "]
//                                 [--backend js|native] [--checkpoint char-lstm.safetensors] [--resume] [--seed 0]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as T from '../lib';

const DIR = process.env.FORTUNES_DIR ?? '/usr/share/games/fortunes';

/** The vocabulary: newline and the 95 printable ASCII characters; any other character reads as UNKNOWN. */
export const VOCAB = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
export const UNKNOWN = '~';
const INDEX = new Map([...VOCAB].map((ch, i) => [ch, i]));

/** Character ids of a text: tabs read as spaces (fortunes indent with them), other characters outside VOCAB as UNKNOWN. */
export function encode(text: string): Int32Array {
  const ids = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) ids[i] = INDEX.get(text[i] === '\t' ? ' ' : text[i]) ?? INDEX.get(UNKNOWN)!;
  return ids;
}

/** The fortune files of DIR (those without the .dat index or the .u8 link), in name order. */
export function corpusFiles(): string[] {
  if (!fs.existsSync(DIR)) return [];
  return fs
    .readdirSync(DIR)
    .filter((f) => !f.endsWith('.dat') && !f.endsWith('.u8') && fs.statSync(path.join(DIR, f)).isFile())
    .sort()
    .map((f) => path.join(DIR, f));
}

/** The whole corpus as character ids. */
export function loadCorpus(): Int32Array {
  return encode(corpusFiles().map((f) => fs.readFileSync(f, 'latin1')).join(''));
}

export interface LstmOptions {
  vocab?: number;
  embed: number;
  hidden: number;
  seq: number;
  batch: number;
  lr: number;
  optimizer: 'adam' | 'sgd';
  seed: number;
  backend?: 'js' | 'native';
}

/**
 * The model: ids [batch, seq + 1] -> embedding -> LSTM (gates i, f, g, o from x_t W + h_{t-1} U + b; c_t = f c_{t-1}
 * + i g; h_t = o tanh(c_t)) -> logits -> softmax cross-entropy of each step against the next character, averaged
 * over all steps. x_t W is written inside the step so scan's rewrite computes it for the whole sequence at once.
 * Returns the training step (ids -> loss), the loss alone, the one-character step used for sampling, the shared
 * variables to checkpoint, and the training graph (for timing its compilation).
 */
export function buildLstm(o: LstmOptions) {
  const V = o.vocab ?? VOCAB.length;
  const H = o.hidden;
  const rng = new T.RandomState(o.seed);
  const E = T.shared(T.train.init.uniform(rng, [V, o.embed], -0.1, 0.1), 'E');
  const W = T.shared(T.train.init.glorotUniform(rng, [o.embed, 4 * H]), 'W');
  const U = T.shared(T.train.init.glorotUniform(rng, [H, 4 * H]), 'U');
  // forget-gate bias 1: the cell keeps its memory until it learns to let go
  const b0 = T.zeros([4 * H], 'float32');
  for (let j = H; j < 2 * H; j++) b0.data[j] = 1;
  const b = T.shared(b0, 'b');
  const Wy = T.shared(T.train.init.glorotUniform(rng, [H, V]), 'Wy');
  const by = T.shared(T.zeros([V], 'float32'), 'by');
  const params = [E, W, U, b, Wy, by];

  const cell = (xw: T.Variable, h: T.Variable, c: T.Variable): [T.Variable, T.Variable] => {
    const z = xw.add(h.dot(U)).add(b);
    const gate = (k: number) => T.slice(z, null, [k * H, (k + 1) * H]);
    const c2 = T.sigmoid(gate(1)).mul(c).add(T.sigmoid(gate(0)).mul(T.tanh(gate(2))));
    return [T.sigmoid(gate(3)).mul(T.tanh(c2)), c2];
  };

  const ids = T.imatrix('ids');
  const xs = T.take(E, T.slice(ids, null, [0, o.seq]).T); // [seq, batch, embed], time first
  const targets = T.flatten(T.slice(ids, null, [1, o.seq + 1]).T); // [seq * batch], in the order of the logits
  const zero = T.zeros([o.batch, H], 'float32');
  const [[hs]] = T.scan((x: T.Variable, h: T.Variable, c: T.Variable) => cell(x.dot(W), h, c), { sequences: xs, outputsInfo: [zero, zero], name: 'lstm' }) as [T.Variable[], T.ScanUpdates];
  const logits = T.reshape(hs, [-1, H]).dot(Wy).add(by);
  const loss = T.mean(T.softmaxCrossentropyWithLogits(logits, targets));
  const lr = T.shared(o.lr, { name: 'lr', dtype: 'float32' });
  const updates = o.optimizer === 'adam' ? T.train.adam(loss, params, { learningRate: lr }) : T.train.sgd(loss, params, { learningRate: lr });
  const train = T.function([ids], loss, { updates, name: 'train', backend: o.backend });
  const forward = T.function([ids], loss, { name: 'forward', backend: o.backend });

  // sampling: one character and the state in, the next character's probabilities and the state out
  const ch = T.ivector('ch');
  const h1 = T.fmatrix('h');
  const c1 = T.fmatrix('c');
  const temperature = T.fscalar('temperature');
  const [hn, cn] = cell(T.take(E, ch).dot(W), h1, c1);
  const probs = T.nnet.softmax(hn.dot(Wy).add(by).div(temperature));
  const step = T.function([ch, h1, c1, temperature], [probs, hn, cn], { name: 'sample step', backend: o.backend });
  const saved = [...params, ...updates.state];
  return { train, forward, step, params, lr, saved, hidden: H, graph: { ids, loss, updates } };
}

/** A batch of `batch` windows of seq + 1 characters at offsets drawn from `seed`: the same seed, the same batch. */
export function batchAt(corpus: Int32Array, batch: number, seq: number, seed: number): T.NDArray {
  const rng = new T.RandomState(seed);
  const starts = rng.randint(0, corpus.length - seq - 1, [batch]).data;
  const out = new Int32Array(batch * (seq + 1));
  for (let i = 0; i < batch; i++) out.set(corpus.subarray(starts[i], starts[i] + seq + 1), i * (seq + 1));
  return new T.NDArray(out, [batch, seq + 1], 'int32');
}

/** `n` characters drawn one at a time after `prime`, each from softmax(logits / temperature). */
export function sample(model: ReturnType<typeof buildLstm>, n: number, opts: { temperature: number; prime: string; seed: number }): string {
  const rng = new T.RandomState(opts.seed);
  let h = T.zeros([1, model.hidden], 'float32');
  let c = T.zeros([1, model.hidden], 'float32');
  let probs: T.NDArray | null = null;
  const feed = (id: number) => {
    [probs, h, c] = model.step(new T.NDArray(new Int32Array([id]), [1], 'int32'), h, c, opts.temperature) as T.NDArray[];
  };
  for (const id of encode(opts.prime || '\n')) feed(id);
  let out = '';
  for (let i = 0; i < n; i++) {
    const p = (probs as T.NDArray | null)!.data;
    let u = rng.uniform(0, 1, [1]).data[0];
    let id = 0;
    while (id < p.length - 1 && u >= p[id]) u -= p[id++];
    out += VOCAB[id];
    feed(id);
  }
  return out;
}

function args() {
  const a = process.argv.slice(2);
  const get = (name: string, dflt: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 && i + 1 < a.length ? a[i + 1] : dflt;
  };
  const optimizer = get('optimizer', 'adam');
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new Error(`char-lstm: --optimizer must be adam or sgd, got ${optimizer}`);
  return {
    steps: Number(get('steps', '2000')),
    every: Number(get('every', '100')),
    batch: Number(get('batch', '32')),
    seq: Number(get('seq', '64')),
    embed: Number(get('embed', '96')),
    hidden: Number(get('hidden', '256')),
    optimizer: optimizer as 'adam' | 'sgd',
    lr: Number(get('lr', optimizer === 'adam' ? '0.002' : '0.5')),
    sampleLength: Number(get('sample', '400')),
    temperature: Number(get('temperature', '0.8')),
    prime: get('prime', ''),
    checkpoint: get('checkpoint', 'char-lstm.safetensors'),
    resume: a.includes('--resume'),
    seed: Number(get('seed', '0')),
    backend: (get('backend', '') || undefined) as 'js' | 'native' | undefined,
  };
}

function main(): void {
  const opt = args();
  if (corpusFiles().length === 0) {
    console.error(`fortunes not found in ${DIR}.`);
    console.error('Install them with: sudo apt-get install fortunes   (or set FORTUNES_DIR to a folder of fortune files)');
    process.exit(2);
  }
  const corpus = loadCorpus();
  const t0 = performance.now();
  const model = buildLstm(opt);
  console.log(`fortunes: ${corpus.length} characters, vocabulary ${VOCAB.length}; LSTM ${opt.hidden}, embedding ${opt.embed}, sequence ${opt.seq}, batch ${opt.batch}, ${opt.optimizer}; ${model.train.info().backend} backend; compiled in ${(performance.now() - t0).toFixed(0)} ms`);

  let first = 0;
  if (opt.resume) {
    if (!fs.existsSync(opt.checkpoint)) {
      console.error(`--resume: no checkpoint at ${opt.checkpoint}`);
      process.exit(2);
    }
    const meta = T.io.loadCheckpoint(opt.checkpoint, model.saved);
    first = Number(meta.step);
    console.log(`resumed from ${opt.checkpoint} after step ${first} (loss then ${meta.loss})`);
  }

  const start = performance.now();
  let sum = 0;
  let n = 0;
  for (let step = first; step < opt.steps; step++) {
    // each step's batch depends only on the seed and the step, so a resumed run sees the batches it would have seen
    sum += (model.train(batchAt(corpus, opt.batch, opt.seq, opt.seed * 1_000_003 + step)) as T.NDArray).data[0];
    n++;
    if ((step + 1) % opt.every === 0 || step + 1 === opt.steps) {
      const loss = (sum / n).toFixed(4);
      // the checkpoint is written before the report: a run killed after a report resumes from it
      T.io.saveCheckpoint(opt.checkpoint, model.saved, { step: String(step + 1), loss });
      console.log(`step ${step + 1}: loss ${loss}, ${((performance.now() - start) / 1000).toFixed(1)} s`);
      sum = 0;
      n = 0;
    }
  }
  const text = sample(model, opt.sampleLength, { temperature: opt.temperature, prime: opt.prime, seed: opt.seed });
  console.log(`--- sample of ${opt.sampleLength} characters, temperature ${opt.temperature} ---\n${text}\n--- end of sample ---`);
  console.log(`checkpoint in ${opt.checkpoint}`);
}

if (require.main === module) main();
