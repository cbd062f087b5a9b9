import { InputError, RuntimeError } from '../errors';
import { canCastSafely, ctorOf, dtypeOfTypedArray, isDetached, TypedArray } from '../dtype';
import { array, convertData, describe, NDArray, shapeStr, sizeOf } from '../ndarray';
import { SharedVariable, Variable } from '../graph/variable';
import { labelOf, labelWithType } from '../graph/printing';
import { Executor, Prepared } from './executor';
import { allocSlot, planMemory, shapeKey } from '../compile/memory-plan';
import { landResized } from './updates';

const MAX_PLANS = 32;
const noop = (): void => undefined;
const NO_BUFFERS: TypedArray[] = [];
const NO_DATA = new Float32Array(0);

/** Shared variables an async call is reading right now: a synchronous update of one of them would race with it. */
const readByAsync = new Map<SharedVariable, number>();

/**
 * The per-call side of a compiled function: converts and checks arguments, keeps one memory plan per signature
 * of input and shared shapes, runs the executor, copies outputs out and handles updates that change a shape.
 */
export class Runner {
  readonly name: string;
  private readonly inputs: readonly Variable[];
  private readonly sharedVars: readonly SharedVariable[];
  private readonly executor: Executor;
  private readonly allowDowncast: boolean;
  private readonly plans = new Map<string, Prepared>();
  private last: Prepared | null = null;
  // the shapes the last plan was made for: compared number by number on each call, no key string needed
  private lastIn: number[][] = [];
  private lastSh: number[][] = [];
  planCount = 0;
  calls = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private disposed = false;
  private readonly inShapes: number[][];
  private readonly inData: TypedArray[];
  private readonly shData: TypedArray[];
  private readonly shShapes: number[][];
  private readonly updated: Set<SharedVariable>;
  /** Per output: whether it may be returned as a view of the function's own buffer (T.Out(v, { borrow: true })). */
  private readonly borrow: boolean[];
  /** Buffers that borrowed outputs view: never accepted as `out`. */
  private readonly borrowed = new WeakSet<ArrayBufferLike>();
  /** Per output: its typed array constructor. */
  private readonly outCtors: (new (n: number) => TypedArray)[];

  constructor(name: string, inputs: readonly Variable[], sharedVars: readonly SharedVariable[], executor: Executor, allowDowncast: boolean, borrow: readonly boolean[] = []) {
    this.name = name;
    this.inputs = inputs;
    this.sharedVars = sharedVars;
    this.executor = executor;
    this.allowDowncast = allowDowncast;
    this.inShapes = new Array(inputs.length);
    this.inData = new Array(inputs.length);
    this.shData = new Array(sharedVars.length);
    this.shShapes = new Array(sharedVars.length);
    this.updated = new Set(executor.program.updates.map((u) => sharedVars[u.shared]));
    this.borrow = executor.program.outputs.map((_, k) => borrow[k] === true);
    this.outCtors = executor.program.outputs.map((slot) => ctorOf(executor.program.slots[slot].dtype) as new (n: number) => TypedArray);
  }

  get backend(): 'js' | 'native' {
    return this.executor.backend;
  }
  get lastPlan() {
    return this.last?.plan ?? null;
  }

