import { ArgumentError, BackendError, CompileError, InputError } from '../errors';
import { canCastSafely, DType, dtypeOfTypedArray, TypedArray } from '../dtype';
import { array, convertData, describe, NDArray, shapeStr, sizeOf } from '../ndarray';
import { asVariable } from '../graph/as-variable';
import { FunctionGraph } from '../graph/fgraph';
import { ancestors } from '../graph/toposort';
import { Constant, SharedVariable, Variable } from '../graph/variable';
import { debugprintVariables, labelOf } from '../printing';
import { JsExecutor, JsPrepared } from '../backend/js';
import { planMemory, shapeKey } from './memory-plan';
import { linearize, Program } from './program';
import { optimize, RewriteLogEntry, RewriteOption } from '../rewrite';

export type UpdatesLike = readonly (readonly [SharedVariable, unknown])[] | ReadonlyMap<SharedVariable, unknown>;
export type GivensLike = readonly (readonly [Variable, unknown])[] | ReadonlyMap<Variable, unknown>;

export interface FunctionOptions {
  /** Pairs [shared, newValue], applied together after the outputs are computed (each reads the old values). */
  updates?: UpdatesLike;
  /** Pairs [variable, replacement] substituted into the graph before compilation. */
  givens?: GivensLike;
  name?: string;
  /** 'js' runs the TypeScript kernels. */
  backend?: 'js' | 'native';
  /** An input that nothing uses is an error ('raise', the default), a warning, or ignored. */
  onUnusedInput?: 'raise' | 'warn' | 'ignore';
  /** Convert inputs to the declared dtype even when values could lose precision (float64 -> float32). */
  allowInputDowncast?: boolean;
  /** Graph rewrites to run: all (default), none, or all but some names or phases. */
  rewrites?: RewriteOption;
}

export interface FunctionInfo {
  /** How many memory plans have been made (one per distinct signature of input and shared shapes). */
  plans: number;
  /** Bytes of the arena of the most recent plan, and what the temps would take without reuse. */
  arenaBytes: number;
  unsharedBytes: number;
  steps: number;
  calls: number;
}

/** A compiled function: call it with values for its inputs. */
export interface CompiledFunction {
  (...args: unknown[]): NDArray | NDArray[] | undefined;
  readonly fnName: string;
  readonly program: Program;
  readonly inputs: readonly Variable[];
  /** The graph after compilation, as a Theano-style tree. */
  debugprint(): string;
  /** Which rewrites fired during compilation, how often, and how long each took. */
  rewriteLog(): RewriteLogEntry[];
  info(): FunctionInfo;
}

const MAX_PLANS = 32;

/**
 * Compiles a function from inputs to outputs, with shared-variable updates applied after every call.
 * @example const train = T.function([], cost, { updates: [[W, W.sub(T.grad(cost, W).mul(0.1))]] });
 */
