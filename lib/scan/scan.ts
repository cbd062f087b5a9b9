import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { describe } from '../ndarray';
import { asVariable } from '../graph/as-variable';
import { collectDefaultUpdates } from '../graph/default-update';
import { labelOf } from '../graph/printing';
import { captureSite } from '../graph/trace';
import { TensorType } from '../graph/type';
import { SharedVariable, Variable } from '../graph/variable';
import { dimOf, encodeDims, parseDim } from '../ops/dim-expr';
import { expandDims } from '../ops/expand-dims';
import { slice } from '../ops/subtensor';
import { ScanOutput, ScanSpec } from './op';
import { StepCountOp } from '../ops/step-count';
import { buildLoop } from './build';

/** `T.scanUntil(cond)`: returned by a step function (with its outputs), it ends the loop after the step where cond holds. */
export class ScanUntil {
  readonly condition: Variable;
  constructor(condition: Variable) {
    this.condition = condition;
  }
}

/** Theano's `scan_module.until`: the loop stops after the first step whose `cond` (a scalar) is true. */
export function scanUntil(cond: unknown): ScanUntil {
  const c = asVariable(cond, 'scanUntil', 'cond');
  if (c.ndim !== 0) throw new ShapeError(`scanUntil: cond must be a scalar, got ${labelOf(c)} of type ${c.type} (created at ${c.site})`);
  return new ScanUntil(c.dtype === 'bool' ? c : c.neq(0));
}

/**
 * What T.scan returns for a step function returning R: one Variable for a step returning one Variable, a list for a
 * step returning a list of them (or nothing but updates), either otherwise (a step mixing outputs, updates and until).
 */
export type ScanResult<R> = [R] extends [Variable] ? Variable : [R] extends [readonly Variable[]] ? Variable[] : [R] extends [ScanUpdates | ScanUntil] ? Variable[] : Variable | Variable[];

export type SequenceInfo = unknown | { input: unknown; taps?: readonly number[] };
export type OutputInfo = null | undefined | unknown | { initial: unknown; taps?: readonly number[] };
export type ScanUpdates = Map<SharedVariable, Variable>;

export interface ScanOptions {
  sequences?: SequenceInfo | readonly SequenceInfo[];
  /** Per output: its initial value (fed back at tap -1), `{ initial, taps }` for other taps, or null (not fed back). */
  outputsInfo?: OutputInfo | readonly OutputInfo[];
  nonSequences?: unknown | readonly unknown[];
  /** The number of steps: a number, a shape expression, or any int32 scalar; default: the sequences' length. */
  nSteps?: unknown;
  /** Backpropagate through only the last k steps (-1: all). */
  truncateGradient?: number;
  /** Iterate the sequences from their end; outputs stay in iteration order (Theano's go_backwards). */
  goBackwards?: boolean;
  name?: string;
  /** Every variable the step function reads must be a sequence, an output tap or a non-sequence. */
  strict?: boolean;
  /**
   * Memory for the gradient: by default the forward loop keeps each step's products of a state with a weight
   * (dot(h_t, U)) so the backward loop need not redo them; `checkpoint: true` keeps only the loop's own outputs and
   * recomputes everything else per step (less memory on long sequences, more compute).
   */
  checkpoint?: boolean;
}

const KNOWN = ['sequences', 'outputsInfo', 'nonSequences', 'nSteps', 'truncateGradient', 'goBackwards', 'name', 'strict', 'checkpoint'];

const listOf = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const isPlain = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !(x instanceof Variable) && !Array.isArray(x) && !ArrayBuffer.isView(x) && Object.getPrototypeOf(x) === Object.prototype;

/**
 * Theano's scan: a symbolic loop whose body `fn` is traced once. `fn` receives, in order, each sequence's taps,
 * each fed-back output's taps, then the non-sequences, and returns the step's outputs, an updates map, a
 * `T.scanUntil(cond)`, or an array of these. Returns `[outputs, updates]`: each output stacked over the steps
 * (one Variable when the step returns one), and the final values of shared variables the step updates (pass them to
 * T.function's `updates`).
 * @example const [h] = T.scan((x, hPrev) => T.tanh(x.dot(W).add(hPrev.dot(U))), { sequences: X, outputsInfo: h0 });
 */
