import * as v8 from 'v8';
import * as vm from 'vm';
import { describe, expect, it } from 'vitest';
import { ELEMWISE_OPCODES } from '../../lib/ops/generated/elementwise-opcodes';
import {
  addon, CONSTANT, copyProgram, copySlots, detached, F32, F64, I32, INPUT, planDesc, programDesc, rejectsCode, SlotSpec, TEMP, throwsCode,
} from './addon-helpers';

const d = addon ? describe : describe.skip;

/** A full collection, from inside a process started without --expose-gc. */
function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
type Loose = (...args: unknown[]) => unknown;

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `[${i}] ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i])));
}

d('addon: run and runAsync', () => {
  const n = addon!;

  it('run checks the plan, the number of arrays, and each array dtype, size and detachment', () => {
    const prog = n.createProgram(copyProgram());
    const { plan } = n.createPlan(prog, planDesc(copySlots, [[4], [4], [4], [4]]));
    const W = new Float32Array(4);
    throwsCode(() => (n.run as Loose)(), 'NODEANO_NATIVE_INVALID', /run: plan must be a plan handle from this addon, got undefined/);
    throwsCode(() => n.run(prog, W, W), 'NODEANO_NATIVE_INVALID', /plan must be a plan handle/);
    throwsCode(() => n.run({}, W, W), 'NODEANO_NATIVE_INVALID', /got an object/);
    throwsCode(() => n.run(plan, W), 'NODEANO_NATIVE_INVALID', /run: got 1 array\(s\) after the plan, the plan takes 1 input\(s\), then 1 shared value\(s\)/);
    throwsCode(() => n.run(plan, W, W, W), 'NODEANO_NATIVE_INVALID', /got 3 array/);
    throwsCode(() => n.run(plan, new Float64Array(4), W), 'NODEANO_NATIVE_DTYPE', /run: inputs\[0\] must be a Float32Array \(float32\), got a Float64Array/);
    throwsCode(() => n.run(plan, new Float32Array(5), W), 'NODEANO_NATIVE_SHAPE', /inputs\[0\] has 20 bytes, the plan expects 16 \(4 elements\)/);
    throwsCode(() => n.run(plan, W, new Float32Array(3)), 'NODEANO_NATIVE_SHAPE', /shared\[0\] has 12 bytes/);
    throwsCode(() => (n.run as Loose)(plan, [1, 2, 3, 4], W), 'NODEANO_NATIVE_INVALID', /inputs\[0\] must be a Float32Array, got an array/);
    throwsCode(() => n.run(plan, detached(new Float32Array(4)), W), 'NODEANO_NATIVE_INVALID', /inputs\[0\] is detached/);
  });

  it('direct outputs: createPlan checks them, run and runAsync compute into the arrays passed last, runAsync without them resolves with fresh ones', async () => {
    // t2 = Add(x, y) in the arena; t3 = Sigmoid(t2) computed straight into the caller's array
    const slots: SlotSpec[] = [[INPUT, F32, 0], [INPUT, F32, 1], [TEMP, F32, -1], [TEMP, F32, -1]];
    const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Add', ins: [0, 1], outs: [2] }, { kernel: 'Sigmoid', ins: [2], outs: [3] }], nInputs: 2, nShared: 0 }));
    const pd = { ...planDesc(slots, [[3], [3], [3], [3]]), offsets: Float64Array.from([-1, -1, 0, -1]), arenaBytes: 64, outputs: Int32Array.of(3) };
    throwsCode(() => n.createPlan(prog, { ...pd, outputs: Int32Array.of(0) }), 'NODEANO_NATIVE_INVALID', /outputs: slot 0 is not a temp/);
    throwsCode(() => n.createPlan(prog, { ...pd, outputs: Int32Array.of(3, 3) }), 'NODEANO_NATIVE_INVALID', /outputs: slot 3 is listed twice/);
    throwsCode(() => n.createPlan(prog, { ...pd, offsets: Float64Array.from([-1, -1, 0, 64]), arenaBytes: 128 }), 'NODEANO_NATIVE_INVALID', /slot 3: offset must be -1 .* or a direct output/);
    throwsCode(() => (n.createPlan as Loose)(prog, { ...pd, outputs: [3] }), 'NODEANO_NATIVE_INVALID', /desc.outputs must be a Int32Array/);
    const { plan } = n.createPlan(prog, pd);
    const a = Float32Array.from([0, 1, -2]);
    const b = Float32Array.from([0, 1, 1]);
    const want = Array.from(a, (x, i) => 1 / (1 + Math.exp(-(x + b[i]))));
    throwsCode(() => n.run(plan, a, b), 'NODEANO_NATIVE_INVALID', /run: got 2 array\(s\) after the plan, the plan takes 2 input\(s\), then 0 shared value\(s\), then 1 direct output\(s\)/);
    throwsCode(() => n.run(plan, a, b, new Float64Array(3)), 'NODEANO_NATIVE_DTYPE', /run: outputs\[0\] must be a Float32Array/);
    throwsCode(() => n.run(plan, a, b, new Float32Array(4)), 'NODEANO_NATIVE_SHAPE', /run: outputs\[0\] has 16 bytes, the plan expects 12/);
    throwsCode(() => n.run(plan, a, b, detached(new Float32Array(3))), 'NODEANO_NATIVE_INVALID', /outputs\[0\] is detached/);
    const out = new Float32Array(3);
    n.run(plan, a, b, out);
    close(out, want, 1e-6);
    await rejectsCode(n.runAsync(plan, a), 'NODEANO_NATIVE_INVALID', /runAsync: got 1 array\(s\) after the plan, the plan takes 2 input\(s\), then 0 shared value\(s\), then optionally 1 direct output\(s\)/);
    await rejectsCode(n.runAsync(plan, a, b, new Float64Array(3)), 'NODEANO_NATIVE_DTYPE', /runAsync: outputs\[0\] must be a Float32Array/);
    await rejectsCode(n.runAsync(plan, a, b, new Float32Array(4)), 'NODEANO_NATIVE_SHAPE', /runAsync: outputs\[0\] has 16 bytes/);
    // given outputs are computed into on the worker thread, the unaligned one through a staging buffer
    const given = new Float32Array(3);
    expect(await n.runAsync(plan, a, b, given)).toBeUndefined();
    close(given, want, 1e-6);
    const unaligned = new Float32Array(new ArrayBuffer(16), 4, 3);
    await n.runAsync(plan, a, b, unaligned);
    close(unaligned, want, 1e-6);
    const lost = new Float32Array(3);
    const q = n.runAsync(plan, a, b, lost);
    detached(lost);
    await rejectsCode(q, 'NODEANO_NATIVE_INVALID', /runAsync: outputs\[0\] was detached or resized while the run was in flight/);
    const [buf] = (await n.runAsync(plan, a, b))!;
    expect(buf).toBeInstanceOf(ArrayBuffer);
    expect(buf.byteLength).toBe(12);
    close(new Float32Array(buf), want, 1e-6);
    const [buf2] = (await n.runAsync(plan, a, b))!;
    expect(buf2).not.toBe(buf);
    // an async result is native memory: free releases it now
    n.free(buf);
    expect(buf.byteLength).toBe(0);
    close(new Float32Array(buf2), want, 1e-6);
  });

  it('sigmoid(a + b): sync, async and unaligned inputs (staged) give the same values; temps live in the arena', async () => {
    const slots: SlotSpec[] = [[INPUT, F32, 0], [INPUT, F32, 1], [TEMP, F32, -1], [TEMP, F32, -1]];
    const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Add', ins: [0, 1], outs: [2] }, { kernel: 'Sigmoid', ins: [2], outs: [3] }], nInputs: 2, nShared: 0 }));
    const pd = planDesc(slots, [[2, 3], [2, 3], [2, 3], [2, 3]]);
    const { plan, arena } = n.createPlan(prog, pd);
    expect(Object.keys(n.createPlan(prog, pd)).sort()).toEqual(['arena', 'plan', 'run']);
    expect(arena.byteLength).toBe(pd.arenaBytes);
    const a = Float32Array.from([-3, -1, 0, 0.5, 2, 10]);
    const b = Float32Array.from([1, 1, 1, -1, -2, -20]);
    const want = Array.from(a, (x, i) => 1 / (1 + Math.exp(-(x + b[i]))));
    n.run(plan, a, b);
    const out = new Float32Array(arena, pd.offsets[3], 6);
    close(out, want, 1e-6);
    close(new Float32Array(arena, pd.offsets[2], 6), Array.from(a, (x, i) => x + b[i]), 0);
    out.fill(0);
    await n.runAsync(plan, a, b);
    close(out, want, 1e-6);
    const ua = new Float32Array(new ArrayBuffer(28), 4, 6);
    ua.set(a);
    out.fill(0);
    n.run(plan, ua, b);
    close(out, want, 1e-6);
  });

  it('an update lands after every step read the old value, in alloc() and plain buffers, aligned or not', () => {
    const pd = planDesc(copySlots, [[4], [4], [4], [4]]);
    const { plan, arena } = n.createPlan(n.createProgram(copyProgram()), pd);
    for (const W of [new Float32Array(n.alloc(16)), new Float32Array(4), new Float32Array(new ArrayBuffer(20), 4, 4)]) {
      W.set([9, 9, 9, 9]);
      n.run(plan, Float32Array.from([1, 2, 3, 4]), W);
      expect(Array.from(W)).toEqual([1, 2, 3, 4]);
      expect(Array.from(new Float32Array(arena, pd.offsets[3], 4))).toEqual([9, 9, 9, 9]);
    }
  });

  it('takes more arrays than fit on its stack (20 inputs)', () => {
    const slots: SlotSpec[] = [...Array.from({ length: 20 }, (_, i): SlotSpec => [INPUT, F32, i]), [TEMP, F32, -1]];
    const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Copy', ins: [19], outs: [20] }], nInputs: 20, nShared: 0 }));
    const pd = planDesc(slots, slots.map(() => [2]));
    const { plan, arena } = n.createPlan(prog, pd);
    const args = Array.from({ length: 20 }, (_, i) => Float32Array.from([i, -i]));
    n.run(plan, ...args);
    expect(Array.from(new Float32Array(arena, pd.offsets[20], 2))).toEqual([19, -19]);
    throwsCode(() => n.run(plan, ...args.slice(1)), 'NODEANO_NATIVE_INVALID', /got 19 array/);
    throwsCode(() => n.run(plan, ...args, args[0]), 'NODEANO_NATIVE_INVALID', /got 21 array/);
    const bad: ArrayBufferView[] = args.slice();
    bad[17] = new Int32Array(2);
    throwsCode(() => (n.run as Loose)(plan, ...bad), 'NODEANO_NATIVE_DTYPE', /inputs\[17\]/);
  });

  it('runAsync lands updates when its promise settles; the plan is busy meanwhile for run and runAsync', async () => {
    const { plan } = n.createPlan(n.createProgram(copyProgram()), planDesc(copySlots, [[4], [4], [4], [4]]));
    for (const W of [new Float32Array(n.alloc(16)), new Float32Array(4)]) {
      W.set([7, 7, 7, 7]);
      const p = n.runAsync(plan, Float32Array.from([5, 6, 7, 8]), W);
      expect(Array.from(W)).toEqual([7, 7, 7, 7]);
      throwsCode(() => n.run(plan, Float32Array.from([1, 1, 1, 1]), W), 'NODEANO_NATIVE_BUSY', /run: the plan is busy/);
      await rejectsCode(n.runAsync(plan, Float32Array.from([1, 1, 1, 1]), W), 'NODEANO_NATIVE_BUSY', /runAsync: the plan is busy/);
      await p;
      expect(Array.from(W)).toEqual([5, 6, 7, 8]);
    }
  });

  it('runAsync never throws: bad arguments reject with the same codes as run', async () => {
    const { plan } = n.createPlan(n.createProgram(copyProgram()), planDesc(copySlots, [[4], [4], [4], [4]]));
    const W = new Float32Array(4);
    await rejectsCode((n.runAsync as Loose)() as Promise<void>, 'NODEANO_NATIVE_INVALID', /runAsync: plan must be a plan handle/);
    await rejectsCode(n.runAsync(plan, W), 'NODEANO_NATIVE_INVALID', /runAsync: got 1 array/);
    await rejectsCode(n.runAsync(plan, new Float64Array(4), W), 'NODEANO_NATIVE_DTYPE');
    await rejectsCode(n.runAsync(plan, new Float32Array(3), W), 'NODEANO_NATIVE_SHAPE');
    await rejectsCode(n.runAsync(plan, detached(new Float32Array(4)), W), 'NODEANO_NATIVE_INVALID', /detached/);
  });

  it('runAsync reads a plain input in place on the worker thread, keeps it alive, and rejects when it is detached meanwhile', async () => {
    const pd = planDesc(copySlots, [[4], [4], [4], [4]]);
    const { plan } = n.createPlan(n.createProgram(copyProgram()), pd);
    const W = new Float32Array(4);
    // the only reference to the input is the run's own: a collection meanwhile must not free it
    const p = n.runAsync(plan, Float32Array.from([1, 2, 3, 4]), W);
    fullGc();
    await p;
    expect(Array.from(W)).toEqual([1, 2, 3, 4]);
    const x = Float32Array.from([5, 6, 7, 8]);
    const q = n.runAsync(plan, x, W);
    const moved = structuredClone(x.buffer, { transfer: [x.buffer] });
    await rejectsCode(q, 'NODEANO_NATIVE_INVALID', /runAsync: inputs\[0\] was detached or resized while the run was in flight; no update was applied/);
    expect(moved.byteLength).toBe(16);
    expect(Array.from(W)).toEqual([1, 2, 3, 4]);
  });

  it('run keeps an alloc() shared array bound: null passes it again, until runAsync or free() (then a coded error)', async () => {
    const { plan } = n.createPlan(n.createProgram(copyProgram()), planDesc(copySlots, [[4], [4], [4], [4]]));
    const plain = new Float32Array(4);
    expect(n.run(plan, Float32Array.from([1, 2, 3, 4]), plain)).toBe(0);
    throwsCode(() => n.run(plan, Float32Array.from([1, 2, 3, 4]), null), 'NODEANO_NATIVE_INVALID', /run: shared\[0\] is null, but no earlier run of this plan left an alloc\(\) array bound there/);
    const W = new Float32Array(n.alloc(16));
    expect(n.run(plan, Float32Array.from([1, 2, 3, 4]), W)).toBe(1);
    expect(n.run(plan, Float32Array.from([5, 6, 7, 8]), null)).toBeUndefined();
    expect(Array.from(W)).toEqual([5, 6, 7, 8]);
    // every shared value kept: they may be left out
    expect(n.run(plan, Float32Array.from([7, 7, 7, 7]))).toBeUndefined();
    expect(Array.from(W)).toEqual([7, 7, 7, 7]);
    await n.runAsync(plan, Float32Array.from([9, 9, 9, 9]), W);
    throwsCode(() => n.run(plan, Float32Array.from([1, 2, 3, 4]), null), 'NODEANO_NATIVE_INVALID', /shared\[0\] is null/);
    expect(n.run(plan, Float32Array.from([1, 2, 3, 4]), W)).toBe(1);
    n.free(W.buffer as ArrayBuffer);
    throwsCode(() => n.run(plan, Float32Array.from([1, 2, 3, 4]), null), 'NODEANO_NATIVE_INVALID', /or it was freed since/);
    throwsCode(() => n.run(plan, Float32Array.from([1, 2, 3, 4])), 'NODEANO_NATIVE_INVALID', /run: got 1 array\(s\) after the plan, the plan takes 1 input\(s\), then 1 shared value\(s\)/);
    // an input is never null
    throwsCode(() => n.run(plan, null as unknown as Float32Array, plain), 'NODEANO_NATIVE_INVALID', /run: inputs\[0\] must be a Float32Array, got null/);
  });

  it('an update whose shared array is detached while the run is in flight rejects and lands nothing', async () => {
    const { plan } = n.createPlan(n.createProgram(copyProgram()), planDesc(copySlots, [[4], [4], [4], [4]]));
    const W = new Float32Array(4);
    const p = n.runAsync(plan, Float32Array.from([1, 2, 3, 4]), W);
    detached(W);
    await rejectsCode(p, 'NODEANO_NATIVE_INVALID', /shared\[0\] was detached or resized while the run was in flight; no update was applied/);
    const W2 = new Float32Array(n.alloc(16));
    const p2 = n.runAsync(plan, Float32Array.from([1, 2, 3, 4]), W2);
    n.free(W2.buffer as ArrayBuffer); // the run holds the memory it reads; the update finds a detached array
    await rejectsCode(p2, 'NODEANO_NATIVE_INVALID', /no update was applied/);
  });

  it('runs on different plans overlap: two async and one sync run at once give every plan its own result', async () => {
    const len = 1 << 18;
    const prog = n.createProgram(copyProgram());
    const plans = [0, 1, 2].map(() => n.createPlan(prog, planDesc(copySlots, [[len], [len], [len], [len]])).plan);
    const Ws = plans.map(() => new Float32Array(n.alloc(len * 4)));
    const xs = plans.map(() => new Float32Array(len));
    for (let round = 0; round < 5; round++) {
      xs.forEach((x, i) => x.fill(10 * round + i));
      const p0 = n.runAsync(plans[0], xs[0], Ws[0]);
      const p1 = n.runAsync(plans[1], xs[1], Ws[1]);
      n.run(plans[2], xs[2], Ws[2]); // the thread pool is taken meanwhile: single-threaded
      await Promise.all([p0, p1]);
      Ws.forEach((W, i) => expect([W[0], W[len - 1]]).toEqual([10 * round + i, 10 * round + i]));
    }
  });

  it('prepared steps: a broadcast Gemm with plan scratch and a fused chain, small and split across the pool', () => {
    // out = 2 * (A B) + C with A [1, k], B [k, n] broadcast over C [m, n]
    const slots: SlotSpec[] = [[INPUT, F32, 0], [INPUT, F32, 1], [INPUT, F32, 2], [TEMP, F32, -1]];
    const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Gemm', ins: [0, 1, 2], outs: [3], ints: [0, 0], floats: [2, 1] }], nInputs: 3, nShared: 0 }));
    for (const [m, k, nn] of [[30, 70, 40], [3, 2, 4]]) {
      const pd = planDesc(slots, [[1, k], [k, nn], [m, nn], [m, nn]]);
      const { plan, arena } = n.createPlan(prog, pd);
      const A = Float32Array.from({ length: k }, (_, i) => Math.sin(i));
      const B = Float32Array.from({ length: k * nn }, (_, i) => Math.cos(i));
      const C = Float32Array.from({ length: m * nn }, (_, i) => i % 7);
      n.run(plan, A, B, C);
      const want: number[] = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < nn; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) acc += A[p] * B[p * nn + j];
          want.push(2 * acc + C[i * nn + j]);
        }
      }
      close(new Float32Array(arena, pd.offsets[3], m * nn), want, 1e-4);
    }
    // sigmoid(x) - 0.5 as one fused step
    const fslots: SlotSpec[] = [[INPUT, F32, 0], [TEMP, F32, -1]];
    const fprog = n.createProgram(programDesc({ slots: fslots, steps: [{ kernel: 'Fused', ins: [0], outs: [1], ints: [1, 3, ELEMWISE_OPCODES.indexOf('Sigmoid'), 0, 0, 0, 0, 0, ELEMWISE_OPCODES.indexOf('Sub'), 1, 2], floats: [0.5] }], nInputs: 1, nShared: 0 }));
    for (const len of [5, 1 << 18]) {
      const pd = planDesc(fslots, [[len], [len]]);
      const { plan, arena } = n.createPlan(fprog, pd);
      const x = Float32Array.from({ length: len }, (_, i) => ((i * 37) % 200) / 10 - 10);
      n.run(plan, x);
      const y = new Float32Array(arena, pd.offsets[1], len);
      for (let i = 0; i < len; i += Math.max(1, len >> 10)) expect(Math.abs(y[i] - (1 / (1 + Math.exp(-x[i])) - 0.5))).toBeLessThan(1e-6);
    }
  });

  it('a resized update is left to the caller: its value stays in the arena, the shared array is untouched', () => {
    const pd = { ...planDesc(copySlots, [[2, 2], [4], [2, 2], [4]]), resized: Int32Array.of(0) };
    const { plan, arena } = n.createPlan(n.createProgram(copyProgram()), pd);
    const W = Float32Array.from([3, 3, 3, 3]);
    n.run(plan, Float32Array.from([1, 2, 3, 4]), W);
    expect(Array.from(W)).toEqual([3, 3, 3, 3]);
    expect(Array.from(new Float32Array(arena, pd.offsets[2], 4))).toEqual([1, 2, 3, 4]);
  });

  it('a kernel failure carries code, status, step and the kernel name, sync and async', async () => {
    const slots: SlotSpec[] = [[INPUT, F32, 0], [TEMP, F32, -1]];
    const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }], nInputs: 1, nShared: 0 }));
    const { plan } = n.createPlan(prog, planDesc(slots, [[4], [5]])); // Copy from [4] into [5]
    const e = throwsCode(() => n.run(plan, new Float32Array(4)), 'NODEANO_NATIVE_SHAPE', /kernel Copy \(step 0\) failed with ERR_SHAPE \(status 1\)/);
    expect([e.status, e.step]).toEqual([1, 0]);
    const e2 = await rejectsCode(n.runAsync(plan, new Float32Array(4)), 'NODEANO_NATIVE_SHAPE');
    expect(e2.step).toBe(0);
  });

  it('constants are copied at createProgram; zero-size tensors run', () => {
    const slots: SlotSpec[] = [[CONSTANT, F64, 0], [TEMP, F64, -1], [INPUT, I32, 0], [TEMP, I32, -1]];
    const c = Float64Array.from([1.5, -2.5]);
    const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }, { kernel: 'Copy', ins: [2], outs: [3] }], constants: [c], nInputs: 1, nShared: 0 }));
    c.fill(0);
    const pd = planDesc(slots, [[2], [2], [0, 3], [0, 3]]);
    const { plan, arena } = n.createPlan(prog, pd);
    n.run(plan, new Int32Array(0));
    expect(Array.from(new Float64Array(arena, pd.offsets[1], 2))).toEqual([1.5, -2.5]);
  });

  it("createPlan's bound run checks its arrays as run does, computes the same, fails typed once disposed and keeps its plan alive", () => {
    const prog = n.createProgram(copyProgram());
    const created = n.createPlan(prog, planDesc(copySlots, [[4], [4], [4], [4]]));
    const run = created.run!;
    const W = new Float32Array(4);
    throwsCode(() => run(W), 'NODEANO_NATIVE_INVALID', /run: got 1 array\(s\) after the plan, the plan takes 1 input\(s\), then 1 shared value\(s\)/);
    throwsCode(() => run(W, W, W), 'NODEANO_NATIVE_INVALID', /got 3 array/);
    throwsCode(() => run(new Float64Array(4), W), 'NODEANO_NATIVE_DTYPE', /run: inputs\[0\] must be a Float32Array \(float32\), got a Float64Array/);
    throwsCode(() => run(W, new Float32Array(3)), 'NODEANO_NATIVE_SHAPE', /shared\[0\] has 12 bytes/);
    throwsCode(() => (run as Loose)([1, 2, 3, 4], W), 'NODEANO_NATIVE_INVALID', /inputs\[0\] must be a Float32Array, got an array/);
    throwsCode(() => run(detached(new Float32Array(4)), W), 'NODEANO_NATIVE_INVALID', /inputs\[0\] is detached/);
    run(Float32Array.from([1, 2, 3, 4]), W);
    expect(Array.from(W)).toEqual([1, 2, 3, 4]);
    n.run(created.plan, Float32Array.from([4, 3, 2, 1]), W);
    expect(Array.from(W)).toEqual([4, 3, 2, 1]);
    // the function alone keeps the plan: dropping every other reference and collecting leaves it runnable
    const kept = n.createPlan(prog, planDesc(copySlots, [[4], [4], [4], [4]])).run!;
    fullGc();
    kept(Float32Array.from([5, 6, 7, 8]), W);
    expect(Array.from(W)).toEqual([5, 6, 7, 8]);
    n.dispose(created.plan);
    throwsCode(() => run(new Float32Array(4), W), 'NODEANO_NATIVE_INVALID', /run: the plan was disposed/);
  });

  it('dispose: plans outlive their program; a plan disposed in flight still completes; later use is a typed error', async () => {
    const pd = planDesc(copySlots, [[4], [4], [4], [4]]);
    const prog = n.createProgram(copyProgram());
    const { plan } = n.createPlan(prog, pd);
    n.dispose(prog);
    const W = new Float32Array(4);
    n.run(plan, Float32Array.from([1, 2, 3, 4]), W);
    expect(Array.from(W)).toEqual([1, 2, 3, 4]);
    throwsCode(() => n.createPlan(prog, pd), 'NODEANO_NATIVE_INVALID', /the program was disposed/);
    const p = n.runAsync(plan, Float32Array.from([4, 3, 2, 1]), W);
    n.dispose(plan);
    await p;
    expect(Array.from(W)).toEqual([4, 3, 2, 1]);
    throwsCode(() => n.run(plan, new Float32Array(4), W), 'NODEANO_NATIVE_INVALID', /run: the plan was disposed/);
    await rejectsCode(n.runAsync(plan, new Float32Array(4), W), 'NODEANO_NATIVE_INVALID', /runAsync: the plan was disposed/);
    n.dispose(plan);
    n.dispose(prog);
    throwsCode(() => n.dispose({}), 'NODEANO_NATIVE_INVALID', /dispose: handle must be a program or plan handle from this addon, got an object/);
  });

  it('a plan arena freed while the plan lives reads length 0 in JS; the plan keeps its memory and still runs', () => {
    const pd = planDesc(copySlots, [[4], [4], [4], [4]]);
    const { plan, arena } = n.createPlan(n.createProgram(copyProgram()), pd);
    const view = new Float32Array(arena, pd.offsets[2], 4);
    n.free(arena);
    expect(view.length).toBe(0);
    const W = new Float32Array(4);
    n.run(plan, Float32Array.from([1, 2, 3, 4]), W);
    expect(Array.from(W)).toEqual([1, 2, 3, 4]);
  });
});
