import type { SharedVariable, Variable } from './variable';

/**
 * Theano's `default_update`: an update a compiled function applies to a shared variable on every call unless the
 * caller gave one for it (or passed `noDefaultUpdates`). Random streams use it to advance their generator state.
 */
const defaults = new WeakMap<SharedVariable, Variable>();

/** Sets (or with null removes) the default update of `shared`. */
export function setDefaultUpdate(shared: SharedVariable, update: Variable | null): void {
  if (update === null) defaults.delete(shared);
  else defaults.set(shared, update);
}

/** The default update of `shared`, if it has one. */
export function defaultUpdateOf(shared: SharedVariable): Variable | undefined {
  return defaults.get(shared);
}

/**
 * The default updates a function adds: for every shared variable that `roots` (its outputs and update expressions)
 * read, not counting subgraphs that givens replace, unless it is in `exclude`. Repeated until closed, since a default
 * update may itself read other shared variables.
 */
export function collectDefaultUpdates(roots: readonly Variable[], replaced: ReadonlySet<Variable>, exclude: ReadonlySet<SharedVariable>): [SharedVariable, Variable][] {
  const found: [SharedVariable, Variable][] = [];
  const taken = new Set<SharedVariable>(exclude);
  const seen = new Set<Variable>();
  const stack = [...roots];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v) || replaced.has(v)) continue;
    seen.add(v);
    if (v.owner) {
      // a loop (scan) advances the random streams it reads: their final states are its outputs
      const loop = (v.owner.op as { defaultUpdates?: readonly (readonly [number, SharedVariable])[] }).defaultUpdates;
      for (const [k, s] of loop ?? []) {
        if (taken.has(s)) continue;
        taken.add(s);
        found.push([s, v.owner.outputs[k]]);
      }
      stack.push(...v.owner.inputs);
    }
    const up = defaults.get(v as SharedVariable);
    if (up && !taken.has(v as SharedVariable)) {
      taken.add(v as SharedVariable);
      found.push([v as SharedVariable, up]);
      stack.push(up);
    }
  }
  return found;
}
