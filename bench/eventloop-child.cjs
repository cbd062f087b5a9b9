// The measuring half of the eventloop section (bench/eventloop.ts): plain Node on the built package (dist/cjs), as an
// application that installed nodeano runs it. Under tsx the loader's own heap (about twice the library's) makes every
// major collection of the process twice as long, which would be charged to nodeano.
// Usage: node bench/eventloop-child.cjs SECONDS THREADS; prints one JSON line: the stalls of every case.
'use strict';
const path = require('path');
const v8 = require('v8');
const vm = require('vm');
const { monitorEventLoopDelay, performance } = require('perf_hooks');
const T = require(path.join(__dirname, '..', 'dist', 'cjs'));

const [seconds, threads] = process.argv.slice(2).map(Number);
T.config.threads = threads;
const DOT_N = 1536;

v8.setFlagsFromString('--expose-gc');
const gcOnce = vm.runInNewContext('gc');
const gc = () => {
  gcOnce();
  gcOnce();
};

/** Runs `call` back to back for `seconds` (after one warm-up call and a full GC) with the event-loop delay monitor on. */
async function measure(name, call, target) {
  await call();
  gc();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const u0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < seconds * 1e3) {
    await call();
    calls++;
  }
  const elapsed = performance.now() - t0;
  const busy = performance.eventLoopUtilization(u0).active;
  h.disable();
  const ms = (ns) => ns / 1e6;
  return { name, calls, msPerCall: elapsed / calls, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), busyMsPerCall: busy / calls, target };
}

/** The MLP 784-512-512-10 training step of bench/models.ts (sigmoid units, log-softmax cross-entropy, SGD), batch 128. */
function mlp() {
  const sizes = [784, 512, 512, 10];
  const rng = new T.RandomState(0);
  const x = T.fmatrix('x');
  const y = T.fmatrix('y');
  const params = [];
  let h = x;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const r = Math.sqrt(6 / (sizes[i] + sizes[i + 1]));
    const W = T.shared(rng.uniform(-r, r, [sizes[i], sizes[i + 1]], 'float32'), { name: `W${i + 1}` });
    const b = T.shared(T.zeros([sizes[i + 1]], 'float32'), { name: `b${i + 1}` });
    params.push(W, b);
    const z = T.dot(h, W).add(b);
    h = i + 2 < sizes.length ? T.sigmoid(z) : T.nnet.logSoftmax(z);
  }
  const cost = T.mean(T.neg(T.sum(y.mul(h), 1)));
  const grads = T.grad(cost, params);
  const train = T.function([x, y], cost, { updates: params.map((p, i) => [p, p.sub(grads[i].mul(0.1))]), backend: 'native' });
  const X = rng.uniform(0, 1, [128, 784], 'float32');
  const Y = T.zeros([128, 10], 'float32');
  for (let i = 0; i < 128; i++) Y.data[i * 10 + (i % 10)] = 1;
  return () => train.async(X, Y);
}

async function main() {
  const rng = new T.RandomState(4);
  const A = T.fmatrix('A');
  const B = T.fmatrix('B');
  const a = rng.uniform(-1, 1, [DOT_N, DOT_N], 'float32');
  const b = rng.uniform(-1, 1, [DOT_N, DOT_N], 'float32');
  const C = T.shared(T.zeros([DOT_N, DOT_N], 'float32'), { name: 'C' });
  const returning = T.function([A, B], T.dot(A, B), { backend: 'native' });
  const toShared = T.function([A, B], [], { updates: [[C, T.dot(A, B)]], backend: 'native' });
  const step = mlp();
  const immediate = () => new Promise((resolve) => setImmediate(resolve));
  const timeout = () => new Promise((resolve) => setTimeout(resolve, 0));
  const stalls = [
    await measure('control: await setImmediate, no nodeano call', immediate, false),
    await measure('control: await setTimeout(0), no nodeano call', timeout, false),
    await measure(`await g.async(A, B): dot ${DOT_N}×${DOT_N} float32 returning a fresh result`, () => returning.async(a, b), true),
    await measure('await g.async(A, B): the same dot into a shared variable (updates)', () => toShared.async(a, b), false),
    await measure('await train.async(X, Y): MLP 784-512-512-10 training step, batch 128', step, true),
  ];
  console.log(JSON.stringify({ heapMb: process.memoryUsage().heapUsed / 1e6, stalls }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
