import { adoptSite, Apply, Constant, SharedVariable, Variable } from './variable';
import { graphWork, toposort } from './toposort';

const NEW = 0;
const AWAIT_REPLACEMENT = 1;
const AWAIT_INPUTS = 2;

/**
 * The graph a compiled function owns: a clone of the user's graph from `inputs` to `outputs`, with `replace`
 * substituted. Leaves (inputs, shared variables, constants) keep their identity; every Apply of the user's graph is
 * copied, so the compiler may rewrite it freely without touching the user's graph. The graph never changes once
 * built: a rewrite builds a new one.
 *
 * User givens are not applied inside their own replacement values (Theano's rule). Rewrites pass
 * `{ recursive: true }`: a replacement may then refer to variables that are themselves replaced. Nodes a rewrite
 * built without a site (withoutSiteCapture) take the site of the variable they replace.
 */
export class FunctionGraph {
  readonly inputs: readonly Variable[];
  readonly outputs: Variable[];
  /** Maps each original variable to its clone. */
  readonly memo = new Map<Variable, Variable>();
  /** Replacements still to resolve (rewrites only): those in `started` are resolved or being resolved. */
  private readonly pending: ReadonlyMap<Variable, Variable>;
  private readonly started = new Set<Variable>();
  private readonly recursive: boolean;
  private order: Apply[] | undefined;

  constructor(inputs: readonly Variable[], outputs: readonly Variable[], replace: ReadonlyMap<Variable, Variable> = new Map(), opts: { recursive?: boolean } = {}) {
    this.inputs = inputs;
    this.recursive = opts.recursive === true;
    this.pending = this.recursive ? replace : new Map();
    if (!this.recursive) {
      for (const [k, v] of replace) {
        adoptSite(v, k.site);
        this.memo.set(k, v);
      }
    }
    this.outputs = outputs.map((o) => this.cloneVar(o));
  }

  /** The clone of v if it is known, or v itself for a leaf that is not replaced; undefined while work is left. */
  private known(v: Variable): Variable | undefined {
    const hit = this.memo.get(v);
    if (hit) return hit;
    return v.owner || this.replaces(v) ? undefined : v;
  }

  /** Whether v has a replacement whose resolution has not started. */
  private replaces(v: Variable): boolean {
    return this.pending.has(v) && !this.started.has(v);
  }

  /**
   * The clone of v: an iterative post-order walk that stops at known variables, so each Apply is cloned once and
   * deep graphs (and long chains of replacements) need no deep recursion. A replacement is resolved in place of the
   * variable it replaces; it is marked started first, so a replacement that reads the variable it replaces
   * gets a clone of the original there. A rewrite's rebuild (`recursive`) keeps an Apply whose inputs all stayed the
   * same instead of copying it: every Apply in a rewrite's graph is already the compiler's own.
   */
  private cloneVar(root: Variable): Variable {
    const done = this.known(root);
    if (done) return done;
    // parallel stacks: a variable to resolve, its state (NEW, or waiting for its replacement or its owner's inputs)
    // and, while waiting for one, its replacement
    const vars: Variable[] = [root];
    const state: number[] = [NEW];
    const reps: (Variable | undefined)[] = [undefined];
    const push = (v: Variable) => {
      vars.push(v);
      state.push(NEW);
      reps.push(undefined);
    };
    const pop = () => {
      vars.pop();
      state.pop();
      reps.pop();
    };
    while (vars.length) {
      const top = vars.length - 1;
      const v = vars[top];
      if (state[top] === NEW) {
        if (this.memo.has(v)) {
          pop();
          continue;
        }
        const rep = this.replaces(v) ? this.pending.get(v) : undefined;
        if (rep !== undefined) {
          adoptSite(rep, v.site);
          this.started.add(v);
          state[top] = AWAIT_REPLACEMENT;
          reps[top] = rep;
          push(rep);
          continue;
        }
        if (!v.owner) {
          pop();
          continue;
        }
        state[top] = AWAIT_INPUTS;
      }
      if (state[top] === AWAIT_REPLACEMENT) {
        this.memo.set(v, this.known(reps[top]!)!);
        pop();
        continue;
      }
      const node = v.owner!;
      if (this.memo.has(v)) {
        pop();
        continue;
      }
      const missing = node.inputs.find((i) => this.known(i) === undefined);
      if (missing) {
        push(missing);
        continue;
      }
      pop();
      graphWork.visits++;
      const ins = node.inputs.map((i) => this.known(i)!);
      if (this.recursive && ins.every((c, k) => c === node.inputs[k])) {
        for (const o of node.outputs) this.memo.set(o, o);
        continue;
      }
      const copy = new Apply(node.op, ins, node.outputs.map((o) => o.type), node.site, node.inPlace);
      node.outputs.forEach((o, i) => {
        copy.outputs[i].name = o.name;
        this.memo.set(o, copy.outputs[i]);
      });
    }
    return this.known(root)!;
  }

  /** Apply nodes in execution order (computed once: the graph does not change after construction). */
  get nodes(): readonly Apply[] {
    return (this.order ??= toposort(this.outputs));
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
