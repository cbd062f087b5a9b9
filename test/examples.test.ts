import { execFileSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

describe('examples', () => {
  it('xor.ts converges to within 0.1 of [0, 1, 1, 0]', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples/xor.ts')], { cwd: root, encoding: 'utf8' });
    const values = out.split('outputs for')[1].match(/-?\d+\.\d*(e-?\d+)?/g)!.map(Number);
    expect(values).toHaveLength(4);
    [0, 1, 1, 0].forEach((t, i) => expect(Math.abs(values[i] - t)).toBeLessThan(0.1));
    expect(out).toMatch(/step 50000: cost/);
  }, 60000);
});
