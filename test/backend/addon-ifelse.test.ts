import { describe, expect, it } from 'vitest';
import type { PlanDescriptor, ProgramDescriptor } from '../../lib/backend/native-loader';
import { addon, BOOL, F32, F64, INPUT, planDesc, programDesc, SlotSpec, TEMP, throwsCode } from './addon-helpers';

// The IfElse step in the addon's own format (native/kernels/ifelse.cc): y = cond ? a + a : b, built by hand, then
// broken one field at a time. Every malformed descriptor is a coded error, never a crash.
const d = addon ? describe : describe.skip;

const outerSlots = (cond = BOOL): SlotSpec[] => [[INPUT, cond, 0], [INPUT, F32, 1], [INPUT, F32, 2], [TEMP, F32, -1]];
const bodySlots = (dtype = F32): SlotSpec[] => [[INPUT, dtype, 0], [TEMP, dtype, -1]];
// then: a + a (computed into the step's output); else: its input itself (copied there)
const thenBody = (dtype = F32) => ({ ...programDesc({ slots: bodySlots(dtype), steps: [{ kernel: 'Add', ins: [0, 0], outs: [1] }], nInputs: 1, nShared: 0 }), outputs: Int32Array.of(1) });
const elseBody = () => ({ ...programDesc({ slots: [[INPUT, F32, 0]], steps: [], nInputs: 1, nShared: 0 }), outputs: Int32Array.of(0) });

function ifelseProgram(p: { ints?: number[]; cond?: number; bodies?: number[]; subprograms?: ProgramDescriptor[]; kernel?: string } = {}): ProgramDescriptor {
  return {
    ...programDesc({ slots: outerSlots(p.cond), steps: [{ kernel: p.kernel ?? 'IfElse', ins: [0, 1, 2], outs: [3], ints: p.ints ?? [1, 1] }], nInputs: 3, nShared: 0 }),
    outputs: Int32Array.of(3),
    subprograms: p.subprograms ?? [thenBody(), elseBody()],
    bodies: Int32Array.from(p.bodies ?? [0, 0, 0, 1]),
  };
}

const thenPlan = (w: number, dtype = F32): PlanDescriptor => ({ ...planDesc(bodySlots(dtype), [[w], [w]]), offsets: Float64Array.of(-1, -1), arenaBytes: 0, outputs: Int32Array.of(1) });
const elsePlan = (w: number): PlanDescriptor => planDesc([[INPUT, F32, 0]], [[w]]);

/** The outer plan for vectors of width w (output direct), with a plan per branch unless `bodies` says otherwise. */
function ifelsePlan(w: number, over: { cond?: number[]; bodies?: PlanDescriptor['bodies'] } = {}): PlanDescriptor {
  return {
    ...planDesc(outerSlots(), [over.cond ?? [], [w], [w], [w]]),
    offsets: Float64Array.of(-1, -1, -1, -1),
    arenaBytes: 0,
    outputs: Int32Array.of(3),
    bodies: over.bodies ?? [{ step: 0, body: 0, iterations: 0, plan: thenPlan(w) }, { step: 0, body: 1, iterations: 0, plan: elsePlan(w) }],
  };
}