export function scan<R>(fn: (...args: Variable[]) => R, opts?: ScanOptions): [ScanResult<R>, ScanUpdates];
export function scan(fn: (...args: Variable[]) => unknown, opts: ScanOptions = {}): [Variable | Variable[], ScanUpdates] {
  const site = captureSite();
  const where = `scan${opts && typeof opts.name === 'string' ? ` ${opts.name}` : ''}`;
  const at = () => `(T.scan called at ${site})`;
  const problems: string[] = [];
  if (typeof fn !== 'function') problems.push(`fn must be a function, got ${describe(fn)}`);
  if (!isPlain(opts)) throw new ArgumentError(`${where}: options must be an object, got ${describe(opts)} ${at()}`);
  for (const k of Object.keys(opts)) if (!KNOWN.includes(k)) problems.push(`option ${JSON.stringify(k)} is not known (known: ${KNOWN.join(', ')})`);
  const truncate = opts.truncateGradient ?? -1;
  if (typeof truncate !== 'number' || !Number.isInteger(truncate) || (truncate < 1 && truncate !== -1)) problems.push(`truncateGradient must be -1 or a positive integer, got ${describe(truncate)}`);
  if (opts.goBackwards !== undefined && typeof opts.goBackwards !== 'boolean') problems.push(`goBackwards must be a boolean, got ${describe(opts.goBackwards)}`);
  if (opts.strict !== undefined && typeof opts.strict !== 'boolean') problems.push(`strict must be a boolean, got ${describe(opts.strict)}`);
  if (opts.checkpoint !== undefined && typeof opts.checkpoint !== 'boolean') problems.push(`checkpoint must be a boolean, got ${describe(opts.checkpoint)}`);

  // sequences: Theano's taps become offsets from the step index (taps [-1, 0, 1] read x[t], x[t+1], x[t+2])
  const seqs: Variable[] = [];
  const seqTaps: number[][] = [];
  listOf(opts.sequences).forEach((s, i) => {
    const info: Record<string, unknown> = isPlain(s) ? s : { input: s };
    if (isPlain(s) && !('input' in s)) return problems.push(`sequences[${i}] must be a variable or { input, taps }, got an object without input`);
    const taps = (info.taps ?? [0]) as unknown;
    if (!Array.isArray(taps) || taps.length === 0 || !taps.every((t) => Number.isInteger(t))) return problems.push(`sequences[${i}].taps must be a non-empty array of integers, got ${describe(taps)}`);
    let v: Variable;
    try {
      v = asVariable(info.input, where, `sequences[${i}]`);
    } catch (e) {
      return problems.push((e as Error).message.replace(`${where}: `, ''));
    }
    if (v.ndim === 0) return problems.push(`sequences[${i}] must have a time axis (ndim >= 1), got the scalar ${labelOf(v)}`);
    seqs.push(opts.goBackwards === true ? slice(v, [null, null, -1]) : v);
    seqTaps.push(taps as number[]);
  });

  // outputs fed back: initial values with the lags at which the step reads them
  const infoList = opts.outputsInfo === undefined ? null : Array.isArray(opts.outputsInfo) ? opts.outputsInfo : [opts.outputsInfo];
  const outInfo: { initial: Variable | null; lags: number[]; taps: number[] }[] = [];
  (infoList ?? []).forEach((o, k) => {
    if (o === null || o === undefined) return outInfo.push({ initial: null, lags: [], taps: [] });
    const info: Record<string, unknown> = isPlain(o) ? o : { initial: o };
    const taps = (info.taps ?? [-1]) as unknown;
    if (!Array.isArray(taps) || taps.length === 0 || !taps.every((t) => Number.isInteger(t) && t < 0)) {
      problems.push(`outputsInfo[${k}].taps must be a non-empty array of negative integers, got ${describe(taps)}`);
      return outInfo.push({ initial: null, lags: [], taps: [] });
    }
    let v: Variable;
    try {
      v = asVariable(info.initial, where, `outputsInfo[${k}]`);
    } catch (e) {
      problems.push((e as Error).message.replace(`${where}: `, ''));
      return outInfo.push({ initial: null, lags: [], taps: [] });
    }
    const single = taps.length === 1 && taps[0] === -1;
    // one tap at -1: the initial value is the state itself; otherwise it stacks the earlier states on a new first axis
    if (!single && v.ndim === 0) problems.push(`outputsInfo[${k}].initial must have a leading axis of at least ${-Math.min(...taps)} earlier states for taps [${taps.join(', ')}], got the scalar ${labelOf(v)}`);
    // the loop reads the first K rows (K the farthest tap) as the K earlier states, as Theano's initial[:mintap]
    const K = -Math.min(...(taps as number[]));
    const rows = v.ndim > 0 ? v.type.shape[0] : null;
    if (!single && rows !== null && rows < K) problems.push(`outputsInfo[${k}].taps [${taps.join(', ')}] reach ${K} steps back, before its initial value of ${rows} row(s) (${labelOf(v)} of shape [${v.type.shape.map((d) => d ?? '?').join(', ')}]); give at least ${K} rows`);
    const init = single ? expandDims(v, 0) : v.ndim > 0 && v.type.shape[0] !== K ? slice(v, [0, K]) : v;
    outInfo.push({ initial: init, lags: (taps as number[]).map((t) => -t), taps: taps as number[] });
  });
  const nonSeqs: Variable[] = [];
  listOf(opts.nonSequences).forEach((x, i) => {
    try {
      nonSeqs.push(x instanceof Variable ? x : asVariable(x, where, `nonSequences[${i}]`));
    } catch (e) {
      problems.push((e as Error).message.replace(`${where}: `, ''));
    }
  });

  // the number of steps: shapes (no data needed) or data (the function runs in segments)
  let steps: ScanSpec['steps'];
  let nRefs: Variable[] = [];
  if (opts.nSteps === undefined || opts.nSteps === null) {
    if (!seqs.length) problems.push('nSteps must be given when there are no sequences');
    steps = { kind: 'seqs', from: seqs.map((_, i) => i) };
  } else if (typeof opts.nSteps === 'number' && (!Number.isInteger(opts.nSteps) || opts.nSteps < 0 || opts.nSteps > 2 ** 31 - 1)) {
    problems.push(`nSteps must be a non-negative integer, got ${opts.nSteps}`);
    steps = { kind: 'seqs', from: [] };
  } else {
    const e = parseDim(opts.nSteps);
    if (e) {
      const enc = encodeDims([e], []);
      nRefs = enc.refs;
      steps = { kind: 'dims', code: enc.code, nRefs: nRefs.length };
    } else if (opts.nSteps instanceof Variable && opts.nSteps.ndim === 0 && (opts.nSteps.dtype === 'int32' || opts.nSteps.dtype === 'bool')) {
      // a value known only when the function runs: the loop reads it as the length of a StepCount ref
      const ref = new StepCountOp(`${where}: nSteps`, `T.scan called at ${site}`).makeNode(opts.nSteps).outputs[0];
      const enc = encodeDims([dimOf(ref, 0)], []);
      nRefs = enc.refs;
      steps = { kind: 'dims', code: enc.code, nRefs: nRefs.length };
    } else {
      problems.push(`nSteps must be a non-negative integer or an int32 scalar, got ${opts.nSteps instanceof Variable ? `${labelOf(opts.nSteps)} of type ${opts.nSteps.type}` : describe(opts.nSteps)}`);
      steps = { kind: 'seqs', from: [] };
    }
  }
  if (problems.length) throw new ArgumentError(`${where}: ${problems.join('; ')} ${at()}`);

  // placeholders for one step, in the order fn receives them
  const seqPh: Variable[] = [];
  const seqOffsets = seqs.map((s, i) => {
    const mn = Math.min(0, ...seqTaps[i]);
    return seqTaps[i].map((tap) => {
      seqPh.push(new Variable(new TensorType(s.dtype, s.type.shape.slice(1)), null, 0, `${s.name ?? `sequences[${i}]`}[t${tap < 0 ? tap : tap > 0 ? `+${tap}` : ''}]`, site));
      return tap - mn;
    });
  });
  const statePh: Variable[] = [];
  outInfo.forEach((o, k) => {
    for (const tap of o.taps) statePh.push(new Variable(new TensorType(o.initial!.dtype, o.initial!.type.shape.slice(1)), null, 0, `output${k}[t${tap}]`, site));
  });

  const result = (fn as (...a: Variable[]) => unknown)(...seqPh, ...statePh, ...nonSeqs);
  const { outputs: rawOuts, updates: rawUpdates, until } = parseResult(where, result, at);

  // every output checked against its outputsInfo entry (count, dtype, ndim)
  const outs: Variable[] = [];
  const bad: string[] = [];
  rawOuts.forEach((o, k) => {
    try {
      outs.push(asVariable(o, where, `output ${k} of the step function`, outInfo[k]?.initial?.dtype));
    } catch (e) {
      bad.push((e as Error).message.replace(`${where}: `, ''));
    }
  });
  if (infoList && rawOuts.length !== infoList.length) {
    bad.push(`the step function must return ${infoList.length} output(s), one per outputsInfo entry, got ${rawOuts.length}`);
  }
  outs.forEach((v, k) => {
    const init = outInfo[k]?.initial;
    if (!init) return;
    const want = new TensorType(init.dtype, init.type.shape.slice(1));
    if (v.dtype !== want.dtype || v.ndim !== want.ndim) {
      const fix = v.dtype !== want.dtype ? `; cast it with T.cast(..., "${want.dtype}") or give the initial value that dtype` : '';
      bad.push(`output ${k} of the step function must have type ${want} like its initial value ${labelOf(init)} (outputsInfo[${k}]), got ${labelOf(v)} of type ${v.type} created at ${v.site}${fix}`);
    }
  });
  if (bad.length) throw new ArgumentError(`${where}: ${bad.join('; ')} ${at()}`);
  while (outInfo.length < outs.length) outInfo.push({ initial: null, lags: [], taps: [] });

  // shared variables the step updates (explicitly, or random streams by default) become states kept to the last step
  const updates: [SharedVariable, Variable][] = [];
  rawUpdates.forEach(([s, e], i) => {
    if (!(s instanceof SharedVariable)) throw new ArgumentError(`${where}: updates[${i}] must update a shared variable, got ${describe(s)} ${at()}`);
    const v = asVariable(e, where, `update of ${labelOf(s)}`, s.dtype);
    if (v.dtype !== s.dtype || v.ndim !== s.ndim) throw new DTypeError(`${where}: the update of ${labelOf(s)} must have type ${s.type}, got ${labelOf(v)} of type ${v.type} created at ${v.site} ${at()}`);
    if (updates.some(([t]) => t === s)) throw new ArgumentError(`${where}: ${labelOf(s)} is updated twice by the step function ${at()}`);
    updates.push([s, v]);
  });
  // as in Theano, the step's graph is cut at the non-sequences: each is computed once before the loop (a random draw
  // passed as a non-sequence is drawn once per call, not once per step); shared variables stay loop states
  const cut = new Set<Variable>(nonSeqs.filter((v) => !(v instanceof SharedVariable)));
  const roots0 = [...outs, ...updates.map(([, v]) => v), ...(until ? [until.condition] : [])];
  const rng = collectDefaultUpdates(roots0, cut, new Set(updates.map(([s]) => s)));
  const nExplicit = updates.length;
  updates.push(...rng);

  const stateShared = updates.map(([s]) => s);
  const roots = [...outs, ...updates.map(([, v]) => v), ...(until ? [until.condition] : [])];

  const outputs: ScanOutput[] = [
    ...outInfo.slice(0, outs.length).map((o): ScanOutput => ({ lags: o.lags, mode: 'seq', like: -1, offset: 0 })),
    ...updates.map((): ScanOutput => ({ lags: [1], mode: 'last', like: -1, offset: 0 })),
  ];
  const initials = [...outInfo.slice(0, outs.length).filter((o) => o.lags.length).map((o) => o.initial!), ...stateShared.map((s) => expandDims(s, 0))];
  const nOuts = outs.length;
  const node = buildLoop({
    name: typeof opts.name === 'string' ? opts.name : undefined, site, where, at,
    seqs, seqOffsets, outputs, initials, placeholders: [...seqPh, ...statePh], stateShared, roots,
    steps, nRefs, reverse: false, until: until !== null,
    strict: opts.strict === true ? nonSeqs : null,
    defaultUpdates: rng.map(([s], i) => [nOuts + nExplicit + i, s] as const),
    truncate: truncate as number,
    checkpoint: opts.checkpoint === true,
    cut,
  });
  let results = node.outputs.slice(0, nOuts);
  if (until) {
    const count = node.outputs[node.outputs.length - 1];
    results = results.map((r) => slice(r, [0, count]));
  }
  results.forEach((r, k) => (r.name ??= opts.name ? `${opts.name}[${k}]` : undefined));
  const upd: ScanUpdates = new Map(updates.map(([s], i) => [s, node.outputs[nOuts + i]]));
  return [rawOuts.length === 1 && !Array.isArray(resultOutputs(result)) ? results[0] : results, upd];
}

