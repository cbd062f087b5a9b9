import { GradError } from '../errors';
import { isFloat } from '../dtype';
import { FunctionGraph } from '../graph/fgraph';
import { COMPILER_SITE } from '../graph/trace';
import { TensorType } from '../graph/type';
import { Variable } from '../graph/variable';
import { grad } from '../grad/grad';
import { add } from '../ops/add';
import { mul } from '../ops/mul';
import { sum } from '../ops/sum';
import { arange } from '../ops/arange';
import { zerosLike } from '../ops/broadcast-to';
import { concatenate } from '../ops/concatenate';
import { dimOf } from '../ops/dim-expr';
import { encodeDims } from '../ops/dim-expr';
import { expandDims } from '../ops/expand-dims';
import { incSubtensor } from '../ops/inc-subtensor';
import { shapeI } from '../ops/shape';
import { slice } from '../ops/subtensor';
import { sub } from '../ops/sub';
import { where } from '../ops/where';
import { ge } from '../ops/compare';
import { DotOp } from '../ops/dot';
import { reshape } from '../ops/reshape';
import { buildLoop } from './build';
import { scanGradHook, ScanOp, ScanOutput, ScanSpec } from './op';

/**
 * Backpropagation through time, as a second loop running the other way (Theano's scan grad). With ā_o(t) the total
 * gradient reaching output o's value at time t, each backward step re-runs the body at t and pulls ā back through it:
 *   ā_o(t) = g_o(t) + Σ_l c_{o,l}(t + l),   c_{o,l}(s) = ∂body(s)/∂(o at lag l) · ā(s)
 * so each c_{o,l} is a state of the backward loop read at lag l; sequences collect their taps' gradients at
 * t + offset, non-sequences sum theirs over the steps, and the c's of the first steps are the initial values'.
 * The backward loop is an ordinary scan: it has a gradient of its own (second order).
 */
