import { Apply, Constant, SharedVariable, Variable } from './variable';
import { toposort } from './toposort';

/**
 * The graph a compiled function owns: a clone of the user's graph from `inputs` to `outputs`, with `replace`
 * substituted. Leaves (inputs, shared variables, constants) keep their identity; every Apply is new, so the
 * compiler may rewrite it freely without touching the user's graph.
 *
 * User givens are not applied inside their own replacement values (Theano's rule). Rewrites pass
 * `{ recursive: true }`: a replacement may then refer to variables that are themselves replaced.
 */
export class FunctionGraph {
  readonly inputs: readonly Variable[];
  readonly outputs: Variable[];
  /** Maps each original variable to its clone. */
  readonly memo = new Map<Variable, Variable>();
  private readonly pending: Map<Variable, Variable>;
  private readonly recursive: boolean;

  constructor(inputs: readonly Variable[], outputs: readonly Variable[], replace: ReadonlyMap<Variable, Variable> = new Map(), opts: { recursive?: boolean } = {}) {
    this.inputs = inputs;
    this.recursive = opts.recursive === true;
    this.pending = new Map(replace);
    if (!this.recursive) {
      for (const [k, v] of replace) this.memo.set(k, v);
      this.pending.clear();
    }
    this.outputs = outputs.map((o) => this.cloneVar(o));
  }

  /** The clone of v if it is known or a leaf; undefined if its Apply still has to be cloned. */
  private resolve(v: Variable): Variable | undefined {
    const hit = this.memo.get(v);
    if (hit) return hit;
    const rep = this.pending.get(v);
    if (rep) {
      this.pending.delete(v);
      const c = this.cloneVar(rep);
      this.memo.set(v, c);
      return c;
    }
    return v.owner ? undefined : v;
  }

  // iterative post-order walk that stops at known variables, so each Apply is cloned once and deep graphs are fine
  private cloneVar(v: Variable): Variable {
    const done = this.resolve(v);
    if (done) return done;
    const stack: Apply[] = [v.owner!];
    const onStack = new Set<Apply>(stack);
    while (stack.length) {
      const node = stack[stack.length - 1];
      const next = node.inputs.find((i) => this.resolve(i) === undefined && !onStack.has(i.owner!));
      if (next) {
        stack.push(next.owner!);
        onStack.add(next.owner!);
        continue;
      }
      stack.pop();
      const ins = node.inputs.map((i) => this.resolve(i)!);
      const copy = new Apply(node.op, ins, node.outputs.map((o) => o.type), node.site);
      node.outputs.forEach((o, i) => {
        copy.outputs[i].name = o.name;
        this.memo.set(o, copy.outputs[i]);
      });
    }
    return this.memo.get(v)!;
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
