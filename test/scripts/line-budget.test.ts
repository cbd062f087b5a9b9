import { describe, expect, it } from 'vitest';
import { codeLines, CORE_BUDGET, FILE_LIMIT, lineBudget } from '../../scripts/line-budget';

describe('line budget (scripts/line-budget.ts, npm run lines)', () => {
  it('counts code lines, not blank lines or comments', () => {
    expect(codeLines('a();\n\n// x\n/** doc\n * more\n */\nb();\n  /* one */\nc(); // trailing\n')).toBe(3);
  });
  it(`keeps the core within ${CORE_BUDGET} code lines and every source file within ${FILE_LIMIT} lines or says why`, () => {
    const r = lineBudget();
    expect(r.longFiles).toEqual([]);
    expect(r.core).toBeLessThanOrEqual(CORE_BUDGET);
    expect(r.perFolder.every((f) => f.files > 0 && f.lines > 0)).toBe(true);
  });
});