function scanGrad(op: ScanOp, inputs: readonly Variable[], outputs: readonly Variable[], gOut: readonly (Variable | null)[]): (Variable | null)[] {
  const { spec } = op;
  if (spec.until) throw new GradError(`${op.name}: a loop ended by T.scanUntil has no gradient (T.scan called at ${op.site})`);
  const nSeq = spec.seqOffsets.length;
  const fed = spec.outputs.flatMap((o, k) => (o.lags.length ? [k] : []));
  const nOut = spec.outputs.length;
  const seqs = inputs.slice(0, nSeq);
  const initials = inputs.slice(nSeq, nSeq + fed.length);
  const nonSeqs = inputs.slice(nSeq + fed.length, nSeq + fed.length + spec.nNonSeq);
  const result: (Variable | null)[] = inputs.map(() => null);
  if (gOut.slice(0, nOut).every((g) => g === null)) return result;

  // the forward values at every step: a 'last' output fed back needs its whole sequence, and the body's products that
  // read a state are kept per step so the backward loop need not redo them. That is the forward loop with more
  // outputs; a rewrite makes the original read its outputs from it, so the loop still runs once.
  const nFwdTaps = spec.seqOffsets.reduce((n, o) => n + o.length, 0);
  const stateIn = new Set(op.inner.inputs.slice(nFwdTaps, nFwdTaps + fed.reduce((n, o) => n + spec.outputs[o].lags.length, 0)));
  const onState = new Set<Variable>(stateIn);
  for (const n of op.inner.nodes) if (n.inputs.some((i) => onState.has(i))) n.outputs.forEach((o) => onState.add(o));
  // dot(h, W) with h a state tap and W a weight read nowhere else: its value is kept, and its vjp written out below
  const innerReaders = new Map<Variable, number>();
  for (const n of op.inner.nodes) for (const i of n.inputs) innerReaders.set(i, (innerReaders.get(i) ?? 0) + 1);
  const weightIn = new Set(op.inner.inputs.slice(op.inner.inputs.length - spec.nNonSeq));
  const storedNodes = op.truncate > 0 || op.checkpoint ? [] : op.inner.nodes.filter((n) => {
    if (!(n.op instanceof DotOp) || n.op.attrs.transA || n.op.attrs.transB || op.inner.outputs.includes(n.outputs[0])) return false;
    const [h, w] = n.inputs;
    return stateIn.has(h) && weightIn.has(w) && w.ndim === 2 && isFloat(w.dtype) && innerReaders.get(w) === 1;
  });
  const stored = storedNodes.map((n) => n.outputs[0]);
  let values = outputs;
  if (stored.length || fed.some((o) => spec.outputs[o].mode === 'last')) {
    const more = new FunctionGraph(op.inner.inputs, [...op.inner.outputs, ...stored]);
    const all: ScanSpec = {
      ...spec,
      outputs: [...spec.outputs.map((o) => (o.mode === 'last' ? { ...o, mode: 'seq' as const, like: -1, offset: 0 } : o)), ...stored.map((): ScanOutput => ({ lags: [], mode: 'seq', like: -1, offset: 0 }))],
    };
    const again = new ScanOp(all, more, { name: op.name, site: op.site, nInputs: op.nInputs, defaultUpdates: op.defaultUpdates });
    again.truncate = op.truncate;
    again.checkpoint = op.checkpoint;
    again.extends = op;
    values = again.makeNode(...inputs).outputs;
  }
  const rev = spec.reverse;
  const seqOut = values.find((_, k) => k < nOut && spec.outputs[k].mode === 'seq' && spec.outputs[k].like < 0);
  // n, as the forward loop found it
  let steps: ScanSpec['steps'] = spec.steps;
  let nRefs: Variable[] = inputs.slice(inputs.length - (spec.steps.kind === 'dims' ? spec.steps.nRefs : 0));
  if (seqOut) {
    const enc = encodeDims([dimOf(seqOut, 0)], []);
    steps = { kind: 'dims', code: enc.code, nRefs: enc.refs.length };
    nRefs = enc.refs;
  } else if (spec.steps.kind === 'seqs') nRefs = [];
  const nScalar = (): Variable => (seqOut ? shapeI(seqOut, 0) : shapeI(nRefs[0] ?? seqs[0], 0));

  // backward sequences: the forward ones, each fed output's full history (initial rows and values), the output gradients
  const bSeqs: Variable[] = [...seqs];
  const bOffsets: number[][] = spec.seqOffsets.map((o) => o.slice());
  const histIndex = new Map<number, number>();
  for (const o of fed) {
    const j = fed.indexOf(o);
    const K = Math.max(...spec.outputs[o].lags);
    histIndex.set(o, bSeqs.length);
    bSeqs.push(rev ? concatenate([values[o], initials[j]], 0) : concatenate([initials[j], values[o]], 0));
    bOffsets.push(spec.outputs[o].lags.map((l) => (rev ? l : K - l)));
  }
  const gIndex = new Map<number, number>();
  for (let o = 0; o < nOut; o++) {
    const g = gOut[o];
    if (!g || spec.outputs[o].mode === 'last') continue;
    gIndex.set(o, bSeqs.length);
    bSeqs.push(g);
    bOffsets.push([spec.outputs[o].like >= 0 ? spec.outputs[o].offset : 0]);
  }
  const storedIndex = stored.map((_, i) => {
    bSeqs.push(values[nOut + i]);
    bOffsets.push([0]);
    return bSeqs.length - 1;
  });
  const truncate = op.truncate > 0;
  let timeIndex = -1;
  if (truncate) {
    timeIndex = bSeqs.length;
    bSeqs.push(arange(nScalar()));
    bOffsets.push([0]);
  }

  // backward states: c_{o,l} per fed output and lag, then each float non-sequence's running sum
  const bOutputs: ScanOutput[] = [];
  const bInitials: Variable[] = [];
  // the forward body's input for output o at lag l
  const stateTap = (o: number, lag: number) => {
    let at = nFwdTaps;
    for (const f of fed) {
      if (f === o) return op.inner.inputs[at + spec.outputs[f].lags.indexOf(lag)];
      at += spec.outputs[f].lags.length;
    }
    throw new GradError(`${op.name}: internal: output ${o} is not fed back`);
  };
  const cells: { o: number; lag: number; index: number; input: Variable }[] = [];
  for (const o of fed) {
    if (!isFloat(values[o].dtype)) continue;
    const j = fed.indexOf(o);
    for (const lag of spec.outputs[o].lags) {
      const last = lag === 1;
      cells.push({ o, lag, index: bOutputs.length, input: stateTap(o, lag) });
      bOutputs.push({ lags: [lag], mode: last ? 'last' : 'seq', like: -1, offset: 0 });
      const zero = zerosLike(slice(initials[j], [0, lag]));
      // the gradient of a 'last' output enters where the backward loop starts
      const g = gOut[o];
      bInitials.push(last && spec.outputs[o].mode === 'last' && g ? add(expandDims(g, 0), zero) : zero);
    }
  }
  // a weight the body reads only as dot(x, W), x a sequence's or an output's step: its gradient Σ_t x_tᵀ ḡ_t is one
  // product after the loop (the backward loop keeps ḡ_t as a sequence) instead of a running sum of small ones
  const fwdIn = op.inner.inputs;
  const tapSeq = new Map<Variable, [number, number]>();
  {
    let q0 = 0;
    spec.seqOffsets.forEach((offs, i) => offs.forEach((off) => tapSeq.set(fwdIn[q0++], [i, off])));
    for (const o of fed) spec.outputs[o].lags.forEach((_, k) => tapSeq.set(fwdIn[q0++], [histIndex.get(o)!, bOffsets[histIndex.get(o)!][k]]));
  }
  const readers = new Map<Variable, number>();
  for (const n of op.inner.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const products: { m: number; dot: Variable; seq: number; off: number; index: number }[] = [];
  const sums: { m: number; index: number }[] = [];
  nonSeqs.forEach((w, m) => {
    if (!isFloat(w.dtype)) return;
    const wIn = fwdIn[fwdIn.length - nonSeqs.length + m];
    const reader = readers.get(wIn) === 1 ? op.inner.nodes.find((n) => n.inputs.includes(wIn)) : undefined;
    const tap = reader && reader.op instanceof DotOp && !reader.op.attrs.transA && !reader.op.attrs.transB && reader.inputs[1] === wIn && wIn.ndim === 2 && reader.inputs[0] !== wIn ? tapSeq.get(reader.inputs[0]) : undefined;
    if (tap && !truncate && !op.inner.outputs.includes(wIn)) {
      products.push({ m, dot: reader!.outputs[0], seq: tap[0], off: tap[1], index: -1 });
      return;
    }
    sums.push({ m, index: bOutputs.length });
    bOutputs.push({ lags: [1], mode: 'last', like: -1, offset: 0 });
    bInitials.push(expandDims(zerosLike(w), 0));
  });
  const seqGrads: { i: number; off: number; index: number }[] = [];
  seqs.forEach((s, i) => {
    if (!isFloat(s.dtype)) return;
    for (const off of spec.seqOffsets[i]) {
      seqGrads.push({ i, off, index: bOutputs.length });
      bOutputs.push({ lags: [], mode: 'seq', like: i, offset: off });
    }
  });
  for (const pr of products) {
    pr.index = bOutputs.length;
    bOutputs.push({ lags: [], mode: 'seq', like: pr.seq, offset: pr.off });
  }

  // the backward step's placeholders, in the order the body receives them
  const ph = (v: Variable, name: string) => new Variable(new TensorType(v.dtype, v.type.shape.slice(1)), null, 0, name, COMPILER_SITE);
  const seqPh: Variable[][] = bSeqs.map((s, i) => bOffsets[i].map((off) => ph(s, `bptt.seq${i}[t+${off}]`)));
  const statePh: Variable[] = bOutputs.flatMap((o, k) => (o.lags.length ? [ph(bInitials[bOutputs.slice(0, k).filter((x) => x.lags.length).length], `bptt.state${k}`)] : []));
  // non-sequences through placeholders: a gradient with respect to one must not flow on into another computed from it
  const nsPh = nonSeqs.map((w) => new Variable(w.type, null, 0, w.name, COMPILER_SITE));

  // the forward body again, on the backward step's values
  const replace = new Map<Variable, Variable>();
  let q = 0;
  spec.seqOffsets.forEach((offs, i) => offs.forEach((_, k) => replace.set(fwdIn[q++], seqPh[i][k])));
  for (const o of fed) {
    for (let k = 0; k < spec.outputs[o].lags.length; k++) {
      replace.set(fwdIn[q++], seqPh[histIndex.get(o)!][k]);
    }
  }
  nonSeqs.forEach((_, m) => replace.set(fwdIn[q + m], nsPh[m]));
  stored.forEach((v, i) => replace.set(v, seqPh[storedIndex[i]][0]));
  const body = new FunctionGraph([], op.inner.outputs, replace);
  const outs = body.outputs;

  const known: [Variable, Variable][] = [];
  for (let o = 0; o < nOut; o++) {
    if (!isFloat(outs[o].dtype)) continue;
    let a: Variable | null = gIndex.has(o) ? seqPh[gIndex.get(o)!][0] : null;
    for (const c of cells) if (c.o === o) a = a ? add(a, statePh[c.index]) : statePh[c.index];
    if (a) known.push([outs[o], a]);
  }
  const wrtSeq = seqGrads.map((sg) => seqPh[sg.i][spec.seqOffsets[sg.i].indexOf(sg.off)]);
  const wrtState = cells.map((c) => seqPh[histIndex.get(c.o)!][spec.outputs[c.o].lags.indexOf(c.lag)]);
  const wrtNs = sums.map((s) => nsPh[s.m]);
  const wrtProducts = products.map((pr) => body.memo.get(pr.dot) ?? replace.get(pr.dot)!);
  const wrt = [...wrtSeq, ...wrtState, ...wrtNs, ...wrtProducts];
  // Σ <out_o, ā_o> as a cost, not knownGrads: an output may also feed another (a known gradient would replace what
  // flows into it from there instead of adding to it)
  const gs = known.length ? grad(known.map(([o, a]) => sum(mul(o, a))).reduce((x, y) => add(x, y)), wrt, { disconnectedInputs: 'ignore', returnDisconnected: 'zero' }) : wrt.map((w) => zerosLike(w));
  const gSeq = gs.slice(0, wrtSeq.length);
  const gState = gs.slice(wrtSeq.length, wrtSeq.length + wrtState.length);
  const gNs = gs.slice(wrtSeq.length + wrtState.length, wrtSeq.length + wrtState.length + wrtNs.length);
  const gProducts = gs.slice(wrtSeq.length + wrtState.length + wrtNs.length);
  // the kept products' vjp into their state tap: d h += ḡ Wᵀ (their weights' is a product after the loop)
  storedNodes.forEach((n) => {
    const [h, w] = n.inputs;
    const k = products.findIndex((pr) => pr.dot === n.outputs[0]);
    const c = cells.findIndex((cell) => cell.input === h);
    if (k < 0 || c < 0) throw new GradError(`${op.name}: internal: a kept product has no weight or state to differentiate (T.scan called at ${op.site})`);
    gState[c] = add(gState[c], new DotOp(false, true).makeNode(gProducts[k], nsPh[fwdIn.indexOf(w) - (fwdIn.length - nonSeqs.length)]).outputs[0]);
  });
  // truncated BPTT: steps before the last k contribute nothing
  const keep = truncate ? ge(seqPh[timeIndex][0], sub(nScalar(), op.truncate)) : null;
  const masked = (g: Variable) => (keep ? where(keep, g, zerosLike(g)) : g);
  const roots: Variable[] = new Array(bOutputs.length);
  cells.forEach((c, k) => (roots[c.index] = masked(gState[k])));
  sums.forEach((s, k) => (roots[s.index] = add(statePh[s.index], masked(gNs[k]))));
  seqGrads.forEach((sg, k) => (roots[sg.index] = masked(gSeq[k])));
  products.forEach((pr, k) => (roots[pr.index] = gProducts[k]));

  const node = buildLoop({
    name: `${op.name}.grad`, site: COMPILER_SITE, where: `${op.name} gradient`, at: () => `(T.scan called at ${op.site})`,
    seqs: bSeqs, seqOffsets: bOffsets, outputs: bOutputs, initials: bInitials,
    placeholders: [...seqPh.flat(), ...statePh], stateShared: [], roots, bound: nsPh.map((p, m) => [p, nonSeqs[m]] as const),
    steps, nRefs, reverse: !rev, until: false, strict: null,
  });
  const back = node.outputs;

  // gradients of the loop's inputs
  seqGrads.forEach((sg) => (result[sg.i] = result[sg.i] ? add(result[sg.i]!, back[sg.index]) : back[sg.index]));
  fed.forEach((o, j) => {
    if (!isFloat(values[o].dtype)) return;
    const K = Math.max(...spec.outputs[o].lags);
    let g: Variable = zerosLike(initials[j]);
    for (const c of cells) {
      if (c.o !== o) continue;
      const v = back[c.index];
      // the c's of the first steps land on the initial rows they read: rows K-l.. (forward) or 0..l-1 (reverse)
      if (c.lag === 1) g = incSubtensor(g, [rev ? 0 : K - 1], v);
      else g = incSubtensor(g, [rev ? [0, c.lag] : [K - c.lag, K]], rev ? slice(v, [-c.lag, null]) : slice(v, [0, c.lag]));
    }
    result[nSeq + j] = g;
  });
  sums.forEach((s) => (result[nSeq + fed.length + s.m] = back[s.index]));
  // dW = Σ_t x_tᵀ ḡ_t over the rows of x's sequence (ḡ is zero on rows no step read)
  products.forEach((pr) => {
    const x = bSeqs[pr.seq];
    const g = back[pr.index];
    const flat = (v: Variable) => (v.ndim === 2 ? v : reshape(v, [-1, v.shape[v.ndim - 1]]));
    result[nSeq + fed.length + pr.m] = new DotOp(true, false).makeNode(flat(x), flat(g)).outputs[0];
  });
  return result;
}

scanGradHook.fn = scanGrad;
