// The eventloop section of npm run bench: how long the main thread's event loop stalls while async calls run back to
// back, measured with perf_hooks.monitorEventLoopDelay at 1 ms resolution. Run alone with `npm run bench -- eventloop`;
// NODEANO_BENCH_SECONDS sets the seconds per case (default 6).
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import * as v8 from 'v8';
import * as vm from 'vm';
import * as T from '../lib';
import { Section } from './harness';
import { buildMlp } from './models';

const DOT_N = 1536;
const TARGET = { p99: 2, max: 10 };

interface Stall {
  name: string;
  calls: number;
  msPerCall: number;
  p50: number;
  p99: number;
  max: number;
  /** Main-thread time the event loop was busy (not waiting), per call: less sensitive to other load than the delays. */
  busyMsPerCall: number;
  /** Whether the case is held to the target (the control and the baseline are not). */
  target: boolean;
}

/** A full collection, so that one case's garbage is not collected during the next one's measurement. */
function fullGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

/** Runs `call` back to back for `seconds` (after one warm-up call and a full GC) with the event-loop delay monitor on. */
async function measure(name: string, seconds: number, gc: () => void, call: () => Promise<unknown>, target: boolean): Promise<Stall> {
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
  const ms = (ns: number) => ns / 1e6;
  return { name, calls, msPerCall: elapsed / calls, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), busyMsPerCall: busy / calls, target };
}

function seconds(): number {
  const env = process.env.NODEANO_BENCH_SECONDS;
  if (env === undefined || env === '') return 6;
  const s = Number(env);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`bench: NODEANO_BENCH_SECONDS must be a positive number of seconds, got ${JSON.stringify(env)}`);
  return s;
}

export async function eventLoopSection(native: boolean): Promise<Section | null> {
  // on the TypeScript backend .async runs on the main thread: there is nothing to measure
  if (!native) return null;
  const secs = seconds();
  const gc = fullGc();
  const rng = new T.RandomState(4);
  const A = T.fmatrix('A');
  const B = T.fmatrix('B');
  const a = rng.uniform(-1, 1, [DOT_N, DOT_N], 'float32');
  const b = rng.uniform(-1, 1, [DOT_N, DOT_N], 'float32');
  const C = T.shared(T.zeros([DOT_N, DOT_N], 'float32'), { name: 'C' });
  const returning = T.function([A, B], T.dot(A, B), { backend: 'native' });
  const toShared = T.function([A, B], [], { updates: [[C, T.dot(A, B)]], backend: 'native' });
  const m = buildMlp([784, 512, 512, 10], 128, { backend: 'native' });
  const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));
  const timeout = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  const stalls = [
    await measure('control: await setImmediate, no nodeano call', secs, gc, immediate, false),
    await measure('control: await setTimeout(0), no nodeano call', secs, gc, timeout, false),
    await measure(`await g.async(A, B): dot ${DOT_N}×${DOT_N} float32 returning a fresh result`, secs, gc, () => returning.async(a, b), true),
    await measure('await g.async(A, B): the same dot into a shared variable (updates)', secs, gc, () => toShared.async(a, b), false),
    await measure('await train.async(X, Y): MLP 784-512-512-10 training step, batch 128', secs, gc, () => m.train.async(m.X, m.Y), true),
  ];
  const f = (x: number) => x.toFixed(2);
  const verdict = (s: Stall) => (!s.target ? '' : s.p99 <= TARGET.p99 && s.max <= TARGET.max ? 'met' : 'missed');
  return {
    title: `Event-loop delay during back-to-back async calls (perf_hooks.monitorEventLoopDelay, 1 ms resolution, ${secs} s per case, full GC before each)`,
    baseline: stalls[3].name,
    results: stalls.map((s) => ({ name: s.name, ns: s.msPerCall * 1e6, rounds: 1 })),
    columns: ['case', 'calls', 'time per call', 'main thread busy per call', 'delay p50', 'delay p99', 'delay max', `target p99 ≤ ${TARGET.p99} ms, max ≤ ${TARGET.max} ms`],
    rows: stalls.map((s) => [s.name, String(s.calls), `${f(s.msPerCall)} ms`, `${f(s.busyMsPerCall)} ms`, `${f(s.p50)} ms`, `${f(s.p99)} ms`, `${f(s.max)} ms`, verdict(s)]),
    delays: stalls.map(({ name, p50, p99, max }) => ({ name, p50Ms: p50, p99Ms: p99, maxMs: max })),
    notes: [
      'Delays as monitorEventLoopDelay reports them: the interval between ticks of a 1 ms timer, so an idle loop reads about 1 ms. The control rows run the same loop with no nodeano call: what the machine itself adds. Busy per call is the active time of the event loop (performance.eventLoopUtilization) over the calls. Target for the returning dot and the MLP steps: p99 ≤ 2 ms, max ≤ 10 ms; the shared-variable dot is the baseline of issue 11.',
    ],
  };
}
