// A masked, variable-length sequence classifier in the style of DeepLearningTutorials' lstm.py (its IMDB sentiment
// model): word embeddings, one LSTM layer run by T.scan over [time, batch, features] with a mask [time, batch] so
// that padding steps keep the previous state, mean pooling over the unmasked steps, a softmax classifier, trained
// with Adam (T.train.adam) or with lstm.py's Adadelta written out as lstm.py writes it. The data are synthetic and
// need memory (the temporal-order problem of Hochreiter & Schmidhuber's LSTM paper): sequences of 6 to 20 tokens,
// random distractors with the two markers A and B somewhere in them, labelled by whether A comes first. Every
// sequence holds one A and one B, so which tokens occur says nothing; the state must remember what came first.
// Chance is 0.5.
//
//   npx tsx examples/lstm-classifier.ts [--epochs 4] [--dim 24] [--batch 16] [--train 1200] [--seed 123]
//                                       [--optimizer adam|adadelta] [--lr 0.01] [--backend js|native]
//
// Functions with a scan run on the TypeScript backend for now (a native loop kernel is on its way).
import * as T from '../lib';

function args() {
  const a = process.argv.slice(2);
  const get = (name: string, dflt: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 && i + 1 < a.length ? a[i + 1] : dflt;
  };
  const optimizer = get('optimizer', 'adam');
  if (!['adam', 'adadelta'].includes(optimizer)) throw new T.ArgumentError(`--optimizer must be adam or adadelta, got ${optimizer}`);
  const backend = get('backend', 'auto');
  if (!['auto', 'js', 'native'].includes(backend)) throw new T.ArgumentError(`--backend must be js, native or auto, got ${backend}`);
  const n = (name: string, dflt: string) => Number(get(name, dflt));
  return { epochs: n('epochs', '4'), dim: n('dim', '24'), batch: n('batch', '16'), train: n('train', '1200'), lr: n('lr', '0.01'), seed: n('seed', '123'), optimizer, backend: backend === 'auto' ? undefined : (backend as 'js' | 'native') };
}

const opt = args();
const n_words = 9; // token ids 1..8; 0 is padding, as in lstm.py's prepare_data
const [A, B] = [7, 8];
const [minLen, maxLen] = [6, 20];
const rng = new T.RandomState(opt.seed);

/**
 * n sequences (token arrays) with their labels, half of them positive: distractor tokens 1..6 with the two markers
 * A = 7 and B = 8 at two random positions; the label is 1 when A comes before B (the temporal-order problem).
 */
function dataset(n: number): [number[][], number[]] {
  const seqs: number[][] = [];
  const labels: number[] = [];
  const int = (lo: number, hi: number) => lo + Math.floor(rng.rand(1).data[0] * (hi - lo));
  for (let s = 0; s < n; s++) {
    const len = int(minLen, maxLen + 1);
    const seq = Array.from({ length: len }, () => int(1, A));
    const p = int(0, len);
    let q = int(0, len - 1);
    if (q >= p) q++;
    const y = s % 2;
    // y = 1: A at the earlier of the two positions
    seq[Math.min(p, q)] = y ? A : B;
    seq[Math.max(p, q)] = y ? B : A;
    seqs.push(seq);
    labels.push(y);
  }
  return [seqs, labels];
}

/**
 * lstm.py's prepare_data: pads the sequences to the longest one and swaps the axes, giving x [maxlen, n_samples]
 * (int32 token ids) and x_mask [maxlen, n_samples] (1 on real steps, 0 on padding).
 */
function prepare_data(seqs: number[][]): [T.NDArray, T.NDArray] {
  const maxlen = Math.max(...seqs.map((s) => s.length));
  const n = seqs.length;
  const x = new Int32Array(maxlen * n);
  const mask = new Float32Array(maxlen * n);
  seqs.forEach((s, j) => s.forEach((tok, t) => {
    x[t * n + j] = tok;
    mask[t * n + j] = 1;
  }));
  return [new T.NDArray(x, [maxlen, n], 'int32'), new T.NDArray(mask, [maxlen, n], 'float32')];
}

/** lstm.py's ortho_weight: a random orthogonal [n, n] matrix (here by Gram-Schmidt on normal columns rather than SVD). */
function ortho_weight(n: number): number[][] {
  const cols: number[][] = [];
  while (cols.length < n) {
    const v = Array.from(rng.randn(n).data);
    for (const c of cols) {
      const d = v.reduce((s, vi, i) => s + vi * c[i], 0);
      c.forEach((ci, i) => (v[i] -= d * ci));
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-6) cols.push(v.map((vi) => vi / norm));
  }
  return cols[0].map((_, i) => cols.map((c) => c[i]));
}
/** Four orthogonal blocks side by side, one per gate: numpy.concatenate([ortho_weight(dim)] * 4, axis=1). */
const ortho4 = (n: number) => T.array(Array.from({ length: 4 }, () => ortho_weight(n)).reduce((a, b) => a.map((row, i) => row.concat(b[i]))), { dtype: 'float32' });

