import { BackendError, NodeanoError, RuntimeError } from '../errors';
import { ctorOf, TypedArray } from '../dtype';
import { dtypeCode, getKernel } from '../graph/kernel-registry';
import { shapeStr, sizeOf } from '../ndarray';
import { MemoryPlan, planMemory } from '../compile/memory-plan';
import { Program, ProgramStep } from '../compile/program';
import { Executor, Prepared } from '../runtime/executor';
import { bodyHost } from './js';
import { Addon, NativeHandle, PlanDescriptor, ProgramDescriptor } from './native-loader';

const KIND: Record<string, number> = { input: 0, shared: 1, constant: 2, temp: 3 };

interface NativePrepared extends Prepared {
  handle: NativeHandle;
  arena: ArrayBuffer;
  /** [slot, 0 input | 1 shared | 2 direct output, ref] for the slots read after a run that live outside the arena. */
  binds: Int32Array;
  /** Async runs in flight; a plan disposed meanwhile frees its arena once the last one's results were read. */
  inFlight: number;
  disposed: boolean;
  /**
   * Shared values the addon keeps bound between synchronous runs (bit r for shared[r], as its run returned them):
   * passed as null while they are the same arrays as last time (`lastShared`), which saves checking them again.
   */
  kept: number;
  lastShared: (TypedArray | undefined)[];
  /** The arrays of one run call, reused. */
  args: (TypedArray | null)[];
  /** addon.run bound to this plan (createPlan's `run`): the addon takes the plan from the function, unchecked. */
  runBound: BoundRun;
}

/** The program in the addon's format: flat typed arrays, built once per compiled function (its bodies too). */
export function serializeProgram(program: Program): ProgramDescriptor {
  const kernelNames: string[] = [];
  const steps: number[] = [];
  const floats: number[] = [];
  const bodies: number[] = [];
  program.steps.forEach((step, t) => {
    let k = kernelNames.indexOf(step.kernel);
    if (k < 0) k = kernelNames.push(step.kernel) - 1;
    const spec = getKernel(step.kernel);
    const attrs = spec.nativeAttrs ? spec.nativeAttrs(step.attrs) : { ints: [] };
    const fl = attrs.floats ?? [];
    steps.push(k, step.inputs.length, step.outputs.length, attrs.ints.length, fl.length, ...step.inputs, ...step.outputs, ...attrs.ints);
    floats.push(...fl);
    for (const b of bodiesOf(step)) bodies.push(t, b);
  });
  return {
    slots: Int32Array.from(program.slots.flatMap((s) => [KIND[s.kind], dtypeCode(s.dtype), s.ref])),
    steps: Int32Array.from(steps),
    floats: Float64Array.from(floats),
    kernelNames,
    constants: program.constants.map((c) => ctorOf(c.dtype).from(c.data)),
    updates: Int32Array.from(program.updates.flatMap((u) => [u.shared, u.slot])),
    nInputs: program.inputs.length,
    nShared: program.shared.length,
    outputs: Int32Array.from(program.outputs),
    subprograms: program.subprograms.map(serializeProgram),
    bodies: Int32Array.from(bodies),
  };
}

const bodiesOf = (step: ProgramStep): readonly number[] => (step.attrs.bodies as number[] | undefined) ?? [];

/**
 * The memory plan in the addon's format; each step with a body gets the body's own plan for the input shapes its
 * kernel derives from the step's (planned like the JS backend plans it: lib/backend/js.ts prepareBody).
 */
