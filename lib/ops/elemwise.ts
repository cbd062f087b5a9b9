import { ArgumentError, listProblems } from '../errors';
import { DType, floatOf, TypedArray, upcast } from '../dtype';
import { sizeOf } from '../ndarray';
import { asVariable, asVariablePair } from '../graph/as-variable';
import { JsKernel, registerKernel } from '../graph/kernel-registry';
import { Attrs, attrsKey, Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { broadcastShapes, broadcastStatic, broadcastStrides } from './broadcast';
import { cast } from './cast';
import { ELEMWISE_OPCODES } from './generated/elementwise-opcodes';

export type GradRule = (inputs: readonly Variable[], out: Variable, g: Variable) => (Variable | null)[];

/** What an elementwise op declares: its scalar formula for the JS kernel, its dtype rule and its gradient. */
export interface ElemwiseSpec {
  name: string;
  kernel: string;
  arity: 1 | 2 | 3;
  /** Argument names for error messages (default x, or a and b). */
  args?: readonly string[];
  /** Numeric parameters with their defaults (`{ alpha: 0 }`); an op made with other values is not fused. */
  attrs?: Readonly<Record<string, number>>;
  /** A JS expression over `a` (`b`, `c`), evaluated in double precision, for an output of dtype `dt`. */
  js: (dt: DType, attrs: Attrs) => string;
  /**
   * The same formula as a C++ expression in double over `a` (`b`, `c`) and the parameters by name; it may call
   * <cmath> and the helpers of native/kernels/elementwise_math.h (`ewf::`). `npm run gen` writes it into the native
   * table; both backends must agree bit for bit, so it follows `js` operation for operation. An op without one has
   * no native kernel (and does not fuse).
   */
  cpp?: string;
  /** Transcendental (exp, sin, pow...): worth splitting across threads at smaller sizes. */
  heavy?: boolean;
  /** Whether integer inputs compute in floatX (exp, log, sigmoid, true division...). */
  floatOnly?: boolean;
  /** Infix operator for printing (`+`), with its precedence. */
  infix?: [string, number];
  grad: GradRule;
}

/** An elementwise op with NumPy broadcasting; operands are cast to one computation dtype when the node is made. */
export class ElemwiseOp extends Op {
  readonly name: string;
  readonly kernel: string;
  readonly spec: ElemwiseSpec;
  override readonly attrs: Attrs;
  /** Its opcode in a Fused program; undefined when it cannot fuse (three operands, or parameters off their defaults). */
  readonly fuseOpcode: number | undefined;
  constructor(spec: ElemwiseSpec, attrs: Attrs = {}) {
    super();
    this.attrs = { ...spec.attrs, ...attrs };
    this.spec = spec;
    this.name = spec.name;
    this.kernel = spec.kernel;
    // the Fused bytecode carries two operands per op and no parameters: only binary and unary ops at their defaults fuse
    const defaults = attrsKey(this.attrs) === attrsKey(spec.attrs ?? {});
    this.fuseOpcode = spec.arity < 3 && defaults && spec.cpp !== undefined ? elemwiseOpcode(spec.kernel) : undefined;
  }
  makeNode(...inputs: Variable[]): Apply {
    const { arity, name } = this.spec;
    if (inputs.length !== arity) throw new ArgumentError(`${name}: must have ${arity} input(s), got ${inputs.length}`);
    let dt = inputs.map((v) => v.dtype).reduce(upcast);
    if (this.spec.floatOnly) dt = floatOf(dt);
    if (arity === 1 && !this.spec.floatOnly && dt === 'bool') dt = 'int32';
    const cast_ = inputs.map((v) => (v.dtype === dt ? v : cast(v, dt)));
    const names = this.spec.args ?? (arity === 1 ? ['x'] : ['a', 'b']);
    const shape = broadcastStatic(name, names, cast_.map((v) => v.type.shape));
    return new Apply(this, cast_, [new TensorType(dt, shape)]);
  }
  override grad(inputs: readonly Variable[], outputs: readonly Variable[], gOut: readonly (Variable | null)[]): (Variable | null)[] {
    const g = gOut[0];
    if (!g) return inputs.map(() => null);
    return this.spec.grad(inputs, outputs[0], g);
  }
  override format(inputs: readonly string[]): string {
    if (this.spec.infix && inputs.length === 2) return `(${inputs[0]} ${this.spec.infix[0]} ${inputs[1]})`;
    return super.format(inputs);
  }
}

/** What the native table (npm run gen) needs of an elementwise kernel; every such kernel declares it once. */
export interface NativeElemwise {
  kernel: string;
  arity: 1 | 2 | 3;
  heavy: boolean;
  /** Parameter names (the floats attrs, in order) with their defaults. */
  params: readonly (readonly [string, number])[];
  /** The C++ formula (see ElemwiseSpec.cpp). */
  cpp: string;
}

/** Every elementwise kernel by id, in declaration order: the input of scripts/gen-native.ts. */
export const nativeElemwiseOps = new Map<string, NativeElemwise>();

/** Declares an elementwise kernel to the native table; a kernel id declared twice is an error. */
export function declareNativeElemwise(op: NativeElemwise): void {
  if (nativeElemwiseOps.has(op.kernel)) throw new Error(`elementwise kernel ${op.kernel} declared twice`);
  nativeElemwiseOps.set(op.kernel, op);
}

let opcodes: Map<string, number> | null = null;
/**
 * The opcode of an elementwise kernel (its index in the generated list), shared by the Fused bytecode and the native
 * kernels; undefined when the generated list is stale (test/scripts/gen-native.test.ts then fails: run npm run gen).
 */
export function elemwiseOpcode(kernel: string): number | undefined {
  opcodes ??= new Map(ELEMWISE_OPCODES.map((k, i) => [k, i]));
  const code = opcodes.get(kernel);
  return code === 0 ? undefined : code;
}

/** Defines an elementwise op: registers its kernel and returns the op instance. */
export function defineElemwise(spec: ElemwiseSpec): ElemwiseOp {
  const params = Object.keys(spec.attrs ?? {});
  if (spec.cpp !== undefined) declareNativeElemwise({ kernel: spec.kernel, arity: spec.arity, heavy: !!spec.heavy, params: Object.entries(spec.attrs ?? {}), cpp: spec.cpp });
  const opcode = elemwiseOpcode(spec.kernel);
  registerKernel(spec.kernel, {
    inPlace: () => true, // element i of every input is read before element i of the output is written
    inferShape: (shapes) => [broadcastShapes(spec.name, shapes)],
    prepareJs: (ctx) => elemwiseKernel(spec.js(ctx.outDtypes[0], ctx.attrs), ctx.inShapes, ctx.outShapes[0]),
    // ints [opcode] (checked by the native generic path), floats: the parameters in declaration order
    nativeAttrs: (a) => ({ ints: opcode === undefined ? [] : [opcode], floats: params.map((k) => a[k] as number) }),
  });
  const op = new ElemwiseOp(spec);
  if (op.fuseOpcode !== undefined) fusable.set(op.fuseOpcode, spec);
  return op;
}

/** Elementwise ops a Fused program may hold, by opcode. */
export const fusable = new Map<number, ElemwiseSpec>();

/** Applies a unary elementwise op to anything tensor-like. */
export function applyUnary(op: ElemwiseOp, x: unknown): Variable {
  return op.makeNode(asVariable(x, op.name, 'x')).outputs[0];
}

/** Applies a binary elementwise op; plain numbers take the dtype of the symbolic operand. */
export function applyBinary(op: ElemwiseOp, a: unknown, b: unknown): Variable {
  return op.makeNode(...asVariablePair(a, b, op.name)).outputs[0];
}

/** Applies a ternary elementwise op; plain numbers take the dtype of the first symbolic operand. */
export function applyTernary(op: ElemwiseOp, ...xs: [unknown, unknown, unknown]): Variable {
  const names = op.spec.args ?? ['a', 'b', 'c'];
  const like = xs.find((x): x is Variable => x instanceof Variable)?.dtype;
  const problems: string[] = [];
  const vars = xs.map((x, i) => {
    try {
      return asVariable(x, op.name, names[i], like);
    } catch (e) {
      if (!(e instanceof ArgumentError)) throw e;
      problems.push(e.message.replace(`${op.name}: `, ''));
      return null;
    }
  });
  if (problems.length) throw new ArgumentError(listProblems(op.name, problems));
  return op.makeNode(...(vars as Variable[])).outputs[0];
}

type Loop = (...args: unknown[]) => void;
const loopCache = new Map<string, Loop>();

/** A scalar computation for the generated loop: per element, `pre` statements then `expr`, over input names `vars`. */
export interface ScalarBody {
  vars: readonly string[];
  pre: string;
  expr: string;
}

const VARS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/**
 * The JS reference kernel: a loop generated once per (formula, broadcast pattern) so V8 sees the formula inline
 * instead of a megamorphic callback. Inputs either cover the output exactly (flat index), are a single element
 * (hoisted), or broadcast along some dims (strided row loop). `body` is an expression over a, b, ... or a ScalarBody.
 */
export function elemwiseKernel(body: string | ScalarBody, inShapes: readonly (readonly number[])[], outShape: readonly number[]): JsKernel {
  const n = sizeOf(outShape);
  const arity = inShapes.length;
  const sb: ScalarBody = typeof body === 'string' ? { vars: VARS.slice(0, arity), pre: '', expr: body } : body;
  const vars = sb.vars;
  const compute = `${sb.pre} O[OUT] = ${sb.expr};`;
  const load = vars.map((_, i) => `const I${i} = ins[${i}];`).join(' ');
  const modes = inShapes.map((s) => (sizeOf(s) === 1 ? 's' : sizeOf(s) === n ? 'f' : 'b'));
  if (!modes.includes('b')) {
    const key = `flat|${modes.join('')}|${vars.join(',')}|${compute}`;
    let loop = loopCache.get(key);
    if (!loop) {
      const hoist = vars.map((v, i) => (modes[i] === 's' ? `const ${v} = I${i}[0];` : '')).join(' ');
      const reads = vars.map((v, i) => (modes[i] === 'f' ? `const ${v} = I${i}[i];` : '')).join(' ');
      loop = new Function('ins', 'O', 'n', `${load} ${hoist}\nfor (let i = 0; i < n; i++) { ${reads} ${compute.replace('OUT', 'i')} }`) as Loop;
      loopCache.set(key, loop);
    }
    const f = loop;
    return (ins, outs) => f(ins, outs[0], n);
  }
  const r = outShape.length;
  const strides = inShapes.map((s) => Int32Array.from(broadcastStrides(s, outShape)));
  const shape = Int32Array.from(outShape);
  const idx = new Int32Array(r);
  const offs = new Int32Array(arity);
  const key = `strided|${vars.join(',')}|${compute}`;
  let loop = loopCache.get(key);
  if (!loop) {
    const loadS = vars.map((_, i) => `const S${i} = S[${i}];`).join(' ');
    const inner = vars.map((v, i) => `const ${v} = I${i}[offs[${i}] + j * S${i}[r - 1]];`).join(' ');
    const step = vars.map((_, i) => `offs[${i}] += S${i}[d];`).join(' ');
    const back = vars.map((_, i) => `offs[${i}] -= S${i}[d] * shape[d];`).join(' ');
    loop = new Function(
      'ins', 'O', 'S', 'shape', 'idx', 'offs', 'n',
      `${load} ${loadS} const r = shape.length; const innerN = shape[r - 1]; idx.fill(0); offs.fill(0);
       for (let o = 0; o < n; ) {
         for (let j = 0; j < innerN; j++, o++) { ${inner} ${compute.replace('OUT', 'o')} }
         for (let d = r - 2; d >= 0; d--) { idx[d]++; ${step} if (idx[d] < shape[d]) break; ${back} idx[d] = 0; }
       }`,
    ) as Loop;
    loopCache.set(key, loop);
  }
  const f = loop;
  return (ins, outs) => f(ins, outs[0], strides, shape, idx, offs, n);
}

export type { TypedArray };
