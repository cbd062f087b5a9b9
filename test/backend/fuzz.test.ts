import { spawnSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { nativeAvailable } from '../helpers';

// The addon's exported functions fuzzed with wrong types, wrong sizes, detached buffers, re-entrant getters and
// garbage programs, each fuzzer in its own child process so that a crash is counted instead of ending the run.
const d = nativeAvailable ? describe : describe.skip;

d('native addon under fuzzing', () => {
  it('never crashes the process and reports every bad argument as a coded error', () => {
    const root = path.resolve(__dirname, '../..');
    const res = spawnSync(process.execPath, [path.join(root, 'scripts/native-smoke.cjs')], { cwd: root, encoding: 'utf8', timeout: 240000 });
    const out = `${res.stdout}\n${res.stderr}`;
    expect(out).toMatch(/fuzz crashes: 0\b/);
    expect(out).not.toMatch(/uncoded=[1-9]/);
    expect(out).toMatch(/\b0 failed\b/);
    expect(res.status).toBe(0);
  }, 300000);
});
