import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The C++ kernel checks (native/kernels/test/kernel_check.cc): every native kernel against a naive reference, the
// prepared form of every call against its generic kernel bit for bit, the thread pool, and the float32 exp / log /
// tanh / sigmoid approximations against double libm on both SIMD paths. build.sh compiles the kernels with the
// addon's flags into a fresh directory and runs the checker in its quick mode; it exits 77 when g++ or the OpenBLAS
// headers are missing, and this test then skips with its reason.
const root = path.resolve(__dirname, '../..');
const script = path.join(root, 'native/kernels/test/build.sh');

interface Run {
  code: number;
  output: string;
}

function runBuild(dir: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', [script, '--quick'], { env: { ...process.env, KERNEL_CHECK_BUILD: dir }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('native kernel checks', () => {
  it('kernel_check --quick passes every check', async (ctx) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nodeano-kernel-check-'));
    try {
      const { code, output } = await runBuild(dir);
      if (code === 77) ctx.skip(output.trim().replace(/^skip: /, ''));
      expect(code, `kernel_check failed (exit ${code}):\n${output}`).toBe(0);
      const summary = /(\d+) passed, (\d+) failed/.exec(output);
      expect(summary, `no summary line in:\n${output}`).not.toBeNull();
      expect(Number(summary![2]), output).toBe(0);
      expect(Number(summary![1])).toBeGreaterThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
