// The calls section of npm run bench: what one call costs when it returns a fresh array, as users call it, against
// SciPy, NumPy and PyTorch doing the same in the same run (bench/calls_peers.py, rounds interleaved with ours).
// Run alone with `npm run bench -- calls`.
import * as os from 'os';
import * as T from '../lib';
import { Case, compareWithPeers, Result, Section, startPythonPeers, StartedPeers } from './harness';

const SIZES = [4 * 2 ** 20, 16 * 2 ** 20];
const DOT_N = 1024;
const ROUNDS = 5;
const ROUND_MS = 150;
const label = (n: number) => `${n / 2 ** 20}M`;

/** The Python peers of bench/calls_peers.py, or the reason they are not measured. */
function startPeers(threads: number): Promise<StartedPeers | string> {
  return startPythonPeers('calls_peers.py', [String(threads), String(ROUND_MS), String(DOT_N), ...SIZES.map(String)], threads);
}

function loop(f: () => unknown): (n: number) => void {
  return (n) => {
    for (let i = 0; i < n; i++) f();
  };
}

/** nodeano's cases for one elementwise op over n float32: a fresh output per call, into a shared variable, `into`. */
function elementwiseCases(op: 'sigmoid' | 'exp', n: number, backend: 'native' | 'js'): Case[] {
  const x = T.fvector('x');
  const y = op === 'sigmoid' ? T.nnet.sigmoid(x) : T.exp(x);
  const input = new T.RandomState(3).uniform(-8, 8, [n], 'float32');
  const Y = T.shared(T.zeros([n], 'float32'), { name: 'Y' });
  const fresh = T.function([x], y, { backend });
  const toShared = T.function([x], [], { updates: [[Y, y]], backend });
  const out = T.zeros([n], 'float32');
  const call = op === 'sigmoid' ? 'T.function([x], T.nnet.sigmoid(x))' : 'T.function([x], T.exp(x))';
  return [
    { name: `${op} ${label(n)}: nodeano ${call}(x), fresh output`, run: loop(() => fresh(input)) },
    { name: `${op} ${label(n)}: nodeano, into a shared variable (updates)`, run: loop(() => toShared(input)) },
    { name: `${op} ${label(n)}: nodeano f.into(out, x)`, run: loop(() => fresh.into(out, input)) },
  ];
}

function dotCases(backend: 'native' | 'js'): Case[] {
  const rng = new T.RandomState(2);
  const A = T.fmatrix('A');
  const B = T.fmatrix('B');
  const a = rng.uniform(-1, 1, [DOT_N, DOT_N], 'float32');
  const b = rng.uniform(-1, 1, [DOT_N, DOT_N], 'float32');
  const f = T.function([A, B], T.dot(A, B), { backend });
  return [{ name: 'dot: nodeano T.function([A, B], T.dot(A, B))(A, B), fresh output', run: loop(() => f(a, b)) }];
}

/** One section per workload, each with its ratios to the NumPy/SciPy call (or to nodeano's when Python is absent). */
export async function callsSection(native: boolean): Promise<Section[]> {
  const backend = native ? 'native' : 'js';
  const threads = T.config.threads || os.cpus().length;
  const workloads = [
    ...SIZES.flatMap((n) => [
      { key: `sigmoid ${label(n)}`, title: `sigmoid over ${label(n)} float32, a fresh output per call`, cases: elementwiseCases('sigmoid', n, backend) },
      { key: `exp ${label(n)}`, title: `exp over ${label(n)} float32, a fresh output per call`, cases: elementwiseCases('exp', n, backend) },
    ]),
    { key: 'dot', title: `dot ${DOT_N}×${DOT_N} float32, a fresh output per call`, cases: dotCases(backend) },
  ];
  const started = await startPeers(threads);
  const peers = typeof started === 'string' ? null : started;
  let results: Result[];
  try {
    results = await compareWithPeers(workloads.flatMap((w) => w.cases), peers?.peers ?? null, { rounds: ROUNDS, roundMs: ROUND_MS });
  } finally {
    peers?.close();
  }
  const peerNote = peers
    ? `Peers measured in the same run, rounds interleaved with nodeano's (bench/calls_peers.py, /usr/bin/python3: ${Object.entries(peers.versions).map(([k, v]) => `${k} ${v}`).join(', ')}), each call allocating its output as users call them; PyTorch with torch.set_num_threads(${threads}), NumPy's ufuncs on one thread, BLAS with ${threads} threads.`
    : `Python peers not measured: ${started as string}.`;
  return workloads.map((w, i) => {
    const rows = results.filter((r) => r.name.startsWith(`${w.key}: `)).map((r) => ({ ...r, name: r.name.slice(w.key.length + 2) }));
    const reference = rows.find((r) => r.name.startsWith('NumPy') || r.name.startsWith('SciPy')) ?? rows[0];
    return {
      title: w.title,
      baseline: reference.name,
      results: rows,
      notes: [
        `nodeano on the ${backend} backend with ${threads} threads; the input is an NDArray made once. ${w.key === 'dot' ? 'Target: a 1024² dot with a fresh output at NumPy\'s time or better.' : 'Target: a fresh output at ≤ 1.0× NumPy/SciPy.'}`,
        i === 0 ? peerNote : `Peers as in the ${workloads[0].key} table, in the same rounds.`,
      ],
    };
  });
}