d('addon: IfElse programs and plans', () => {
  const n = addon!;

  it('rejects malformed programs and plans: bodies out of range or missing, bad attributes, shapes or dtypes that do not fit', () => {
    throwsCode(() => n.createProgram(ifelseProgram({ bodies: [0, 0, 0, 1, 0, 0] })), 'NODEANO_NATIVE_INVALID', /bodies\[2\]: step 0 has more than 2 bodies/);
    throwsCode(() => n.createProgram(ifelseProgram({ bodies: [0, 0, 0, 2] })), 'NODEANO_NATIVE_INVALID', /bodies\[1\]: subprogram 2 out of range/);
    const p = n.createProgram(ifelseProgram());
    const plans = ifelsePlan(3).bodies!;
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { bodies: [] })), 'NODEANO_NATIVE_INVALID', /step 0 \(IfElse\) runs a body, but bodies has no plan for it/);
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { bodies: [plans[0], plans[0]] })), 'NODEANO_NATIVE_INVALID', /body 0 of step 0 \(IfElse\) is listed twice/);
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { bodies: [{ ...plans[0], body: 2 }] })), 'NODEANO_NATIVE_INVALID', /bodies\[0\]\.body/);
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { bodies: [{ ...plans[0], body: -1 }] })), 'NODEANO_NATIVE_INVALID', /bodies\[0\]\.body/);
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { bodies: [{ ...plans[0], body: 0.5 }] })), 'NODEANO_NATIVE_INVALID', /bodies\[0\]\.body/);
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { cond: [2] })), 'NODEANO_NATIVE_INVALID', /step 0 \(IfElse\): cond must be a scalar/);
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { bodies: [{ ...plans[0], plan: thenPlan(4) }] })), 'NODEANO_NATIVE_INVALID', /the then branch's input 0 does not match the step's input 1/);
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { bodies: [plans[0], { ...plans[1], plan: elsePlan(2) }] })), 'NODEANO_NATIVE_INVALID', /the else branch's input 0 does not match/);
    throwsCode(() => n.createPlan(p, ifelsePlan(3, { bodies: [{ ...plans[0], plan: { ...thenPlan(3), shapes: Int32Array.of(1, 3) } }] })), 'NODEANO_NATIVE_INVALID', /its body 0's plan: shapes is truncated/);
    const f64 = n.createProgram(ifelseProgram({ subprograms: [thenBody(F64), elseBody()] }));
    throwsCode(() => n.createPlan(f64, ifelsePlan(3, { bodies: [{ ...plans[0], plan: thenPlan(3, F64) }] })), 'NODEANO_NATIVE_INVALID', /the then branch's input 0 does not match/);
    for (const ints of [[], [1], [2, 1], [1, 1, 0], [-1, 3], [2 ** 31 - 1, 0], [0, 2]]) {
      throwsCode(() => n.createPlan(n.createProgram(ifelseProgram({ ints })), ifelsePlan(3)), 'NODEANO_NATIVE_INVALID', /step 0 \(IfElse\): (the IfElse attributes|the step has 3 inputs|the then branch has 1 inputs)/);
    }
    // Scan takes one body, IfElse two: a step of either with the other's count is refused
    throwsCode(() => n.createPlan(n.createProgram(ifelseProgram({ bodies: [0, 0] })), ifelsePlan(3, { bodies: [plans[0]] })), 'NODEANO_NATIVE_INVALID', /an IfElse step must have exactly two bodies, got 1/);
    throwsCode(() => n.createPlan(n.createProgram(ifelseProgram({ kernel: 'Scan' })), ifelsePlan(3)), 'NODEANO_NATIVE_INVALID', /a Scan step must have exactly one body, got 2/);
  });

  it('runs only the branch cond selects, on bool and numeric conds, into aligned and unaligned outputs', () => {
    for (const [cond, Ctor] of [[BOOL, Uint8Array], [F32, Float32Array], [F64, Float64Array]] as const) {
      const p = n.createProgram(ifelseProgram({ cond }));
      const { plan } = n.createPlan(p, ifelsePlan(5));
      const a = Float32Array.of(1, 2, 3, 4, 5);
      const b = Float32Array.of(-1, -2, -3, -4, -5);
      for (const [c, want] of [[1, [2, 4, 6, 8, 10]], [0, [-1, -2, -3, -4, -5]], [0.5, [2, 4, 6, 8, 10]]] as const) {
        if (cond === BOOL && c === 0.5) continue;
        const out = new Float32Array(5);
        n.run(plan, Ctor.of(c), a, b, out);
        expect(Array.from(out)).toEqual(want);
        const view = new Float32Array(6).subarray(1);
        n.run(plan, Ctor.of(c), a, b, view);
        expect(Array.from(view)).toEqual(want);
      }
    }
  });

  it('a branch left out of the plan fails only when taken, with a shape error saying it could not be planned', () => {
    const p = n.createProgram(ifelseProgram());
    const { plan } = n.createPlan(p, ifelsePlan(2, { bodies: [ifelsePlan(2).bodies![0]] }));
    const out = new Float32Array(2);
    n.run(plan, Uint8Array.of(1), Float32Array.of(1, 2), Float32Array.of(3, 4), out);
    expect(Array.from(out)).toEqual([2, 4]);
    const e = throwsCode(() => n.run(plan, Uint8Array.of(0), Float32Array.of(1, 2), Float32Array.of(3, 4), out), 'NODEANO_NATIVE_SHAPE', /kernel IfElse \(step 0\) \(its else branch could not be planned for these shapes\) failed/);
    expect(e.step).toBe(0);
    n.run(plan, Uint8Array.of(1), Float32Array.of(5, 6), Float32Array.of(3, 4), out);
    expect(Array.from(out)).toEqual([10, 12]);
  });
});