export function planDescriptor(program: Program, plan: MemoryPlan): PlanDescriptor {
  const shapes: number[] = [];
  for (const s of plan.shapes) shapes.push(s.length, ...s);
  const bodies: NonNullable<PlanDescriptor['bodies']> = [];
  let host: ReturnType<typeof bodyHost> | null = null;
  program.steps.forEach((step, t) => {
    const subs = bodiesOf(step);
    if (!subs.length || plan.skip[t]) return;
    const spec = getKernel(step.kernel);
    const per = spec.bodyShapes?.(step.inputs.map((i) => plan.shapes[i]), step.attrs, (host ??= bodyHost(program))) ?? [];
    if (per.length !== subs.length) throw new BackendError(`${program.name}: kernel ${step.kernel} must give the shapes of its ${subs.length} bodies for the native backend, got ${per.length}`);
    per.forEach((b, j) => {
      if (!b) return;
      const body = program.subprograms[subs[j]];
      bodies.push({ step: t, body: j, iterations: b.iterations, plan: planDescriptor(body, planMemory(body, b.inShapes, [])) });
    });
  });
  return {
    shapes: Int32Array.from(shapes),
    offsets: Float64Array.from(plan.offsets),
    arenaBytes: plan.arenaBytes,
    skip: plan.skip,
    inPlace: plan.inPlace,
    sharedAlias: Int32Array.from(plan.sharedAlias),
    resized: Int32Array.from(plan.resized),
    outputs: Int32Array.from(plan.direct),
    bodies,
  };
}

/** Runs programs in the C++ addon: one N-API call per function call, buffers planned once per signature. */
export class NativeExecutor implements Executor {
  readonly backend = 'native' as const;
  readonly program: Program;
  private readonly addon: Addon;
  private handle: NativeHandle | null;
  private readonly constants: TypedArray[];
  /** A program without steps or updates (its outputs are inputs, shared values or constants). */
  private readonly idle: boolean;

  constructor(program: Program, addon: Addon) {
    this.program = program;
    this.idle = program.steps.length === 0 && program.updates.length === 0;
    this.addon = addon;
    this.constants = program.constants.map((c) => ctorOf(c.dtype).from(c.data));
    this.handle = addon.createProgram(serializeProgram(program));
  }

  prepare(plan: MemoryPlan): NativePrepared {
    if (!this.handle) throw new BackendError(`${this.program.name}: the function was disposed`);
    const { program } = this;
    // the memory plan decides; the addon checks that the layout is safe and lands exactly the non-resized updates
    let created: ReturnType<Addon['createPlan']>;
    try {
      created = this.addon.createPlan(this.handle, planDescriptor(program, plan));
    } catch (e) {
      throw this.planError(e, plan);
    }
    const { plan: handle, arena } = created;
    const addonRun = this.addon.run;
    const runBound: BoundRun = created.run ?? ((...a) => addonRun(handle, ...a));
    const bufs = program.slots.map((s, i) => {
      if (s.kind === 'temp' && plan.offsets[i] >= 0) return new (ctorOf(s.dtype))(arena, plan.offsets[i], sizeOf(plan.shapes[i]));
      if (s.kind === 'constant') return this.constants[s.ref];
      return new (ctorOf(s.dtype))(0);
    });
    // after a run, the caller reads only outputs and shape-changing update values: bind just those per call
    const read = new Set([...program.outputs, ...plan.resized.map((i) => program.updates[i].slot)]);
    const alias = new Map<number, number>();
    for (let i = 0; i < plan.sharedAlias.length; i += 2) alias.set(plan.sharedAlias[i], plan.sharedAlias[i + 1]);
    const binds: number[] = [];
    for (const slot of read) {
      const s = program.slots[slot];
      if (s.kind === 'input') binds.push(slot, 0, s.ref);
      else if (s.kind === 'shared') binds.push(slot, 1, s.ref);
      else if (alias.has(slot)) binds.push(slot, 1, alias.get(slot)!);
      else if (plan.direct.includes(slot)) binds.push(slot, 2, plan.direct.indexOf(slot));
    }
    return { plan, bufs, handle, arena, binds: Int32Array.from(binds), inFlight: 0, disposed: false, kept: 0, lastShared: [], args: [], runBound };
  }

  private bind(p: NativePrepared, inputs: readonly TypedArray[], shared: readonly TypedArray[], outs: readonly TypedArray[]): void {
    const b = p.binds;
    for (let i = 0; i < b.length; i += 3) {
      const k = b[i + 1];
      p.bufs[b[i]] = k === 0 ? inputs[b[i + 2]] : k === 1 ? shared[b[i + 2]] : outs[b[i + 2]];
    }
  }

