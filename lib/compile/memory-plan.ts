import { RuntimeError, NodeanoError } from '../errors';
import { ctorOf, itemSize, TypedArray } from '../dtype';
import { getKernel } from '../graph/kernel-registry';
import * as os from 'node:os';
import { shapeProblems, shapeStr, sizeOf } from '../ndarray';
import { Program, ProgramStep, slotLabel } from './program';

/** Buffers are aligned so that native SIMD kernels can use aligned loads on any temp. */
export const ALIGN = 64;

/** The shapes of every slot and the arena layout of the temps, for one signature of input and shared shapes. */
export interface MemoryPlan {
  key: string;
  shapes: number[][];
  /** Byte offset of each temp slot in the arena (-1 for non-temps). */
  offsets: number[];
  arenaBytes: number;
  /** Sum of all temp sizes: what the arena would take without reuse. */
  unsharedBytes: number;
  /**
   * How each update lands (lib/runtime/updates.ts tells the whole story), as indices into program.updates:
   * `resized` ones have another shape than the shared variable now holds (the runtime replaces its storage),
   * `copied` ones are copied into the shared buffer by the executor after the steps; the rest were computed straight
   * into it (`sharedAlias`).
   */
  resized: number[];
  copied: number[];
  /** 1 for steps that need not run: their output is a view of their input's buffer with these shapes. */
  skip: Uint8Array;
  /**
   * Pairs [temp slot, shared ref]: the step producing the update value writes straight into the shared variable's
   * buffer (no copy afterwards), because nothing reads the old value after that step.
   */
  sharedAlias: number[];
  /** 1 for steps whose output takes the arena space of an input that dies at that step. */
  inPlace: Uint8Array;
  /**
   * Output slots computed straight into the array the caller gets (no arena offset, no copy afterwards): each call
   * binds one buffer per entry, in this order. `directOf[k]` is output k's index in it, or -1 for an output that is
   * returned another way (a borrowed view of the arena, a copy of an input, shared value or constant, a repeat).
   */
  direct: number[];
  directOf: number[];
  /** Element count of each direct output. */
  directSizes: number[];
}

/** Outputs of at most this many bytes are copied out of the arena rather than computed into a fresh array. */
export const SMALL_OUTPUT_BYTES = 64;

/** Whether a step may write its output over input `pos`: the inplace rewrite phase offered that position. */
function inPlaceOk(step: ProgramStep, pos: number): boolean {
  return step.inPlace.includes(pos);
}

/**
 * Updates whose value can be computed directly into the shared buffer: the producing step is the last reader of
 * the old value (or reads it elementwise, in place), so writing there early cannot change what any step sees.
 * Returns temp slot -> shared ref.
 */