  /** Binds arguments and shared values and finds (or makes) the plan for their shapes. */
  private bind(args: readonly unknown[]): Prepared {
    if (this.disposed) throw new RuntimeError(`${this.name}: the function was disposed`);
    const { inputs } = this;
    if (args.length !== inputs.length) {
      throw new InputError(`${this.name}: must be called with ${inputs.length} argument(s) for inputs [${inputs.map((v) => labelOf(v)).join(', ')}], got ${args.length}`);
    }
    let bad: string[] | null = null;
    for (let i = 0; i < args.length; i++) {
      const r = convertArg(args[i], inputs[i], i, this.allowDowncast);
      if (typeof r === 'string') (bad ??= []).push(r);
      else {
        this.inData[i] = r.data;
        this.inShapes[i] = r.shape;
      }
    }
    if (bad) throw new InputError(`${this.name}: ${bad.join('; ')}`);
    const { sharedVars, shData, shShapes, lastSh } = this;
    const last = this.last;
    // the shapes are compared with the last plan's while the shared values are read
    let same = last !== null && sameShapes(this.inShapes, this.lastIn);
    for (let i = 0; i < sharedVars.length; i++) {
      const sv = sharedVars[i];
      if (sv.isDisposed) throw new RuntimeError(`${this.name}: shared variable ${labelOf(sv)} was disposed`);
      const st = sv.storage;
      shData[i] = st.data;
      const shape = st.shape;
      shShapes[i] = shape;
      if (same && !sameDims(shape, lastSh[i])) same = false;
    }
    if (same) return last!;
    const key = shapeKey(this.inShapes, this.shShapes);
    let prepared = this.plans.get(key);
    if (!prepared) {
      prepared = this.executor.prepare(planMemory(this.executor.program, this.inShapes, this.shShapes, this.borrow));
      this.planCount++;
      if (this.plans.size >= MAX_PLANS) {
        const oldest = this.plans.keys().next().value as string;
        this.executor.dispose(this.plans.get(oldest));
        this.plans.delete(oldest);
      }
      this.plans.set(key, prepared);
    }
    // recorded only once a plan exists: a call whose planning failed leaves the previous plan's shapes in place
    this.lastIn = this.inShapes.map((s) => s.slice());
    this.lastSh = this.shShapes.map((s) => s.slice());
    this.last = prepared;
    return prepared;
  }

  /**
   * The buffers the direct outputs are computed into (plan.direct order): the caller's `out` array where it shares
   * no memory with an input or shared value (a kernel must not write over what a later step still reads), else a
   * fresh array that becomes the result.
   */
  private directBuffers(p: Prepared, into: readonly (NDArray | null)[] | null): TypedArray[] {
    const { plan } = p;
    if (into === null && plan.direct.length === 0) return NO_BUFFERS;
    const bufs: TypedArray[] = new Array(plan.direct.length);
    if (into !== null) {
      for (let k = 0; k < into.length; k++) {
        const o = into[k];
        const j = plan.directOf[k];
        if (o && j >= 0 && !this.inData.some((d) => d.buffer === o.data.buffer) && !this.shData.some((d) => d.buffer === o.data.buffer)) bufs[j] = o.data;
      }
    }
    // the native kernels write every element of their outputs (a test fills such memory with garbage first)
    const raw = this.executor.backend === 'native';
    for (let j = 0; j < plan.direct.length; j++) if (bufs[j] === undefined) bufs[j] = allocSlot(this.executor.program, plan.direct[j], plan.directSizes[j], raw);
    return bufs;
  }

  /**
   * Outputs as the arrays they were computed into (fresh, the caller's), copies (outputs that are an input, a shared
   * value or a constant, or repeat another output), views of the function's own buffers (borrowed outputs, valid
   * until the next call), or the caller's `out` arrays; then the updates that changed shape.
   */
  private finish(p: Prepared, out: readonly (NDArray | null)[] | null): NDArray[] {
    const program = this.executor.program;
    const { bufs, plan } = p;
    const slotsOut = program.outputs;
    const outs: NDArray[] = new Array(slotsOut.length);
    // the arrays are made here from checked shapes and fresh buffers, so NDArray's argument checks are skipped
    for (let k = 0; k < slotsOut.length; k++) {
      const slot = slotsOut[k];
      const o = out !== null ? out[k] : null;
      if (o) {
        if (bufs[slot] !== o.data) o.data.set(bufs[slot]);
        outs[k] = o;
      } else if (plan.directOf[k] >= 0) {
        outs[k] = NDArray.trusted(bufs[slot], plan.shapes[slot], program.slots[slot].dtype);
      } else if (this.borrow[k] && bufs[slot].buffer === p.arena && slotsOut.indexOf(slot) === k) {
        // only arena temps are lent: an input, a shared value or a constant is never handed out to be overwritten
        outs[k] = NDArray.trusted(bufs[slot], plan.shapes[slot], program.slots[slot].dtype);
        this.borrowed.add(bufs[slot].buffer);
      } else {
        outs[k] = NDArray.trusted(copyOf(bufs[slot], this.outCtors[k]), plan.shapes[slot], program.slots[slot].dtype);
      }
    }
    if (plan.resized.length > 0) landResized(program, plan, bufs, this.sharedVars);
    // the results are the caller's now: the plan must not keep them alive (a large one would then outlive a young
    // collection and wait for a full one)
    for (let j = 0; j < plan.direct.length; j++) bufs[plan.direct[j]] = NO_DATA;
    this.calls++;
    return outs;
  }

