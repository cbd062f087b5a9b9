import { describe, expect, it, vi } from 'vitest';
import * as T from '../../lib';
import { MAX_PASSES, registerRewrite } from '../../lib/rewrite/registry';

// A rewrite that claims to change every graph that has an output named 'spin': its phase can never reach a fixed
// point. Registered only in this file's module graph (vitest isolates test files).
registerRewrite({
  name: 'test only: never converges',
  phase: 'canonicalize',
  run: (fg) => ({ fg: new T.FunctionGraph(fg.inputs, fg.outputs), count: fg.outputs.some((o) => o.name === 'spin') ? 1 : 0 }),
});

describe('rewriteLog', () => {
  it('lists each rewrite that ran and one entry per phase with its time, passes and convergence', () => {
    const x = T.dvector('x');
    const f = T.function([x], T.log(T.sigmoid(x)).mul(2).add(0));
    const log = f.rewriteLog();
    const phases = log.filter((e) => e.kind === 'phase');
    expect(phases.map((e) => e.phase)).toEqual(['merge', 'constant-folding', 'canonicalize', 'stabilize', 'specialize', 'fusion', 'final-merge', 'inplace']);
    for (const p of phases) {
      expect(p.name).toBe(`phase ${p.phase}`);
      expect(p.converged).toBe(true);
      expect(p.passes).toBeGreaterThanOrEqual(1);
      // a phase's time covers its rewrites' times, and its count is theirs summed
      const own = log.filter((e) => e.kind === 'rewrite' && e.phase === p.phase);
      expect(p.count).toBe(own.reduce((n, e) => n + e.count, 0));
      expect(p.ms + 1e-9).toBeGreaterThanOrEqual(own.reduce((n, e) => n + e.ms, 0));
    }
    expect(log.find((e) => e.name === 'log(sigmoid(x)) -> -softplus(-x)')!.count).toBe(1);
    expect(phases.find((e) => e.phase === 'stabilize')!.passes).toBe(2); // one pass that fires, one that finds nothing
  });

  it('is empty with rewrites off, and leaves out an excluded phase', () => {
    const x = T.dvector('x');
    expect(T.function([x], x.exp(), { rewrites: 'none' }).rewriteLog()).toEqual([]);
    const log = T.function([x], x.exp(), { rewrites: { exclude: ['stabilize'] } }).rewriteLog();
    expect(log.some((e) => e.phase === 'stabilize')).toBe(false);
  });

  it('reports a phase that hits its pass limit (a warning and converged: false) instead of hanging', () => {
    const x = T.dvector('x');
    const y = x.exp();
    y.name = 'spin';
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const f = T.function([x], y);
      const phase = f.rewriteLog().find((e) => e.name === 'phase canonicalize')!;
      expect(phase.converged).toBe(false);
      expect(phase.passes).toBe(MAX_PASSES);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('rewrite phase canonicalize did not reach a fixed point'));
      expect(Array.from((f([0]) as T.NDArray).data)).toEqual([1]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('debugprint of a compiled function', () => {
  it('shows the graph after rewrites', () => {
    const x = T.dvector('x');
    const y = T.log(T.sigmoid(x));
    const after = T.debugprint(T.function([x], y, { rewrites: { exclude: ['fusion'] } }));
    const before = T.debugprint(T.function([x], y, { rewrites: 'none' }));
    expect(after).toContain('softplus');
    expect(after).not.toContain('sigmoid');
    expect(before).toContain('sigmoid');
    expect(T.debugprint(y)).toContain('sigmoid'); // the user's graph is untouched
  });
});
