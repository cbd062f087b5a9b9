import { describe, expect, it } from 'vitest';
import type { PlanDescriptor, ProgramDescriptor } from '../../lib/backend/native-loader';
import { addon, F32, I32, INPUT, planDesc, programDesc, SlotSpec, TEMP, throwsCode } from './addon-helpers';

// The Scan step in the addon's own format (native/kernels/scan_loop.cc): h[t] = h[t-1] + x[t], built by hand, then
// broken one field at a time. Every malformed descriptor is a coded error, never a crash.
const d = addon ? describe : describe.skip;

const bodySlots: SlotSpec[] = [[INPUT, F32, 0], [INPUT, F32, 1], [TEMP, F32, -1]];
const outerSlots: SlotSpec[] = [[INPUT, F32, 0], [INPUT, F32, 1], [TEMP, F32, -1]];
// [nSeq, nOut, nNonSeq, reverse, until, seqTaps, seqOffsets, outLagCount, outLags, outModes, outLike, outOffset]
const SCAN_INTS = [1, 1, 0, 0, 0, 1, 0, 1, 1, 0, -1, 0];

function scanProgram(p: { ints?: number[]; body?: Partial<ProgramDescriptor>; bodies?: number[]; subprograms?: ProgramDescriptor[] } = {}): ProgramDescriptor {
  const body = { ...programDesc({ slots: bodySlots, steps: [{ kernel: 'Add', ins: [0, 1], outs: [2] }], nInputs: 2, nShared: 0 }), outputs: Int32Array.of(2), ...p.body };
  return {
    ...programDesc({ slots: outerSlots, steps: [{ kernel: 'Scan', ins: [0, 1], outs: [2], ints: p.ints ?? SCAN_INTS }], nInputs: 2, nShared: 0 }),
    outputs: Int32Array.of(2),
    subprograms: p.subprograms ?? [body],
    bodies: Int32Array.from(p.bodies ?? [0, 0]),
  };
}

/** The outer plan for n steps of width w (output direct), with the body's plan. */
function scanPlan(n: number, w: number, over: { iterations?: number; body?: Partial<PlanDescriptor>; step?: number; bodies?: PlanDescriptor['bodies'] } = {}): PlanDescriptor {
  const outer = planDesc(outerSlots, [[n, w], [1, w], [n, w]]);
  const body = planDesc(bodySlots, [[w], [w], [w]]);
  return {
    ...outer,
    offsets: Float64Array.from([-1, -1, -1]),
    arenaBytes: 0,
    outputs: Int32Array.of(2),
    bodies: over.bodies ?? [{ step: over.step ?? 0, iterations: over.iterations ?? n, plan: { ...body, offsets: Float64Array.from([-1, -1, -1]), arenaBytes: 0, outputs: Int32Array.of(2), ...over.body } }],
  };
}

