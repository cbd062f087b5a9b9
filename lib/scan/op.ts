import { ShapeError } from '../errors';
import { DType, ctorOf, TypedArray } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { FunctionGraph } from '../graph/fgraph';
import { TensorType } from '../graph/type';
import { Apply, SharedVariable, Variable } from '../graph/variable';
import { shapeStr, sizeOf } from '../ndarray';
import { evalDims } from '../ops/dim-expr';
import { opKey } from './key';

/**
 * The loop itself, as one step of the compiled program whose body is a program of its own (Program.subprograms).
 *
 * Time runs t = 0 .. n-1 (or n-1 .. 0 when `reverse`, which gradients use). Per step the body reads:
 *   - sequence i at each of its offsets: seq_i[t + off] (off >= 0; T.scan turns Theano's taps into offsets);
 *   - output o at each of its lags l >= 1: its value at time t - l (t + l when reverse), or, before the first step,
 *     row (rows + t - l) of its initial value (row t + l - n when reverse);
 *   - the non-sequences, the same every step;
 * and writes every output's value at time t. A 'seq' output stacks them ([n, ...], or a sequence's length with each
 * value at t + offset and zeros elsewhere); a 'last' output (lag 1 only) keeps only the final one. With `until`, the
 * body's extra last output is a bool scalar that ends the loop after the step it is true in, and the op's extra last
 * output counts the steps run.
 *
 * Inputs: [...sequences, ...initial values (outputs with lags), ...non-sequences, ...size refs]. A number of steps
 * given as data (an int32 scalar) reaches the loop as the shape of a StepCount ref, so the loop's shapes always
 * follow from shapes.
 */
export interface ScanSpec {
  /** Per sequence, its offsets (>= 0) in the order the body receives them. */
  seqOffsets: number[][];
  outputs: ScanOutput[];
  nNonSeq: number;
  /** How n is found: from the sequences listed in `from`, or from shape expressions (dim-expr code over the refs). */
  steps: { kind: 'seqs'; from: number[] } | { kind: 'dims'; code: number[]; nRefs: number };
  reverse: boolean;
  until: boolean;
}

export interface ScanOutput {
  /** Lags >= 1 at which the body reads the output's earlier values, in the body's order; empty: not fed back. */
  lags: number[];
  mode: 'seq' | 'last';
  /** For 'seq' outputs: -1 for [n, ...] stacked from 0, or a sequence index whose length (first dim) the output takes. */
  like: number;
  offset: number;
}

const MODE = { seq: 0, last: 1 } as const;

/** The attributes both backends read (native/kernels/scan_loop.cc documents the same layout). */
export function scanAttrs(spec: ScanSpec) {
  const st = spec.steps;
  return {
    seqTaps: spec.seqOffsets.map((o) => o.length),
    seqOffsets: spec.seqOffsets.flat(),
    outLagCount: spec.outputs.map((o) => o.lags.length),
    outLags: spec.outputs.flatMap((o) => o.lags),
    outModes: spec.outputs.map((o) => MODE[o.mode]),
    outLike: spec.outputs.map((o) => o.like),
    outOffset: spec.outputs.map((o) => o.offset),
    nNonSeq: spec.nNonSeq,
    nMode: st.kind === 'seqs' ? 0 : 1,
    nFrom: st.kind === 'seqs' ? st.from : [],
    nCode: st.kind === 'dims' ? st.code : [],
    reverse: spec.reverse,
    until: spec.until,
  };
}

export class ScanOp extends Op {
  readonly name: string;
  readonly kernel = 'Scan';
  override readonly attrs: ReturnType<typeof scanAttrs>;
  readonly spec: ScanSpec;
  /** The body: inputs are the per-step placeholders, outputs the step's values (then the until condition). */
  readonly inner: FunctionGraph;
  /** Random-stream states the loop advances: [output index, shared variable], applied by default as Theano's are. */
  readonly defaultUpdates: readonly (readonly [number, SharedVariable])[];
  /** Where the user called T.scan, for errors. */
  readonly site: string;
  readonly nInputs: number;
  /** Backpropagate through only the last `truncate` steps (-1: all). */
  truncate = -1;
  /** Keep only the outputs for the gradient: the backward loop recomputes the body's products (T.scan's checkpoint). */
  checkpoint = false;
  /** The loop this one repeats with more outputs (its outputs first, 'last' ones as whole sequences): see rewrite-last.ts. */
  extends: ScanOp | null = null;

