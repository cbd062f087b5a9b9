import { ArgumentError } from '../errors';
import { FunctionGraph } from '../graph/fgraph';
import { labelOf } from '../graph/printing';
import { toposort } from '../graph/toposort';
import { CreationSite } from '../graph/trace';
import { Apply, Constant, SharedVariable, Variable } from '../graph/variable';
import { DotOp } from '../ops/dot';
import { reshape } from '../ops/reshape';
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
  checkpoint?: boolean;
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

  if (p.strict) {
    // what the step function itself reads, before any product is moved out of the loop
    const loose = new Set<Variable>();
    for (const node of order) if (node.outputs.some((o) => dep.has(o))) for (const i of node.inputs) if (!dep.has(i) && !(i instanceof Constant) && !p.strict.includes(i)) loose.add(i);
    for (const r of p.roots) if (!dep.has(r) && !(r instanceof Constant) && !p.strict.includes(r)) loose.add(r);
    if (loose.size) throw new ArgumentError(`${p.where}: with strict, the step function may read only its arguments, got ${[...loose].map((v) => `${labelOf(v)} (created at ${v.site})`).join(', ')}; pass them as nonSequences ${p.at()}`);
  }

  // dot(x_t, W) with x_t a sequence's step and W loop-invariant -> one product over all steps before the loop, read
  // as a sequence of its own (Keras did this by hand for its Theano LSTMs)
  const nTaps = p.seqOffsets.reduce((n, o) => n + o.length, 0);
  const tapOf = new Map<Variable, [number, number]>();
  let q = 0;
  p.seqOffsets.forEach((offs, i) => offs.forEach((off) => tapOf.set(p.placeholders[q++], [i, off])));
  const seqs = p.seqs.slice();
  const seqOffsets = p.seqOffsets.map((o) => o.slice());
  const hoistedPh: Variable[] = [];
  const swap = new Map<Variable, Variable>();
  for (const node of order) {
    const op = node.op;
    if (!(op instanceof DotOp) || op.attrs.transA) continue;
    const [a, w] = node.inputs;
    const tap = tapOf.get(a);
    if (!tap || dep.has(w) || w.ndim !== 2 || (a.ndim !== 1 && a.ndim !== 2)) continue;
    const S = p.seqs[tap[0]];
    const dims = (v: Variable) => v.type.shape.map((_, k) => v.shape[k]);
    const prod = (x: Variable) => new DotOp(false, op.attrs.transB).makeNode(x, w).outputs[0];
    const all = S.ndim === 2 ? prod(S) : reshape(prod(reshape(S, [-1, S.shape[S.ndim - 1]])), [...dims(S).slice(0, -1), op.attrs.transB ? w.shape[0] : w.shape[1]]);
    const ph = new Variable(node.outputs[0].type, null, 0, `dot(${a.name ?? 'x'}, ${w.name ?? 'W'})`, p.site);
    seqs.push(all);
    seqOffsets.push([tap[1]]);
    hoistedPh.push(ph);
    swap.set(node.outputs[0], ph);
  }
  const free: Variable[] = [];
  const seen = new Set<Variable>();
  const addFree = (v: Variable) => {
    if (dep.has(v) || v instanceof Constant || seen.has(v)) return;
    seen.add(v);
    free.push(v);
  };
  for (const node of order) if (node.outputs.some((o) => dep.has(o)) && !swap.has(node.outputs[0])) node.inputs.forEach(addFree);
  p.roots.forEach(addFree);
  const sharedPh = p.stateShared.map((s) => new Variable(s.type, null, 0, `${s.name ?? 'shared'}[t-1]`, p.site));
  const freePh = free.map((v) => new Variable(v.type, null, 0, v.name, p.site));
  const replace = new Map<Variable, Variable>([...p.stateShared.map((s, i) => [s as Variable, sharedPh[i]] as const), ...free.map((v, i) => [v, freePh[i]] as const), ...swap]);
  const placeholders = [...p.placeholders.slice(0, nTaps), ...hoistedPh, ...p.placeholders.slice(nTaps)];
  const inner = new FunctionGraph([...placeholders, ...sharedPh, ...bound.map(([ph]) => ph), ...freePh], p.roots, replace);
  const spec: ScanSpec = { seqOffsets, outputs: p.outputs, nNonSeq: bound.length + free.length, steps: p.steps, reverse: p.reverse, until: p.until };
  const inputs = [...seqs, ...p.initials, ...bound.map(([, v]) => v), ...free, ...p.nRefs];
  const op = new ScanOp(spec, inner, { name: p.name, site: String(p.site), defaultUpdates: p.defaultUpdates, nInputs: inputs.length });
  op.truncate = p.truncate ?? -1;
  op.checkpoint = p.checkpoint === true;
  return op.makeNode(...inputs);
}