  /** The caller's `out` arrays checked against the plan's output dtypes and shapes. */
  private checkOut(p: Prepared, out: readonly unknown[]): (NDArray | null)[] {
    const program = this.executor.program;
    const expected = program.outputs.map((slot) => ({ dtype: program.slots[slot].dtype, shape: p.plan.shapes[slot] }));
    return checkOutArrays(this.name, out, expected, this.borrowed);
  }

  runSync(args: readonly unknown[], out: readonly unknown[] | null = null): NDArray[] {
    if (this.pending > 0) {
      throw new RuntimeError(`${this.name}: ${this.pending} asynchronous call(s) of this function are still running; await them before calling it synchronously`);
    }
    if (readByAsync.size > 0) {
      for (const s of this.updated) {
        if (readByAsync.has(s)) {
          throw new RuntimeError(`${this.name}: would update ${labelOf(s)} while an asynchronous call of another function is reading it; await that call first`);
        }
      }
    }
    const p = this.bind(args);
    const into = out === null ? null : this.checkOut(p, out);
    this.executor.run(p, this.inData, this.shData, this.directBuffers(p, into));
    return this.finish(p, into);
  }

  /** Queued behind earlier async calls of this function: never interleaved, each sees the previous one's updates. */
  runAsync(args: readonly unknown[], out: readonly unknown[] | null = null): Promise<NDArray[]> {
    const snapshot = args.slice();
    this.pending++;
    const job = this.queue.then(async () => {
      const p = this.bind(snapshot);
      const into = out === null ? null : this.checkOut(p, out);
      const inputs = this.inData.slice();
      const shared = this.shData.slice();
      // fresh outputs are allocated here, untouched: their pages are first written by the kernels, off this thread
      const outs = this.directBuffers(p, into);
      for (const s of this.sharedVars) readByAsync.set(s, (readByAsync.get(s) ?? 0) + 1);
      try {
        await this.executor.runAsync(p, inputs, shared, outs);
      } finally {
        for (const s of this.sharedVars) {
          const n = readByAsync.get(s)! - 1;
          if (n === 0) readByAsync.delete(s);
          else readByAsync.set(s, n);
        }
      }
      return this.finish(p, into);
    });
    const done = job.finally(() => this.pending--);
    // settles with nothing: the queue must not keep the last result alive after the caller dropped it
    this.queue = done.then(noop, noop);
    return done;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.plans.values()) this.executor.dispose(p);
    this.plans.clear();
    this.last = null;
    this.executor.dispose();
  }
}

/**
 * Checks `out` arrays for a call (one NDArray or null per output: right dtype and shape, live, distinct, not a
 * borrowed view), listing every problem at once; returns them with null where the runtime allocates.
 */
