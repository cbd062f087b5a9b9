// npm run bench: every comparison measured side by side in one run; results in bench/results/latest.json and the
// README table. Sections that need the native addon or PyTorch say so and are skipped when those are missing.
import { execFileSync } from 'child_process';
import * as T from '../lib';
import { loadNative } from '../lib/backend/native-loader';
import { compare, save, Section, table } from './harness';
import { buildMlp } from './models';
import { makeHandwrittenXor } from './xor-handwritten';
import { convnetSection } from './convnet';
import { convnetTtaSection } from './convnet-tta';
import { GRAPH_REWRITES_OFF, rewritesSection } from './rewrites';
import { fashionSection, mlpTfSection, xorTfSection } from './compare-tfjs';
import { callsSection } from './calls';
import { eventLoopSection } from './eventloop';
import { lstmSection } from './lstm';
import { scanSection } from './scan';

const addon = loadNative().addon;
const native = addon !== null;
const sections: Section[] = [];
// npm run bench -- <section> [--save] [--label <where it was measured>]: one section, printed; with --save also
// merged into bench/results/latest.json and the README table, stamped with the date and the label
const argv = process.argv.slice(2);
const flag = (name: string) => argv.indexOf(name);
const only = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--label');
const saveOne = flag('--save') >= 0;
const label = flag('--label') >= 0 ? argv[flag('--label') + 1] : undefined;

function xorSection(): Section {
  const rng = new T.RandomState(1);
  const w1 = rng.uniform(-1, 1, [2, 5], 'float32');
  const w2 = rng.uniform(-1, 1, [5, 1], 'float32');
  const X = T.shared(T.array([[0, 0], [0, 1], [1, 0], [1, 1]]), { name: 'X' });
  const y = T.shared(T.array([[0], [1], [1], [0]]), { name: 'y' });
  const build = (backend: 'js' | 'native') => {
    const W1 = T.shared(w1, { name: 'W1' });
    const W2 = T.shared(w2, { name: 'W2' });
    const out = T.sigmoid(T.dot(T.sigmoid(T.dot(X, W1)), W2));
    const cost = T.sum(T.sqr(y.sub(out)));
    const [g1, g2] = T.grad(cost, [W1, W2]);
    return T.function([], cost, { updates: [[W1, W1.sub(g1.mul(0.1))], [W2, W2.sub(g2.mul(0.1))]], backend });
  };
  const hand = makeHandwrittenXor(w1.data as Float32Array, w2.data as Float32Array);
  const loop = (f: () => unknown) => (n: number) => {
    for (let i = 0; i < n; i++) f();
  };
  // the no-op call is measured in the same rounds: what a call costs before any kernel runs
  const cases = [{ name: 'hand-written TypeScript backprop', run: loop(hand.step) }];
  if (native) cases.push({ name: 'nodeano, native backend', run: loop(build('native')) });
  cases.push({ name: 'nodeano, TypeScript backend', run: loop(build('js')) });
  if (native) cases.push({ name: 'compiled no-op T.function([], []), native', run: loop(T.function([], [], { backend: 'native' })) });
  cases.push({ name: 'compiled no-op T.function([], []), TypeScript', run: loop(T.function([], [], { backend: 'js' })) });
  return {
    title: 'XOR training step (examples/xor.ts train())',
    baseline: 'hand-written TypeScript backprop',
    results: compare(cases),
    notes: [
      'Target: the native step at ≤ 1.0× the hand-written loop, both measured in the same rounds with the no-op call beside them. For scale: Theano takes 6–9 µs per step, TensorFlow.js 166–265 µs.',
    ],
  };
}

function overheadSection(): Section {
  const loop = (f: () => unknown) => (n: number) => {
    for (let i = 0; i < n; i++) f();
  };
  const empty = () => undefined;
  const cases = [{ name: 'empty JS function call', run: loop(empty) }];
  if (native) cases.push({ name: 'compiled no-op, native', run: loop(T.function([], [], { backend: 'native' })) });
  cases.push({ name: 'compiled no-op, TypeScript', run: loop(T.function([], [], { backend: 'js' })) });
  return { title: 'Call overhead of a compiled function that does nothing', baseline: 'empty JS function call', results: compare(cases), notes: ['Target: native under 0.3 µs per call.'] };
}

