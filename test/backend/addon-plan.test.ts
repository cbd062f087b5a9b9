import { describe, expect, it } from 'vitest';
import { addon, copyProgram, copySlots, F32, F64, INPUT, planDesc, programDesc, SHARED, SlotSpec, TEMP, throwsCode } from './addon-helpers';

const d = addon ? describe : describe.skip;
type Loose = (...args: unknown[]) => unknown;

d('addon: createProgram validates the program', () => {
  const n = addon!;
  const slots: SlotSpec[] = [[INPUT, F32, 0], [TEMP, F32, -1]];

  it('rejects descriptors of the wrong types, naming the field', () => {
    throwsCode(() => (n.createProgram as Loose)(1), 'NODEANO_NATIVE_INVALID', /createProgram: desc must be an object, got a number/);
    const good = programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }], nInputs: 1, nShared: 0 });
    throwsCode(() => (n.createProgram as Loose)({ ...good, slots: [0, 0, 0] }), 'NODEANO_NATIVE_INVALID', /desc.slots must be a Int32Array, got an array/);
    throwsCode(() => (n.createProgram as Loose)({ ...good, kernelNames: [1] }), 'NODEANO_NATIVE_INVALID', /kernelNames\[0\] must be a string/);
    throwsCode(() => n.createProgram({ ...good, nInputs: -1 }), 'NODEANO_NATIVE_INVALID', /nInputs must be an integer/);
    throwsCode(() => n.createProgram({ ...good, constants: [new Uint16Array(2)] }), 'NODEANO_NATIVE_INVALID', /constants\[0\] must be a Float32Array, Float64Array, Int32Array or Uint8Array/);
    const getterError = new Error('getter');
    const hostile = Object.defineProperty({ ...good }, 'steps', { get: () => { throw getterError; } });
    expect(() => n.createProgram(hostile)).toThrow(getterError);
  });

  it('a missing kernel is UNSUPPORTED, naming every missing one once', () => {
    const e = throwsCode(
      () => n.createProgram(programDesc({ slots: [...slots, [TEMP, F32, -1]], steps: [{ kernel: 'NoSuch', ins: [0], outs: [1] }, { kernel: 'NoSuchToo', ins: [1], outs: [2] }], nInputs: 1, nShared: 0 })),
      'NODEANO_NATIVE_UNSUPPORTED',
      /no native implementation of kernels NoSuch, NoSuchToo/,
    );
    expect(e.kernels).toEqual(['NoSuch', 'NoSuchToo']);
  });

  it('rejects malformed programs: refs out of range, temps read before written or written twice, bad updates', () => {
    const mk = (p: Partial<Parameters<typeof programDesc>[0]>) => () => n.createProgram(programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }], nInputs: 1, nShared: 0, ...p }));
    throwsCode(mk({ slots: [[INPUT, F32, 1], [TEMP, F32, -1]] }), 'NODEANO_NATIVE_INVALID', /slot 0: input ref 1 out of range \[0, 1\)/);
    throwsCode(mk({ slots: [[7, F32, 0], [TEMP, F32, -1]] }), 'NODEANO_NATIVE_INVALID', /slot 0 has unknown kind 7/);
    throwsCode(mk({ slots: [[INPUT, F32, 0], [INPUT, F64, 0], [TEMP, F32, -1]] }), 'NODEANO_NATIVE_INVALID', /input 0 used with two dtypes/);
    throwsCode(mk({ steps: [{ kernel: 'Copy', ins: [1], outs: [1] }] }), 'NODEANO_NATIVE_INVALID', /step 0: reads temp slot 1 before any step writes it/);
    throwsCode(mk({ steps: [{ kernel: 'Copy', ins: [0], outs: [0] }] }), 'NODEANO_NATIVE_INVALID', /output slot 0 is not a temp/);
    throwsCode(mk({ steps: [{ kernel: 'Copy', ins: [0], outs: [1] }, { kernel: 'Copy', ins: [0], outs: [1] }] }), 'NODEANO_NATIVE_INVALID', /temp slot 1 is written twice/);
    throwsCode(mk({ updates: [[0, 1]] }), 'NODEANO_NATIVE_INVALID', /update 0: shared ref 0 out of range/);
    const bad = programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }], nInputs: 1, nShared: 0 });
    throwsCode(() => n.createProgram({ ...bad, steps: bad.steps.subarray(0, 6) }), 'NODEANO_NATIVE_INVALID', /step 0: truncated/);
    throwsCode(() => n.createProgram({ ...bad, floats: Float64Array.of(1) }), 'NODEANO_NATIVE_INVALID', /1 float attribute\(s\) left over/);
  });
});

