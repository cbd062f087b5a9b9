// Programs and plans built by hand in the addon's descriptor format (native/addon.cc), for the addon-level suites.
// Those suites talk to the addon directly (no TypeScript compiler in between) and skip when it is not loaded.
import { expect } from 'vitest';
import { Addon, loadNative, PlanDescriptor } from '../../lib/backend/native-loader';

export const addon: Addon | null = loadNative().addon;
export const addonPath: string | null = loadNative().path;

export const F32 = 0, F64 = 1, I32 = 2, BOOL = 3;
export const INPUT = 0, SHARED = 1, CONSTANT = 2, TEMP = 3;
export const CTORS = [Float32Array, Float64Array, Int32Array, Uint8Array] as const;

export type SlotSpec = [kind: number, dtype: number, ref: number];
export interface StepSpec {
  kernel: string;
  ins: number[];
  outs: number[];
  ints?: number[];
  floats?: number[];
}

/** A createProgram descriptor: slots [kind, dtype, ref], steps, constants, updates [sharedRef, slot]. */
export function programDesc(p: { slots: SlotSpec[]; steps: StepSpec[]; constants?: ArrayBufferView[]; updates?: [number, number][]; nInputs: number; nShared: number }) {
  const kernelNames = [...new Set(p.steps.map((s) => s.kernel))];
  const ints: number[] = [];
  const floats: number[] = [];
  for (const s of p.steps) {
    const si = s.ints ?? [];
    const sf = s.floats ?? [];
    ints.push(kernelNames.indexOf(s.kernel), s.ins.length, s.outs.length, si.length, sf.length, ...s.ins, ...s.outs, ...si);
    floats.push(...sf);
  }
  return {
    slots: Int32Array.from(p.slots.flat()),
    steps: Int32Array.from(ints),
    floats: Float64Array.from(floats),
    kernelNames,
    constants: p.constants ?? [],
    updates: Int32Array.from((p.updates ?? []).flat()),
    nInputs: p.nInputs,
    nShared: p.nShared,
  };
}

/** createPlan's descriptor, as the loader declares it. */
export type PlanDescSpec = PlanDescriptor;

/** A createPlan descriptor: temps laid out one after another, 64-byte aligned. */
export function planDesc(slots: SlotSpec[], shapes: number[][]): PlanDescSpec {
  const flat: number[] = [];
  const offsets: number[] = [];
  let arena = 0;
  slots.forEach(([kind, dtype], i) => {
    flat.push(shapes[i].length, ...shapes[i]);
    if (kind === TEMP) {
      offsets.push(arena);
      const bytes = shapes[i].reduce((a, b) => a * b, 1) * CTORS[dtype].BYTES_PER_ELEMENT;
      arena += Math.max(64, Math.ceil(bytes / 64) * 64);
    } else offsets.push(-1);
  });
  return { shapes: Int32Array.from(flat), offsets: Float64Array.from(offsets), arenaBytes: arena };
}

/** x (input, f32) and W (shared, f32): t2 = Copy(x), t3 = Copy(W); W <- t2. */
export const copySlots: SlotSpec[] = [[INPUT, F32, 0], [SHARED, F32, 0], [TEMP, F32, -1], [TEMP, F32, -1]];
export const copyProgram = () =>
  programDesc({ slots: copySlots, steps: [{ kernel: 'Copy', ins: [0], outs: [2] }, { kernel: 'Copy', ins: [1], outs: [3] }], updates: [[0, 2]], nInputs: 1, nShared: 1 });

export function throwsCode(fn: () => unknown, code: string, message?: RegExp): Error & { code: string; status?: number; step?: number; kernels?: string[] } {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'should throw').toBeInstanceOf(Error);
  const e = err as Error & { code: string };
  expect(e.code, e.message).toBe(code);
  if (message) expect(e.message).toMatch(message);
  return e;
}

export async function rejectsCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<Error & { code: string; step?: number }> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, 'should reject').toBeInstanceOf(Error);
  const e = err as Error & { code: string };
  expect(e.code, e.message).toBe(code);
  if (message) expect(e.message).toMatch(message);
  return e;
}

export function detached<T extends ArrayBufferView>(a: T): T {
  structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
  return a;
}