function updatesInPlace(program: Program, shapes: number[][], root: number[], resized: number[]): Map<number, number> {
  const { slots, steps } = program;
  const producer = new Map<number, number>();
  steps.forEach((st, t) => st.outputs.forEach((o) => producer.set(o, t)));
  const sharedSlot = new Map<number, number>();
  slots.forEach((s, i) => s.kind === 'shared' && sharedSlot.set(s.ref, i));
  const lastRead = new Map<number, number>();
  steps.forEach((st, t) => st.inputs.forEach((i) => lastRead.set(i, t)));
  const outputs = new Set(program.outputs);
  const taken = new Set<number>();
  const result = new Map<number, number>();
  program.updates.forEach((u, k) => {
    const t = u.slot;
    const p = producer.get(t);
    const ss = sharedSlot.get(u.shared);
    if (resized.includes(k) || p === undefined || ss === undefined || root[t] !== t || taken.has(t) || outputs.has(t)) return;
    if ((lastRead.get(ss) ?? -1) > p) return;
    const step = steps[p];
    const ok = step.inputs.every((i, pos) => i !== ss || (inPlaceOk(step, pos) && sameDims(shapes[i], shapes[t])));
    if (!ok) return;
    // a view of the value read later would see the same bytes, so views of t are fine; views of the old value are not
    if (slots.some((_, j) => j !== t && root[j] === t)) return;
    taken.add(t);
    result.set(t, u.shared);
  });
  return result;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The machine's physical memory, read once: no single call may need more (see checkTotalBytes). */
const TOTAL_MEMORY = os.totalmem();

/**
 * A step's run-time output shapes must fit an array (each dim an integer in [0, MAX_DIM], at most MAX_ELEMENTS
 * elements, no more bytes than the machine has): a RuntimeError naming the node and its creation site, raised
 * before the backend plans or allocates anything (a huge diag offset or tile count only shows with real shapes).
 */
function checkSlotSizes(program: Program, step: ProgramStep, outShapes: readonly (readonly number[])[]): void {
  for (let k = 0; k < outShapes.length; k++) {
    const shape = outShapes[k];
    let problem = shapeProblems(shape, 'shape')[0];
    const bytes = problem ? 0 : sizeOf(shape) * itemSize(program.slots[step.outputs[k]].dtype);
    if (!problem && bytes > TOTAL_MEMORY) problem = `shape ${shapeStr(shape)} needs ${bytes} bytes, more than the ${TOTAL_MEMORY} bytes of memory this machine has`;
    if (!problem) continue;
    const node = program.nodes[step.node];
    const what = outShapes.length === 1 ? 'output' : `output ${k}`;
    throw new RuntimeError(`${node.opName || step.kernel}: ${what} ${problem}`, { node: node.label, createdAt: node.createdAt });
  }
}

/**
 * The arena and the direct outputs of one call together must fit in the machine's memory: refused before any
 * allocation (an overcommitted allocation would succeed and the process be killed later), naming the largest temp.
 */
function checkTotalBytes(program: Program, shapes: readonly (readonly number[])[], arenaBytes: number, direct: readonly number[]): void {
  const bytesOf = (i: number) => sizeOf(shapes[i]) * itemSize(program.slots[i].dtype);
  const total = arenaBytes + direct.reduce((n, o) => n + bytesOf(o), 0);
  if (total <= TOTAL_MEMORY) return;
  let largest = -1;
  program.slots.forEach((s, i) => s.kind === 'temp' && (largest < 0 || bytesOf(i) > bytesOf(largest)) && (largest = i));
  const step = program.steps.find((st) => st.outputs.includes(largest));
  const node = step ? program.nodes[step.node] : undefined;
  throw new RuntimeError(
    `${program.name}: one call needs ${total} bytes for its temporaries and outputs, more than the ${TOTAL_MEMORY} bytes of memory this machine has (the largest, ${shapeStr(shapes[largest])}, is this node's)`,
    node ? { node: node.label, createdAt: node.createdAt } : {},
  );
}

/**
 * Outputs of `minBytes` and more may come uninitialized (see allocSlot); `poison` fills such memory with 0xff bytes
 * (NaN, -1) first, so that a test catches a kernel that leaves part of its output unwritten.
 */
export const outputMemory = { minBytes: 1 << 20, poison: false };

/**
 * A fresh array of `n` elements of `dtype` for slot `slot` of a call; an allocation the engine refuses (memory
 * exhausted) is a RuntimeError naming the node that produces the slot, not a raw RangeError.
 */
export function allocSlot(program: Program, slot: number, n: number, uninitialized = false): TypedArray {
  const Ctor = ctorOf(program.slots[slot].dtype);
  try {
    // a large output every element of which its kernel writes: memory the allocator need not zero, whose pages a
    // freed earlier result left warm (a zeroed array of this size is a fresh mapping, faulted in page by page)
    if (uninitialized && n * Ctor.BYTES_PER_ELEMENT >= outputMemory.minBytes) {
      const b = Buffer.allocUnsafeSlow(n * Ctor.BYTES_PER_ELEMENT);
      if (outputMemory.poison) b.fill(0xff);
      return new Ctor(b.buffer, b.byteOffset, n);
    }
    return new Ctor(n);
  } catch (e) {
    const step = program.steps.find((st) => st.outputs.includes(slot));
    const node = step ? program.nodes[step.node] : undefined;
    throw new RuntimeError(`${program.name}: cannot allocate ${n * itemSize(program.slots[slot].dtype)} bytes for an output (${(e as Error).message})`, node ? { node: node.label, createdAt: node.createdAt } : {});
  }
}

/** An arena of `bytes` for a call's temporaries; a refused allocation is a RuntimeError naming the function. */
export function allocArena(program: Program, bytes: number): ArrayBuffer {
  try {
    return new ArrayBuffer(bytes);
  } catch (e) {
    throw new RuntimeError(`${program.name}: cannot allocate ${bytes} bytes for the temporaries of this call (${(e as Error).message})`);
  }
}

/** Kernels that move no data when the input already has the output's number of elements. */
const VIEW_KERNELS = new Set(['SumTo', 'BroadcastTo', 'ExpandDims', 'Reshape', 'Squeeze']);

/** The output shapes of body k of `program` for these input shapes (shape inference only). */
export function bodyOutShapes(program: Program, k: number, inShapes: readonly (readonly number[])[]): number[][] {
  const body = program.subprograms[k];
  const shapes = inferSlotShapes(body, inShapes, []);
  return body.outputs.map((o) => shapes[o]);
}

/** Every slot's run-time shape for these input and shared shapes; a mismatch is a RuntimeError naming the node. */
export function inferSlotShapes(program: Program, inputShapes: readonly (readonly number[])[], sharedShapes: readonly (readonly number[])[]): number[][] {
  const { slots, steps } = program;
  const shapes: number[][] = new Array(slots.length);
  slots.forEach((s, i) => {
    if (s.kind === 'input') shapes[i] = inputShapes[s.ref].slice();
    else if (s.kind === 'shared') shapes[i] = sharedShapes[s.ref].slice();
    else if (s.kind === 'constant') shapes[i] = program.constants[s.ref].shape.slice();
  });
  const host = program.subprograms.length ? { inferBody: (k: number, ins: readonly (readonly number[])[]) => bodyOutShapes(program, k, ins) } : undefined;
  steps.forEach((step) => {
    let outShapes: number[][];
    try {
      outShapes = getKernel(step.kernel).inferShape(step.inputs.map((i) => shapes[i]), step.attrs, host, (k) => slotLabel(program, step.inputs[k]));
    } catch (e) {
      const node = program.nodes[step.node];
      if (e instanceof NodeanoError && !e.node) throw new RuntimeError(e.message.split('\n')[0], { node: node.label, createdAt: node.createdAt });
      // an error inside a loop's or branch's body names its own node; say which loop it ran in too
      if (e instanceof NodeanoError && step.attrs.bodies && !e.message.includes(`inside ${node.label}`)) e.message += `\n  inside ${node.label}, created at ${node.createdAt}`;
      throw e;
    }
    step.outputs.forEach((o, k) => (shapes[o] = outShapes[k]));
    checkSlotSizes(program, step, outShapes);
  });
  return shapes;
}

export function shapeKey(inputShapes: readonly (readonly number[])[], sharedShapes: readonly (readonly number[])[]): string {
  return inputShapes.map((s) => s.join(',')).join(';') + '|' + sharedShapes.map((s) => s.join(',')).join(';');
}

/**
 * Infers every slot's shape, then places temps in one arena: each temp is live from the step that writes it to its
 * last reader (outputs and update sources to the end), and first-fit reuses the space of dead temps. A step's
 * outputs never share memory with its own inputs.
 */
export function planMemory(
  program: Program,
  inputShapes: readonly (readonly number[])[],
  sharedShapes: readonly (readonly number[])[],
  lent: readonly boolean[] = [],
): MemoryPlan {
  const { slots, steps } = program;
  const shapes = inferSlotShapes(program, inputShapes, sharedShapes);

  // a view step's output shares its input's temp buffer (only temps: shared buffers change under updates)
  const root = slots.map((_, i) => i);
  const skip = new Uint8Array(steps.length);
  steps.forEach((step, t) => {
    const [i] = step.inputs;
    const [o] = step.outputs;
    if (VIEW_KERNELS.has(step.kernel) && slots[i].kind === 'temp' && sizeOf(shapes[i]) === sizeOf(shapes[o])) {
      root[o] = root[i];
      skip[t] = 1;
    }
  });

  // outputs computed where the caller gets them: temps of their own, not lent as views of the arena. A view step
  // producing one runs (a copy into the output) instead of being skipped; a temp something else views stays put.
  // A small output stays in the arena and is copied out: V8 keeps a typed array of up to 64 bytes on its heap, and a
  // native call must first move a fresh one off the heap (a malloc, later a sweep), which costs far more than the copy.
  const producer = new Map<number, number>();
  steps.forEach((st, t) => st.outputs.forEach((o) => producer.set(o, t)));
  const direct: number[] = [];
  const directOf = program.outputs.map((o, k) => {
    if (slots[o].kind !== 'temp' || lent[k] === true || program.outputs.indexOf(o) !== k) return -1;
    if (sizeOf(shapes[o]) * itemSize(slots[o].dtype) <= SMALL_OUTPUT_BYTES) return -1;
    if (slots.some((_, j) => j !== o && root[j] === o)) return -1;
    if (root[o] !== o) {
      root[o] = o;
      skip[producer.get(o)!] = 0;
    }
    return direct.push(o) - 1;
  });
  const isDirect = new Set(direct);

  const end = steps.length;
  const lastUse = new Array(slots.length).fill(-1);
  const use = (slot: number, t: number) => (lastUse[root[slot]] = Math.max(lastUse[root[slot]], t));
  steps.forEach((step, t) => step.inputs.forEach((i) => use(i, t)));
  for (const o of program.outputs) use(o, end);
  for (const u of program.updates) use(u.slot, end);

  const resized: number[] = [];
  program.updates.forEach((u, i) => {
    const a = shapes[u.slot];
    const b = sharedShapes[u.shared];
    if (a.length !== b.length || a.some((d, k) => d !== b[k])) resized.push(i);
  });
  const inShared = updatesInPlace(program, shapes, root, resized);
  const sharedAlias: number[] = [];
  for (const [slot, ref] of inShared) sharedAlias.push(slot, ref);
  const copied = program.updates.flatMap((u, i) => (resized.includes(i) || inShared.has(u.slot) ? [] : [i]));

  const offsets = new Array(slots.length).fill(-1);
  const free: { off: number; size: number }[] = [];
  let arenaBytes = 0;
  let unsharedBytes = 0;
  const sizes: number[] = new Array(slots.length).fill(0);
  const dying: number[][] = Array.from({ length: end + 1 }, () => []);
  const viewed = new Set(root.filter((r, j) => r !== j));
  // a temp of its own (not a view, not viewed, not in a shared buffer) whose last reader is step t
  const dyingHere = (i: number, t: number) => slots[i].kind === 'temp' && root[i] === i && !viewed.has(i) && offsets[i] >= 0 && lastUse[i] === t && dying[t].includes(i);
  const inPlace = new Uint8Array(steps.length);
  steps.forEach((step, t) => {
    if (skip[t]) return;
    for (const o of step.outputs) {
      if (inShared.has(o) || isDirect.has(o)) continue;
      // an elementwise step may write over an input that dies here (same shape and dtype): no new memory, warm cache
      const reuse = step.outputs.length === 1 && step.inPlace.length > 0 ? step.inputs.findIndex((i, pos) => dyingHere(i, t) && inPlaceOk(step, pos) && slots[i].dtype === slots[o].dtype && sameDims(shapes[i], shapes[o])) : -1;
      if (reuse >= 0) {
        const i = step.inputs[reuse];
        unsharedBytes += sizes[i];
        offsets[o] = offsets[i];
        sizes[o] = sizes[i];
        dying[t] = dying[t].filter((d) => d !== i);
        dying[Math.max(t, lastUse[o])].push(o);
        inPlace[t] = 1;
        continue;
      }
      const bytes = Math.max(ALIGN, Math.ceil((sizeOf(shapes[o]) * itemSize(slots[o].dtype)) / ALIGN) * ALIGN);
      unsharedBytes += bytes;
      const k = free.findIndex((b) => b.size >= bytes);
      if (k >= 0) {
        const b = free[k];
        offsets[o] = b.off;
        if (b.size === bytes) free.splice(k, 1);
        else free[k] = { off: b.off + bytes, size: b.size - bytes };
      } else {
        offsets[o] = arenaBytes;
        arenaBytes += bytes;
      }
      // a value nobody reads dies right after it is written
      dying[Math.max(t, lastUse[o])].push(o);
      sizes[o] = bytes;
    }
    for (const o of dying[t]) release(o);
  });

  function release(o: number) {
    free.push({ off: offsets[o], size: sizes[o] });
    free.sort((a, b) => a.off - b.off);
    for (let i = 0; i + 1 < free.length; ) {
      if (free[i].off + free[i].size === free[i + 1].off) {
        free[i] = { off: free[i].off, size: free[i].size + free[i + 1].size };
        free.splice(i + 1, 1);
      } else i++;
    }
  }
  slots.forEach((_, i) => {
    if (root[i] !== i) offsets[i] = offsets[root[i]];
  });
  checkTotalBytes(program, shapes, arenaBytes, direct);
  return { key: shapeKey(inputShapes, sharedShapes), shapes, offsets, arenaBytes, unsharedBytes, resized, copied, skip, sharedAlias, inPlace, direct, directOf, directSizes: direct.map((o) => sizeOf(shapes[o])) };
}
