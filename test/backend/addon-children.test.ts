import { spawnSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { ELEMWISE_OPCODES } from '../../lib/ops/generated/elementwise-opcodes';
import { addon, addonPath } from './addon-helpers';

// Each case runs the addon in a child process (test/backend/addon-child.cjs), so a crash is seen as a signal
// instead of taking the test runner down.
const d = addon ? describe : describe.skip;
const script = path.join(__dirname, 'addon-child.cjs');

function child(args: string[], env: Record<string, string> = {}): { line: string; status: number | null; signal: string | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--expose-gc', script, addonPath!, ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  const line = (r.stdout ?? '').split('\n').find((l) => /^[A-Z]+-OK/.test(l)) ?? '';
  return { line, status: r.status, signal: r.signal, stderr: (r.stderr ?? '').slice(-2000) };
}

d('addon in child processes', () => {
  for (const seed of [1000, 8919]) {
    it(`survives fuzzing of every export (seed ${seed}): no crash, every error coded`, () => {
      const r = child(['fuzz', String(seed), '1500']);
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const m = /^FUZZ-OK calls=(\d+) ok=(\d+) runsOk=(\d+) uncoded=(\d+)$/.exec(r.line);
      expect(m, r.line + r.stderr).not.toBeNull();
      expect(Number(m![4]), r.stderr).toBe(0);
      expect(Number(m![3])).toBeGreaterThan(0); // the fuzzer reaches runs that succeed, not only argument errors
    }, 240_000);
  }

  for (const seed of [7, 4242]) {
    it(`Fused programs with hostile counts, register indices and truncated attrs return coded errors (seed ${seed})`, () => {
      const r = child(['fused', String(seed), '3000', JSON.stringify(ELEMWISE_OPCODES)]);
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const m = /^FUSED-OK programs=(\d+) ok=(\d+) runsOk=(\d+) coded=(\d+) uncoded=(\d+)$/.exec(r.line);
      expect(m, r.line + r.stderr).not.toBeNull();
      expect(Number(m![5]), r.stderr).toBe(0);
      expect(Number(m![3])).toBeGreaterThan(100); // well-formed programs among them run
      expect(Number(m![4])).toBeGreaterThan(100);
    }, 240_000);
  }

  for (const seed of [5, 2027]) {
    it(`Scan programs and plans with hostile attributes, iterations, shapes and body indices return coded errors (seed ${seed})`, () => {
      const r = child(['scan', String(seed), '2000']);
      expect(r.signal, r.stderr).toBeNull();
      expect(r.status, r.stderr).toBe(0);
      const m = /^SCAN-OK cases=(\d+) ok=(\d+) runsOk=(\d+) coded=(\d+) uncoded=(\d+) wrong=(\d+)$/.exec(r.line);
      expect(m, r.line + r.stderr).not.toBeNull();
      expect(Number(m![5]), r.stderr).toBe(0);
      expect(Number(m![6]), r.stderr).toBe(0); // the untouched cases give the reference's values
      expect(Number(m![3])).toBeGreaterThan(100);
    }, 240_000);
  }

  // NODEANO_TEST_MAX_THREADS=3 (native/kernels/thread_pool.cc) refuses the pool's fourth thread as a pids limit would.
  it('setThreads(64) where the OS gives only 3 threads: elementwise and dot kernels finish with the right values', () => {
    const r = child(['threads', '64'], { NODEANO_TEST_MAX_THREADS: '3' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.line, r.stderr).toBe('THREADS-OK set=64 read=64');
  }, 240_000);

  it('worker_threads terminated with async runs in flight exit cleanly; the others see every update', () => {
    const r = child(['workers']);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.line).toBe('WORKERS-OK 6 workers, 3 terminated with a run in flight');
  }, 240_000);

  it('programs, plans and buffers are released: RSS stays flat over 20000 rounds of ~200 KiB', () => {
    const r = child(['memory']);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const m = /^MEMORY-OK growthMiB=(-?[\d.]+)$/.exec(r.line);
    expect(m, r.line + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(64); // 20000 rounds leaking would be ~4 GB
  }, 240_000);
});