function dotSection(): Section | null {
  if (!addon || typeof addon.rawSgemm !== 'function') return null;
  const rng = new T.RandomState(2);
  const n = 1024;
  const A = T.shared(rng.uniform(-1, 1, [n, n], 'float32'), { name: 'A' });
  const B = T.shared(rng.uniform(-1, 1, [n, n], 'float32'), { name: 'B' });
  const C = T.shared(T.zeros([n, n], 'float32'), { name: 'C' });
  const f = T.function([], [], { updates: [[C, T.dot(A, B)]], backend: 'native' });
  const a = A.getValue({ borrow: true }).data;
  const b = B.getValue({ borrow: true }).data;
  const c = C.getValue({ borrow: true }).data;
  const raw = addon.rawSgemm as (a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, tA: boolean, tB: boolean) => void;
  const results = compare(
    [
      { name: 'raw cblas_sgemm', run: (k) => { for (let i = 0; i < k; i++) raw(a as Float32Array, b as Float32Array, c as Float32Array, n, n, n, false, false); } },
      { name: 'nodeano compiled dot', run: (k) => { for (let i = 0; i < k; i++) f(); } },
    ],
    { rounds: 5, roundMs: 400 },
  );
  return { title: 'dot 1024×1024 float32 (C ← A·B, same buffers)', baseline: 'raw cblas_sgemm', results, notes: ['Target: raw time / nodeano time ≥ 0.97.'] };
}

function sigmoidSection(): Section | null {
  if (!native) return null;
  const n = 16 * 1024 * 1024;
  const old = T.config.threads;
  T.config.threads = 1;
  const rng = new T.RandomState(3);
  const X = T.shared(rng.uniform(-8, 8, [n], 'float32'), { name: 'X' });
  const Y = T.shared(T.zeros([n], 'float32'), { name: 'Y' });
  const sig = T.function([], [], { updates: [[Y, T.sigmoid(X)]], backend: 'native' });
  const copy = T.function([], [], { updates: [[Y, X]], backend: 'native' });
  const x = X.getValue({ borrow: true }).data as Float32Array;
  const y = Y.getValue({ borrow: true }).data as Float32Array;
  const results = compare(
    [
      { name: 'copy of the same bytes (TypedArray.set)', run: (k) => { for (let i = 0; i < k; i++) y.set(x); } },
      { name: 'nodeano copy (update Y ← X)', run: (k) => { for (let i = 0; i < k; i++) copy(); } },
      { name: 'nodeano sigmoid, 1 thread', run: (k) => { for (let i = 0; i < k; i++) sig(); } },
      { name: 'JS loop 1/(1+Math.exp(-x))', run: (k) => { for (let r = 0; r < k; r++) for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i])); } },
    ],
    { rounds: 5, roundMs: 400 },
  );
  T.config.threads = old;
  const sigNs = results.find((r) => r.name.startsWith('nodeano sigmoid'))!.ns;
  return {
    title: 'sigmoid over 16M float32',
    baseline: 'copy of the same bytes (TypedArray.set)',
    results,
    notes: [`nodeano sigmoid: ${(n / sigNs).toFixed(2)} Gelem/s on one thread. Target: ≥ 0.7 of copy bandwidth (ratio ≤ 1.43).`],
  };
}

