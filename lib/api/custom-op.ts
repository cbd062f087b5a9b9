import { ArgumentError, DTypeError, GradError, NodeanoError, RuntimeError, ShapeError } from '../errors';
import { canCastSafely, DType, dtypeOfTypedArray, isDType, isFloat, TypedArray } from '../dtype';
import { array, describe, NDArray, shapeStr, showValue } from '../ndarray';
import { asVariable } from '../graph/as-variable';
import { findKernel, JsKernel, registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { labelOf, labelWithType } from '../graph/printing';
import { zerosLike } from '../ops/broadcast-to';
import { cast } from '../ops/cast';

/** An input or output type of a custom op: a TensorType, or `{ dtype, shape }` with null for a dim known only at run time. */
export type TypeLike = TensorType | { dtype: DType; shape: readonly (number | null)[] };

/** What a gradient rule may return per input: a Variable (or a value that converts to one), or null for none. */
export type GradResult = Variable | NDArray | number | readonly unknown[] | null | undefined;

/** A custom op, Theano's `Op` with `make_node` / `perform` / `infer_shape` / `grad`, as plain functions. */
export interface OpDefinition {
  /** The op's name in graphs and messages (`cube`): letters, digits and `_`, not starting with a digit. */
  name: string;
  /** The input types: inputs are converted to these dtypes (plain numbers and arrays) or must have them (Variables). */
  itypes?: readonly TypeLike[];
  /** The output types, when they are fixed; otherwise `outputTypes`. */
  otypes?: readonly TypeLike[];
  /** The output types from the input variables (validate them here and throw a NodeanoError to reject a node). */
  outputTypes?: (inputs: readonly Variable[]) => readonly TypeLike[];
  /**
   * The JS kernel: reads `inputs` and writes every element of `outputs` (preallocated with the shapes from
   * `inferShape`, not zeroed), returning nothing. It must not write to the inputs, keep either past the call, or
   * depend on anything but the inputs' values (equal nodes are computed once; constant inputs are folded at compile time).
   */
  perform: (inputs: readonly NDArray[], outputs: readonly NDArray[]) => void;
  /** The output shapes from the input shapes, before anything runs. Default: every output has input 0's shape. */
  inferShape?: (inputShapes: readonly (readonly number[])[]) => readonly (readonly number[])[];
  /**
   * The gradient: given the inputs, outputs and the gradient of the cost w.r.t. each output (zeros for an output
   * the cost does not reach), the gradient w.r.t. each input, or null for an input with none. Without it, T.grad
   * through the op is a GradError.
   */
  grad?: (inputs: readonly Variable[], outputs: readonly Variable[], outputGrads: readonly Variable[]) => readonly GradResult[];
  /**
   * The id of a kernel compiled into the native addon (`NODEANO_KERNEL("Id", ...)` in native/kernels/) that computes
   * the same thing; the native backend then runs it, the js backend runs `perform`. Without it the op runs on the
   * js backend only: a function with backend "auto" runs on js, with backend "native" it is a CompileError.
   */
  nativeKernel?: string;
}

/** Theano's `as_op`: a plain JS function over NDArrays, with fixed input and output types. */
export interface AsOpDefinition {
  /** Default: the function's own name, else `asOp`. */
  name?: string;
  itypes: readonly TypeLike[];
  otypes: readonly TypeLike[];
  /**
   * Computes the results from the inputs: one result for one output type, else an array of one per output. A result
   * is an NDArray, a typed array (flat, C order), a nested array or a number, of the output's dtype (or one that
   * casts to it safely) and of the shape from `inferShape`.
   */
  perform: (...inputs: NDArray[]) => unknown;
  inferShape?: OpDefinition['inferShape'];
  grad?: OpDefinition['grad'];
}

/**
 * A defined op: call it on tensors (Variables, numbers, arrays, NDArrays) to get its output; `.outputs(...)` gives
 * the list of outputs (the only way for an op with several); `.kernel` is its kernel id.
 */
export interface OpFunction {
  (...inputs: unknown[]): Variable;
  outputs(...inputs: unknown[]): Variable[];
  readonly kernel: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DEF_KEYS = ['name', 'itypes', 'otypes', 'outputTypes', 'perform', 'inferShape', 'grad', 'nativeKernel'];
const AS_OP_KEYS = ['name', 'itypes', 'otypes', 'perform', 'inferShape', 'grad'];

/** The op of every node a defined op builds; `sig` in its attrs selects the output types the node was built with. */
export class CustomOp extends Op {
  readonly name: string;
  readonly kernel: string;
  override readonly attrs: { sig: number };
  private readonly def: Definition;
  constructor(def: Definition, sig: number) {
    super();
    this.def = def;
    this.name = def.name;
    this.kernel = def.kernel;
    this.attrs = { sig };
  }
  makeNode(...inputs: Variable[]): Apply {
    return new Apply(this, inputs, this.def.sigs[this.attrs.sig]);
  }
  override grad(inputs: readonly Variable[], outputs: readonly Variable[], gOut: readonly (Variable | null)[]): (Variable | null)[] {
    const rule = this.def.grad;
    if (!rule) throw new GradError(`${this.name}: the op defines no gradient (pass grad to T.defineOp or T.asOp, or cut the path with T.disconnectedGrad or considerConstant)`);
    let r: readonly GradResult[];
    try {
      r = rule(inputs, outputs, gOut.map((g, i) => g ?? zerosLike(outputs[i])));
    } catch (e) {
      if (e instanceof NodeanoError) throw e;
      throw new GradError(`${this.name}: grad threw ${e instanceof Error ? `${e.name}: ${e.message}` : showValue(e)}`);
    }
    if (!Array.isArray(r) || r.length !== inputs.length) {
      throw new GradError(`${this.name}: grad must return an array of ${inputs.length} gradients (one per input, null for none), got ${describe(r)}`);
    }
    const problems: string[] = [];
    const out = inputs.map((x, i) => {
      const g = r[i];
      if (g === null || g === undefined || !isFloat(x.dtype)) return null;
      let v: Variable;
      try {
        v = asVariable(g, this.name, `gradient ${i}`, x.dtype);
      } catch {
        problems.push(`gradient ${i} must be a Variable, a number, an NDArray or null, got ${describe(g)}`);
        return null;
      }
      if (v.ndim !== x.ndim || !isFloat(v.dtype)) {
        problems.push(`gradient ${i} must be a float tensor of rank ${x.ndim} like input ${i} (${labelWithType(x)}), got ${v.type}`);
        return null;
      }
      return v.dtype === x.dtype ? v : cast(v, x.dtype);
    });
    if (problems.length) throw new GradError(`${this.name}: ${problems.join('; ')}`);
    return out;
  }
  override format(inputs: readonly string[]): string {
    return `${this.name}(${inputs.join(', ')})`;
  }
  override toString(): string {
    return this.name;
  }
}

interface Definition {
  name: string;
  kernel: string;
  /** The distinct output-type lists nodes were built with; a node's op carries the index of its own. */
  sigs: TensorType[][];
  grad?: OpDefinition['grad'];
}

/**
 * Defines a new op from a JS kernel, a shape rule and an optional gradient (Theano's `Op` subclass with `perform`,
 * `infer_shape` and `grad`); the returned function builds its nodes.
 * @example
 * const cube = T.defineOp({
 *   name: 'cube',
 *   outputTypes: ([x]) => [x.type],
 *   perform: ([x], [out]) => { for (let i = 0; i < x.size; i++) out.data[i] = x.data[i] ** 3; },
 *   grad: ([x], _out, [g]) => [g.mul(x.sqr()).mul(3)], // d x^3 = 3 x^2 dx
 * });
 * const f = T.function([x], cube(x));
 */
export function defineOp(def: OpDefinition): OpFunction {
  const problems = checkDefinition('defineOp', def, DEF_KEYS);
  if (def && typeof def === 'object') {
    if (def.otypes === undefined && def.outputTypes === undefined) problems.push('otypes or outputTypes must be given, got neither');
    if (def.otypes !== undefined && def.outputTypes !== undefined) problems.push('otypes and outputTypes must not both be given');
    if (def.outputTypes !== undefined && typeof def.outputTypes !== 'function') problems.push(`outputTypes must be a function of the input Variables, got ${describe(def.outputTypes)}`);
    if (def.nativeKernel !== undefined) {
      if (typeof def.nativeKernel !== 'string' || !NAME.test(def.nativeKernel)) {
        problems.push(`nativeKernel must be a kernel id (letters, digits and _), got ${showValue(def.nativeKernel)}`);
      } else if (findKernel(def.nativeKernel)) {
        problems.push(`nativeKernel must be an id no other op registered, got "${def.nativeKernel}", which is taken`);
      }
    }
  }
  if (problems.length) throw new ArgumentError(`defineOp: ${problems.join('; ')}`);
  return build(def, (ins, outs) => def.perform(ins, outs), 'perform');
}

/**
 * Turns a plain JS function over NDArrays into an op, Theano's `as_op`: fixed input and output types, the function
 * returns its results (copied into the outputs), an optional shape rule and gradient.
 * @example
 * const flip = T.asOp({ itypes: [{ dtype: 'float64', shape: [null] }], otypes: [{ dtype: 'float64', shape: [null] }],
 *   perform: (x) => x.data.slice().reverse() });
 */
export function asOp(def: AsOpDefinition): OpFunction {
  const problems = checkDefinition('asOp', def, AS_OP_KEYS);
  if (def && typeof def === 'object') {
    if (def.itypes === undefined) problems.push('itypes must be an array of input types, got undefined');
    if (def.otypes === undefined) problems.push('otypes must be an array of output types, got undefined');
  }
  if (problems.length) throw new ArgumentError(`asOp: ${problems.join('; ')}`);
  const name = def.name ?? (NAME.test(def.perform.name) ? def.perform.name : 'asOp');
  const nOut = def.otypes.length;
  const full: OpDefinition = { name, itypes: def.itypes, otypes: def.otypes, perform: () => undefined, inferShape: def.inferShape, grad: def.grad };
  return build(full, (ins, outs) => {
    const r = def.perform(...ins);
    const results = nOut === 1 ? [r] : r;
    if (!Array.isArray(results) || results.length !== nOut) throw new RuntimeError(`${name}: perform must return an array of ${nOut} results (one per output type), got ${describe(r)}`);
    outs.forEach((o, k) => storeResult(name, k, results[k], o));
  }, 'function');
}

/** Problems shared by both definitions: unknown keys, the name, the functions and the types. */
function checkDefinition(where: string, def: unknown, keys: readonly string[]): string[] {
  if (def === null || typeof def !== 'object' || Array.isArray(def)) return [`definition must be an object, got ${describe(def)}`];
  const d = def as Record<string, unknown>;
  const problems = Object.keys(d).filter((k) => !keys.includes(k)).map((k) => `option ${JSON.stringify(k)} is not known (known: ${keys.join(', ')})`);
  if ((where === 'defineOp' || d.name !== undefined) && (typeof d.name !== 'string' || !NAME.test(d.name))) {
    problems.push(`name must be an identifier (letters, digits and _, not starting with a digit), got ${showValue(d.name)}`);
  }
  if (typeof d.perform !== 'function') problems.push(`perform must be a function, got ${describe(d.perform)}`);
  for (const k of ['inferShape', 'grad']) if (d[k] !== undefined && typeof d[k] !== 'function') problems.push(`${k} must be a function, got ${describe(d[k])}`);
  for (const k of ['itypes', 'otypes']) {
    const list = d[k];
    if (list === undefined) continue;
    if (!Array.isArray(list)) problems.push(`${k} must be an array of types (T.TensorType or { dtype, shape }), got ${describe(list)}`);
    else list.forEach((t, i) => toType(t, `${k}[${i}]`, problems));
  }
  if (Array.isArray(d.otypes) && d.otypes.length === 0) problems.push('otypes must list at least one output type, got []');
  return problems;
}

/** `t` as a TensorType, or a problem naming the argument, what it must be and what it is. */
function toType(t: unknown, arg: string, problems: string[]): TensorType | null {
  if (t instanceof TensorType) return t;
  const want = `${arg} must be a T.TensorType or { dtype, shape } with shape an array of dims (null for unknown)`;
  if (t === null || typeof t !== 'object' || Array.isArray(t) || t instanceof Variable) {
    problems.push(`${want}, got ${t instanceof Variable ? `the Variable ${labelOf(t)} (use its .type)` : describe(t)}`);
    return null;
  }
  const { dtype, shape } = t as { dtype?: unknown; shape?: unknown };
  const bad: string[] = [];
  if (!isDType(dtype)) bad.push(`${arg}.dtype must be float32, float64, int32 or bool, got ${showValue(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isSafeInteger(d) && d >= 0))) {
    bad.push(`${arg}.shape must be an array of non-negative integers or null, got ${showValue(shape)}`);
  }
  problems.push(...bad);
  return bad.length ? null : new TensorType(dtype as DType, shape as Dim[]);
}

let customCount = 0;

/** Registers the kernel and returns the function that builds the op's nodes. */
function build(def: OpDefinition, run: (ins: NDArray[], outs: NDArray[]) => unknown, what: string): OpFunction {
  const { name } = def;
  let kernel = def.nativeKernel ?? `custom:${name}`;
  while (findKernel(kernel)) kernel = `custom:${name}#${++customCount}`;
  const itypes = def.itypes?.map((t) => toType(t, 'itypes', [])!);
  const otypes = def.otypes?.map((t) => toType(t, 'otypes', [])!);
  // with itypes the default shape rule is checked once here, else per node
  if (!def.inferShape && otypes && itypes) checkDefaultShape(name, itypes[0] ?? null, otypes);
  const d: Definition = { name, kernel, sigs: [], grad: def.grad };
  const sigKeys = new Map<string, number>();
  const sigOf = (types: TensorType[]) => {
    const key = types.join(';');
    let k = sigKeys.get(key);
    if (k === undefined) {
      k = d.sigs.push(types) - 1;
      sigKeys.set(key, k);
    }
    return k;
  };

  registerKernel(kernel, {
    customOp: name,
    inferShape: (inShapes, attrs) => {
      const types = d.sigs[attrs.sig as number];
      let shapes: unknown;
      if (def.inferShape) {
        try {
          shapes = def.inferShape(inShapes.map((s) => s.slice()));
        } catch (e) {
          if (e instanceof NodeanoError) throw e;
          throw new ShapeError(`${name}: inferShape threw ${e instanceof Error ? `${e.name}: ${e.message}` : showValue(e)}`);
        }
      } else shapes = types.map(() => inShapes[0].slice());
      return checkShapes(name, shapes, types);
    },
    prepareJs: ({ inShapes, outShapes, inDtypes, outDtypes }): JsKernel => (ins, outs) => {
      const a = ins.map((data, i) => NDArray.trusted(data, inShapes[i] as number[], inDtypes[i]));
      const o = outs.map((data, i) => NDArray.trusted(data, outShapes[i] as number[], outDtypes[i]));
      let r: unknown;
      try {
        r = run(a, o);
      } catch (e) {
        if (e instanceof NodeanoError) throw e;
        throw new RuntimeError(`${name}: ${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : showValue(e)}`);
      }
      if (r !== undefined) throw new RuntimeError(`${name}: perform must write its results into outputs and return nothing, got ${describe(r)} (T.asOp takes a function that returns them)`);
    },
  });

  const apply = (args: unknown[]): Variable[] => {
    if (itypes && args.length !== itypes.length) {
      throw new ArgumentError(`${name}: inputs must be ${itypes.length} tensor${itypes.length === 1 ? '' : 's'}, got ${args.length}`);
    }
    const problems: Problem[] = [];
    const inputs = args.map((x, i) => toInput(name, x, i, itypes?.[i], problems));
    if (problems.length) throw new problems[0].cls(`${name}: ${problems.map((p) => p.msg).join('; ')}`);
    let types: TensorType[];
    if (otypes) types = otypes;
    else {
      const r = def.outputTypes!(inputs as Variable[]);
      const bad: string[] = [];
      if (!Array.isArray(r) || r.length === 0) bad.push(`outputTypes must return a non-empty array of types, got ${describe(r)}`);
      else types = r.map((t, i) => toType(t, `outputTypes()[${i}]`, bad)!);
      if (bad.length) throw new ArgumentError(`${name}: ${bad.join('; ')}`);
    }
    if (!def.inferShape && !(otypes && itypes)) checkDefaultShape(name, inputs[0]?.type ?? null, types!);
    return new CustomOp(d, sigOf(types!)).makeNode(...(inputs as Variable[])).outputs;
  };
  const f = (...args: unknown[]) => {
    const outs = apply(args);
    if (outs.length !== 1) throw new ArgumentError(`${name}: the op has ${outs.length} outputs: call ${name}.outputs(...) to get them as a list`);
    return outs[0];
  };
  Object.defineProperties(f, {
    outputs: { value: (...args: unknown[]) => apply(args) },
    kernel: { value: kernel },
    name: { value: name },
  });
  return f as unknown as OpFunction;
}

interface Problem {
  cls: typeof NodeanoError;
  msg: string;
}

/** Input `i` as a Variable of the declared type: values convert to its dtype, Variables must have it. */
function toInput(name: string, x: unknown, i: number, type: TensorType | undefined, problems: Problem[]): Variable | null {
  let v: Variable;
  try {
    v = asVariable(x, name, `input ${i}`, type?.dtype);
  } catch (e) {
    problems.push({ cls: e instanceof NodeanoError ? (e.constructor as typeof NodeanoError) : ArgumentError, msg: (e as Error).message.replace(`${name}: `, '') });
    return null;
  }
  if (!type) return v;
  if (!(x instanceof Variable) && v.dtype !== type.dtype) v = cast(v, type.dtype);
  if (v.dtype !== type.dtype) {
    problems.push({ cls: DTypeError, msg: `input ${i} (${labelOf(v)}) must have dtype ${type.dtype}, got ${v.dtype} (cast it with T.cast)` });
  } else if (!type.accepts(v.type)) {
    problems.push({ cls: ShapeError, msg: `input ${i} (${labelOf(v)}) must have type ${type}, got ${v.type}` });
  }
  return v;
}

/**
 * Without inferShape every output takes input 0's shape: that needs an input 0 of each output's rank whose known
 * dims do not contradict the output's.
 */
function checkDefaultShape(name: string, first: TensorType | null, outs: readonly TensorType[]): void {
  const bad = outs
    .map((t, k) => (first === null ? `output ${k} has type ${t} but the op has no input` : new TensorType(t.dtype, first.shape).accepts(t) ? null : `output ${k} has type ${t}, input 0 ${first}`))
    .filter((p): p is string => p !== null);
  if (bad.length) throw new ArgumentError(`${name}: inferShape must be given unless every output has input 0's shape, got ${bad.join('; ')}`);
}

/** The shapes inferShape gave, checked against the node's output types: one per output, of its rank and known dims. */
function checkShapes(name: string, shapes: unknown, types: readonly TensorType[]): number[][] {
  const want = `an array of ${types.length} shape${types.length === 1 ? '' : 's'} (${types.join(', ')})`;
  if (!Array.isArray(shapes) || shapes.length !== types.length) throw new ShapeError(`${name}: inferShape must return ${want}, got ${showValue(shapes)}`);
  return shapes.map((s, k) => {
    const ok = Array.isArray(s) && s.every((d) => Number.isSafeInteger(d) && d >= 0 && d <= 0x7fffffff) && types[k].fits(s as number[]);
    if (!ok) throw new ShapeError(`${name}: inferShape must return ${want}; output ${k} must have a shape that fits ${types[k]}, got ${showValue(s)}`);
    return (s as number[]).slice();
  });
}

/** Copies asOp result `k` into its output, converting a safe dtype and checking the shape. */
function storeResult(name: string, k: number, r: unknown, out: NDArray): void {
  const what = `result ${k}`;
  let data: ArrayLike<number>;
  let from: DType;
  let shape: readonly number[] | null = null;
  if (r instanceof NDArray) {
    data = r.data;
    from = r.dtype;
    shape = r.shape;
  } else if (dtypeOfTypedArray(r)) {
    data = r as TypedArray;
    from = dtypeOfTypedArray(r)!;
  } else if (typeof r === 'number' || typeof r === 'boolean' || Array.isArray(r)) {
    let a: NDArray;
    try {
      a = array(r, { dtype: out.dtype });
    } catch (e) {
      throw new RuntimeError(`${name}: ${what} must be a ${out.dtype} value: ${(e as Error).message.replace(/^array: /, '')}`);
    }
    data = a.data;
    from = a.dtype;
    shape = a.ndim === 0 && out.ndim > 0 ? null : a.shape;
  } else {
    throw new RuntimeError(`${name}: ${what} must be an NDArray, a typed array, a nested array or a number, got ${describe(r)}`);
  }
  if (from !== out.dtype && !canCastSafely(from, out.dtype)) {
    throw new RuntimeError(`${name}: ${what} must have dtype ${out.dtype} (or one that casts to it safely), got ${from}`);
  }
  if (shape !== null ? shape.length !== out.ndim || shape.some((d, i) => d !== out.shape[i]) : data.length !== out.size) {
    throw new RuntimeError(`${name}: ${what} must have shape ${shapeStr(out.shape)} (from inferShape), got ${shape !== null ? shapeStr(shape) : `${data.length} elements`}`);
  }
  out.data.set(data as TypedArray); // a safe cast converts exactly element by element
}