d('addon: createPlan checks that the layout is safe, and only that', () => {
  const n = addon!;
  // t1 = Copy(x); t2 = Copy(t1)
  const slots: SlotSpec[] = [[INPUT, F32, 0], [TEMP, F32, -1], [TEMP, F32, -1]];
  const prog = () => n.createProgram(programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }, { kernel: 'Copy', ins: [1], outs: [2] }], nInputs: 1, nShared: 0 }));
  const shapes = Int32Array.from([1, 16, 1, 16, 1, 16]);
  const at = (o1: number, o2: number, extra = {}) => ({ shapes, offsets: Float64Array.from([-1, o1, o2]), arenaBytes: 128, ...extra });

  it('rejects descriptors of the wrong types and malformed shapes or offsets', () => {
    const p = prog();
    throwsCode(() => (n.createPlan as Loose)({}, at(0, 64)), 'NODEANO_NATIVE_INVALID', /program must be a program handle/);
    throwsCode(() => (n.createPlan as Loose)(p, { ...at(0, 64), shapes: [1, 16] }), 'NODEANO_NATIVE_INVALID', /desc.shapes must be a Int32Array/);
    throwsCode(() => (n.createPlan as Loose)(p, { ...at(0, 64), inPlace: [1, 0] }), 'NODEANO_NATIVE_INVALID', /desc.inPlace must be a Uint8Array/);
    throwsCode(() => n.createPlan(p, { ...at(0, 64), shapes: Int32Array.from([1, 16, 1, 16]) }), 'NODEANO_NATIVE_INVALID', /shapes is truncated at slot 2/);
    throwsCode(() => n.createPlan(p, at(0, 32)), 'NODEANO_NATIVE_INVALID', /slot 2: offset 32 is not 64-byte aligned/);
    throwsCode(() => n.createPlan(p, at(0, 128)), 'NODEANO_NATIVE_INVALID', /slot 2: \[128, 192\) does not fit in the arena of 128 bytes/);
    throwsCode(() => n.createPlan(p, { ...at(0, 64), arenaBytes: 1.5 }), 'NODEANO_NATIVE_INVALID', /arenaBytes must be an integer/);
    throwsCode(() => n.createPlan(p, { ...at(0, 64), inPlace: Uint8Array.of(1) }), 'NODEANO_NATIVE_INVALID', /inPlace must have one entry per step/);
    throwsCode(() => n.createPlan(p, { ...at(0, 64), resized: Int32Array.of(0) }), 'NODEANO_NATIVE_INVALID', /resized: update index 0 is out of range/);
  });

  it('an output over an input of its step is allowed only on a step flagged inPlace, and only exactly', () => {
    const p = prog();
    const e = throwsCode(() => n.createPlan(p, at(0, 0)), 'NODEANO_NATIVE_INVALID', /step 1 \(Copy\): output slot 2 overlaps slot 1 in the arena \(an exact overlap is allowed only on a step flagged inPlace\)/);
    expect(e.status).toBe(4);
    const { plan, arena } = n.createPlan(p, at(0, 0, { inPlace: Uint8Array.of(0, 1) }));
    n.run(plan, Float32Array.from({ length: 16 }, (_, i) => i));
    expect(Array.from(new Float32Array(arena, 0, 16))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    // partial overlap: never, flagged or not
    const partial = { shapes: Int32Array.from([1, 16, 1, 16, 1, 32]), offsets: Float64Array.from([-1, 0, 0]), arenaBytes: 128, inPlace: Uint8Array.of(0, 1) };
    throwsCode(() => n.createPlan(p, partial), 'NODEANO_NATIVE_INVALID', /step 1 \(Copy\): output slot 2 overlaps slot 1 in the arena$/);
  });

  it('an exact overlap of different dtypes is rejected even on an inPlace step', () => {
    const s: SlotSpec[] = [[INPUT, F32, 0], [TEMP, F32, -1], [TEMP, 2, -1]];
    const p = n.createProgram(programDesc({ slots: s, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }, { kernel: 'Cast', ins: [1], outs: [2], ints: [2] }], nInputs: 1, nShared: 0 }));
    throwsCode(() => n.createPlan(p, at(0, 0, { inPlace: Uint8Array.of(0, 1) })), 'NODEANO_NATIVE_INVALID', /output slot 2 overlaps slot 1/);
  });

  it('two outputs of one step never overlap', () => {
    const s: SlotSpec[] = [[INPUT, F32, 0], [TEMP, F32, -1], [TEMP, F32, -1]];
    const p = n.createProgram(programDesc({ slots: s, steps: [{ kernel: 'Split', ins: [0], outs: [1, 2], ints: [0, 8, 8] }], nInputs: 1, nShared: 0 }));
    const sh = Int32Array.from([1, 16, 1, 8, 1, 8]);
    throwsCode(() => n.createPlan(p, { shapes: sh, offsets: Float64Array.from([-1, 0, 0]), arenaBytes: 64, inPlace: Uint8Array.of(1) }), 'NODEANO_NATIVE_INVALID', /overlaps/);
  });

  it('a skipped step must be a view: same offset and byte size, both in the arena', () => {
    const p = prog();
    throwsCode(() => n.createPlan(p, at(0, 64, { skip: Uint8Array.of(0, 1) })), 'NODEANO_NATIVE_INVALID', /step 1 \(Copy\) is skipped but its output is not a view of its input/);
    throwsCode(() => n.createPlan(p, at(0, 64, { skip: Uint8Array.of(1, 0) })), 'NODEANO_NATIVE_INVALID', /step 0 \(Copy\) is skipped/);
    throwsCode(() => n.createPlan(p, at(0, 0, { skip: Uint8Array.of(0) })), 'NODEANO_NATIVE_INVALID', /skip must have one entry per step/);
    n.createPlan(p, at(0, 0, { skip: Uint8Array.of(0, 1) }));
  });

  it('an update not listed as resized must fit its shared value; a resized or aliased one is checked too', () => {
    const p = n.createProgram(copyProgram());
    throwsCode(() => n.createPlan(p, planDesc(copySlots, [[2, 3], [4], [2, 3], [4]])), 'NODEANO_NATIVE_INVALID', /update 0: its value has 24 bytes, shared 0 has 16, so it must be listed in resized/);
    n.createPlan(p, { ...planDesc(copySlots, [[2, 3], [4], [2, 3], [4]]), resized: Int32Array.of(0) });
    throwsCode(() => n.createPlan(p, { ...planDesc(copySlots, [[4], [4], [4], [4]]), resized: Int32Array.of(0, 0) }), 'NODEANO_NATIVE_INVALID', /update 0 is listed twice/);
    // an update into a shared value the program never reads has no size to check: it must be resized
    const noSlot = n.createProgram(programDesc({ slots: [[INPUT, F32, 0], [TEMP, F32, -1]], steps: [{ kernel: 'Copy', ins: [0], outs: [1] }], updates: [[0, 1]], nInputs: 1, nShared: 1 }));
    const pd = planDesc([[INPUT, F32, 0], [TEMP, F32, -1]], [[4], [4]]);
    throwsCode(() => n.createPlan(noSlot, pd), 'NODEANO_NATIVE_INVALID', /shared ref 0 has no slot in this program/);
  });

  it('a shared alias must be the value of an update of that shared value, not resized, of its dtype and shape', () => {
    const p = n.createProgram(copyProgram());
    const base = planDesc(copySlots, [[4], [4], [4], [4]]);
    const aliased = { ...base, offsets: Float64Array.from([-1, -1, -1, 0]), sharedAlias: Int32Array.of(2, 0) };
    const { plan } = n.createPlan(p, aliased);
    const W = Float32Array.from([9, 9, 9, 9]);
    n.run(plan, Float32Array.from([1, 2, 3, 4]), W);
    expect(Array.from(W)).toEqual([1, 2, 3, 4]);
    throwsCode(() => n.createPlan(p, { ...aliased, sharedAlias: Int32Array.of(3, 0), offsets: Float64Array.from([-1, -1, 0, -1]) }), 'NODEANO_NATIVE_INVALID', /slot 3 is not the value of an update of shared 0/);
    throwsCode(() => n.createPlan(p, { ...aliased, resized: Int32Array.of(0) }), 'NODEANO_NATIVE_INVALID', /slot 2 is the value of a resized update/);
    throwsCode(() => n.createPlan(p, { ...aliased, offsets: base.offsets }), 'NODEANO_NATIVE_INVALID', /slot 2: offset must be -1 for a non-temp, a shared-aliased temp or a direct output/);
    throwsCode(() => n.createPlan(p, { ...aliased, sharedAlias: Int32Array.of(2) }), 'NODEANO_NATIVE_INVALID', /sharedAlias must hold \[slot, sharedRef\] pairs/);
    const s2: SlotSpec[] = [[INPUT, F32, 0], [SHARED, F32, 0], [TEMP, F32, -1], [TEMP, F32, -1]];
    throwsCode(() => n.createPlan(p, { ...planDesc(s2, [[2, 2], [4], [2, 2], [4]]), offsets: Float64Array.from([-1, -1, -1, 0]), sharedAlias: Int32Array.of(2, 0) }), 'NODEANO_NATIVE_INVALID', /differs in dtype or shape/);
  });
});
