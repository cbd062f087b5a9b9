import { ShapeError } from '../errors';
import { DType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Attrs, Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr, sizeOf } from '../ndarray';
import { nextState, plog, sincos2pi, u24, u32, u53, WordStream } from '../random/philox';

export type Distribution = 'uniform' | 'normal' | 'binomial';

/**
 * One draw from a Philox4x32-10 stream: inputs (state, [shapeRef]), outputs (sample, newState). state is int32
 * [key0, key1, counterLo, counterHi]; newState advances the counter by one, so every draw gets fresh numbers. The
 * sample's shape is the `size` attribute, or the run-time shape of shapeRef (whose data is not read).
 * Attributes: a, b (low/high, avg/std, or p for binomial), n (binomial trials).
 */
export class RandomOp extends Op {
  readonly name: string;
  readonly kernel: string;
  override readonly attrs: { a: number; b: number; n: number; size: readonly number[]; dtype: DType };
  constructor(readonly dist: Distribution, attrs: { a: number; b: number; n: number; size: readonly number[]; dtype: DType }) {
    super();
    this.name = `random${dist[0].toUpperCase()}${dist.slice(1)}`;
    this.kernel = this.name[0].toUpperCase() + this.name.slice(1);
    this.attrs = attrs;
  }
  makeNode(state: Variable, ref?: Variable): Apply {
    const shape: readonly Dim[] = ref ? ref.type.shape : this.attrs.size;
    return new Apply(this, ref ? [state, ref] : [state], [new TensorType(this.attrs.dtype, shape), new TensorType('int32', [4])]);
  }
  /** `uniform(rng0, size=[2, 3], low=0, high=1, float32)`; a size taken from a variable prints as `shapeOf(x)`. */
  override format(inputs: readonly string[]): string {
    const { a, b, n, size, dtype } = this.attrs;
    const shape = inputs.length > 1 ? `shapeOf(${inputs[1]})` : `[${size.join(', ')}]`;
    const params = this.dist === 'uniform' ? `low=${a}, high=${b}` : this.dist === 'normal' ? `avg=${a}, std=${b}` : `n=${n}, p=${b}`;
    return `${this.dist}(${inputs[0]}, size=${shape}, ${params}, ${dtype})`;
  }
  // a draw does not depend differentiably on its state or on the shape it copies
  override grad(inputs: readonly Variable[]): (Variable | null)[] {
    return inputs.map(() => null);
  }
}

function checkState(state: readonly number[]): void {
  if (state.length !== 1 || state[0] !== 4) {
    throw new ShapeError(`random: state must have shape [4] (key0, key1, counterLo, counterHi), got ${shapeStr(state)}`);
  }
}

type Out = { [i: number]: number };
type Fill = (words: WordStream, out: Out, size: number, attrs: Attrs, dtype: DType) => void;

// float32: one word per element (24 bits); float64: two words (53 bits); both computed in double, rounded once
const fillUniform: Fill = (s, out, size, { a, b }, dtype) => {
  const lo = a as number;
  const span = (b as number) - lo;
  if (dtype === 'float32') for (let i = 0; i < size; i++) out[i] = lo + span * u24(s.word(i));
  else for (let i = 0; i < size; i++) out[i] = lo + span * u53(s.word(2 * i), s.word(2 * i + 1));
};

// Box-Muller on block j (words 4j..4j+3) gives elements 2j and 2j+1: r = sqrt(-2 log u1), (r cos 2pi u2, r sin 2pi u2)
const fillNormal: Fill = (s, out, size, { a, b }) => {
  const avg = a as number;
  const std = b as number;
  const sc = new Float64Array(2);
  for (let j = 0; 2 * j < size; j++) {
    const u1 = 1 - u53(s.word(4 * j), s.word(4 * j + 1)); // in (0, 1]
    const u2 = u53(s.word(4 * j + 2), s.word(4 * j + 3));
    const r = Math.sqrt(-2 * plog(u1));
    sincos2pi(u2, sc);
    out[2 * j] = avg + std * (r * sc[1]);
    if (2 * j + 1 < size) out[2 * j + 1] = avg + std * (r * sc[0]);
  }
};

// element i counts the words i*n .. i*n+n-1 that fall below p
const fillBinomial: Fill = (s, out, size, { b, n }) => {
  const p = b as number;
  const trials = n as number;
  for (let i = 0; i < size; i++) {
    let c = 0;
    for (let k = 0; k < trials; k++) if (u32(s.word(i * trials + k)) < p) c++;
    out[i] = c;
  }
};

for (const [dist, fill] of [['Uniform', fillUniform], ['Normal', fillNormal], ['Binomial', fillBinomial]] as const) {
  registerKernel(`Random${dist}`, {
    // ints: [n]; floats: [a, b]
    nativeAttrs: (a) => ({ ints: [a.n as number], floats: [a.a as number, a.b as number] }),
    inferShape: (shapes, attrs) => {
      checkState(shapes[0]);
      return [shapes.length > 1 ? shapes[1].slice() : (attrs.size as number[]).slice(), [4]];
    },
    prepareJs: ({ attrs, outShapes, outDtypes }) => {
      const size = sizeOf(outShapes[0]);
      return (ins, outs) => {
        const state = Int32Array.from(ins[0]); // read before writing: the new state may share the state's buffer
        fill(new WordStream(state), outs[0], size, attrs, outDtypes[0]);
        nextState(state, outs[1]);
      };
    },
  });
}