  constructor(spec: ScanSpec, inner: FunctionGraph, opts: { name?: string; site: string; defaultUpdates?: readonly (readonly [number, SharedVariable])[]; nInputs: number }) {
    super();
    this.name = opts.name ?? 'scan';
    this.spec = spec;
    this.inner = inner;
    this.site = opts.site;
    this.defaultUpdates = opts.defaultUpdates ?? [];
    this.attrs = scanAttrs(spec);
    this.nInputs = opts.nInputs;
  }

  bodies(): readonly FunctionGraph[] {
    return [this.inner];
  }

  get nSeq(): number {
    return this.spec.seqOffsets.length;
  }
  /** Outputs with lags, in output order: the ones with an initial value. */
  get fedBack(): number[] {
    return this.spec.outputs.flatMap((o, k) => (o.lags.length ? [k] : []));
  }

  makeNode(...inputs: Variable[]): Apply {
    const { spec } = this;
    const body = this.inner.outputs;
    const nStatic = staticSteps(this, inputs);
    const types = spec.outputs.map((o, k) => {
      const t = body[k].type;
      if (o.mode === 'last') return t;
      if (o.like >= 0) return new TensorType(t.dtype, [inputs[o.like].type.shape[0], ...t.shape]);
      return new TensorType(t.dtype, [nStatic, ...t.shape]);
    });
    if (spec.until) types.push(new TensorType('int32', []));
    return new Apply(this, inputs, types);
  }

  override grad(inputs: readonly Variable[], outputs: readonly Variable[], gOut: readonly (Variable | null)[]): (Variable | null)[] {
    return scanGradHook.fn!(this, inputs, outputs, gOut);
  }

  // two loops merge when their bodies compute the same thing (identical scans over the same inputs run once)
  override equals(other: Op): boolean {
    return other === this || (other instanceof ScanOp && other.truncate === this.truncate && other.checkpoint === this.checkpoint && opKey(other) === opKey(this) && sameUpdates(this, other));
  }
  override format(inputs: readonly string[]): string {
    return `${this.name}(${inputs.join(', ')})`;
  }
  override toString(): string {
    return this.name;
  }
}

function sameUpdates(a: ScanOp, b: ScanOp): boolean {
  return a.defaultUpdates.length === b.defaultUpdates.length && a.defaultUpdates.every(([k, s], i) => b.defaultUpdates[i][0] === k && b.defaultUpdates[i][1] === s);
}

/** Filled in by grad.ts (which builds on T.grad, a layer above the op). */
export const scanGradHook: { fn: ((op: ScanOp, inputs: readonly Variable[], outputs: readonly Variable[], gOut: readonly (Variable | null)[]) => (Variable | null)[]) | null } = { fn: null };

function staticSteps(op: ScanOp, inputs: readonly Variable[]): number | null {
  const st = op.spec.steps;
  if (st.kind === 'dims') {
    // unknown dims read as NaN: n is static exactly when the result is finite
    const refs = inputs.slice(inputs.length - st.nRefs).map((r) => r.type.shape.map((d) => d ?? NaN));
    const n = evalDims(st.code, refs)[0];
    return Number.isFinite(n) ? n : null;
  }
  let n: number | null = Infinity;
  for (const i of st.from) {
    const len = inputs[i].type.shape[0];
    if (len === null) return null;
    n = Math.min(n, len - Math.max(0, ...op.spec.seqOffsets[i]));
  }
  return n === Infinity ? null : Math.max(0, n);
}

/** The decoded attributes, shared by shape inference and the JS kernel. */
interface Layout {
  nSeq: number;
  seqOff: number[][];
  lags: number[][];
  modes: number[];
  like: number[];
  offset: number[];
  nNonSeq: number;
  nOut: number;
  fed: number[];
  reverse: boolean;
  until: boolean;
}

function layoutOf(attrs: Record<string, unknown>): Layout {
  const seqTaps = attrs.seqTaps as number[];
  const offs = attrs.seqOffsets as number[];
  const lagCount = attrs.outLagCount as number[];
  const lagsFlat = attrs.outLags as number[];
  let p = 0;
  const seqOff = seqTaps.map((c) => offs.slice(p, (p += c)));
  p = 0;
  const lags = lagCount.map((c) => lagsFlat.slice(p, (p += c)));
  return {
    nSeq: seqTaps.length,
    seqOff,
    lags,
    modes: attrs.outModes as number[],
    like: attrs.outLike as number[],
    offset: attrs.outOffset as number[],
    nNonSeq: attrs.nNonSeq as number,
    nOut: lagCount.length,
    fed: lagCount.flatMap((c, k) => (c > 0 ? [k] : [])),
    reverse: attrs.reverse === true,
    until: attrs.until === true,
  };
}