/** 0.01 * numpy.random.randn(*shape) as float32. */
const small = (shape: number[]) => new T.NDArray(Float32Array.from(rng.randn(shape[0] * shape[1]).data, (v) => 0.01 * v), shape, 'float32');

// init_params: Wemb and the classifier U as 0.01 * randn, the LSTM's W and U orthogonal, biases zero
const dim_proj = opt.dim;
const ydim = 2;
const tparams = {
  Wemb: T.shared(small([n_words, dim_proj]), 'Wemb'),
  lstm_W: T.shared(ortho4(dim_proj), 'lstm_W'),
  lstm_U: T.shared(ortho4(dim_proj), 'lstm_U'),
  lstm_b: T.shared(T.zeros([4 * dim_proj], 'float32'), 'lstm_b'),
  U: T.shared(small([dim_proj, ydim]), 'U'),
  b: T.shared(T.zeros([ydim], 'float32'), 'b'),
};

/** lstm.py's lstm_layer: the LSTM over state_below [time, batch, dim_proj]; returns h for every step. */
function lstm_layer(state_below: T.Variable, mask: T.Variable): T.Variable {
  const nsteps = state_below.shape[0];
  // _slice(_x, n, dim): the n-th gate's columns of the pre-activation
  const _slice = (_x: T.Variable, n: number, dim: number) => T.slice(_x, null, [n * dim, (n + 1) * dim]);
  // _step(m_, x_, h_, c_) with lstm.py's U, which it reads from the closure, passed as a non-sequence as the scan
  // guide recommends
  const _step = (m_: T.Variable, x_: T.Variable, h_: T.Variable, c_: T.Variable, U: T.Variable) => {
    const preact = T.dot(h_, U).add(x_);
    const i = T.nnet.sigmoid(_slice(preact, 0, dim_proj));
    const f = T.nnet.sigmoid(_slice(preact, 1, dim_proj));
    const o = T.nnet.sigmoid(_slice(preact, 2, dim_proj));
    let c = T.tanh(_slice(preact, 3, dim_proj));
    c = f.mul(c_).add(i.mul(c));
    // c = m_[:, None] * c + (1. - m_)[:, None] * c_: a padding step keeps the previous cell and output
    const m = T.expandDims(m_, 1); // m_[:, None]: this step's mask as a column, to broadcast over the features
    c = m.mul(c).add(T.sub(1, m).mul(c_));
    let h = o.mul(T.tanh(c));
    h = m.mul(h).add(T.sub(1, m).mul(h_));
    return [h, c];
  };
  // the input projection of every step at once, outside the loop: state_below.dot(W) + b
  const projected = T.dot(state_below, tparams.lstm_W).add(tparams.lstm_b);
  // outputs_info=[tensor.alloc(0., n_samples, dim_proj)] * 2: zeros shaped like one step of the embeddings
  const zeros = T.zerosLike(T.slice(state_below, 0));
  const [rval] = T.scan(_step, {
    sequences: [mask, projected],
    outputsInfo: [zeros, zeros],
    nonSequences: [tparams.lstm_U],
    name: 'lstm_layers',
    nSteps: nsteps,
  });
  return (rval as T.Variable[])[0];
}

// build_model
const x = T.imatrix('x'); // [time, batch] token ids
const mask = T.matrix('mask'); // [time, batch]
const y = T.ivector('y');
// emb = Wemb[x.flatten()].reshape([n_timesteps, n_samples, dim_proj]): take with a matrix of ids does both
const emb = T.take(tparams.Wemb, x);
let proj = lstm_layer(emb, mask);
// mean pooling over the unmasked steps: (proj * mask[:, :, None]).sum(axis=0) / mask.sum(axis=0)[:, None]
proj = proj.mul(T.expandDims(mask, 2)).sum(0).div(T.expandDims(mask.sum(0), 1));
const pred = T.nnet.softmax(T.dot(proj, tparams.U).add(tparams.b));
const f_pred_prob = T.function([x, mask], pred, { name: 'f_pred_prob', backend: opt.backend });
const f_pred = T.function([x, mask], T.argmax(pred, 1), { name: 'f_pred', backend: opt.backend });
// cost = -tensor.log(pred[tensor.arange(n_samples), y] + 1e-8).mean()
const cost = T.mean(T.nnet.categoricalCrossentropy(pred.add(1e-8), y));