function resultOutputs(result: unknown): unknown {
  if (Array.isArray(result) && !result.every((r) => r instanceof Variable || typeof r === 'number')) return result[0];
  return result;
}

/** The step function's return value as outputs, updates and an until condition (Theano accepts them in any order). */
function parseResult(where: string, result: unknown, at: () => string): { outputs: unknown[]; updates: [unknown, unknown][]; until: ScanUntil | null } {
  const outputs: unknown[] = [];
  const updates: [unknown, unknown][] = [];
  let until: ScanUntil | null = null;
  const isUpdates = (x: unknown) => x instanceof Map || (Array.isArray(x) && x.length > 0 && x.every((p) => Array.isArray(p) && p.length === 2 && p[0] instanceof SharedVariable));
  const take = (x: unknown) => {
    if (x instanceof ScanUntil) {
      if (until) throw new ArgumentError(`${where}: the step function returned two until conditions ${at()}`);
      until = x;
    } else if (isUpdates(x)) {
      for (const [s, v] of x instanceof Map ? x.entries() : (x as [unknown, unknown][])) updates.push([s, v]);
    } else if (Array.isArray(x)) outputs.push(...x);
    else if (x !== undefined && x !== null) outputs.push(x);
  };
  if (Array.isArray(result) && !isUpdates(result) && !result.every((r) => r instanceof Variable || typeof r === 'number')) {
    for (const part of result) take(part);
  } else take(result);
  return { outputs, updates, until };
}