  run(p: NativePrepared, inputs: readonly TypedArray[], shared: readonly TypedArray[], outs: readonly TypedArray[]): void {
    // no step and no update: nothing for the addon to do (the runner has checked the arguments already)
    if (this.idle) return this.bind(p, inputs, shared, outs);
    const { args, lastShared } = p;
    let n = 0;
    for (let i = 0; i < inputs.length; i++) args[n++] = inputs[i];
    // every shared value kept and unchanged: they are left out of the call altogether
    // (a shift, not 2 ** n: V8 calls its pow() for a variable exponent, a twelfth of a small step's time)
    let allKept = shared.length > 0 && shared.length < 31 && p.kept === (1 << shared.length) - 1;
    for (let i = 0; allKept && i < shared.length; i++) if (shared[i] !== lastShared[i]) allKept = false;
    if (!allKept) for (let i = 0; i < shared.length; i++) args[n++] = i < 32 && (p.kept >>> i) & 1 && shared[i] === lastShared[i] ? null : shared[i];
    for (let i = 0; i < outs.length; i++) args[n++] = outs[i];
    let kept: number | undefined;
    try {
      kept = callRun(p.runBound, args, n);
    } catch (e) {
      p.kept = 0;
      throw this.wrap(e, p, inputs, shared, outs);
    }
    if (kept !== undefined) p.kept = kept;
    for (let i = 0; i < shared.length; i++) lastShared[i] = shared[i];
    this.bind(p, inputs, shared, outs);
  }

  async runAsync(p: NativePrepared, inputs: readonly TypedArray[], shared: readonly TypedArray[], outs: readonly TypedArray[]): Promise<void> {
    p.inFlight++;
    p.kept = 0; // an async run rebinds everything: the addon forgets what the last synchronous one left bound
    try {
      // the direct outputs are the caller's arrays (plain JS memory, so the garbage collector frees a dropped one
      // without the full collections that external buffers bring), computed into on the worker thread
      await this.addon.runAsync(p.handle, ...inputs, ...shared, ...outs);
    } catch (e) {
      throw this.wrap(e, p, inputs, shared);
    } finally {
      // the caller reads the results (views of the arena) in the microtasks that follow: free after them
      if (--p.inFlight === 0 && p.disposed) setImmediate(() => this.addon.free(p.arena));
    }
    this.bind(p, inputs, shared, outs);
  }

  /** Frees a plan (its arena at once, or after the async runs in flight) or, without one, the program. */
  dispose(p?: NativePrepared): void {
    if (p) {
      if (p.disposed) return;
      p.disposed = true;
      this.addon.dispose(p.handle);
      if (p.inFlight === 0) this.addon.free(p.arena);
      return;
    }
    if (this.handle) this.addon.dispose(this.handle);
    this.handle = null;
  }

  /**
   * Why a step failed, in the TypeScript reference's words (which name the bad value, say an index out of range):
   * its kernel rerun on the step's inputs, on the error path only. Null when the reference does not fail there.
   */
  private explain(step: Program['steps'][number], p: NativePrepared, inputs: readonly TypedArray[], shared: readonly TypedArray[], outs?: readonly TypedArray[]): NodeanoError | null {
    try {
      const { slots } = this.program;
      const { shapes, direct } = p.plan;
      const none = new Float32Array(0);
      const buf = (i: number) => {
        const d = direct.indexOf(i);
        if (d >= 0) return outs ? outs[d] : none; // an async run's outputs died with it
        return slots[i].kind === 'input' ? inputs[slots[i].ref] : slots[i].kind === 'shared' ? shared[slots[i].ref] : p.bufs[i];
      };
      if (step.inputs.some((i) => buf(i).length !== sizeOf(shapes[i]))) return null;
      const kernel = getKernel(step.kernel).prepareJs({
        host: this.program.subprograms.length ? bodyHost(this.program) : undefined,
        attrs: step.attrs,
        inShapes: step.inputs.map((i) => shapes[i]),
        outShapes: step.outputs.map((o) => shapes[o]),
        inDtypes: step.inputs.map((i) => slots[i].dtype),
        outDtypes: step.outputs.map((o) => slots[o].dtype),
      });
      kernel(step.inputs.map(buf), step.outputs.map((o) => new (ctorOf(slots[o].dtype))(sizeOf(shapes[o]))));
    } catch (e) {
      if (e instanceof NodeanoError) return e;
    }
    return null;
  }