/** n from the input shapes, checked against the sequences' lengths. */
function stepsOf(L: Layout, attrs: Record<string, unknown>, ins: readonly (readonly number[])[]): number {
  const mode = attrs.nMode as number;
  let n: number;
  if (mode === 1) {
    const code = attrs.nCode as number[];
    const nRefs = ins.length - (L.nSeq + L.fed.length + L.nNonSeq);
    n = evalDims(code, ins.slice(ins.length - nRefs))[0];
    if (!Number.isInteger(n) || n < 0) throw new ShapeError(`scan: nSteps must be a non-negative integer, got ${n}`);
  } else {
    n = Infinity;
    for (const i of attrs.nFrom as number[]) n = Math.min(n, ins[i][0] - Math.max(0, ...L.seqOff[i]));
    n = Math.max(0, n);
  }
  for (let i = 0; i < L.nSeq; i++) {
    const need = n + Math.max(0, ...L.seqOff[i]);
    if (ins[i].length === 0) throw new ShapeError(`scan: sequences[${i}] must have at least one dimension (the time axis), got a scalar`);
    if (n > 0 && ins[i][0] < need) throw new ShapeError(`scan: sequences[${i}] must have at least ${need} entries along its first axis for ${n} steps, got ${ins[i][0]} (shape ${shapeStr(ins[i])})`);
  }
  return n;
}

/** The body's input shapes: one per sequence offset, per output lag, per non-sequence. */
function bodyInShapes(L: Layout, ins: readonly (readonly number[])[]): number[][] {
  const shapes: number[][] = [];
  for (let i = 0; i < L.nSeq; i++) for (const _ of L.seqOff[i]) shapes.push(ins[i].slice(1));
  L.fed.forEach((o, j) => {
    for (const _ of L.lags[o]) shapes.push(ins[L.nSeq + j].slice(1));
  });
  for (let m = 0; m < L.nNonSeq; m++) shapes.push(ins[L.nSeq + L.fed.length + m].slice());
  return shapes;
}

function outShapesOf(L: Layout, n: number, ins: readonly (readonly number[])[], body: readonly (readonly number[])[]): number[][] {
  const outs: number[][] = [];
  for (let o = 0; o < L.nOut; o++) {
    const j = L.fed.indexOf(o);
    if (j >= 0) {
      const init = ins[L.nSeq + j];
      const maxLag = Math.max(...L.lags[o]);
      const want = init.slice(1);
      if (init[0] < maxLag) throw new ShapeError(`scan: the initial value of output ${o} must have at least ${maxLag} rows for lags up to ${maxLag}, got shape ${shapeStr(init)}`);
      if (body[o].length !== want.length || body[o].some((d, k) => d !== want[k])) {
        throw new ShapeError(`scan: output ${o} of the step function must keep the shape of its initial value ${shapeStr(want)}, got ${shapeStr(body[o])}`);
      }
    }
    if (L.modes[o] === MODE.last) outs.push(body[o].slice());
    else if (L.like[o] >= 0) {
      // as long as the sequence, each step's value at t + offset (zeros elsewhere)
      const seq = ins[L.like[o]];
      outs.push([seq[0], ...body[o]]);
    } else outs.push([n, ...body[o]]);
  }
  if (L.until) {
    const c = body[L.nOut];
    if (c.length !== 0) throw new ShapeError(`scan: the until condition must be a scalar, got shape ${shapeStr(c)}`);
    outs.push([]);
  }
  return outs;
}

/**
 * The number of steps and the body's input shapes for the loop's input shapes: what both backends plan the body for
 * (the JS kernel here, the native executor through the kernel's bodyShapes).
 */
export function scanBodyShapes(attrs: Record<string, unknown>, inShapes: readonly (readonly number[])[]): { n: number; inShapes: number[][] } {
  const L = layoutOf(attrs);
  return { n: stepsOf(L, attrs, inShapes), inShapes: bodyInShapes(L, inShapes) };
}

/**
 * The native layout (native/kernels/scan_loop.cc): ints [nSeq, nOut, nNonSeq, reverse, until, seqTaps[nSeq],
 * seqOffsets..., outLagCount[nOut], outLags..., outModes[nOut], outLike[nOut], outOffset[nOut]]; n comes with the plan.
 */
