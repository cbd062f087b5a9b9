import { ArgumentError } from '../errors';
import { FunctionGraph } from '../graph/fgraph';
import { graphWork } from '../graph/toposort';
import { withoutSiteCapture } from '../graph/trace';

/** Phases run in this order; each rewrite belongs to one. */
export const PHASES = ['merge', 'constant-folding', 'canonicalize', 'stabilize', 'specialize', 'fusion', 'final-merge', 'inplace'] as const;
export type Phase = (typeof PHASES)[number];

/** A graph rewrite: returns the rewritten graph and how many times it fired (0: graph unchanged). */
export interface Rewrite {
  /** The pattern it rewrites, readable: 'elementwise chain -> fused kernel'. */
  name: string;
  phase: Phase;
  /** A pure function of the graph: the same graph always gives the same answer. */
  run(fg: FunctionGraph): { fg: FunctionGraph; count: number };
  /** Whether running it again on the graph it returned would find nothing, so its phase need not try. */
  idempotent?: boolean;
}

export type RewriteOption = 'all' | 'none' | { exclude: readonly string[] };

/** What a compilation's rewrites did: one entry per rewrite, then one per phase (its total time and passes). */
export interface RewriteLogEntry {
  phase: Phase;
  /** The rewrite's name, or `phase <phase>` for the phase's own entry. */
  name: string;
  kind: 'rewrite' | 'phase';
  /** Times the rewrite fired (for a phase: the total over its rewrites). */
  count: number;
  ms: number;
  /**
   * Graph nodes the rewrite (for a phase: its rewrites) visited: examined, walked through or rebuilt. It grows
   * linearly with the graph; tests use it to catch super-linear compile work without timing anything.
   */
  visits: number;
  /** Phase entries: passes over the graph, and whether the phase reached a fixed point within MAX_PASSES. */
  passes?: number;
  converged?: boolean;
}

const rewrites: Rewrite[] = [];

export function registerRewrite(r: Rewrite): void {
  if (rewrites.some((x) => x.name === r.name)) throw new Error(`rewrite ${r.name} registered twice`);
  rewrites.push(r);
}

export function rewriteNames(): string[] {
  return rewrites.map((r) => r.name);
}

/** Maximum passes of one phase before it is reported as not converging. */
export const MAX_PASSES = 20;

/** Runs the enabled rewrites phase by phase, each phase to a fixed point; returns the graph and what fired. */
export function optimize(fg: FunctionGraph, option: RewriteOption = 'all'): { fg: FunctionGraph; log: RewriteLogEntry[] } {
  const excluded = checkOption(option);
  // the nodes rewrites build take the sites of the nodes they replace instead of capturing a stack
  return withoutSiteCapture(() => runPhases(fg, option, excluded));
}

function runPhases(fg: FunctionGraph, option: RewriteOption, excluded: Set<string>): { fg: FunctionGraph; log: RewriteLogEntry[] } {
  const log: RewriteLogEntry[] = [];
  if (option === 'none') return { fg, log };
  for (const phase of PHASES) {
    const active = rewrites.filter((r) => r.phase === phase && !excluded.has(r.name) && !excluded.has(phase));
    if (!active.length) continue;
    const start = performance.now();
    const first = log.length;
    let converged = false;
    let pass = 0;
    // the graph each rewrite is known to find nothing in: the one it last found nothing in (it would find nothing
    // there again), or for an idempotent rewrite the one it returned
    const clean = new Map<Rewrite, FunctionGraph>();
    while (pass < MAX_PASSES) {
      pass++;
      let changed = false;
      for (const r of active) {
        let entry = log.find((e) => e.name === r.name);
        if (!entry) log.push((entry = { phase, name: r.name, kind: 'rewrite', count: 0, ms: 0, visits: 0 }));
        if (clean.get(r) === fg) continue;
        const t0 = performance.now();
        const v0 = graphWork.visits;
        const res = r.run(fg);
        entry.ms += performance.now() - t0;
        entry.visits += graphWork.visits - v0;
        entry.count += res.count;
        if (res.count > 0) {
          fg = res.fg;
          changed = true;
          if (r.idempotent) clean.set(r, fg);
        } else clean.set(r, fg);
      }
      if (!changed) {
        converged = true;
        break;
      }
    }
    const own = log.slice(first);
    const count = own.reduce((n, e) => n + e.count, 0);
    const visits = own.reduce((n, e) => n + e.visits, 0);
    log.push({ phase, name: `phase ${phase}`, kind: 'phase', count, ms: performance.now() - start, visits, passes: pass, converged });
    if (!converged) {
      process.emitWarning(`nodeano: rewrite phase ${phase} did not reach a fixed point in ${MAX_PASSES} passes; continuing with the graph as it is`);
    }
  }
  return { fg, log };
}

function checkOption(option: unknown): Set<string> {
  if (option === 'all' || option === 'none' || option === undefined) return new Set();
  const ex = (option as { exclude?: unknown })?.exclude;
  if (typeof option !== 'object' || option === null || !Array.isArray(ex) || !ex.every((x) => typeof x === 'string')) {
    throw new ArgumentError(`function: rewrites must be "all", "none" or { exclude: [names or phases] }, got ${JSON.stringify(option)}`);
  }
  const known = new Set<string>([...PHASES, ...rewrites.map((r) => r.name)]);
  const unknown = ex.filter((x) => !known.has(x));
  if (unknown.length) throw new ArgumentError(`function: rewrites.exclude must name phases or rewrites (${[...known].join(', ')}), got ${unknown.map((u) => JSON.stringify(u)).join(', ')}`);
  return new Set(ex);
}
