import { spawnSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { addon, addonPath } from './addon-helpers';

// Each case runs the addon in a child process (test/backend/addon-child.cjs), so a crash is seen as a signal
// instead of taking the test runner down.
const d = addon ? describe : describe.skip;
const script = path.join(__dirname, 'addon-child.cjs');

function child(args: string[]): { line: string; status: number | null; signal: string | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--expose-gc', script, addonPath!, ...args], { encoding: 'utf8', timeout: 240_000 });
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
