import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { opRows, renderTable } from '../../scripts/op-table';
import { publicOps } from '../op-cases';
import { nativeAvailable } from '../helpers';

// docs/ops.md is generated from what the code does; this keeps it complete and current.
describe('docs/ops.md, the op status table', () => {
  const rows = opRows();
  it('has a row for every public op and the random draws, with every cell filled', () => {
    expect(rows.map((r) => r.op)).toEqual(expect.arrayContaining(publicOps));
    expect(rows.filter((r) => r.op.startsWith('RandomStreams.')).length).toBe(3);
    for (const r of rows) for (const [k, v] of Object.entries(r)) expect(v.trim(), `${r.op}.${k}`).not.toBe('');
  });

  it.skipIf(!nativeAvailable)('matches the committed file (regenerate with npx tsx scripts/op-table.ts)', () => {
    expect(fs.readFileSync(path.resolve(__dirname, '../../docs/ops.md'), 'utf8')).toBe(renderTable(rows));
  });
});
