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

export type GradRule = (inputs: readonly Variable[], out: Variable, g: Variable) => (Variable | null)[];

/** What an elementwise op declares: its scalar formula for the JS kernel, its dtype rule and its gradient. */
export interface ElemwiseSpec {
  name: string;
  kernel: string;
  arity: 1 | 2 | 3;
  /** Argument names for error messages (default x, or a and b). */
  args?: readonly string[];
  /**
   * The op's opcode, shared by both backends: the native kernels run every elementwise op through one path keyed by
   * it (native/kernels/elementwise_ops.h lists the same number), and it is the op's opcode inside a Fused kernel.
   */
  fuseCode?: number;
  /** Numeric parameters with their defaults (`{ alpha: 0 }`); an op made with other values is not fused. */
  attrs?: Readonly<Record<string, number>>;
  /** A JS expression over `a` (`b`, `c`), evaluated in double precision, for an output of dtype `dt`. */
  js: (dt: DType, attrs: Attrs) => string;
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
  constructor(spec: ElemwiseSpec, attrs: Attrs = {}) {
    super();
    this.attrs = { ...spec.attrs, ...attrs };
    // the Fused bytecode carries no parameters: only the defaults fuse
    this.spec = attrsKey(this.attrs) === attrsKey(spec.attrs ?? {}) ? spec : { ...spec, fuseCode: undefined };
    this.name = spec.name;
    this.kernel = spec.kernel;
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

/** Defines an elementwise op: registers its kernel and returns the op instance. */
export function defineElemwise(spec: ElemwiseSpec): ElemwiseOp {
  // the fusion rewrite and the Fused bytecode pass two operands per op
  if (spec.fuseCode !== undefined && spec.arity === 3) throw new Error(`${spec.name}: a ternary op cannot have a fuseCode`);
  const params = Object.keys(spec.attrs ?? {});
  registerKernel(spec.kernel, {
    inPlace: () => true, // element i of every input is read before element i of the output is written
    inferShape: (shapes) => [broadcastShapes(spec.name, shapes)],
    prepareJs: (ctx) => elemwiseKernel(spec.js(ctx.outDtypes[0], ctx.attrs), ctx.inShapes, ctx.outShapes[0]),
    // ints [opcode] (checked by the native generic path), floats: the parameters in declaration order
    nativeAttrs: (a) => ({ ints: spec.fuseCode === undefined ? [] : [spec.fuseCode], floats: params.map((k) => a[k] as number) }),
  });
  if (spec.fuseCode !== undefined) fusable.set(spec.fuseCode, spec);
  return new ElemwiseOp(spec);
}

/** Scalar ops by fused opcode. */
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
