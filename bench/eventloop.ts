// The eventloop section of npm run bench: how long the main thread's event loop stalls while async calls run back to
// back, measured with perf_hooks.monitorEventLoopDelay at 1 ms resolution. Run alone with `npm run bench -- eventloop`;
// NODEANO_BENCH_SECONDS sets the seconds per case (default 9).
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import * as T from '../lib';
import { Section } from './harness';
import { buildMlp } from './models';

const DOT_N = 1536;

interface Stall {
  name: string;
  calls: number;
  msPerCall: number;
  p50: number;
  p99: number;
  max: number;
}

/** Runs `call` back to back for `seconds` (after one warm-up call) with the event-loop delay monitor on. */
async function measure(name: string, seconds: number, call: () => Promise<unknown>): Promise<Stall> {
  await call();
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < seconds * 1e3) {
    await call();
    calls++;
  }
  const elapsed = performance.now() - t0;
  h.disable();
  const ms = (ns: number) => ns / 1e6;
  return { name, calls, msPerCall: elapsed / calls, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

function seconds(): number {
  const env = process.env.NODEANO_BENCH_SECONDS;
  if (env === undefined || env === '') return 9;
  const s = Number(env);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`bench: NODEANO_BENCH_SECONDS must be a positive number of seconds, got ${JSON.stringify(env)}`);
  return s;
}

export async function eventLoopSection(native: boolean): Promise<Section | null> {
  // on the TypeScript backend .async runs on the main thread: there is nothing to measure
  if (!native) return null;
  const secs = seconds();
  const rng = new T.RandomState(4);
  const A = T.fmatrix('A');
  const B = T.fmatrix('B');
  const a = rng.uniform(-1, 1, [DOT_N, DOT_N], 'float32');
  const b = rng.uniform(-1, 1, [DOT_N, DOT_N], 'float32');
  const C = T.shared(T.zeros([DOT_N, DOT_N], 'float32'), { name: 'C' });
  const returning = T.function([A, B], T.dot(A, B), { backend: 'native' });
  const toShared = T.function([A, B], [], { updates: [[C, T.dot(A, B)]], backend: 'native' });
  const m = buildMlp([784, 512, 512, 10], 128, { backend: 'native' });
  const stalls = [
    await measure(`await g.async(A, B): dot ${DOT_N}×${DOT_N} float32 returning its result`, secs, () => returning.async(a, b)),
    await measure(`await g.async(A, B): the same dot into a shared variable (updates)`, secs, () => toShared.async(a, b)),
    await measure('await train.async(X, Y): MLP 784-512-512-10 training step, batch 128', secs, () => m.train.async(m.X, m.Y)),
  ];
  const f = (x: number) => x.toFixed(2);
  return {
    title: `Event-loop delay during back-to-back async calls (perf_hooks.monitorEventLoopDelay, 1 ms resolution, ${secs} s per case)`,
    baseline: stalls[1].name,
    results: stalls.map((s) => ({ name: s.name, ns: s.msPerCall * 1e6, rounds: 1 })),
    columns: ['case', 'calls', 'time per call', 'delay p50', 'delay p99', 'delay max'],
    rows: stalls.map((s) => [s.name, String(s.calls), `${f(s.msPerCall)} ms`, `${f(s.p50)} ms`, `${f(s.p99)} ms`, `${f(s.max)} ms`]),
    delays: stalls.map(({ name, p50, p99, max }) => ({ name, p50Ms: p50, p99Ms: p99, maxMs: max })),
    notes: [
      'Delays as monitorEventLoopDelay reports them: the interval between ticks of a 1 ms timer, so an idle loop reads about 1 ms. Target for both the returning dot and the MLP steps: p99 ≤ 2 ms, max ≤ 10 ms; the shared-variable dot is the baseline of issue 11.',
    ],
  };
}
