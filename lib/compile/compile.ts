import { ArgumentError, CompileError } from '../errors';
import { describe } from '../ndarray';
import { asVariable } from '../graph/as-variable';
import { FunctionGraph } from '../graph/fgraph';
import { ancestors } from '../graph/toposort';
import { labelOf } from '../graph/printing';
import { Constant, SharedVariable, Variable } from '../graph/variable';
import { withoutGradModifiers } from '../ops/grad-modifiers';
import { collectDefaultUpdates } from '../graph/default-update';
import { optimize, RewriteLogEntry, RewriteOption } from '../rewrite';
import { linearize, Program } from './program';

export type UpdatesLike = readonly (readonly [SharedVariable, unknown])[] | ReadonlyMap<SharedVariable, unknown>;
export type GivensLike = readonly (readonly [Variable, unknown])[] | ReadonlyMap<Variable, unknown>;

export interface FunctionOptions {
  /** Pairs [shared, newValue], applied together after the outputs are computed (each reads the old values). */
  updates?: UpdatesLike;
  /** Pairs [variable, replacement] substituted into the graph before compilation. */
  givens?: GivensLike;
  name?: string;
  /** 'native' runs in the C++ addon (an error if it is unavailable), 'js' on the TypeScript kernels; default T.config.backend. */
  backend?: 'js' | 'native';
  /** An input that nothing uses is an error ('raise', the default), a warning, or ignored. */
  onUnusedInput?: 'raise' | 'warn' | 'ignore';
  /** Convert inputs to the declared dtype even when values could lose precision (float64 -> float32). */
  allowInputDowncast?: boolean;
  /** Graph rewrites to run: all (default), none, or all but some names or phases. */
  rewrites?: RewriteOption;
  /** Skip the default updates (random stream states advancing) of all shared variables (true) or of those listed. */
  noDefaultUpdates?: boolean | readonly SharedVariable[];
}

/** A function's graph checked, rewritten and flattened: everything T.function needs before it picks a runtime. */
export interface CompiledGraph {
  name: string;
  /** `function <name>`, the prefix of every message about this function. */
  where: string;
  inputs: readonly Variable[];
  outputs: Variable[];
  /** Whether the outputs were given as one Variable (the call returns an NDArray), a list, or nothing. */
  single: boolean;
  returnsNothing: boolean;
  updated: SharedVariable[];
  /** The graph after rewrites: the outputs, then one update expression per updated shared variable. */
  optimized: FunctionGraph;
  log: RewriteLogEntry[];
  program: Program;
  sharedVars: SharedVariable[];
}

/**
 * Checks T.function's arguments (every problem listed at once), adds the default updates, builds the function graph,
 * runs the rewrites and flattens the result into a Program.
 */