  /**
   * A createPlan failure as a RuntimeError naming the node: the step the addon names (`err.step`), else the step
   * that produces the slot its message names (`slot 4: too many elements`), else an input or shared value by name.
   */
  private planError(e: unknown, plan: MemoryPlan): Error {
    if (e instanceof NodeanoError) return e;
    const { program } = this;
    const err = e as Error & { code?: string; step?: number };
    const text = `${String(err?.message ?? e).replace(/^nodeano native: /, '')}${err?.code ? ` (${err.code})` : ''}`;
    let stepIndex = typeof err?.step === 'number' && err.step >= 0 ? err.step : -1;
    let leaf = '';
    const m = /^(?:nodeano native: )?(?:\w+: )?slot (\d+)\b/.exec(String(err?.message));
    if (stepIndex < 0 && m) {
      const slot = Number(m[1]);
      const s = program.slots[slot];
      stepIndex = program.steps.findIndex((st) => st.outputs.includes(slot));
      if (s && stepIndex < 0 && s.kind === 'input') leaf = ` (input ${program.inputs[s.ref].name} of shape ${shapeStr(plan.shapes[slot])})`;
      else if (s && stepIndex < 0 && s.kind === 'shared') leaf = ` (shared variable ${program.shared[s.ref].name} of shape ${shapeStr(plan.shapes[slot])})`;
    }
    const step = program.steps[stepIndex];
    const info = step ? program.nodes[step.node] : undefined;
    const shape = step ? ` (output shape ${step.outputs.map((o) => shapeStr(plan.shapes[o])).join(', ')})` : '';
    return new RuntimeError(`${program.name}: the native backend cannot plan this call${shape}${leaf}: ${text}`, info ? { node: info.label, createdAt: info.createdAt } : {});
  }

  /** A native status error as the same typed error the TypeScript backend throws, naming the node. */
  private wrap(e: unknown, p?: NativePrepared, inputs?: readonly TypedArray[], shared?: readonly TypedArray[], outs?: readonly TypedArray[]): Error {
    if (e instanceof NodeanoError) return e;
    const err = e as Error & { code?: string; step?: number };
    const step = typeof err.step === 'number' ? this.program.steps[err.step] : undefined;
    const info = step ? this.program.nodes[step.node] : undefined;
    const why = step && p && inputs && shared ? this.explain(step, p, inputs, shared, outs) : null;
    // an error inside a loop's body names the body's node, then the loop it ran in (as the TypeScript backend does)
    if (why?.node && info && step?.attrs.bodies) return Object.assign(why, { message: `${why.message}\n  inside ${info.label}, created at ${info.createdAt}` });
    const msg = why ? why.message.split('\n')[0] : `${String(err.message).replace(/^nodeano native: /, '')}${err.code ? ` (${err.code})` : ''}`;
    return new RuntimeError(msg, info ? { node: info.label, createdAt: info.createdAt } : {});
  }
}

type BoundRun = (...arrays: (TypedArray | null)[]) => number | undefined;

/** run(...a[0, n)), with a direct call (no spread) for up to 8 arrays. */
function callRun(f: BoundRun, a: readonly (TypedArray | null)[], n: number): number | undefined {
  switch (n) {
    case 0: return f();
    case 1: return f(a[0]);
    case 2: return f(a[0], a[1]);
    case 3: return f(a[0], a[1], a[2]);
    case 4: return f(a[0], a[1], a[2], a[3]);
    case 5: return f(a[0], a[1], a[2], a[3], a[4]);
    case 6: return f(a[0], a[1], a[2], a[3], a[4], a[5]);
    case 7: return f(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    case 8: return f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    default: return f(...a.slice(0, n));
  }
}

/** Kernels of a program that the addon does not implement. */
export function missingKernels(program: Program, addon: Addon): string[] {
  const all = (p: Program): string[] => [...p.steps.map((s) => s.kernel), ...p.subprograms.flatMap(all)];
  const wanted = [...new Set(all(program))];
  const have = new Set(addon.kernels(wanted));
  return wanted.filter((k) => !have.has(k));
}
