import { DType } from '../dtype';
import { Attrs } from '../graph/op';
import { FunctionGraph } from '../graph/fgraph';
import { Constant, SharedVariable, Variable } from '../graph/variable';
import { labelOf } from '../graph/printing';
import { COPY } from '../ops/copy';

/** Where a slot's buffer comes from. Temps live in the plan's arena; the others are bound at call time. */
export type SlotKind = 'input' | 'shared' | 'constant' | 'temp';

export interface ProgramSlot {
  kind: SlotKind;
  dtype: DType;
  /** Index into program.inputs / program.shared / program.constants for non-temp slots. */
  ref: number;
  /** For an input, shared or constant slot: index into program.leaves of its variable, for error messages. */
  leaf?: number;
}

export interface ProgramStep {
  kernel: string;
  inputs: number[];
  outputs: number[];
  attrs: Attrs;
  /** Input positions whose buffer the output may take over where that input dies (from the inplace rewrite phase). */
  inPlace: readonly number[];
  /** Index into program.nodes: what the step computes and where the user created it, for errors. */
  node: number;
}

/**
 * A compiled function as plain data: slots, steps in execution order, outputs and updates. Both backends execute
 * this; nothing in it refers back to graph objects, so it serializes to JSON as is.
 */
export interface Program {
  name: string;
  inputs: { name: string; dtype: DType; shape: (number | null)[] }[];
  shared: { name: string; dtype: DType; ndim: number }[];
  constants: { dtype: DType; shape: number[]; data: number[] }[];
  slots: ProgramSlot[];
  steps: ProgramStep[];
  outputs: number[];
  /** After all outputs: shared[shared] <- slot, all reading values from before any update was applied. */
  updates: { shared: number; slot: number }[];
  nodes: NodeInfo[];
  /**
   * Nested programs (loop bodies), each compiled on its own: a step whose op has bodies carries their indices here
   * in its `bodies` attribute. A body reads only its inputs and constants (shared values reach it as inputs) and has
   * no updates.
   */
  subprograms: Program[];
  /** The variables of input, shared and constant slots (slot.leaf indexes here), for run-time error messages. */
  leaves: NodeInfo[];
}

/** An op with nested graphs (scan's loop body): linearize compiles each into a subprogram of the program. */
export interface OpWithBodies {
  bodies(): readonly FunctionGraph[];
}

export function hasBodies(op: object): op is OpWithBodies {
  return typeof (op as Partial<OpWithBodies>).bodies === 'function';
}

/** How a body graph becomes a program (rewrites, then linearize); given by compile.ts, which owns the rewrites. */
export type BodyCompiler = (name: string, fg: FunctionGraph) => Program;

/** What a step computes and where the user created it; formatted only when an error or a dump needs it. */
export class NodeInfo {
  private readonly v: Variable;
  private readonly prefix: string;
  constructor(v: Variable, prefix = '') {
    this.v = v;
    this.prefix = prefix;
  }
  get label(): string {
    return this.prefix + labelOf(this.v);
  }
  get createdAt(): string {
    return String(this.v.site);
  }
  /** The user's name for the variable, if it has one. */
  get name(): string | undefined {
    return this.v.name;
  }
  /** The name of the op that computes it (`dot`), or '' for a leaf. */
  get opName(): string {
    return this.v.owner?.op.name ?? '';
  }
  toJSON(): { label: string; createdAt: string } {
    return { label: this.label, createdAt: this.createdAt };
  }
}

/**
 * Slot `slot` as the user knows it, for run-time errors: the expression a temp holds, a named input, shared variable
 * or constant as printed, an unnamed input as `argument k` of the function; null when there is nothing to say.
 */
export function slotLabel(program: Program, slot: number): string | null {
  const s = program.slots[slot];
  if (!s) return null;
  if (s.kind === 'temp') {
    const step = program.steps.find((st) => st.outputs.includes(slot));
    return step ? program.nodes[step.node].label : null;
  }
  const info = s.leaf === undefined ? undefined : program.leaves[s.leaf];
  if (s.kind === 'input') return info?.name ?? `argument ${s.ref}`;
  return info ? info.label : null;
}

/**
 * Flattens a function graph into a Program. `fg.outputs` holds the function's outputs followed by the update
 * expressions of `updated`, in order.
 */
