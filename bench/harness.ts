import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createInterface } from 'readline';

export interface Case {
  name: string;
  /** Runs `n` iterations of the measured work. */
  run: (n: number) => void;
}

export interface Result {
  name: string;
  /** Median time of one iteration, in nanoseconds, over the rounds. */
  ns: number;
  rounds: number;
}

/**
 * Measures cases side by side: every round runs each case once in turn for about `roundMs`, so the machine's noise
 * (shared, 2 cores) hits all cases alike, and the median over rounds is reported. Ratios between cases of one call
 * are what to read; absolute times vary from machine to machine.
 */
export function compare(cases: Case[], opts: { rounds?: number; roundMs?: number } = {}): Result[] {
  const rounds = opts.rounds ?? 7;
  const roundMs = opts.roundMs ?? 200;
  const iters = cases.map((c) => calibrate(c, roundMs));
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => {
      const t0 = process.hrtime.bigint();
      c.run(iters[i]);
      samples[i].push(Number(process.hrtime.bigint() - t0) / iters[i]);
    });
  }
  return cases.map((c, i) => ({ name: c.name, ns: median(samples[i]), rounds }));
}

/** Cases measured in another process (a Python peer): each `round()` runs every case once and gives ns per iteration. */
export interface PeerRounds {
  names: string[];
  round(): Promise<number[]>;
}

/**
 * compare() with a second process in the same rounds: every round runs each local case in turn, then each peer case,
 * so both sides see the same noise; results are local cases then peer cases, medians over rounds.
 */
export async function compareWithPeers(cases: Case[], peers: PeerRounds | null, opts: { rounds?: number; roundMs?: number } = {}): Promise<Result[]> {
  const rounds = opts.rounds ?? 7;
  const roundMs = opts.roundMs ?? 200;
  const iters = cases.map((c) => calibrate(c, roundMs));
  const samples: number[][] = [...cases, ...(peers?.names ?? [])].map(() => []);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => {
      const t0 = process.hrtime.bigint();
      c.run(iters[i]);
      samples[i].push(Number(process.hrtime.bigint() - t0) / iters[i]);
    });
    if (peers) (await peers.round()).forEach((ns, j) => samples[cases.length + j].push(ns));
  }
  const names = [...cases.map((c) => c.name), ...(peers?.names ?? [])];
  return names.map((name, i) => ({ name, ns: median(samples[i]), rounds }));
}

export interface StartedPeers {
  peers: PeerRounds;
  versions: Record<string, string>;
  close(): void;
}

/**
 * A Python peer (bench/<script>, run by /usr/bin/python3 with `args`) as a child process answering one line per
 * round, or the reason it is not measured. Its first line is {"names", "versions"} or {"skip": reason}; then each
 * line it reads on stdin makes it print the ns per call of every case. Its BLAS and OpenMP get `threads` threads.
 */
export async function startPythonPeers(script: string, args: readonly string[], threads: number): Promise<StartedPeers | string> {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const child = spawn('/usr/bin/python3', [path.join(__dirname, script), ...args], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failed = new Promise<string>((resolve) => {
    child.on('error', (e) => resolve(`/usr/bin/python3 did not start (${e.message})`));
    child.on('exit', (code) => resolve(`bench/${script} exited with code ${code}`));
  });
  const next = async (): Promise<unknown> => {
    const line = await Promise.race([lines.next(), failed]);
    if (typeof line === 'string') throw new Error(line);
    if (line.done) throw new Error(`bench/${script} closed its output`);
    return JSON.parse(line.value);
  };
  let head: { names?: string[]; versions?: Record<string, string>; skip?: string };
  try {
    head = (await next()) as typeof head;
  } catch (e) {
    return (e as Error).message;
  }
  if (head.skip !== undefined || !head.names) return head.skip ?? `bench/${script} gave no cases`;
  const names = head.names;
  return {
    peers: {
      names,
      round: async () => {
        child.stdin.write('r\n');
        return (await next()) as number[];
      },
    },
    versions: head.versions ?? {},
    close: () => child.stdin.end(),
  };
}

function calibrate(c: Case, roundMs: number): number {
  c.run(1);
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    c.run(n);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms > roundMs / 4 || n > 1e9) return Math.max(1, Math.round((n * roundMs) / Math.max(ms, 1e-3)));
    n *= 4;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function fmtTime(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${(ns / 1e6).toFixed(2)} ms`;
}

export interface Section {
  title: string;
  /** Name of the case the ratios are relative to (unused when the section has its own `columns`). */
  baseline: string;
  results: Result[];
  notes?: string[];
  /** A section that is not times per iteration (event-loop delays) gives its own columns and rows. */
  columns?: string[];
  rows?: string[][];
  /** The event-loop section's figures as numbers, for bench/results/latest.json. */
  delays?: { name: string; p50Ms: number; p99Ms: number; maxMs: number }[];
  /** Set when the section was measured apart from the rest of the table (`--save` of one section): when and where. */
  measured?: string;
}

export function table(s: Section): string {
  const notes = [...(s.measured ? [`Measured ${s.measured}.`] : []), ...(s.notes ?? [])].map((n) => `\n${n}`);
  if (s.columns && s.rows) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [`**${s.title}**`, '', line(s.columns), line(s.columns.map(() => '---')), ...s.rows.map(line), ...notes].join('\n');
  }
  const base = s.results.find((r) => r.name === s.baseline)!;
  const rows = s.results.map((r) => `| ${r.name} | ${fmtTime(r.ns)} | ${(r.ns / base.ns).toFixed(2)}× |`);
  return [`**${s.title}** (ratio: time / ${s.baseline})`, '', '| case | time per iteration | ratio |', '|---|---|---|', ...rows, ...notes].join('\n');
}

/**
 * Writes the run's JSON under bench/results/ and refreshes the README table between its markers. With `merge`, the
 * sections replace those of the same title in the saved results (new ones are appended) and the rest is kept.
 */
export function save(sections: Section[], opts: { merge?: boolean } = {}): void {
  const root = path.resolve(__dirname, '..');
  let meta = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length };
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const saved = path.join(dir, 'latest.json');
  const measured = sections;
  if (opts.merge && fs.existsSync(saved)) {
    const old = JSON.parse(fs.readFileSync(saved, 'utf8')) as { meta: typeof meta; sections: Section[] };
    const merged = old.sections.map((o) => sections.find((s) => s.title === o.title) ?? o);
    sections = [...merged, ...sections.filter((s) => !old.sections.some((o) => o.title === s.title))];
    meta = old.meta;
  }
  const json = JSON.stringify({ meta, sections }, null, 2) + '\n';
  fs.writeFileSync(saved, json);
  const md = sections.map(table).join('\n\n');
  const readme = path.join(root, 'README.md');
  if (fs.existsSync(readme)) {
    const text = fs.readFileSync(readme, 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i >= 0 && j > i) {
      const body = `${start}\nMeasured ${meta.date.slice(0, 10)} on ${meta.cpu} (${meta.cores} cores), Node ${meta.node}.\n\n${md}\n${end}`;
      fs.writeFileSync(readme, text.slice(0, i) + body + text.slice(j + end.length));
    }
  }
  console.log(measured.map(table).join('\n\n'));
}
