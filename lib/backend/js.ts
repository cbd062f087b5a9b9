import { NodeanoError, RuntimeError } from '../errors';
import { ctorOf, TypedArray } from '../dtype';
import { BodyHost, BodyInstance, getKernel, JsKernel } from '../graph/kernel-registry';
import { sizeOf } from '../ndarray';
import { allocArena, bodyOutShapes, MemoryPlan, planMemory } from '../compile/memory-plan';
import { Program } from '../compile/program';
import { Executor, Prepared } from '../runtime/executor';

/** A program bound to one memory plan: arena allocated, kernels specialized to its shapes. */
export interface JsPrepared extends Prepared {
  arena: ArrayBuffer;
  kernels: JsKernel[];
  stepIns: TypedArray[][];
  stepOuts: TypedArray[][];
  /** [step, position, slot, 0 input | 1 output] for every step operand bound at call time. */
  dynamic: Int32Array;
  /** [slot, 0 input | 1 shared | 2 direct output, ref] for every slot bound at call time. */
  bind: Int32Array;
  /** [shared ref, slot] of the updates copied into their shared buffer after the steps. */
  inPlace: Int32Array;
}

const noop: JsKernel = () => undefined;

/** How steps with nested programs (scan) shape-infer and run their bodies on this backend. */
export function bodyHost(program: Program): BodyHost {
  return {
    inferBody: (k, inShapes) => bodyOutShapes(program, k, inShapes),
    prepareBody: (k, inShapes) => prepareBody(program.subprograms[k], inShapes),
  };
}

/** A body planned once for its input shapes; each run computes its outputs straight into `outs` where it can. */
export function prepareBody(body: Program, inShapes: readonly (readonly number[])[]): BodyInstance {
  const ex = new JsExecutor(body);
  const plan = planMemory(body, inShapes, []);
  const p = ex.prepare(plan);
  const { directOf } = plan;
  const copied = body.outputs.flatMap((slot, k) => (directOf[k] < 0 ? [k] : []));
  const direct: TypedArray[] = new Array(plan.direct.length);
  const none: TypedArray[] = [];
  return {
    outShapes: body.outputs.map((o) => plan.shapes[o]),
    run(ins, outs) {
      for (let k = 0; k < directOf.length; k++) if (directOf[k] >= 0) direct[directOf[k]] = outs[k];
      ex.run(p, ins, none, direct);
      for (const k of copied) outs[k].set(p.bufs[body.outputs[k]]);
    },
  };
}

/** Runs programs with the TypeScript reference kernels: the fallback backend and the reference for native ones. */
export class JsExecutor implements Executor {
  readonly backend = 'js' as const;
  readonly program: Program;
  private readonly constants: TypedArray[];

  constructor(program: Program) {
    this.program = program;
    this.constants = program.constants.map((c) => ctorOf(c.dtype).from(c.data));
  }

  prepare(plan: MemoryPlan): JsPrepared {
    const { program } = this;
    const arena = allocArena(program, plan.arenaBytes);
    const bufs: TypedArray[] = program.slots.map((s, i) => {
      if (s.kind === 'temp' && plan.offsets[i] >= 0) return new (ctorOf(s.dtype))(arena, plan.offsets[i], sizeOf(plan.shapes[i]));
      if (s.kind === 'constant') return this.constants[s.ref];
      return new (ctorOf(s.dtype))(0);
    });
    const host = program.subprograms.length ? bodyHost(program) : undefined;
    const kernels = program.steps.map((step, t) => {
      if (plan.skip[t]) return noop;
      try {
        return getKernel(step.kernel).prepareJs({
          host,
          attrs: step.attrs,
          inShapes: step.inputs.map((i) => plan.shapes[i]),
          outShapes: step.outputs.map((o) => plan.shapes[o]),
          inDtypes: step.inputs.map((i) => program.slots[i].dtype),
          outDtypes: step.outputs.map((o) => program.slots[o].dtype),
        });
      } catch (e) {
        throw this.wrap(e, step.node);
      }
    });
    // slots bound per call: inputs, shared values, temps that write straight into a shared buffer, direct outputs
    const alias = new Map<number, number>();
    for (let i = 0; i < plan.sharedAlias.length; i += 2) alias.set(plan.sharedAlias[i], plan.sharedAlias[i + 1]);
    const bind: number[] = [];
    program.slots.forEach((sl, i) => {
      if (sl.kind === 'input') bind.push(i, 0, sl.ref);
      else if (sl.kind === 'shared') bind.push(i, 1, sl.ref);
      else if (alias.has(i)) bind.push(i, 1, alias.get(i)!);
      else if (plan.direct.includes(i)) bind.push(i, 2, plan.direct.indexOf(i));
    });
    const bound = new Set(bind.filter((_, k) => k % 3 === 0));
    const isBound = (slot: number) => bound.has(slot);
    const dynamic: number[] = [];
    program.steps.forEach((step, s) => {
      step.inputs.forEach((slot, k) => isBound(slot) && dynamic.push(s, k, slot, 0));
      step.outputs.forEach((slot, k) => isBound(slot) && dynamic.push(s, k, slot, 1));
    });
    return {
      plan,
      arena,
      bufs,
      kernels,
      stepIns: program.steps.map((st) => st.inputs.map((i) => bufs[i])),
      stepOuts: program.steps.map((st) => st.outputs.map((o) => bufs[o])),
      dynamic: Int32Array.from(dynamic),
      bind: Int32Array.from(bind),
      inPlace: Int32Array.from(plan.copied.flatMap((i) => [program.updates[i].shared, program.updates[i].slot])),
    };
  }

  /** Executes every step; inputs, shared values and the direct outputs (`outs`) are bound by slot kind and ref. */
  run(p: JsPrepared, inputs: readonly TypedArray[], shared: readonly TypedArray[], outs: readonly TypedArray[]): void {
    const { bufs, bind, dynamic, stepIns, stepOuts, kernels } = p;
    for (let b = 0; b < bind.length; b += 3) {
      const k = bind[b + 1];
      bufs[bind[b]] = k === 0 ? inputs[bind[b + 2]] : k === 1 ? shared[bind[b + 2]] : outs[bind[b + 2]];
    }
    for (let d = 0; d < dynamic.length; d += 4) (dynamic[d + 3] ? stepOuts : stepIns)[dynamic[d]][dynamic[d + 1]] = bufs[dynamic[d + 2]];
    let s = 0;
    try {
      for (; s < kernels.length; s++) kernels[s](stepIns[s], stepOuts[s]);
    } catch (e) {
      throw this.wrap(e, this.program.steps[s].node);
    }
    const up = p.inPlace;
    for (let u = 0; u < up.length; u += 2) shared[up[u]].set(bufs[up[u + 1]]);
  }

  runAsync(p: JsPrepared, inputs: readonly TypedArray[], shared: readonly TypedArray[], outs: readonly TypedArray[]): Promise<void> {
    return new Promise((resolve) => {
      this.run(p, inputs, shared, outs);
      resolve();
    });
  }

  dispose(): void {}

  private wrap(e: unknown, node: number): Error {
    const info = this.program.nodes[node];
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    if (e instanceof NodeanoError && e.node) {
      // an error inside a loop's or branch's body names its own node; say which loop it ran in too
      const step = this.program.steps.find((st) => st.node === node);
      if (step?.attrs.bodies && !e.message.includes(`inside ${info.label}`)) e.message += `\n  inside ${info.label}, created at ${info.createdAt}`;
      return e;
    }
    return new RuntimeError(msg, { node: info.label, createdAt: info.createdAt });
  }
}