/** PyTorch's ms/step with `threads` intra-op threads (BLAS threads matched), or null without Debian's python3-torch. */
function torchMlp(threads: number): number | null {
  try {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
    const out = execFileSync('/usr/bin/python3', [`${__dirname}/mlp_torch.py`, String(threads), '7'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(out.trim().split('\n').pop()!).ms_per_step;
  } catch {
    return null;
  }
}

function mlpSection(): Section | null {
  if (!native) return null;
  const m = buildMlp([784, 512, 512, 10], 128, { backend: 'native' });
  const unfused = buildMlp([784, 512, 512, 10], 128, { backend: 'native', rewrites: GRAPH_REWRITES_OFF });
  const cases = [
    { name: 'nodeano MLP step, native', run: (k: number) => { for (let i = 0; i < k; i++) m.train(m.X, m.Y); } },
    { name: 'nodeano MLP step, native, rewrites off', run: (k: number) => { for (let i = 0; i < k; i++) unfused.train(unfused.X, unfused.Y); } },
  ];
  const raw = addon!.rawSgemm as ((a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, tA: boolean, tB: boolean) => void) | undefined;
  if (raw) {
    // the step's eight matrix products, raw: 3 forward, dW3, d2, dW2, d1, dW1
    const shapes: [number, number, number, boolean, boolean][] = [
      [128, 512, 784, false, false], [128, 512, 512, false, false], [128, 10, 512, false, false],
      [512, 10, 128, true, false], [128, 512, 10, false, true], [512, 512, 128, true, false],
      [128, 512, 512, false, true], [784, 512, 128, true, false],
    ];
    const bufs = shapes.map(([M, N, K]) => [new Float32Array(M * K).fill(0.01), new Float32Array(K * N).fill(0.01), new Float32Array(M * N)]);
    cases.unshift({
      name: 'its 8 gemm calls alone (raw cblas_sgemm)',
      run: (k: number) => {
        for (let i = 0; i < k; i++) shapes.forEach(([M, N, K, tA, tB], j) => raw(bufs[j][0], bufs[j][1], bufs[j][2], M, N, K, tA, tB));
      },
    });
  }
  const results = compare(cases, { rounds: 7, roundMs: 300 });
  // on this 2-core machine Debian's PyTorch is far slower with 2 threads than with 1 (OpenMP and OpenBLAS threads
  // contend), so both are reported
  for (const threads of [1, 2]) {
    const torch = torchMlp(threads);
    if (torch !== null) results.push({ name: `PyTorch 1.13 (Debian python3-torch), ${threads} thread${threads > 1 ? 's' : ''}`, ns: torch * 1e6, rounds: 7 });
  }
  return {
    title: 'MLP 784-512-512-10 training step, batch 128, sigmoid, softmax cross-entropy, SGD, float32',
    baseline: raw ? 'its 8 gemm calls alone (raw cblas_sgemm)' : 'nodeano MLP step, native',
    results,
    notes: [
      `Kernels per step: ${m.train.program.steps.length} with rewrites, ${unfused.train.program.steps.length} without.`,
      'Target: gemm-bound time / step time ≥ 0.85 (ratio ≤ 1.18). PyTorch is measured in the same run by bench/mlp_torch.py, written as PyTorch users write it (nn.Sequential of nn.Linear and nn.Sigmoid, nn.CrossEntropyLoss, torch.optim.SGD), where Debian\'s python3-torch is installed.',
    ],
  };
}

function compileSection(): Section {
  // graph building happens once outside the timing; T.function (clone, rewrites, linearize) is what is measured
  const mlp = (layers: number) => [784, ...Array.from({ length: layers }, () => 512), 10];
  const small = buildMlp(mlp(2), 128, { backend: 'js' });
  const deep = buildMlp(mlp(20), 128, { backend: 'js' });
  const build = (sizes: number[], rewrites: 'all' | 'none') => () =>
    buildMlp(sizes, 128, { rewrites, backend: 'js', params: (sizes.length > 4 ? deep : small).params });
  const results = compare(
    [
      { name: 'MLP 784-512-512-10, rewrites off', run: (k) => { for (let i = 0; i < k; i++) build(mlp(2), 'none')(); } },
      { name: 'MLP 784-512-512-10', run: (k) => { for (let i = 0; i < k; i++) build(mlp(2), 'all')(); } },
      { name: '20-layer MLP', run: (k) => { for (let i = 0; i < k; i++) build(mlp(20), 'all')(); } },
    ],
    { rounds: 5, roundMs: 300 },
  );
  const steps = (m: ReturnType<typeof buildMlp>, r: 'all' | 'none') => (r === 'all' ? m.train : buildMlp(m === small ? mlp(2) : mlp(20), 128, { rewrites: r, backend: 'js' }).train).program.steps.length;
  return {
    title: 'Building and compiling the MLP training function (graph, grad, T.function)',
    baseline: 'MLP 784-512-512-10, rewrites off',
    results,
    notes: [
      `Kernels in the compiled step: MLP ${steps(small, 'none')} without rewrites, ${steps(small, 'all')} with; 20-layer MLP ${steps(deep, 'none')} without, ${steps(deep, 'all')} with.`,
      'Targets: under 50 ms for the MLP and under 300 ms for the 20-layer MLP.',
    ],
  };
}

// the TensorFlow.js comparisons are async (its wasm backend loads asynchronously), so the run is one async main
async function main(): Promise<void> {
  const all: [string, () => Section | Section[] | null | Promise<Section | Section[] | null>][] = [
    ['compile', compileSection], ['xor', xorSection], ['overhead', overheadSection], ['dot', dotSection], ['sigmoid', sigmoidSection],
    ['calls', () => callsSection(native)], ['eventloop', () => eventLoopSection(native)], ['mlp', mlpSection],
    ['xor-tfjs', () => xorTfSection(native)], ['mlp-tfjs', () => mlpTfSection(native)], ['fashion', () => fashionSection(native)],
    ['rewrites', () => rewritesSection(native)], ['lstm', lstmSection], ['scan', () => scanSection(native)], ['convnet', convnetSection], ['convnet-tta', convnetTtaSection],
  ];
  for (const [key, make] of all) {
    if (only && only !== key) continue;
    const s = await make();
    if (s) sections.push(...(Array.isArray(s) ? s : [s]));
  }
  if (only && sections.length === 0 && !all.some(([key]) => key === only)) throw new Error(`bench: section must be one of ${all.map(([k]) => k).join(', ')}, got ${JSON.stringify(only)}`);
  if (!native) console.log(`native backend unavailable (${loadNative().reason}); only TypeScript figures were measured`);
  // a single section (npm run bench -- xor) prints without touching the saved results, unless --save
  if (only && saveOne) {
    const stamp = `${new Date().toISOString().slice(0, 10)} apart from the rest of the table${label ? `, ${label}` : ''}`;
    save(sections.map((s) => ({ ...s, measured: stamp })), { merge: true });
  } else if (only) console.log(sections.map(table).join('\n\n'));
  else save(sections);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
