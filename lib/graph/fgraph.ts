import { Apply, Constant, SharedVariable, Variable } from './variable';
import { toposort } from './toposort';

/**
 * The graph a compiled function owns: a clone of the user's graph from `inputs` to `outputs`, with `givens`
 * substituted. Leaves (inputs, shared variables, constants) keep their identity; every Apply is new, so the
 * compiler may rewrite it freely without touching the user's graph.
 */
export class FunctionGraph {
  readonly inputs: readonly Variable[];
  readonly outputs: Variable[];
  /** Maps each user variable to its clone. */
  readonly memo = new Map<Variable, Variable>();

  constructor(inputs: readonly Variable[], outputs: readonly Variable[], givens: ReadonlyMap<Variable, Variable> = new Map()) {
    this.inputs = inputs;
    for (const [k, v] of givens) this.memo.set(k, this.cloneVar(v));
    this.outputs = outputs.map((o) => this.cloneVar(o));
  }

  private cloneVar(v: Variable): Variable {
    const hit = this.memo.get(v);
    if (hit) return hit;
    // iterative post-order so that very deep graphs do not overflow the stack
    for (const node of toposort([v])) {
      if (node.outputs.every((o) => this.memo.has(o))) continue;
      const ins = node.inputs.map((i) => this.memo.get(i) ?? i);
      const copy = new Apply(node.op, ins, node.outputs.map((o) => o.type), node.site);
      node.outputs.forEach((o, i) => {
        copy.outputs[i].name = o.name;
        this.memo.set(o, copy.outputs[i]);
      });
    }
    return this.memo.get(v) ?? v;
  }

  /** Apply nodes in execution order. */
  get nodes(): Apply[] {
    return toposort(this.outputs);
  }

  /** Leaves the outputs depend on that are neither inputs, constants nor shared variables. */
  missingInputs(): Variable[] {
    const inputs = new Set(this.inputs);
    const missing = new Set<Variable>();
    const check = (v: Variable) => {
      if (!v.owner && !inputs.has(v) && !(v instanceof Constant) && !(v instanceof SharedVariable)) missing.add(v);
    };
    this.outputs.forEach(check);
    for (const n of this.nodes) n.inputs.forEach(check);
    return [...missing];
  }
}