function scanNativeInts(attrs: Record<string, unknown>): number[] {
  const L = layoutOf(attrs);
  return [L.nSeq, L.nOut, L.nNonSeq, L.reverse ? 1 : 0, L.until ? 1 : 0, ...L.seqOff.map((o) => o.length), ...L.seqOff.flat(), ...L.lags.map((l) => l.length), ...L.lags.flat(), ...L.modes, ...L.like, ...L.offset];
}

registerKernel('Scan', {
  inferShape: (ins, attrs, host) => {
    if (!host) throw new ShapeError('scan: the loop runs only inside a compiled function');
    const L = layoutOf(attrs);
    const n = stepsOf(L, attrs, ins);
    return outShapesOf(L, n, ins, host.inferBody((attrs.bodies as number[])[0], bodyInShapes(L, ins)));
  },
  bodyShapes: (ins, attrs) => {
    const { n, inShapes } = scanBodyShapes(attrs, ins);
    return [{ inShapes, iterations: n }];
  },
  nativeAttrs: (attrs) => ({ ints: scanNativeInts(attrs) }),
  prepareJs: ({ attrs, inShapes, outDtypes, host }) => {
    const L = layoutOf(attrs);
    const { n, inShapes: bodyIn } = scanBodyShapes(attrs, inShapes);
    const body = host!.prepareBody!((attrs.bodies as number[])[0], bodyIn);
    const seqSize = inShapes.slice(0, L.nSeq).map((s) => sizeOf(s.slice(1)));
    const outSize = body.outShapes.map((s) => sizeOf(s));
    const initRows = L.fed.map((_, j) => inShapes[L.nSeq + j][0]);
    const fedIndex = Array.from({ length: L.nOut }, (_, o) => L.fed.indexOf(o));
    // 'last' outputs alternate between two buffers: the body reads one and writes the other
    const pingPong = Array.from({ length: L.nOut }, (_, o) => (L.modes[o] === MODE.last ? [0, 1].map(() => new (ctorOf(outDtypes[o] as DType))(outSize[o])) : null));
    const cond = L.until ? new Uint8Array(1) : null;
    const bodyIns: TypedArray[] = new Array(bodyIn.length);
    const bodyOuts: TypedArray[] = new Array(L.nOut + (L.until ? 1 : 0));
    const nonSeqAt = L.nSeq + L.fed.length;
    return (ins, outs) => {
      const row = (a: TypedArray, r: number, size: number) => a.subarray(r * size, (r + 1) * size);
      for (let o = 0; o < L.nOut; o++) if (L.modes[o] !== MODE.last && L.like[o] >= 0) outs[o].fill(0);
      let count = 0;
      for (let k = 0; k < n; k++) {
        const t = L.reverse ? n - 1 - k : k;
        let b = 0;
        for (let i = 0; i < L.nSeq; i++) for (const off of L.seqOff[i]) bodyIns[b++] = row(ins[i], t + off, seqSize[i]);
        for (const o of L.fed) {
          const j = fedIndex[o];
          for (const lag of L.lags[o]) {
            const tau = L.reverse ? t + lag : t - lag;
            const before = L.reverse ? tau >= n : tau < 0;
            if (before) bodyIns[b++] = row(ins[L.nSeq + j], L.reverse ? tau - n : initRows[j] + tau, outSize[o]);
            else if (L.modes[o] === MODE.last) bodyIns[b++] = pingPong[o]![(k - 1) & 1];
            else bodyIns[b++] = row(outs[o], tau + (L.like[o] >= 0 ? L.offset[o] : 0), outSize[o]);
          }
        }
        for (let m = 0; m < L.nNonSeq; m++) bodyIns[b++] = ins[nonSeqAt + m];
        for (let o = 0; o < L.nOut; o++) {
          if (L.modes[o] === MODE.last) bodyOuts[o] = pingPong[o]![k & 1];
          else bodyOuts[o] = row(outs[o], t + (L.like[o] >= 0 ? L.offset[o] : 0), outSize[o]);
        }
        if (cond) bodyOuts[L.nOut] = cond;
        body.run(bodyIns, bodyOuts);
        count++;
        if (cond && cond[0]) break;
      }
      for (let o = 0; o < L.nOut; o++) {
        if (L.modes[o] !== MODE.last) continue;
        const j = fedIndex[o];
        // no step ran: the value is the initial one (the row just before the first step)
        outs[o].set(count ? pingPong[o]![(count - 1) & 1] : row(ins[L.nSeq + j], L.reverse ? 0 : initRows[j] - 1, outSize[o]));
      }
      if (L.until) outs[L.nOut][0] = count;
    };
  },
});