export function compileGraph(inputs: readonly Variable[], outputs: Variable | readonly Variable[] | null | undefined, opts: FunctionOptions): CompiledGraph {
  const where = `function${opts && typeof opts.name === 'string' ? ` ${opts.name}` : ''}`;
  if (!Array.isArray(inputs)) throw new ArgumentError(`${where}: inputs must be an array of Variables, got ${describe(inputs)}`);
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(`${where}: options must be an object, got ${describe(opts)}`);
  const known = ['updates', 'givens', 'name', 'backend', 'onUnusedInput', 'allowInputDowncast', 'rewrites', 'noDefaultUpdates'];
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  const problems: string[] = unknown.map((k) => `option ${JSON.stringify(k)} is not known (known: ${known.join(', ')})`);
  if (opts.backend !== undefined && opts.backend !== 'js' && opts.backend !== 'native') problems.push(`backend must be "js" or "native", got ${JSON.stringify(opts.backend)}`);
  if (opts.onUnusedInput !== undefined && !['raise', 'warn', 'ignore'].includes(opts.onUnusedInput)) {
    problems.push(`onUnusedInput must be "raise", "warn" or "ignore", got ${JSON.stringify(opts.onUnusedInput)}`);
  }

  inputs.forEach((v, i) => {
    if (!(v instanceof Variable)) problems.push(`inputs[${i}] must be a Variable, got ${describe(v)}`);
    else if (v instanceof SharedVariable) problems.push(`inputs[${i}] (${labelOf(v)}) must not be a shared variable: its value is already known (use givens to replace it)`);
    else if (v instanceof Constant) problems.push(`inputs[${i}] (${labelOf(v)}) must not be a constant`);
    else if (v.owner) problems.push(`inputs[${i}] must be an input variable (like T.matrix()), got the computed ${labelOf(v)}`);
    else if (inputs.indexOf(v) !== i) problems.push(`inputs[${i}] (${labelOf(v)}) is listed twice`);
  });

  const single = outputs instanceof Variable;
  const outList: Variable[] = [];
  if (single) outList.push(outputs as Variable);
  else if (Array.isArray(outputs)) {
    outputs.forEach((o, i) => {
      if (o instanceof Variable) outList.push(o);
      else problems.push(`outputs[${i}] must be a Variable, got ${describe(o)}`);
    });
  } else if (outputs !== undefined && outputs !== null) problems.push(`outputs must be a Variable, an array of Variables or undefined, got ${describe(outputs)}`);

  const updated: SharedVariable[] = [];
  const updateExprs: Variable[] = [];
  for (const [k, [s, value]] of pairs(opts.updates, 'updates', problems).entries()) {
    if (!(s instanceof SharedVariable)) {
      problems.push(`updates[${k}][0] must be a shared variable, got ${describe(s)}`);
      continue;
    }
    if (updated.includes(s)) {
      problems.push(`updates[${k}] updates ${labelOf(s)} a second time`);
      continue;
    }
    let v: Variable;
    try {
      v = asVariable(value, where, `updates[${k}][1]`, s.dtype);
    } catch (e) {
      problems.push((e as Error).message.replace(`${where}: `, ''));
      continue;
    }
    if (v.dtype !== s.dtype || v.ndim !== s.ndim) {
      const fix = v.dtype !== s.dtype ? `; cast it with T.cast(value, "${s.dtype}")` : '';
      problems.push(`update of ${labelOf(s)} must have type ${s.type} like the shared variable, got ${v.type} for ${labelOf(v)}${fix}`);
      continue;
    }
    updated.push(s);
    updateExprs.push(v);
  }

  const givens = new Map<Variable, Variable>();
  for (const [k, [target, value]] of pairs(opts.givens, 'givens', problems).entries()) {
    if (!(target instanceof Variable) || target instanceof Constant) {
      problems.push(`givens[${k}][0] must be a Variable to replace, got ${describe(target)}`);
      continue;
    }
    let v: Variable;
    try {
      v = asVariable(value, where, `givens[${k}][1]`, target.dtype);
    } catch (e) {
      problems.push((e as Error).message.replace(`${where}: `, ''));
      continue;
    }
    if (!target.type.accepts(v.type)) {
      problems.push(`givens replacement for ${labelOf(target)} must have type ${target.type}, got ${v.type}`);
      continue;
    }
    givens.set(target, v);
  }
  const noDefaults = opts.noDefaultUpdates;
  if (noDefaults !== undefined && typeof noDefaults !== 'boolean' && !(Array.isArray(noDefaults) && noDefaults.every((s) => s instanceof SharedVariable))) {
    problems.push(`noDefaultUpdates must be a boolean or an array of shared variables, got ${describe(noDefaults)}`);
  }
  if (problems.length) throw new CompileError(`${where}: ${problems.join('; ')}`);
  // Theano's default updates: shared variables read by the function that carry one (random stream states) advance
  if (noDefaults !== true) {
    const exclude = new Set([...updated, ...(Array.isArray(noDefaults) ? noDefaults : [])]);
    for (const [s, v] of collectDefaultUpdates([...outList, ...updateExprs], new Set(givens.keys()), exclude)) {
      updated.push(s);
      updateExprs.push(v);
    }
  }

  const fg = new FunctionGraph(inputs, [...outList, ...updateExprs], givens);
  const missing = fg.missingInputs();
  if (missing.length) {
    const list = missing.map((m) => `${labelOf(m)} (created at ${m.site})`).join(', ');
    throw new CompileError(`${where}: the outputs depend on ${list}, which must be listed in inputs or replaced through givens`);
  }
  const used = ancestors(fg.outputs);
  const unused = inputs.filter((v) => !used.has(v));
  if (unused.length && opts.onUnusedInput !== 'ignore') {
    const msg = `${where}: inputs ${unused.map((u) => `${inputs.indexOf(u)} (${labelOf(u)})`).join(', ')} are not used by the outputs or updates; remove them or pass { onUnusedInput: "ignore" }`;
    if (opts.onUnusedInput === 'warn') process.emitWarning(msg);
    else throw new CompileError(msg);
  }

  const name = opts.name ?? 'function';
  // gradient modifiers are forward identities: dropped here, so they cost nothing even with rewrites off
  const { fg: optimized, log } = optimize(withoutGradModifiers(fg), opts.rewrites);
  const { program, sharedVars } = linearize(name, optimized, outList.length, updated, (n, body) => compileBody(n, body, opts.rewrites));
  return {
    name, where, inputs, outputs: outList, single, returnsNothing: outputs === undefined || outputs === null, updated,
    optimized, log, program, sharedVars,
  };
}

/** A loop body's graph rewritten like its function's and flattened (its own bodies too). */
export function compileBody(name: string, body: FunctionGraph, rewrites: RewriteOption | undefined): Program {
  const { fg } = optimize(withoutGradModifiers(body), rewrites);
  return linearize(name, fg, fg.outputs.length, [], (n, b) => compileBody(n, b, rewrites)).program;
}

function pairs(x: unknown, what: string, problems: string[]): (readonly [unknown, unknown])[] {
  if (x === undefined || x === null) return [];
  if (x instanceof Map) return [...x.entries()];
  if (Array.isArray(x)) {
    const out: (readonly [unknown, unknown])[] = [];
    x.forEach((p, i) => {
      if (Array.isArray(p) && p.length === 2) out.push([p[0], p[1]]);
      else problems.push(`${what}[${i}] must be a pair [variable, value], got ${describe(p)}`);
    });
    return out;
  }
  problems.push(`${what} must be an array of [variable, value] pairs or a Map, got ${describe(x)}`);
  return [];
}