/**
 * lstm.py's adadelta (Zeiler 2012), in one training step rather than its two functions (f_grad_shared storing the
 * gradients, f_update applying them): running averages of g^2 and of the squared step, decay 0.95, eps 1e-6.
 */
function adadelta(cost: T.Variable, params: T.SharedVariable[]): [T.SharedVariable, T.Variable][] {
  const grads = T.grad(cost, params);
  const like = (p: T.SharedVariable, name: string) => T.shared(T.zeros(p.getValue().shape, 'float32'), `${p.name}_${name}`);
  return params.flatMap((p, k) => {
    const rg2 = like(p, 'rgrad2');
    const ru2 = like(p, 'rup2');
    const g = grads[k];
    const rg2new = rg2.mul(0.95).add(g.sqr().mul(0.05));
    // updir = -sqrt(ru2 + 1e-6) / sqrt(rg2 + 1e-6) * g
    const updir = T.neg(T.sqrt(ru2.add(1e-6))).div(T.sqrt(rg2new.add(1e-6))).mul(g);
    return [[rg2, rg2new], [ru2, ru2.mul(0.95).add(updir.sqr().mul(0.05))], [p, p.add(updir)]] as [T.SharedVariable, T.Variable][];
  });
}
const params = Object.values(tparams);
// lstm.py trains with adadelta; from its tiny initial weights it sits near chance for several epochs before it
// moves, so the default here is T.train.adam, which gets going in the first epoch
const updates = opt.optimizer === 'adadelta' ? adadelta(cost, params) : T.train.adam(cost, params, { learningRate: opt.lr });
// the training step also returns its predictions (made before the update), for the epoch's training accuracy
const train = T.function([x, mask, y], [cost, T.argmax(pred, 1)], { updates, name: 'train', backend: opt.backend });
console.log(`backend: ${train.info().backend}; ${opt.train} training sequences of ${minLen}-${maxLen} tokens, dim_proj ${dim_proj}, batch ${opt.batch}, ${opt.optimizer}`);

const [trainSeqs, trainY] = dataset(opt.train);
const [validSeqs, validY] = dataset(400);

/** The fraction of sequences classified right, in batches as lstm.py's pred_error does (one minus its error). */
function accuracy(seqs: number[][], labels: number[]): number {
  let right = 0;
  for (let s = 0; s < seqs.length; s += 100) {
    const [xb, mb] = prepare_data(seqs.slice(s, s + 100));
    const p = (f_pred(xb, mb) as T.NDArray).data;
    p.forEach((v, j) => (right += v === labels[s + j] ? 1 : 0));
  }
  return right / seqs.length;
}

// get_minibatches_idx with shuffle=True, then per batch prepare_data and one training step
const order = new T.RandomState(opt.seed + 1);
for (let epoch = 1; epoch <= opt.epochs; epoch++) {
  const idx = Array.from(order.permutation(trainSeqs.length).data);
  let sum = 0;
  let right = 0;
  for (let s = 0; s < idx.length; s += opt.batch) {
    const batch = idx.slice(s, s + opt.batch);
    const [xb, mb] = prepare_data(batch.map((i) => trainSeqs[i]));
    const yb = new T.NDArray(Int32Array.from(batch, (i) => trainY[i]), [batch.length], 'int32');
    const [c, p] = train(xb, mb, yb) as T.NDArray[];
    sum += c.get() * batch.length;
    p.data.forEach((v, j) => (right += v === yb.data[j] ? 1 : 0));
  }
  console.log(`epoch ${epoch}: cost ${(sum / idx.length).toFixed(4)}, train accuracy ${(right / idx.length).toFixed(4)}, valid accuracy ${accuracy(validSeqs, validY).toFixed(4)}`);
}

// the mask at work: a sequence's probabilities are the same alone as padded inside a batch of longer ones
const short = validSeqs.findIndex((s) => s.length === minLen);
const alone = (f_pred_prob(...prepare_data([validSeqs[short]])) as T.NDArray).data;
const padded = (f_pred_prob(...prepare_data([validSeqs[short], ...validSeqs.filter((s) => s.length === maxLen).slice(0, 3)])) as T.NDArray).data;
const gap = Math.max(Math.abs(alone[0] - padded[0]), Math.abs(alone[1] - padded[1]));
console.log(`padding a ${minLen}-token sequence to ${maxLen} steps changes its probabilities by ${gap.toExponential(2)}`);
console.log(`final valid accuracy ${accuracy(validSeqs, validY).toFixed(4)} (chance 0.5)`);
