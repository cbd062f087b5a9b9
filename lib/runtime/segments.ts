import { NodeanoError, RuntimeError } from '../errors';
import { labelOf } from '../graph/printing';
import { FunctionGraph } from '../graph/fgraph';
import type { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Constant, SharedVariable, Variable } from '../graph/variable';
import { NDArray } from '../ndarray';
import type { Program } from '../compile/program';
import type { Executor } from './executor';
import { linearize } from '../compile/program';
import { compileBody } from '../compile/compile';
import { checkOutArrays, Runner } from './runner';

/**
 * An op whose output shape depends on input values (booleanMask). Memory is planned per signature of input shapes,
 * so such an op cannot sit inside one program: the function is split before it, the runner reads the sizes from
 * the values the earlier segment produced, and the op then runs with the sizes as the shape of an extra, empty
 * input (`ref`, shape [...sizes, 0]), which makes its output shape an ordinary function of input shapes again.
 */
export interface DataDependentOp extends Op {
  readonly dataDependent: true;
  /** How many sizes dataSizes returns. */
  readonly dataSizeCount: number;
  /** The node's input count without the size ref: a node with one more input already has its sizes. */
  readonly dataInputs: number;
  /** The extents the output shape needs, from the node's input values. */
  dataSizes(inputs: readonly NDArray[]): number[];
  /** The node's single output computed from the same inputs once `ref`'s shape carries the sizes. */
  withSizes(inputs: readonly Variable[], ref: Variable): Variable;
}

/** Whether the node still needs its sizes from data (a node built with its size ref already has them). */
export function isDataDependent(node: Apply): boolean {
  const op = node.op as Partial<DataDependentOp>;
  return op.dataDependent === true && node.inputs.length === op.dataInputs;
}

/** Whether a function graph needs segments. */
export function hasDataDependentNodes(fg: FunctionGraph): boolean {
  return fg.nodes.some(isDataDependent);
}

/** One program of a segmented function: its inputs are earlier values (and size refs), its outputs later ones' inputs. */
interface Segment {
  runner: Runner;
  /** The original variables whose values this segment's inputs take, in input order (segment 0: the user's args). */
  carried: Variable[];
  /** Data-dependent nodes whose size ref is an input of this segment, after the carried values. */
  sized: Apply[];
  /** The original variables this segment's outputs are, in output order. */
  outputs: Variable[];
}

const isLeafConstant = (v: Variable) => v instanceof Constant || v instanceof SharedVariable;

/**
 * Runs a function graph that contains data-dependent ops as a chain of ordinary programs, each with its own memory
 * plans per shape signature. Segment k holds the nodes whose value needs k data-dependent sizes to be known;
 * shared variables and constants are read directly in every segment, and the updates are all part of the last
 * segment, so they apply only after every segment ran (and not at all when one fails).
 */
export class SegmentedRunner {
  readonly name: string;
  private readonly segments: Segment[] = [];
  private readonly outputs: Variable[];
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(name: string, fg: FunctionGraph, nOutputs: number, updated: readonly SharedVariable[], makeExecutor: (program: Program) => Executor, allowDowncast: boolean) {
    this.name = name;
    this.outputs = fg.outputs.slice(0, nOutputs);
    const updateExprs = fg.outputs.slice(nOutputs);
    const nodes = fg.nodes;
    const stage = new Map<Variable, number>();
    const stageOf = (v: Variable) => stage.get(v) ?? 0;
    const nodeStage = new Map<Apply, number>();
    for (const node of nodes) {
      const s = Math.max(0, ...node.inputs.map(stageOf)) + (isDataDependent(node) ? 1 : 0);
      nodeStage.set(node, s);
      node.outputs.forEach((o) => stage.set(o, s));
    }
    const last = Math.max(0, ...fg.outputs.map(stageOf));
    // the last segment that reads each value (updates are read by the last one)
    const lastReader = new Map<Variable, number>();
    const read = (v: Variable, k: number) => lastReader.set(v, Math.max(lastReader.get(v) ?? -1, k));
    for (const node of nodes) node.inputs.forEach((i) => read(i, nodeStage.get(node)!));
    for (const u of updateExprs) read(u, last);

    // one pass each: the nodes of every stage, and the values every stage hands on (a function output, or read later)
    const stageNodes: Apply[][] = Array.from({ length: last + 1 }, () => []);
    for (const node of nodes) stageNodes[nodeStage.get(node)!]?.push(node);
    const isOutput = new Set(this.outputs);
    const stageOuts: Variable[][] = Array.from({ length: last + 1 }, () => []);
    for (const v of new Set([...stage.keys(), ...fg.inputs, ...this.outputs])) {
      const k = stageOf(v);
      if (k <= last && (isOutput.has(v) || (!isLeafConstant(v) && (lastReader.get(v) ?? -1) > k))) stageOuts[k].push(v);
    }

    for (let k = 0; k <= last; k++) {
      const carried = k === 0 ? [] : [...new Set([...stageNodes[k].flatMap((n) => n.inputs), ...(k === last ? updateExprs : [])])].filter((v) => !isLeafConstant(v) && stageOf(v) < k);
      const sized = stageNodes[k].filter(isDataDependent);
      const outs = stageOuts[k];
      const replace = new Map<Variable, Variable>();
      const segInputs: Variable[] = k === 0 ? fg.inputs.slice() : carried.map((v) => v.cloneAsInput());
      carried.forEach((v, i) => replace.set(v, segInputs[i]));
      for (const node of sized) {
        const ref = new Variable(new TensorType('bool', [...new Array<null>((node.op as DataDependentOp).dataSizeCount).fill(null), 0]), null, 0, 'size');
        segInputs.push(ref);
        const op = node.op as DataDependentOp;
        replace.set(node.outputs[0], op.withSizes(node.inputs.map((i) => replace.get(i) ?? i), ref));
      }
      const segFg = new FunctionGraph(segInputs, [...outs, ...(k === last ? updateExprs : [])], replace);
      const segName = k === 0 ? name : `${name} (segment ${k})`;
      const { program, sharedVars } = linearize(segName, segFg, outs.length, k === last ? updated : [], (n, b) => compileBody(n, b, undefined));
      const runner = new Runner(segName, segInputs, sharedVars, makeExecutor(program), allowDowncast);
      this.segments.push({ runner, carried, sized, outputs: outs });
    }
  }

