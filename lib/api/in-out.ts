import { ArgumentError, CompileError, InputError } from '../errors';
import { describe, NDArray } from '../ndarray';
import { Variable } from '../graph/variable';
import { labelWithType } from '../graph/printing';
import { convertArg } from '../runtime/runner';

export interface InOptions {
  /** The value used when the call does not give this argument (Theano's `value`). */
  value?: unknown;
  /** The keyword the argument may be given by (default: the variable's name). */
  name?: string;
  /** Accepted for Theano's sake: nodeano reads inputs in place and never keeps them, whatever this says. */
  borrow?: boolean;
  /** Permission to overwrite the input; nodeano never does, so this only documents intent. */
  mutable?: boolean;
}

/** An input of T.function with a default value and a keyword name, as Theano's `In`. */
export class In {
  readonly variable: Variable;
  readonly name: string | null;
  readonly value: unknown;
  readonly hasValue: boolean;
  readonly borrow: boolean;
  readonly mutable: boolean;
  constructor(variable: Variable, opts: InOptions = {}) {
    const bad: string[] = [];
    if (!(variable instanceof Variable)) bad.push(`variable must be a Variable, got ${describe(variable)}`);
    if (opts === null || typeof opts !== 'object') throw new ArgumentError(`In: options must be an object, got ${describe(opts)}`);
    const known = ['value', 'name', 'borrow', 'mutable'];
    for (const k of Object.keys(opts)) if (!known.includes(k)) bad.push(`option ${JSON.stringify(k)} is not known (known: ${known.join(', ')})`);
    if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name === '')) bad.push(`name must be a non-empty string, got ${describe(opts.name)}`);
    for (const k of ['borrow', 'mutable'] as const) if (opts[k] !== undefined && typeof opts[k] !== 'boolean') bad.push(`${k} must be a boolean, got ${describe(opts[k])}`);
    if (bad.length) throw new ArgumentError(`In: ${bad.join('; ')}`);
    this.variable = variable;
    this.name = opts.name ?? variable.name ?? null;
    this.hasValue = 'value' in opts && opts.value !== undefined;
    this.value = opts.value;
    this.borrow = opts.borrow === true;
    this.mutable = opts.mutable === true;
  }
}

export interface OutOptions {
  /** Return a view of the function's own buffer instead of a fresh array: valid only until the next call. */
  borrow?: boolean;
}

/** An output of T.function with aliasing control, as Theano's `Out`. */
export class Out {
  readonly variable: Variable;
  readonly borrow: boolean;
  constructor(variable: Variable, opts: OutOptions = {}) {
    const bad: string[] = [];
    if (!(variable instanceof Variable)) bad.push(`variable must be a Variable, got ${describe(variable)}`);
    if (opts === null || typeof opts !== 'object') throw new ArgumentError(`Out: options must be an object, got ${describe(opts)}`);
    for (const k of Object.keys(opts)) if (k !== 'borrow') bad.push(`option ${JSON.stringify(k)} is not known (known: borrow)`);
    if (opts.borrow !== undefined && typeof opts.borrow !== 'boolean') bad.push(`borrow must be a boolean, got ${describe(opts.borrow)}`);
    if (bad.length) throw new ArgumentError(`Out: ${bad.join('; ')}`);
    this.variable = variable;
    this.borrow = opts.borrow === true;
  }
}

/**
 * Declares an input with a default value or a keyword name.
 * @example const f = T.function([x, T.In(w, { value: 3 })], x.mul(w)); f(2); f(2, { w: 4 })
 */
export function makeIn(variable: Variable, opts?: InOptions): In {
  return new In(variable, opts);
}

/**
 * Declares an output that may be returned without a copy.
 * @example const f = T.function([x], T.Out(T.exp(x), { borrow: true })); // f(a) is overwritten by the next call
 */
export function makeOut(variable: Variable, opts?: OutOptions): Out {
  return new Out(variable, opts);
}

/** How a function's call arguments map onto its inputs: positions, keywords and defaults. */
export class Signature {
  readonly variables: Variable[];
  private readonly names: (string | null)[];
  private readonly defaults: (NDArray | undefined)[];
  private readonly keywords: boolean;

  constructor(where: string, inputs: readonly unknown[]) {
    const list = Array.isArray(inputs) ? inputs : [];
    this.variables = list.map((v) => (v instanceof In ? v.variable : (v as Variable)));
    this.names = list.map((v) => (v instanceof In ? v.name : v instanceof Variable ? v.name ?? null : null));
    const bad: string[] = [];
    this.defaults = list.map((v, i) => {
      if (!(v instanceof In) || !v.hasValue) return undefined;
      const r = convertArg(v.value, v.variable, i, false);
      if (typeof r === 'string') bad.push(`the default of ${r}`);
      return typeof r === 'string' ? undefined : r.copy();
    });
    const seen = new Map<string, number>();
    this.names.forEach((n, i) => {
      if (n === null || !(list[i] instanceof In)) return;
      if (seen.has(n)) bad.push(`inputs[${i}] has the keyword ${JSON.stringify(n)} of inputs[${seen.get(n)}]`);
      seen.set(n, i);
    });
    if (bad.length) throw new CompileError(`${where}: ${bad.join('; ')}`);
    this.keywords = list.some((v) => v instanceof In);
  }

  /** The positional argument list for the runner: keywords placed, defaults filled, every problem listed at once. */
  resolve(fnName: string, args: unknown[]): unknown[] {
    if (!this.keywords) return args;
    const n = this.variables.length;
    let kw: Record<string, unknown> | null = null;
    const lastArg = args.length > 0 ? args[args.length - 1] : undefined;
    if (isPlainObject(lastArg)) {
      kw = lastArg as Record<string, unknown>;
      args = args.slice(0, -1);
    }
    const bad: string[] = [];
    if (args.length > n) bad.push(`takes at most ${n} positional argument(s), got ${args.length}`);
    const out = args.slice(0, n);
    if (kw) {
      for (const key of Object.keys(kw)) {
        const i = this.names.indexOf(key);
        if (i < 0) bad.push(`keyword ${JSON.stringify(key)} names no input (known: ${this.names.filter((x) => x !== null).join(', ')})`);
        else if (i < args.length) bad.push(`argument ${i} (${key}) is given both by position and by keyword`);
        else out[i] = kw[key];
      }
    }
    for (let i = 0; i < n; i++) {
      if (out[i] !== undefined) continue;
      const d = this.defaults[i];
      if (d) out[i] = d;
      else bad.push(`argument ${i} (${this.names[i] ?? labelWithType(this.variables[i])}) is missing and has no default`);
    }
    if (bad.length) throw new InputError(`${fnName}: ${bad.join('; ')}`);
    return out;
  }
}

function isPlainObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