d('addon: Scan programs and plans', () => {
  const n = addon!;

  it('rejects malformed programs: body indices out of range, a body with shared values, nesting too deep', () => {
    throwsCode(() => n.createProgram(scanProgram({ bodies: [0, 1] })), 'NODEANO_NATIVE_INVALID', /bodies\[0\]: subprogram 1 out of range/);
    throwsCode(() => n.createProgram(scanProgram({ bodies: [3, 0] })), 'NODEANO_NATIVE_INVALID', /bodies\[0\]: step 3 out of range/);
    throwsCode(() => n.createProgram(scanProgram({ bodies: [0, 0, 0, 0, 0, 0] })), 'NODEANO_NATIVE_INVALID', /bodies\[2\]: step 0 has more than 2 bodies/);
    throwsCode(() => n.createProgram(scanProgram({ bodies: [0] })), 'NODEANO_NATIVE_INVALID', /bodies must hold \[step, subprogram\] pairs/);
    throwsCode(() => n.createProgram(scanProgram({ body: { nShared: 1 } })), 'NODEANO_NATIVE_INVALID', /subprograms\[0\]: a body must have no shared values/);
    throwsCode(() => n.createProgram(scanProgram({ body: { outputs: Int32Array.of(7) } })), 'NODEANO_NATIVE_INVALID', /subprograms\[0\]: outputs\[0\]: slot 7 out of range/);
    throwsCode(() => n.createProgram(scanProgram({ body: { kernelNames: ['NoSuch'] } })), 'NODEANO_NATIVE_UNSUPPORTED', /NoSuch/);
    let deep: ProgramDescriptor = scanProgram();
    for (let k = 0; k < 40; k++) deep = scanProgram({ subprograms: [deep] });
    throwsCode(() => n.createProgram(deep), 'NODEANO_NATIVE_INVALID', /nest deeper than 32 levels/);
    throwsCode(() => n.createProgram({ ...scanProgram(), subprograms: [1 as never] }), 'NODEANO_NATIVE_INVALID', /subprograms\[0\] must be an object, got a number/);
    const getterError = new Error('getter');
    const hostile = { ...scanProgram(), subprograms: [Object.defineProperty({ ...scanProgram().subprograms![0] }, 'steps', { get: () => { throw getterError; } })] };
    expect(() => n.createProgram(hostile)).toThrow(getterError);
  });

  it('rejects malformed plans: a missing or misplaced body plan, shapes that do not fit the loop, hostile attributes', () => {
    const p = n.createProgram(scanProgram());
    throwsCode(() => n.createPlan(p, { ...scanPlan(4, 3), bodies: [] }), 'NODEANO_NATIVE_INVALID', /step 0 \(Scan\) runs a body, but bodies has no plan for it/);
    throwsCode(() => n.createPlan(p, scanPlan(4, 3, { step: 1 })), 'NODEANO_NATIVE_INVALID', /bodies\[0\]: step 1 out of range/);
    throwsCode(() => n.createPlan(p, { ...scanPlan(4, 3), bodies: [...scanPlan(4, 3).bodies!, ...scanPlan(4, 3).bodies!] }), 'NODEANO_NATIVE_INVALID', /listed twice/);
    throwsCode(() => n.createPlan(p, scanPlan(4, 3, { iterations: 5 })), 'NODEANO_NATIVE_INVALID', /sequence 0 has 4 rows, too few for 5 steps/);
    throwsCode(() => n.createPlan(p, scanPlan(4, 3, { iterations: 2 ** 31 })), 'NODEANO_NATIVE_INVALID', /iterations must be an integer/);
    throwsCode(() => n.createPlan(p, scanPlan(4, 3, { body: { shapes: Int32Array.from([1, 2, 1, 3, 1, 3]) } })), 'NODEANO_NATIVE_INVALID', /its body's plan|does not match/);
    throwsCode(() => n.createPlan(p, { ...scanPlan(4, 3), bodies: [{ step: 0, iterations: 4, plan: 5 as never }] }), 'NODEANO_NATIVE_INVALID', /bodies\[0\].plan must be an object/);
    let deep: PlanDescriptor = scanPlan(4, 3);
    for (let k = 0; k < 40; k++) deep = { ...scanPlan(4, 3), bodies: [{ step: 0, iterations: 4, plan: deep }] };
    throwsCode(() => n.createPlan(p, deep), 'NODEANO_NATIVE_INVALID', /nest deeper than 32 levels/);
    for (const ints of [[], [1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 1, 0, 1, 1, 0, -1], [1, 1, 0, 0, 0, 1, 0, 1, 1, 2, -1, 0], [1, 1, 0, 0, 0, 1, 0, 1, 1, 1, -1, 0],
      [2 ** 31 - 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 1, -5, 1, 1, 0, -1, 0], [1, 1, 0, 0, 0, 1, 0, 1, 0, 0, -1, 0], [1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 3, 0], [1, 1, 0, 0, 0, 1, 0, 1, 1, 0, -1, 0, 9]]) {
      const q = n.createProgram(scanProgram({ ints }));
      throwsCode(() => n.createPlan(q, scanPlan(4, 3)), 'NODEANO_NATIVE_INVALID', /step 0 \(Scan\)/);
    }
  });

  it('runs the loop: rows of odd width (unaligned), zero steps, repeated calls', () => {
    const p = n.createProgram(scanProgram());
    for (const [steps, w] of [[5, 3], [0, 3], [7, 1], [2, 16]]) {
      const { plan } = n.createPlan(p, scanPlan(steps, w));
      for (let call = 0; call < 2; call++) {
        const x = Float32Array.from({ length: steps * w }, (_, i) => i + call);
        const h0 = Float32Array.from({ length: w }, (_, i) => 10 * i);
        const out = new Float32Array(steps * w);
        n.run(plan, x, h0, out);
        const want = new Float32Array(steps * w);
        for (let t = 0; t < steps; t++) for (let j = 0; j < w; j++) want[t * w + j] = (t ? want[(t - 1) * w + j] : h0[j]) + x[t * w + j];
        expect(Array.from(out)).toEqual(Array.from(want));
        // an unaligned output array (a view at a 4-byte offset) gets the same values
        const buf = new Float32Array(steps * w + 1);
        const view = buf.subarray(1);
        n.run(plan, x, h0, view);
        expect(Array.from(view)).toEqual(Array.from(want));
      }
    }
  });

  it('copies a body output the body plan keeps in its arena', () => {
    const p = n.createProgram(scanProgram());
    const { plan } = n.createPlan(p, scanPlan(3, 2, { body: { outputs: Int32Array.of(), offsets: Float64Array.from([-1, -1, 0]), arenaBytes: 64 } }));
    const out = new Float32Array(6);
    n.run(plan, Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(10, 20), out);
    expect(Array.from(out)).toEqual([11, 22, 14, 26, 19, 32]);
  });

  it('names the Scan step and the body step when the body fails at run time', () => {
    // h[t] = h[t-1] + x[t][i] (Subtensor with a data index, as T.scan compiles x.slice(i)); i out of range fails
    const slots: SlotSpec[] = [[INPUT, F32, 0], [INPUT, F32, 1], [INPUT, I32, 2], [TEMP, F32, -1], [TEMP, F32, -1]];
    const steps = [{ kernel: 'Subtensor', ins: [0, 2], outs: [3], ints: [0, -(2 ** 31) + 1, -(2 ** 31), 1] }, { kernel: 'Add', ins: [1, 3], outs: [4] }];
    const body = { ...programDesc({ slots, steps, nInputs: 3, nShared: 0 }), outputs: Int32Array.of(4) };
    const outer: SlotSpec[] = [[INPUT, F32, 0], [INPUT, F32, 1], [INPUT, I32, 2], [TEMP, F32, -1]];
    const prog = { ...programDesc({ slots: outer, steps: [{ kernel: 'Scan', ins: [0, 1, 2], outs: [3], ints: [1, 1, 1, 0, 0, 1, 0, 1, 1, 0, -1, 0] }], nInputs: 3, nShared: 0 }), subprograms: [body], bodies: Int32Array.of(0, 0) };
    const p = n.createProgram(prog);
    const bodyPlan = { ...planDesc(slots, [[2], [], [], [], []]), outputs: Int32Array.of(4) };
    bodyPlan.offsets[4] = -1;
    const { plan } = n.createPlan(p, { ...planDesc(outer, [[3, 2], [1], [], [3]]), offsets: Float64Array.from([-1, -1, -1, -1]), arenaBytes: 0, outputs: Int32Array.of(3), bodies: [{ step: 0, iterations: 3, plan: bodyPlan }] });
    const x = Float32Array.of(1, 2, 3, 4, 5, 6);
    const out = new Float32Array(3);
    n.run(plan, x, Float32Array.of(10), Int32Array.of(1), out);
    expect(Array.from(out)).toEqual([12, 16, 22]);
    const e = throwsCode(() => n.run(plan, x, Float32Array.of(10), Int32Array.of(5), out), 'NODEANO_NATIVE_SHAPE', /kernel Scan \(step 0\) in body step 0 \(Subtensor\) failed/);
    expect(e.step).toBe(0);
  });
});
