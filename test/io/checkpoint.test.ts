import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';

describe('checkpoints', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeano-ckpt-'));
  const f = (n: string) => path.join(d, n);

  it('rejects bad arguments', () => {
    const W = T.shared(T.zeros([2]), 'W');
    expectError(() => T.io.saveCheckpoint(f('a'), [T.shared(T.zeros([1]))]), T.ArgumentError, 'vars[0] has no name');
    expectError(() => T.io.saveCheckpoint(f('a'), [W, T.shared(T.zeros([1]), 'W')]), T.ArgumentError, 'two shared variables are named "W"');
    expectError(() => T.io.saveCheckpoint(f('a'), { W: T.zeros([2]) } as never), T.ArgumentError, 'vars.W must be a shared variable');
    expectError(() => T.io.loadCheckpoint(f('missing'), [W]), T.FormatError, 'could not read');
  });

  it('rejects a checkpoint whose shapes have dims beyond 2^31 - 1, naming the file and the tensor', () => {
    const W = T.shared(T.zeros([0, 3], 'float32'), 'W');
    const json = Buffer.from(JSON.stringify({ W: { dtype: 'F32', shape: [0, 2 ** 31], data_offsets: [0, 0] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    fs.writeFileSync(f('huge.safetensors'), Buffer.concat([len, json]));
    expectError(() => T.io.loadCheckpoint(f('huge.safetensors'), { W }), T.FormatError, `loadCheckpoint(${JSON.stringify(f('huge.safetensors'))}): tensor "W": shape[1] must be an integer in [0, 2147483647], got 2147483648`);
    expect(W.getValue().shape).toEqual([0, 3]);
  });

  it('handles variables named like Object.prototype members: "__proto__" round-trips, a missing "toString" is reported', () => {
    const P = T.shared(T.array([1, 2], { dtype: 'float32' }), '__proto__');
    const W = T.shared(T.array([3], { dtype: 'float32' }), 'W');
    T.io.saveCheckpoint(f('proto.safetensors'), [P, W]);
    P.setValue([0, 0]);
    T.io.loadCheckpoint(f('proto.safetensors'), [P, W]);
    expect(P.getValue().toArray()).toEqual([1, 2]);
    const S = T.shared(T.zeros([1], 'float32'), 'toString');
    expectError(() => T.io.loadCheckpoint(f('proto.safetensors'), [P, W, S]), T.FormatError, '"toString" is missing from the file; no variable was changed');
  });

  it('saves parameters and optimizer state and restores them exactly', () => {
    const W = T.shared(T.array([[1, 2], [3, 4]], { dtype: 'float32' }), 'W');
    const step = T.shared(T.array(7, { dtype: 'int32' }), 'step');
    T.io.saveCheckpoint(f('c.safetensors'), [W, step], { epoch: '4' });
    W.setValue(T.zeros([2, 2], 'float32'));
    step.setValue(0);
    const meta = T.io.loadCheckpoint(f('c.safetensors'), [W, step]);
    expect(meta).toEqual({ format: 'nodeano', epoch: '4' });
    expect(W.getValue().toArray()).toEqual([[1, 2], [3, 4]]);
    expect(step.getValue().toArray()).toEqual(7);
    // the file is plain safetensors: other tools see the same names
    expect(Object.keys(T.io.loadSafetensors(f('c.safetensors')).tensors).sort()).toEqual(['W', 'step']);
  });

  it('validates everything before changing anything', () => {
    const W = T.shared(T.array([[1, 2], [3, 4]], { dtype: 'float32' }), 'W');
    const b = T.shared(T.array([5], { dtype: 'float32' }), 'b');
    T.io.saveCheckpoint(f('v.safetensors'), { W, b });
    const W2 = T.shared(T.zeros([3, 2], 'float32'), 'W');
    const b2 = T.shared(T.zeros([1], 'float64'), 'b');
    const c = T.shared(T.zeros([1], 'float32'), 'c');
    expectError(() => T.io.loadCheckpoint(f('v.safetensors'), { W: W2, b: b2, c }), T.FormatError, 'must have shape [3, 2]', 'must have dtype float64', '"c" is missing', 'no variable was changed');
    expect(W2.getValue().toArray()).toEqual([[0, 0], [0, 0], [0, 0]]);
    expectError(() => T.io.loadCheckpoint(f('v.safetensors'), { W }), T.FormatError, 'also holds "b"');
    b.setValue([0]);
    T.io.loadCheckpoint(f('v.safetensors'), { b }, { strict: false });
    expect(b.getValue().toArray()).toEqual([5]);
  });

  it('a process killed while saving never leaves a corrupt checkpoint', async () => {
    const file = f('crash.safetensors');
    const W = T.shared(T.full([4], 1, 'float32'), 'W');
    T.io.saveCheckpoint(file, { W });
    const child = `
      require('tsx/cjs');
      const T = require(${JSON.stringify(path.resolve(__dirname, '../../lib'))});
      const W = T.shared(T.zeros([4_000_000], 'float32'), 'W');
      process.stdout.write('ready\\n');
      for (let k = 2; ; k++) { W.setValue(T.full([4_000_000], k, 'float32')); T.io.saveCheckpoint(${JSON.stringify(file)}, { W }); }`;
    for (let round = 0; round < 3; round++) {
      const p = spawn(process.execPath, ['-e', child], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res) => p.stdout.once('data', () => res()));
      await new Promise((res) => setTimeout(res, 150 + 170 * round));
      p.kill('SIGKILL');
      await new Promise((res) => p.once('exit', res));
      const { tensors } = T.io.loadSafetensors(file);
      const v = tensors.W.data;
      // either the first small checkpoint or one complete large one: all elements equal
      expect(v.every((x) => x === v[0])).toBe(true);
    }
  }, 60_000);
});
