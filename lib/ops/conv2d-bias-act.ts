import { ShapeError } from '../errors';
import { registerKernel } from '../graph/kernel-registry';
import { Attrs } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { convAttrsOf, formatConv } from './conv-geometry';
import { convReference } from './conv-kernels';
import { Conv2dOp, ConvOpBase, runDims } from './conv2d';

/** The activations the fused conv applies; the index is the kernel attribute (native/kernels/conv.cc). */
export const CONV_ACTIVATIONS = ['none', 'relu', 'tanh', 'sigmoid'] as const;
export type ConvActivation = (typeof CONV_ACTIVATIONS)[number];

/**
 * act(conv2d(x, w) + b[k]) in one pass over the output, b a vector [K] broadcast over channels. Made only by the
 * rewrite in lib/rewrite/conv-bias-act.ts after gradients were built, so it has no gradient of its own.
 */
export class Conv2dBiasActOp extends ConvOpBase {
  readonly name = 'conv2dBiasAct';
  readonly kernel = 'Conv2dBiasAct';
  override readonly attrs: Attrs;
  /** `convAttrs`: a Conv2dOp's attributes (an `act` among them is replaced). */
  constructor(convAttrs: Attrs, act: ConvActivation) {
    super();
    this.attrs = { ...convAttrs, act: CONV_ACTIVATIONS.indexOf(act) };
  }
  get activation(): ConvActivation {
    return CONV_ACTIVATIONS[this.attrs.act as number];
  }
  makeNode(x: Variable, w: Variable, b: Variable): Apply {
    const y = new Conv2dOp(convAttrsOf(this.attrs), hint(this.attrs.hintX), hint(this.attrs.hintW)).makeNode(x, w).outputs[0];
    const k = y.type.shape[1];
    if (b.ndim !== 1 || b.dtype !== y.dtype || (k !== null && b.type.shape[0] !== null && b.type.shape[0] !== k)) {
      throw new ShapeError(`conv2dBiasAct: b must be a ${y.dtype} vector [${k ?? 'K'}], got ${b.type}`);
    }
    return new Apply(this, [x, w, b], [new TensorType(y.dtype, y.type.shape)]);
  }
  override format(inputs: readonly string[]): string {
    const s = formatConv('conv2d', inputs.slice(0, 2), this.attrs);
    const biased = `${s} + ${inputs[2]}`;
    return this.activation === 'none' ? biased : `${this.activation}(${biased})`;
  }
}

const hint = (v: unknown) => (v as readonly number[]).map((d) => (d < 0 ? null : d));

const ACT: Record<ConvActivation, (a: number) => number> = {
  none: (a) => a,
  relu: (a) => (a > 0 || a !== a ? a : 0),
  tanh: Math.tanh,
  sigmoid: (a) => 1 / (1 + Math.exp(-a)),
};

registerKernel('Conv2dBiasAct', {
  nativeAttrs: (a) => {
    const c = convAttrsOf(a);
    return { ints: [c.mode, c.pad[0], c.pad[1], c.subsample[0], c.subsample[1], c.dilation[0], c.dilation[1], c.groups, c.flip ? 1 : 0, -1, -1, a.act as number] };
  },
  inferShape: (shapes, attrs) => {
    const { out } = runDims(0, shapes, attrs);
    const b = shapes[2];
    if (b.length !== 1 || b[0] !== out[1]) throw new ShapeError(`conv2dBiasAct: b must have shape [${out[1]}], got ${shapeStr(b)}`);
    return [out];
  },
  prepareJs: ({ inShapes, attrs }) => {
    const { g } = runDims(0, inShapes, attrs);
    const conv = convReference(0, g, convAttrsOf(attrs));
    const act = ACT[CONV_ACTIVATIONS[attrs.act as number]];
    const plane = g.oh * g.ow;
    return (ins, outs) => {
      conv(ins, outs);
      const [y, b] = [outs[0], ins[2]];
      for (let i = 0; i < y.length; i++) y[i] = act(y[i] + b[Math.floor(i / plane) % g.k]);
    };
  },
});