export function checkOutArrays(name: string, out: readonly unknown[], expected: readonly { dtype: string; shape: readonly number[] }[], borrowed?: WeakSet<ArrayBufferLike>): (NDArray | null)[] {
  const n = expected.length;
  if (!Array.isArray(out) || out.length !== n) {
    throw new InputError(`${name}: out must be an array of ${n} NDArray or null entries (one per output), got ${describe(out)}`);
  }
  const bad: string[] = [];
  const res: (NDArray | null)[] = new Array(n).fill(null);
  for (let k = 0; k < n; k++) {
    const o = out[k];
    if (o === null || o === undefined) continue;
    const { dtype, shape } = expected[k];
    if (!(o instanceof NDArray)) bad.push(`out[${k}] must be an NDArray or null, got ${describe(o)}`);
    else if (o.data.length !== sizeOf(o.shape)) bad.push(`out[${k}] must be a live array, got one whose buffer was detached`);
    else if (borrowed?.has(o.data.buffer)) bad.push(`out[${k}] must be an array the caller owns, got a borrowed output (a view of a function's own buffer)`);
    else if (o.dtype !== dtype) bad.push(`out[${k}] must have dtype ${dtype}, got ${o.dtype}`);
    else if (!sameDims(o.shape, shape)) bad.push(`out[${k}] must have shape ${shapeStr(shape)}, got ${shapeStr(o.shape)}`);
    else if (res.some((r) => r !== null && r.data.buffer === o.data.buffer)) bad.push(`out[${k}] must not share memory with another out entry`);
    else res[k] = o;
  }
  if (bad.length) throw new InputError(`${name}: ${bad.join('; ')}`);
  return res;
}

/** A fresh copy; an element loop for the small outputs the memory plan copies out of the arena (slice costs more). */
function copyOf(a: TypedArray, Ctor: new (n: number) => TypedArray): TypedArray {
  const n = a.length;
  if (n > 16) return a.slice() as TypedArray;
  const c = new Ctor(n);
  for (let i = 0; i < n; i++) c[i] = a[i];
  return c;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function sameShapes(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  }
  return true;
}

/** Converts one call argument to the input's dtype and checks its shape; returns an error message on failure. */
export function convertArg(arg: unknown, v: Variable, i: number, allowDowncast: boolean): NDArray | string {
  const type = v.type;
  let value: NDArray;
  if (arg instanceof NDArray) {
    if (isDetached(arg.data)) return `${what(v, i)} must be a live array, got an NDArray whose buffer was detached (transferred)`;
    value = arg;
  } else {
    const taDtype = dtypeOfTypedArray(arg);
    if (taDtype) {
      const ta = arg as TypedArray;
      if (isDetached(ta)) return `${what(v, i)} must be a live array, got a ${ta.constructor.name} whose buffer was detached (transferred)`;
      const shape = shapeForFlat(type.shape, ta.length);
      if (!shape) return `${what(v, i)} must be an NDArray or nested array: a flat ${ta.constructor.name} of length ${ta.length} does not fix the shape ${type}`;
      value = new NDArray(ta, shape, taDtype);
    } else if (typeof arg === 'number' || typeof arg === 'boolean' || Array.isArray(arg)) {
      try {
        // plain JS numbers carry no dtype: they convert to the input's dtype (integers only for int32)
        value = array(arg, { dtype: type.dtype });
      } catch (e) {
        return `${what(v, i)}: ${(e as Error).message.replace(/^array: /, '')}`;
      }
    } else {
      return `${what(v, i)} must be an NDArray, typed array, nested array or number, got ${describe(arg)}`;
    }
  }
  if (value.dtype !== type.dtype) {
    if (canCastSafely(value.dtype, type.dtype) || allowDowncast) value = new NDArray(convertData(value.data, type.dtype), value.shape, type.dtype);
    else return `${what(v, i)} must have dtype ${type.dtype} (or one that casts to it safely), got ${value.dtype}; convert it or pass { allowInputDowncast: true } to T.function`;
  }
  if (!type.fits(value.shape)) return `${what(v, i)} must have shape ${shapeStr(type.shape)}, got ${shapeStr(value.shape)}`;
  return value;
}

function what(v: Variable, i: number): string {
  // an unnamed input's label is its type already
  return `argument ${i} (${labelWithType(v)})`;
}

function shapeForFlat(shape: readonly (number | null)[], n: number): number[] | null {
  const unknown = shape.filter((d) => d === null).length;
  if (unknown === 0) return sizeOf(shape as number[]) === n ? (shape as number[]) : null;
  if (unknown > 1) return null;
  const known = sizeOf(shape.filter((d): d is number => d !== null));
  if (known === 0 || n % known !== 0) return null;
  return shape.map((d) => (d === null ? n / known : d));
}