  get backend(): 'js' | 'native' {
    return this.segments.every((s) => s.runner.backend === 'native') ? 'native' : 'js';
  }
  get planCount(): number {
    return this.segments.reduce((a, s) => a + s.runner.planCount, 0);
  }
  get calls(): number {
    return this.segments[this.segments.length - 1].runner.calls;
  }
  get lastPlan() {
    return this.segments[this.segments.length - 1].runner.lastPlan;
  }

  /** The arguments of segment k: carried values, then one empty size ref per data-dependent node. */
  private argsFor(seg: Segment, values: Map<Variable, NDArray>): NDArray[] {
    const valueOf = (v: Variable): NDArray => {
      if (v instanceof Constant) return v.value;
      if (v instanceof SharedVariable) return v.storage;
      return values.get(v)!;
    };
    const args = seg.carried.map(valueOf);
    for (const node of seg.sized) {
      let sizes: number[];
      try {
        sizes = (node.op as DataDependentOp).dataSizes(node.inputs.map(valueOf));
      } catch (e) {
        // bad values (an index out of range) found while sizing: reported like a kernel's run-time error
        if (!(e instanceof NodeanoError)) throw e;
        const out = node.outputs[0];
        throw new RuntimeError(e.message.split('\n')[0], { node: labelOf(out), createdAt: String(out.site) });
      }
      args.push(new NDArray(new Uint8Array(0), [...sizes, 0], 'bool'));
    }
    return args;
  }

  private collect(values: Map<Variable, NDArray>): NDArray[] {
    const seen = new Set<Variable>();
    return this.outputs.map((v) => {
      const a = values.get(v)!;
      if (seen.has(v)) return a.copy();
      seen.add(v);
      return a;
    });
  }

  /** The results written into the caller's `out` arrays, each checked against its result before any write. */
  private into(res: NDArray[], out: readonly unknown[] | null): NDArray[] {
    if (out === null) return res;
    const checked = checkOutArrays(this.name, out, res);
    return res.map((r, k) => {
      const o = checked[k];
      if (o === null) return r;
      o.data.set(r.data);
      return o;
    });
  }

  runSync(args: readonly unknown[], out: readonly unknown[] | null = null): NDArray[] {
    if (this.pending > 0) {
      throw new RuntimeError(`${this.name}: ${this.pending} asynchronous call(s) of this function are still running; await them before calling it synchronously`);
    }
    const values = new Map<Variable, NDArray>();
    this.segments.forEach((seg, k) => {
      const outs = seg.runner.runSync(k === 0 ? args : this.argsFor(seg, values));
      seg.outputs.forEach((v, i) => values.set(v, outs[i]));
    });
    return this.into(this.collect(values), out);
  }

  /** Whole calls are queued: a call's segments never interleave with another call's, and each sees earlier updates. */
  runAsync(args: readonly unknown[], out: readonly unknown[] | null = null): Promise<NDArray[]> {
    const snapshot = args.slice();
    this.pending++;
    const job = this.queue.then(async () => {
      const values = new Map<Variable, NDArray>();
      for (let k = 0; k < this.segments.length; k++) {
        const seg = this.segments[k];
        const outs = await seg.runner.runAsync(k === 0 ? snapshot : this.argsFor(seg, values));
        seg.outputs.forEach((v, i) => values.set(v, outs[i]));
      }
      return this.into(this.collect(values), out);
    });
    const done = job.finally(() => this.pending--);
    // settles with nothing: the queue must not keep the last result alive after the caller dropped it
    this.queue = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  dispose(): void {
    for (const s of this.segments) s.runner.dispose();
  }
}
