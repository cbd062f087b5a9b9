// The eventloop section of npm run bench: how long the main thread's event loop stalls while async calls run back to
// back, measured with perf_hooks.monitorEventLoopDelay at 1 ms resolution. Run alone with `npm run bench -- eventloop`;
// NODEANO_BENCH_SECONDS sets the seconds per case (default 6).
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import * as T from '../lib';
import { Section } from './harness';

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

function seconds(): number {
  const env = process.env.NODEANO_BENCH_SECONDS;
  if (env === undefined || env === '') return 6;
  const s = Number(env);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`bench: NODEANO_BENCH_SECONDS must be a positive number of seconds, got ${JSON.stringify(env)}`);
  return s;
}

/** The stalls of every case, measured by bench/eventloop-child.cjs in plain Node on the built package at `threads`. */
function measureInChild(secs: number, threads: number): { heapMb: number; stalls: Stall[] } {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'eventloop-child.cjs'), String(secs), String(threads)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export async function eventLoopSection(native: boolean): Promise<Section[] | null> {
  // on the TypeScript backend .async runs on the main thread: there is nothing to measure
  if (!native) return null;
  const secs = seconds();
  const cores = os.cpus().length;
  const counts = [...new Set([T.config.threads || cores, 1])];
  // the child loads dist/: build it from the current sources first
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'ignore', 'inherit'] });
  return counts.map((threads) => {
    const { heapMb, stalls } = measureInChild(secs, threads);
    return table(stalls, secs, threads, heapMb);
  });
}

function table(stalls: Stall[], secs: number, threads: number, heapMb: number): Section {
  const f = (x: number) => x.toFixed(2);
  const verdict = (s: Stall) => (!s.target ? '' : s.p99 <= TARGET.p99 && s.max <= TARGET.max ? 'met' : 'missed');
  return {
    title: `Event-loop delay during back-to-back async calls, ${threads} thread${threads > 1 ? 's' : ''} (perf_hooks.monitorEventLoopDelay, 1 ms resolution, ${secs} s per case, full GC before each)`,
    baseline: stalls[3].name,
    results: stalls.map((s) => ({ name: s.name, ns: s.msPerCall * 1e6, rounds: 1 })),
    columns: ['case', 'calls', 'time per call', 'main thread busy per call', 'delay p50', 'delay p99', 'delay max', `target p99 ≤ ${TARGET.p99} ms, max ≤ ${TARGET.max} ms`],
    rows: stalls.map((s) => [s.name, String(s.calls), `${f(s.msPerCall)} ms`, `${f(s.busyMsPerCall)} ms`, `${f(s.p50)} ms`, `${f(s.p99)} ms`, `${f(s.max)} ms`, verdict(s)]),
    delays: stalls.map(({ name, p50, p99, max }) => ({ name, p50Ms: p50, p99Ms: p99, maxMs: max })),
    notes: [
      `Measured in a child process running plain Node on the built package (bench/eventloop-child.cjs; V8 heap ${heapMb.toFixed(1)} MB at the end), as an application runs an installed nodeano: under tsx the loader's own heap doubles the cost of every major collection. T.config.threads = ${threads}.`,
      'Delays as monitorEventLoopDelay reports them: the interval between ticks of a 1 ms timer, so an idle loop reads about 1 ms. The control rows run the same loop with no nodeano call: what the machine itself adds. Busy per call is the active time of the event loop (performance.eventLoopUtilization) over the calls. Target for the returning dot and the MLP steps: p99 ≤ 2 ms, max ≤ 10 ms; the shared-variable dot is the baseline of issue 11.',
    ],
  };
}