export function compileFunction(inputs: readonly Variable[], outputs?: Variable | readonly Variable[] | null, opts: FunctionOptions = {}): CompiledFunction {
  const where = `function${opts && typeof opts.name === 'string' ? ` ${opts.name}` : ''}`;
  if (!Array.isArray(inputs)) throw new ArgumentError(`${where}: inputs must be an array of Variables, got ${describe(inputs)}`);
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(`${where}: options must be an object, got ${describe(opts)}`);
  const known = ['updates', 'givens', 'name', 'backend', 'onUnusedInput', 'allowInputDowncast', 'rewrites'];
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
  if (problems.length) throw new CompileError(`${where}: ${problems.join('; ')}`);
  if (opts.backend === 'native') throw new BackendError(`${where}: backend "native" is not available in this build; use "js"`);

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
  const { fg: optimized, log } = optimize(fg, opts.rewrites);
  const { program, sharedVars } = linearize(name, optimized, outList.length, updated);
  const executor = new JsExecutor(program);
  const plans = new Map<string, JsPrepared>();
  let planCount = 0;
  let calls = 0;
  let last: JsPrepared | null = null;
  const allowDowncast = opts.allowInputDowncast === true;
  const inShapes: number[][] = new Array(inputs.length);
  const inData: TypedArray[] = new Array(inputs.length);
  const shData: TypedArray[] = new Array(sharedVars.length);
  const shShapes: number[][] = new Array(sharedVars.length);

  const call = function (...args: unknown[]): NDArray | NDArray[] | undefined {
    if (args.length !== inputs.length) {
      throw new InputError(`${name}: must be called with ${inputs.length} argument(s) for inputs [${inputs.map((v) => labelOf(v)).join(', ')}], got ${args.length}`);
    }
    let bad: string[] | null = null;
    for (let i = 0; i < args.length; i++) {
      const r = convertArg(args[i], inputs[i], i, allowDowncast);
      if (typeof r === 'string') (bad ??= []).push(r);
      else {
        inData[i] = r.data;
        inShapes[i] = r.shape;
      }
    }
    if (bad) throw new InputError(`${name}: ${bad.join('; ')}`);
    for (let i = 0; i < sharedVars.length; i++) {
      const st = sharedVars[i].storage;
      shData[i] = st.data;
      shShapes[i] = st.shape;
    }
    const key = shapeKey(inShapes, shShapes);
    let prepared = last !== null && last.plan.key === key ? last : plans.get(key);
    if (!prepared) {
      prepared = executor.prepare(planMemory(program, inShapes, shShapes));
      planCount++;
      if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as string);
      plans.set(key, prepared);
    }
    last = prepared;
    executor.run(prepared, inData, shData);
    calls++;
    const { bufs, plan } = prepared;
    const outs = program.outputs.map((slot) => new NDArray(bufs[slot].slice() as TypedArray, plan.shapes[slot], program.slots[slot].dtype));
    for (const u of program.updates) {
      const sv = sharedVars[u.shared];
      const st = sv.storage;
      const shape = plan.shapes[u.slot];
      if (sameShape(st.shape, shape)) st.data.set(bufs[u.slot]);
      else sv.setStorage(new NDArray(bufs[u.slot].slice() as TypedArray, shape, st.dtype));
    }
    if (single) return outs[0];
    return outputs === undefined || outputs === null ? undefined : outs;
  } as CompiledFunction;

  Object.defineProperties(call, {
    fnName: { value: name },
    program: { value: program },
    inputs: { value: inputs.slice() },
  });
  call.debugprint = () => {
    const labels = [...outList.map((_, i) => `output ${i}:`), ...updated.map((s) => `update of ${labelOf(s)}:`)];
    return debugprintVariables(optimized.outputs, labels);
  };
  call.rewriteLog = () => log.map((e) => ({ ...e }));
  call.info = () => ({
    plans: planCount,
    arenaBytes: last?.plan.arenaBytes ?? 0,
    unsharedBytes: last?.plan.unsharedBytes ?? 0,
    steps: program.steps.length,
    calls,
  });
  return call;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/** Converts one call argument to the input's dtype and checks its shape; returns an error message on failure. */
function convertArg(arg: unknown, v: Variable, i: number, allowDowncast: boolean): NDArray | string {
  const type = v.type;
  const what = `argument ${i} (${labelOf(v)}: ${type})`;
  let value: NDArray;
  if (arg instanceof NDArray) {
    value = arg;
  } else {
    const taDtype = dtypeOfTypedArray(arg);
    if (taDtype) {
      const ta = arg as TypedArray;
      const shape = shapeForFlat(type.shape, ta.length);
      if (!shape) return `${what} must be an NDArray or nested array: a flat ${ta.constructor.name} of length ${ta.length} does not fix the shape ${type}`;
      value = new NDArray(ta, shape, taDtype);
    } else if (typeof arg === 'number' || typeof arg === 'boolean' || Array.isArray(arg)) {
      try {
        // plain JS numbers carry no dtype: they convert to the input's dtype (integers only for int32)
        value = array(arg, { dtype: type.dtype });
      } catch (e) {
        return `${what}: ${(e as Error).message.replace(/^array: /, '')}`;
      }
    } else {
      return `${what} must be an NDArray, typed array, nested array or number, got ${describe(arg)}`;
    }
  }
  if (value.dtype !== type.dtype) {
    if (canCastSafely(value.dtype, type.dtype) || allowDowncast) value = new NDArray(convertData(value.data, type.dtype), value.shape, type.dtype);
    else return `${what} must have dtype ${type.dtype} (or one that casts to it safely), got ${value.dtype}; convert it or pass { allowInputDowncast: true } to T.function`;
  }
  if (!type.fits(value.shape)) {
    return `${what} must have shape ${shapeStr(type.shape)}, got ${shapeStr(value.shape)}`;
  }
  return value;
}

function shapeForFlat(shape: readonly (number | null)[], n: number): number[] | null {
  const unknown = shape.filter((d) => d === null).length;
  if (unknown === 0) return sizeOf(shape as number[]) === n ? (shape as number[]) : null;
  if (unknown > 1) return null;
  const known = sizeOf(shape.filter((d): d is number => d !== null));
  if (known === 0 || n % known !== 0) return null;
  return shape.map((d) => (d === null ? n / known : d));
}

export type { DType };
