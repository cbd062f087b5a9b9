import { ArgumentError } from '../errors';
import { FunctionGraph } from '../graph/fgraph';
import { labelOf } from '../graph/printing';
import { toposort } from '../graph/toposort';
import { CreationSite } from '../graph/trace';
import { Apply, Constant, SharedVariable, Variable } from '../graph/variable';
import { ScanOp, ScanOutput, ScanSpec } from './op';

export interface LoopParts {
  name?: string;
  site: CreationSite;
  where: string;
  at: () => string;
  seqs: Variable[];
  seqOffsets: number[][];
  outputs: ScanOutput[];
  /** One per output with lags, in output order ([rows, ...state]). */
  initials: Variable[];
  /** The step's placeholders: sequence taps, then output lags (without those of `stateShared`). */
  placeholders: Variable[];
  /** Shared variables the loop carries as states (their lag-1 placeholder is the variable itself in `roots`). */
  stateShared: SharedVariable[];
  /** The body's values: one per output, then the until condition. */
  roots: Variable[];
  steps: ScanSpec['steps'];
  nRefs: Variable[];
  reverse: boolean;
  until: boolean;
  /** With strict: the only variables from outside the step the body may read. */
  strict: Variable[] | null;
  /** Non-sequences the body reads through placeholders of its own: [placeholder, outer value]. */
  bound?: readonly (readonly [Variable, Variable])[];
  defaultUpdates?: readonly (readonly [number, SharedVariable])[];
  truncate?: number;
  /** Non-sequences given to the step as they are: the body reads each as an input, what computes it stays outside. */
  cut?: ReadonlySet<Variable>;
}

/**
 * Makes the loop's node from a traced step. The body is what depends on the step's placeholders: every other
 * variable it reads is computed once outside the loop and enters as a non-sequence (loop-invariant code is hoisted
 * by construction), shared variables included.
 */
export function buildLoop(p: LoopParts): Apply {
  const bound = p.bound ?? [];
  const own = new Set<Variable>([...p.placeholders, ...p.stateShared, ...bound.map(([ph]) => ph)]);
  const dep = new Set<Variable>(own);
  const order = toposort(p.roots);
  const cut = p.cut ?? new Set<Variable>();
  for (const node of order) if (node.inputs.some((i) => dep.has(i))) node.outputs.forEach((o) => cut.has(o) || dep.add(o));
  const free: Variable[] = [];
  const seen = new Set<Variable>();
  const addFree = (v: Variable) => {
    if (dep.has(v) || v instanceof Constant || seen.has(v)) return;
    seen.add(v);
    free.push(v);
  };
  for (const node of order) if (node.outputs.some((o) => dep.has(o))) node.inputs.forEach(addFree);
  p.roots.forEach(addFree);
  if (p.strict) {
    const loose = free.filter((v) => !p.strict!.includes(v));
    if (loose.length) throw new ArgumentError(`${p.where}: with strict, the step function may read only its arguments, got ${loose.map((v) => `${labelOf(v)} (created at ${v.site})`).join(', ')}; pass them as nonSequences ${p.at()}`);
  }
  const sharedPh = p.stateShared.map((s) => new Variable(s.type, null, 0, `${s.name ?? 'shared'}[t-1]`, p.site));
  const freePh = free.map((v) => new Variable(v.type, null, 0, v.name, p.site));
  const replace = new Map<Variable, Variable>([...p.stateShared.map((s, i) => [s as Variable, sharedPh[i]] as const), ...free.map((v, i) => [v, freePh[i]] as const)]);
  const inner = new FunctionGraph([...p.placeholders, ...sharedPh, ...bound.map(([ph]) => ph), ...freePh], p.roots, replace);
  const spec: ScanSpec = { seqOffsets: p.seqOffsets, outputs: p.outputs, nNonSeq: bound.length + free.length, steps: p.steps, reverse: p.reverse, until: p.until };
  const inputs = [...p.seqs, ...p.initials, ...bound.map(([, v]) => v), ...free, ...p.nRefs];
  const op = new ScanOp(spec, inner, { name: p.name, site: String(p.site), defaultUpdates: p.defaultUpdates, nInputs: inputs.length });
  op.truncate = p.truncate ?? -1;
  return op.makeNode(...inputs);
}
