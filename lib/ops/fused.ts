import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { DType } from '../dtype';
import { broadcastShapes, broadcastStatic } from './broadcast';
import { elemwiseKernel, fusable } from './elemwise';

/**
 * The native Fused kernel's limits: at most FUSED_MAX_INPUTS inputs and FUSED_MAX_REGS registers (inputs + ops,
 * constants included). They mirror kMaxInputs and kMaxRegs in native/kernels/fused.cc (test/rewrite/fusion-limits
 * checks they agree); the fusion rewrite never builds a larger program, which the addon would reject with
 * ERR_UNSUPPORTED on every call.
 */
export const FUSED_MAX_INPUTS = 32;
export const FUSED_MAX_REGS = 128;

/** Opcode of a constant inside a fused program (the generated opcode list keeps 0 for it): the value is consts[a]. */
export const FUSE_CONST = 0;

/**
 * A tree of elementwise ops run as one kernel in one pass over memory. The program is bytecode shared by both
 * backends: code = [nIn, nOps, (opcode, a, b) × nOps]; registers 0..nIn-1 are the inputs broadcast to the output
 * shape, register nIn+k holds op k's result, and the last register is the output. Opcodes are the ops' `fuseOpcode`s
 * (lib/ops/generated/elementwise-opcodes.ts, written by npm run gen: every unary and binary elementwise op has one;
 * parameters take their defaults).
 */
export class FusedOp extends Op {
  readonly name = 'fused';
  readonly kernel = 'Fused';
  override readonly attrs: { code: readonly number[]; consts: readonly number[] };
  constructor(code: readonly number[], consts: readonly number[]) {
    super();
    this.attrs = { code, consts };
  }
  makeNode(...inputs: Variable[]): Apply {
    const dt: DType = inputs[0].dtype;
    const shape = broadcastStatic('fused', inputs.map((_, i) => `x${i}`), inputs.map((v) => v.type.shape));
    return new Apply(this, inputs, [new TensorType(dt, shape)]);
  }
  override format(inputs: readonly string[]): string {
    return `fused{${fusedExpression(this.attrs.code, this.attrs.consts, inputs)}}`;
  }
  override toString(): string {
    return `fused{${fusedExpression(this.attrs.code, this.attrs.consts, inputs(this.attrs.code[0]))}}`;
  }
}

const inputs = (n: number) => Array.from({ length: n }, (_, i) => `x${i}`);

function literal(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** The fused program as a readable expression over the given input names. */
export function fusedExpression(code: readonly number[], consts: readonly number[], names: readonly string[]): string {
  const [nIn, nOps] = code;
  const regs = names.slice(0, nIn);
  for (let k = 0; k < nOps; k++) {
    const [op, a, b] = code.slice(2 + 3 * k, 5 + 3 * k);
    if (op === FUSE_CONST) regs.push(literal(consts[a]));
    else {
      const spec = fusable.get(op)!;
      regs.push(spec.arity === 1 ? `${spec.name}(${regs[a]})` : `${spec.name}(${regs[a]}, ${regs[b]})`);
    }
  }
  return regs[regs.length - 1];
}

registerKernel('Fused', {
  inPlace: () => true, // a block of every register is read before the output block is written
  nativeAttrs: (a) => ({ ints: a.code as number[], floats: a.consts as number[] }),
  inferShape: (shapes) => [broadcastShapes('fused', shapes)],
  prepareJs: ({ attrs, inShapes, outShapes, outDtypes }) => {
    const code = attrs.code as number[];
    const consts = attrs.consts as number[];
    const [nIn, nOps] = code;
    const vars = inputs(nIn).map((_, i) => `r${i}`);
    const pre: string[] = [];
    for (let k = 0; k < nOps; k++) {
      const [op, a, b] = code.slice(2 + 3 * k, 5 + 3 * k);
      const r = `r${nIn + k}`;
      if (op === FUSE_CONST) pre.push(`const ${r} = ${literal(consts[a])};`);
      else {
        // round each intermediate to the output dtype, as the unfused ops would when storing their results
        const spec = fusable.get(op)!;
        const expr = spec.js(outDtypes[0], spec.attrs ?? {}).replace(/\b[ab]\b/g, (m) => `r${m === 'a' ? a : b}`);
        pre.push(outDtypes[0] === 'float32' ? `const ${r} = Math.fround(${expr});` : `const ${r} = ${expr};`);
      }
    }
    return elemwiseKernel({ vars, pre: pre.join(' '), expr: `r${nIn + nOps - 1}` }, inShapes, outShapes[0]);
  },
});