export function linearize(
  name: string,
  fg: FunctionGraph,
  nOutputs: number,
  updated: readonly SharedVariable[],
  compileBody: BodyCompiler = (n, body) => linearize(n, body, body.outputs.length, []).program,
): { program: Program; sharedVars: SharedVariable[] } {
  const slots: ProgramSlot[] = [];
  const slotOf = new Map<Variable, number>();
  const sharedVars: SharedVariable[] = [];
  const program: Program = { name, inputs: [], shared: [], constants: [], slots, steps: [], outputs: [], updates: [], nodes: [], subprograms: [], leaves: [] };

  const leafSlot = (v: Variable): number => {
    const hit = slotOf.get(v);
    if (hit !== undefined) return hit;
    let slot: ProgramSlot;
    if (v instanceof SharedVariable) {
      slot = { kind: 'shared', dtype: v.dtype, ref: sharedVars.length };
      sharedVars.push(v);
      program.shared.push({ name: v.name ?? `shared${sharedVars.length - 1}`, dtype: v.dtype, ndim: v.ndim });
    } else if (v instanceof Constant) {
      slot = { kind: 'constant', dtype: v.dtype, ref: program.constants.length };
      program.constants.push({ dtype: v.dtype, shape: v.value.shape.slice(), data: Array.from(v.value.data) });
    } else {
      throw new Error(`linearize: ${labelOf(v)} is not bound`);
    }
    slot.leaf = program.leaves.push(new NodeInfo(v)) - 1;
    slots.push(slot);
    slotOf.set(v, slots.length - 1);
    return slots.length - 1;
  };

  fg.inputs.forEach((v, i) => {
    slots.push({ kind: 'input', dtype: v.dtype, ref: i, leaf: program.leaves.push(new NodeInfo(v)) - 1 });
    slotOf.set(v, slots.length - 1);
    program.inputs.push({ name: v.name ?? `input${i}`, dtype: v.dtype, shape: v.type.shape.slice() });
  });
  for (const s of updated) leafSlot(s);

  for (const node of fg.nodes) {
    const ins = node.inputs.map((v) => slotOf.get(v) ?? leafSlot(v));
    const outs = node.outputs.map((o) => {
      slots.push({ kind: 'temp', dtype: o.dtype, ref: -1 });
      slotOf.set(o, slots.length - 1);
      return slots.length - 1;
    });
    program.nodes.push(new NodeInfo(node.outputs[0]));
    let attrs = node.op.attrs;
    if (hasBodies(node.op)) {
      const bodies = node.op.bodies().map((body, k) => program.subprograms.push(compileBody(`${name}/${node.op.name}${program.steps.length}.${k}`, body)) - 1);
      attrs = { ...attrs, bodies };
    }
    program.steps.push({ kernel: node.op.kernel, inputs: ins, outputs: outs, attrs, inPlace: node.inPlace, node: program.nodes.length - 1 });
  }

  const slotFor = (v: Variable) => slotOf.get(v) ?? leafSlot(v);
  const stage = (slot: number, v: Variable, what: string) => {
    slots.push({ kind: 'temp', dtype: slots[slot].dtype, ref: -1 });
    program.nodes.push(new NodeInfo(v, what));
    program.steps.push({ kernel: COPY, inputs: [slot], outputs: [slots.length - 1], attrs: {}, inPlace: [], node: program.nodes.length - 1 });
    return slots.length - 1;
  };
  // updates are written in place after the steps, so an output that is an updated shared variable is copied first
  const isUpdated = new Set<Variable>(updated);
  program.outputs = fg.outputs.slice(0, nOutputs).map((v) => {
    const slot = slotFor(v);
    return v instanceof SharedVariable && isUpdated.has(v) ? stage(slot, v, 'output copy of ') : slot;
  });
  const updateSources = fg.outputs.slice(nOutputs);
  const sharedIndex = new Map(sharedVars.map((v, i) => [v, i]));
  program.updates = updated.map((s, i) => {
    let slot = slotFor(updateSources[i]);
    // an update read straight from a leaf could be overwritten by another update first: stage it in a temp
    if (slots[slot].kind !== 'temp') slot = stage(slot, updateSources[i], `update of ${s.name ?? 'a shared variable'} from `);
    return { shared: sharedIndex.get(s) ?? -1, slot };
  });
  return { program, sharedVars };
}
