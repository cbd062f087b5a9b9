import { SingleBar } from 'cli-progress';
import { ArgumentError } from '../errors';
import { describe } from '../ndarray';

export interface ProgressOptions {
  /** Units (samples) the run will process. */
  total: number;
  /** Text before the bar, e.g. 'epoch 3/10'. */
  label?: string;
  /** Where to write (default process.stderr). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Draw a live bar (default: whether the stream is a terminal); otherwise print plain log lines. */
  tty?: boolean;
  /** Seconds between plain log lines (default 10); the final line is always printed. */
  logEvery?: number;
}

/** A progress display for a training run: a live bar on a terminal, periodic plain lines in logs. */
export interface Progress {
  /** Adds `n` processed units (a batch) and updates the shown loss (or other numbers). */
  tick(n: number, values?: Record<string, number>): void;
  /** Prints the final state (with `values` merged in) and releases the terminal. */
  finish(values?: Record<string, number>): void;
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || v === 0 ? v.toFixed(0) : v.toPrecision(4));
const secs = (s: number) => (!Number.isFinite(s) ? '?' : s >= 3600 ? `${(s / 3600).toFixed(1)}h` : s >= 60 ? `${(s / 60).toFixed(1)}m` : `${s.toFixed(1)}s`);

/**
 * Shows loss, throughput (units/s) and ETA while training.
 * @example const p = T.train.progress({ total: 60000, label: 'epoch 1' }); p.tick(128, { loss }); p.finish();
 */
export function progress(opts: ProgressOptions): Progress {
  const problems: string[] = [];
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(`progress: options must be an object, got ${describe(opts)}`);
  if (!(Number.isInteger(opts.total) && opts.total >= 0)) problems.push(`total must be a non-negative integer, got ${describe(opts.total)}`);
  if (opts.logEvery !== undefined && !(typeof opts.logEvery === 'number' && opts.logEvery >= 0)) problems.push(`logEvery must be a non-negative number of seconds, got ${describe(opts.logEvery)}`);
  if (problems.length) throw new ArgumentError(`progress: ${problems.join('; ')}`);
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const label = opts.label ?? 'training';
  const start = performance.now();
  const values: Record<string, number> = {};
  let done = 0;
  let lastLog = start;
  const rate = () => done / Math.max(1e-9, (performance.now() - start) / 1000);
  const extras = () => Object.entries(values).map(([k, v]) => `${k} ${fmt(v)}`).join(' | ');
  const line = () => {
    const pct = opts.total ? ((100 * done) / opts.total).toFixed(0) : '100';
    const r = rate();
    const eta = secs(done >= opts.total ? 0 : (opts.total - done) / r);
    return [`${label}: ${done}/${opts.total} (${pct}%)`, extras(), `${fmt(r)} samples/s`, `ETA ${eta}`].filter((s) => s).join(' | ');
  };
  let bar: SingleBar | null = null;
  if (tty) {
    bar = new SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: `${label} [{bar}] {percentage}% | {extras} | {speed} samples/s | ETA {eta}`,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
      formatValue: (v, _o, type) => (type === 'eta' ? secs(Number(v)) : String(v)),
    });
    bar.start(opts.total, 0, { extras: '', speed: '0' });
  }
  let finished = false;
  return {
    tick(n, vals) {
      if (!(Number.isFinite(n) && n >= 0)) throw new ArgumentError(`progress.tick: n must be a non-negative number, got ${describe(n)}`);
      if (finished) throw new ArgumentError('progress.tick: the progress display was finished');
      done = Math.min(opts.total, done + n);
      if (vals) Object.assign(values, vals);
      if (bar) bar.update(done, { extras: extras(), speed: fmt(rate()) });
      else if ((performance.now() - lastLog) / 1000 >= (opts.logEvery ?? 10)) {
        lastLog = performance.now();
        stream.write(line() + '\n');
      }
    },
    finish(vals) {
      if (finished) return;
      finished = true;
      if (vals) Object.assign(values, vals);
      if (bar) {
        bar.update(done, { extras: extras(), speed: fmt(rate()) });
        bar.stop();
      } else stream.write(line() + '\n');
    },
  };
}
