#!/usr/bin/env node
// Smoke test and fuzzer of the native addon, independent of the TypeScript side.
//   node scripts/native-smoke.cjs [path/to/nodeano.node] [--iterations N] [--children K]
// Builds small programs by hand (Add + Sigmoid, Copy with shared updates), plans and runs them sync and async and
// checks the results, the error codes and the BUSY/dispose rules; then fuzzes every export with wrong types, wrong
// sizes, detached buffers, hostile getters and garbage programs in child processes, counting crashes (must be 0).
// Ends with "N passed, N failed"; exits 1 on any failure.
'use strict';

const { spawnSync } = require('child_process');
const path = require('path');

const F32 = 0, F64 = 1, I32 = 2, BOOL = 3;
const INPUT = 0, SHARED = 1, CONSTANT = 2, TEMP = 3;
const CTORS = [Float32Array, Float64Array, Int32Array, Uint8Array];
// Fused opcodes by kernel id, from the list npm run gen writes (the index of an id is its opcode)
const OPCODES = [...require('fs').readFileSync(path.join(__dirname, '../lib/ops/generated/elementwise-opcodes.ts'), 'utf8').split('= [')[1].matchAll(/'(\w*)'/g)].map((m) => m[1]);
const opcode = (kernel) => OPCODES.indexOf(kernel);

function argValue(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(i > 0 && all[i - 1].startsWith('--')));
const addonPath = path.resolve(positional[0] || path.join(__dirname, '..', 'build', 'Release', 'nodeano.node'));

// ---- descriptor builders (the format addon.cc documents) ---------------------------------------------------------

/** slots: [[kind, dtype, ref]...]; steps: [{ kernel, ins, outs, ints?, floats? }]; updates: [[sharedRef, slot]...] */
function programDesc({ slots, steps, constants = [], updates = [], nInputs, nShared }) {
  const kernelNames = [...new Set(steps.map((s) => s.kernel))];
  const ints = [];
  const floats = [];
  for (const s of steps) {
    const si = s.ints || [];
    const sf = s.floats || [];
    ints.push(kernelNames.indexOf(s.kernel), s.ins.length, s.outs.length, si.length, sf.length, ...s.ins, ...s.outs, ...si);
    floats.push(...sf);
  }
  return {
    slots: Int32Array.from(slots.flat()),
    steps: Int32Array.from(ints),
    floats: Float64Array.from(floats),
    kernelNames,
    constants,
    updates: Int32Array.from(updates.flat()),
    nInputs,
    nShared,
  };
}

/** Shapes per slot; temps are laid out one after another, 64-byte aligned. */
function planDesc(slots, shapes) {
  const flat = [];
  const offsets = [];
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

// ---- functional tests ---------------------------------------------------------------------------------------------

async function smoke(n) {
  let passed = 0;
  let failed = 0;
  const skipped = [];
  async function test(name, fn) {
    try {
      await fn();
      passed++;
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  const assert = (c, msg) => {
    if (!c) throw new Error(msg || 'assertion failed');
  };
  const close = (a, b, tol, msg) => {
    assert(a.length === b.length, `${msg}: length ${a.length} vs ${b.length}`);
    for (let i = 0; i < a.length; i++) assert(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `${msg}: [${i}] ${a[i]} vs ${b[i]}`);
  };
  const throwsCode = (fn, code, msg) => {
    try {
      fn();
    } catch (e) {
      assert(e.code === code, `${msg}: expected ${code}, got ${e.code}: ${e.message}`);
      return e;
    }
    throw new Error(`${msg}: did not throw`);
  };
  const rejectsCode = async (p, code, msg) => {
    try {
      await p;
    } catch (e) {
      assert(e.code === code, `${msg}: expected ${code}, got ${e.code}: ${e.message}`);
      return e;
    }
    throw new Error(`${msg}: did not reject`);
  };

  await test('info', () => {
    const i = n.info();
    assert(typeof i.version === 'number' && typeof i.avx2 === 'boolean' && typeof i.fma === 'boolean', JSON.stringify(i));
    assert(Number.isInteger(i.threads) && i.threads >= 1 && typeof i.blas === 'string' && i.blas.length > 0, JSON.stringify(i));
    console.log(`native-smoke: info ${JSON.stringify(i)}`);
  });

  await test('threads', () => {
    const t = n.getThreads();
    n.setThreads(1);
    assert(n.getThreads() === 1);
    n.setThreads(t);
    assert(n.getThreads() === t);
    throwsCode(() => n.setThreads(0), 'NODEANO_NATIVE_INVALID', 'setThreads(0)');
    throwsCode(() => n.setThreads(1.5), 'NODEANO_NATIVE_INVALID', 'setThreads(1.5)');
  });

  const haveAdd = n.hasKernel('Add') && n.hasKernel('Sigmoid');
  await test('hasKernel/kernels', () => {
    assert(n.hasKernel('Copy') === true, 'Copy is always available');
    assert(n.hasKernel('NoSuchKernel') === false);
    const k = n.kernels(['Copy', 'NoSuchKernel']);
    assert(k.length === 1 && k[0] === 'Copy', JSON.stringify(k));
  });

  // sigmoid(a + b) for a, b: float32 [2, 3]
  if (haveAdd) {
    await test('Add + Sigmoid sync and async', async () => {
      const slots = [[INPUT, F32, 0], [INPUT, F32, 1], [TEMP, F32, -1], [TEMP, F32, -1]];
      const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Add', ins: [0, 1], outs: [2] }, { kernel: 'Sigmoid', ins: [2], outs: [3] }], nInputs: 2, nShared: 0 }));
      const pd = planDesc(slots, [[2, 3], [2, 3], [2, 3], [2, 3]]);
      const { plan, arena, deferredUpdates } = n.createPlan(prog, pd);
      assert(arena instanceof ArrayBuffer && arena.byteLength === pd.arenaBytes && deferredUpdates.length === 0);
      const a = Float32Array.from([-3, -1, 0, 0.5, 2, 10]);
      const b = Float32Array.from([1, 1, 1, -1, -2, -20]);
      const want = Array.from(a, (x, i) => 1 / (1 + Math.exp(-(x + b[i]))));
      n.run(plan, [a, b], []);
      const out = new Float32Array(arena, pd.offsets[3], 6);
      close(out, want, 1e-6, 'sync');
      close(new Float32Array(arena, pd.offsets[2], 6), Array.from(a, (x, i) => x + b[i]), 0, 'sum');
      out.fill(0);
      await n.runAsync(plan, [a, b], []);
      close(out, want, 1e-6, 'async');
      // unaligned inputs (byteOffset 4) are staged into aligned memory
      const ua = new Float32Array(new ArrayBuffer(28), 4, 6);
      ua.set(a);
      out.fill(0);
      n.run(plan, [ua, b], []);
      close(out, want, 1e-6, 'unaligned');
      // shape/dtype errors from the binding checks
      throwsCode(() => n.run(plan, [new Float32Array(5), b], []), 'NODEANO_NATIVE_SHAPE', 'short input');
      throwsCode(() => n.run(plan, [new Float64Array(6), b], []), 'NODEANO_NATIVE_DTYPE', 'wrong dtype');
      throwsCode(() => n.run(plan, [a], []), 'NODEANO_NATIVE_INVALID', 'input count');
      n.dispose(plan);
      n.dispose(prog);
    });
  } else {
    skipped.push('Add + Sigmoid (kernels not built yet)');
  }

  // shared W float32 [4]; t = Copy(x); W <- t. Also exercises a deferred (shape-changing) update.
  const cslots = [[INPUT, F32, 0], [SHARED, F32, 0], [TEMP, F32, -1], [TEMP, F32, -1]];
  const cprog = n.createProgram(programDesc({ slots: cslots, steps: [{ kernel: 'Copy', ins: [0], outs: [2] }, { kernel: 'Copy', ins: [1], outs: [3] }], updates: [[0, 2]], nInputs: 1, nShared: 1 }));

  await test('update sync', () => {
    const pd = planDesc(cslots, [[4], [4], [4], [4]]);
    const { plan, arena, deferredUpdates } = n.createPlan(cprog, pd);
    assert(deferredUpdates.length === 0);
    const W = new Float32Array(n.alloc(16));
    W.set([9, 9, 9, 9]);
    n.run(plan, [Float32Array.from([1, 2, 3, 4])], [W]);
    close(W, [1, 2, 3, 4], 0, 'W updated');
    close(new Float32Array(arena, pd.offsets[3], 4), [9, 9, 9, 9], 0, 'old W read before the update');
  });

  await test('runArgs: arrays as arguments, same results and errors as run', async () => {
    const pd = planDesc(cslots, [[4], [4], [4], [4]]);
    const { plan, arena } = n.createPlan(cprog, pd);
    const W = new Float32Array(n.alloc(16));
    W.set([9, 9, 9, 9]);
    n.runArgs(plan, Float32Array.from([1, 2, 3, 4]), W);
    close(W, [1, 2, 3, 4], 0, 'W updated');
    close(new Float32Array(arena, pd.offsets[3], 4), [9, 9, 9, 9], 0, 'old W read before the update');
    const plainW = Float32Array.from([5, 5, 5, 5]); // not alloc()'d: bound in place all the same
    n.runArgs(plan, Float32Array.from([4, 3, 2, 1]), plainW);
    close(plainW, [4, 3, 2, 1], 0, 'plain W updated');
    const ux = new Float32Array(new ArrayBuffer(20), 4, 4); // unaligned: staged
    ux.set([7, 8, 9, 10]);
    n.runArgs(plan, ux, W);
    close(W, [7, 8, 9, 10], 0, 'unaligned input');
    throwsCode(() => n.runArgs(plan, Float32Array.from([1, 2, 3, 4])), 'NODEANO_NATIVE_INVALID', 'too few arrays');
    throwsCode(() => n.runArgs(plan, Float32Array.from([1, 2, 3, 4]), W, W), 'NODEANO_NATIVE_INVALID', 'too many arrays');
    throwsCode(() => n.runArgs(plan, new Float64Array(4), W), 'NODEANO_NATIVE_DTYPE', 'wrong dtype');
    throwsCode(() => n.runArgs(plan, new Float32Array(5), W), 'NODEANO_NATIVE_SHAPE', 'wrong size');
    throwsCode(() => n.runArgs(plan, [1, 2, 3, 4], W), 'NODEANO_NATIVE_INVALID', 'not a typed array');
    const gone = new Float32Array(4);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    throwsCode(() => n.runArgs(plan, gone, W), 'NODEANO_NATIVE_INVALID', 'detached input');
    throwsCode(() => n.runArgs(), 'NODEANO_NATIVE_INVALID', 'no arguments');
    throwsCode(() => n.runArgs(cprog, W, W), 'NODEANO_NATIVE_INVALID', 'program passed as a plan');
    throwsCode(() => n.runArgs({}, W, W), 'NODEANO_NATIVE_INVALID', 'object passed as a plan');
    const p = n.runAsync(plan, [Float32Array.from([5, 6, 7, 8])], [W]);
    throwsCode(() => n.runArgs(plan, Float32Array.from([1, 1, 1, 1]), W), 'NODEANO_NATIVE_BUSY', 'runArgs while busy');
    await p;
    close(W, [5, 6, 7, 8], 0, 'W after runAsync');
    n.dispose(plan);
    throwsCode(() => n.runArgs(plan, Float32Array.from([1, 2, 3, 4]), W), 'NODEANO_NATIVE_INVALID', 'disposed plan');
    // more arrays than runArgs keeps on its stack (16): 20 inputs, the last one copied out
    const many = Array.from({ length: 20 }, (_, i) => [INPUT, F32, i]);
    const mslots = [...many, [TEMP, F32, -1]];
    const mprog = n.createProgram(programDesc({ slots: mslots, steps: [{ kernel: 'Copy', ins: [19], outs: [20] }], nInputs: 20, nShared: 0 }));
    const mpd = planDesc(mslots, mslots.map(() => [2]));
    const mr = n.createPlan(mprog, mpd);
    const args = Array.from({ length: 20 }, (_, i) => Float32Array.from([i, -i]));
    n.runArgs(mr.plan, ...args);
    close(new Float32Array(mr.arena, mpd.offsets[20], 2), [19, -19], 0, '20 arrays');
    throwsCode(() => n.runArgs(mr.plan, ...args.slice(1)), 'NODEANO_NATIVE_INVALID', '19 of 20 arrays');
    throwsCode(() => n.runArgs(mr.plan, ...args, args[0]), 'NODEANO_NATIVE_INVALID', '21 of 20 arrays');
    args[17] = new Int32Array(2);
    throwsCode(() => n.runArgs(mr.plan, ...args), 'NODEANO_NATIVE_DTYPE', 'a bad array past the stack');
  });

  await test('update async (alloc and plain buffers)', async () => {
    const pd = planDesc(cslots, [[4], [4], [4], [4]]);
    const { plan } = n.createPlan(cprog, pd);
    for (const W of [new Float32Array(n.alloc(16)), new Float32Array(4)]) {
      W.set([7, 7, 7, 7]);
      const p = n.runAsync(plan, [Float32Array.from([5, 6, 7, 8])], [W]);
      close(W, [7, 7, 7, 7], 0, 'W untouched until the promise settles');
      throwsCode(() => n.run(plan, [Float32Array.from([1, 1, 1, 1])], [W]), 'NODEANO_NATIVE_BUSY', 'run while busy');
      await rejectsCode(n.runAsync(plan, [Float32Array.from([1, 1, 1, 1])], [W]), 'NODEANO_NATIVE_BUSY', 'runAsync while busy');
      await p;
      close(W, [5, 6, 7, 8], 0, 'W after runAsync');
    }
  });

  await test('concurrent runs on different plans', async () => {
    const len = 1 << 18;
    const plans = [0, 1, 2].map(() => n.createPlan(cprog, planDesc(cslots, [[len], [len], [len], [len]])).plan);
    const Ws = plans.map(() => new Float32Array(n.alloc(len * 4)));
    const xs = plans.map(() => new Float32Array(len));
    for (let round = 0; round < 5; round++) {
      xs.forEach((x, i) => x.fill(10 * round + i));
      const p0 = n.runAsync(plans[0], [xs[0]], [Ws[0]]);
      const p1 = n.runAsync(plans[1], [xs[1]], [Ws[1]]);
      n.run(plans[2], [xs[2]], [Ws[2]]); // sync while both are in flight (the thread pool is taken: single-threaded)
      await Promise.all([p0, p1]);
      Ws.forEach((W, i) => assert(W[0] === 10 * round + i && W[len - 1] === 10 * round + i, `round ${round}: W${i} = ${W[0]}`));
    }
  });

  await test('prepared steps through a plan: small and large, broadcast Gemm with plan scratch', () => {
    if (!n.hasKernel('Gemm') || !n.hasKernel('Fused')) return;
    // out = 2 * (A B) + C with A [1, 70], B [70, 40] (a [1, 40] product: BLAS size) broadcast over C [30, 40]
    const slots = [[INPUT, F32, 0], [INPUT, F32, 1], [INPUT, F32, 2], [TEMP, F32, -1]];
    const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Gemm', ins: [0, 1, 2], outs: [3], ints: [0, 0], floats: [2, 1] }], nInputs: 3, nShared: 0 }));
    for (const [m, k, nn] of [[30, 70, 40], [3, 2, 4]]) {
      const pd = planDesc(slots, [[1, k], [k, nn], [m, nn], [m, nn]]);
      const { plan, arena } = n.createPlan(prog, pd);
      const A = Float32Array.from({ length: k }, (_, i) => Math.sin(i));
      const B = Float32Array.from({ length: k * nn }, (_, i) => Math.cos(i));
      const C = Float32Array.from({ length: m * nn }, (_, i) => i % 7);
      n.runArgs(plan, A, B, C);
      const want = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < nn; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) acc += A[p] * B[p * nn + j];
          want.push(2 * acc + C[i * nn + j]);
        }
      }
      close(new Float32Array(arena, pd.offsets[3], m * nn), want, 1e-4, `gemm ${m}x${k}x${nn}`);
    }
    // sigmoid(x) - 0.5 fused, tiny and split across the pool: the same values
    const fslots = [[INPUT, F32, 0], [TEMP, F32, -1]];
    const fprog = n.createProgram(programDesc({ slots: fslots, steps: [{ kernel: 'Fused', ins: [0], outs: [1], ints: [1, 3, opcode('Sigmoid'), 0, 0, 0, 0, 0, opcode('Sub'), 1, 2], floats: [0.5] }], nInputs: 1, nShared: 0 }));
    for (const len of [5, 1 << 18]) {
      const pd = planDesc(fslots, [[len], [len]]);
      const { plan, arena } = n.createPlan(fprog, pd);
      const x = Float32Array.from({ length: len }, (_, i) => ((i * 37) % 200) / 10 - 10);
      n.runArgs(plan, x);
      const y = new Float32Array(arena, pd.offsets[1], len);
      for (let i = 0; i < len; i += Math.max(1, len >> 10)) assert(Math.abs(y[i] - (1 / (1 + Math.exp(-x[i])) - 0.5)) < 1e-6, `fused ${len} at ${i}: ${y[i]}`);
    }
  });

  await test('deferred update', () => {
    // the update source has shape [2, 2] while the shared slot has [4]: left to the caller
    const pd = planDesc(cslots, [[2, 2], [4], [2, 2], [4]]);
    const { plan, arena, deferredUpdates } = n.createPlan(cprog, pd);
    assert(deferredUpdates.length === 1 && deferredUpdates[0] === 0, `deferred ${deferredUpdates}`);
    const W = Float32Array.from([3, 3, 3, 3]);
    n.run(plan, [Float32Array.from([1, 2, 3, 4])], [W]);
    close(W, [3, 3, 3, 3], 0, 'deferred update not applied');
    close(new Float32Array(arena, pd.offsets[2], 4), [1, 2, 3, 4], 0, 'deferred source in the arena');
  });

  await test('kernel failure carries code, status and step', async () => {
    // Copy from [4] into [5]: a shape the kernel rejects
    const slots = [[INPUT, F32, 0], [TEMP, F32, -1]];
    const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }], nInputs: 1, nShared: 0 }));
    const { plan } = n.createPlan(prog, planDesc(slots, [[4], [5]]));
    const e = throwsCode(() => n.run(plan, [new Float32Array(4)], []), 'NODEANO_NATIVE_SHAPE', 'Copy mismatch');
    assert(e.status === 1 && e.step === 0 && /Copy/.test(e.message), `${e.status} ${e.step} ${e.message}`);
    const e2 = await rejectsCode(n.runAsync(plan, [new Float32Array(4)], []), 'NODEANO_NATIVE_SHAPE', 'async Copy mismatch');
    assert(e2.step === 0);
  });

  await test('missing kernel → UNSUPPORTED naming it', () => {
    const slots = [[INPUT, F32, 0], [TEMP, F32, -1]];
    const e = throwsCode(
      () => n.createProgram(programDesc({ slots, steps: [{ kernel: 'NoSuchKernel', ins: [0], outs: [1] }], nInputs: 1, nShared: 0 })),
      'NODEANO_NATIVE_UNSUPPORTED',
      'missing kernel',
    );
    assert(/NoSuchKernel/.test(e.message) && e.kernels[0] === 'NoSuchKernel', e.message);
  });

  await test('constants and zero-size tensors', () => {
    const slots = [[CONSTANT, F64, 0], [TEMP, F64, -1], [INPUT, I32, 0], [TEMP, I32, -1]];
    const prog = n.createProgram(programDesc({
      slots,
      steps: [{ kernel: 'Copy', ins: [0], outs: [1] }, { kernel: 'Copy', ins: [2], outs: [3] }],
      constants: [Float64Array.from([1.5, -2.5])],
      nInputs: 1,
      nShared: 0,
    }));
    const pd = planDesc(slots, [[2], [2], [0, 3], [0, 3]]);
    const { plan, arena } = n.createPlan(prog, pd);
    n.run(plan, [new Int32Array(0)], []);
    close(new Float64Array(arena, pd.offsets[1], 2), [1.5, -2.5], 0, 'constant copied');
    throwsCode(() => n.createPlan(prog, planDesc(slots, [[3], [3], [0], [0]])), 'NODEANO_NATIVE_INVALID', 'constant shape mismatch');
  });

  await test('dispose', async () => {
    const pd = planDesc(cslots, [[4], [4], [4], [4]]);
    const prog = n.createProgram(programDesc({ slots: cslots, steps: [{ kernel: 'Copy', ins: [0], outs: [2] }, { kernel: 'Copy', ins: [1], outs: [3] }], updates: [[0, 2]], nInputs: 1, nShared: 1 }));
    const { plan } = n.createPlan(prog, pd);
    n.dispose(prog); // plans outlive their program handle
    const W = new Float32Array(4);
    n.run(plan, [Float32Array.from([1, 2, 3, 4])], [W]);
    throwsCode(() => n.createPlan(prog, pd), 'NODEANO_NATIVE_INVALID', 'createPlan on a disposed program');
    const p = n.runAsync(plan, [Float32Array.from([4, 3, 2, 1])], [W]);
    n.dispose(plan); // while in flight: the run completes
    await p;
    close(W, [4, 3, 2, 1], 0, 'update of a run disposed in flight');
    throwsCode(() => n.run(plan, [new Float32Array(4)], [W]), 'NODEANO_NATIVE_INVALID', 'run on a disposed plan');
    await rejectsCode(n.runAsync(plan, [new Float32Array(4)], [W]), 'NODEANO_NATIVE_INVALID', 'runAsync on a disposed plan');
    n.dispose(plan); // twice is fine
    throwsCode(() => n.run(prog, [], []), 'NODEANO_NATIVE_INVALID', 'program passed as a plan');
  });

  // the time per call is printed for information only: npm run bench measures it (no wall-clock assertion here)
  await test('an empty program runs a million times through run() and runArgs()', () => {
    const prog = n.createProgram(programDesc({ slots: [], steps: [], nInputs: 0, nShared: 0 }));
    const { plan } = n.createPlan(prog, planDesc([], []));
    const none = [];
    for (let i = 0; i < 2e5; i++) n.run(plan, none, none);
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const N = 1e6;
      const t = process.hrtime.bigint();
      for (let i = 0; i < N; i++) n.run(plan, none, none);
      best = Math.min(best, Number(process.hrtime.bigint() - t) / N);
    }
    console.log(`native-smoke: run() of an empty program: ${best.toFixed(1)} ns/call`);
    assert(Number.isFinite(best), 'run() completed');
    let bestArgs = Infinity;
    for (let r = 0; r < 5; r++) {
      const N = 1e6;
      const t = process.hrtime.bigint();
      for (let i = 0; i < N; i++) n.runArgs(plan);
      bestArgs = Math.min(bestArgs, Number(process.hrtime.bigint() - t) / N);
    }
    console.log(`native-smoke: runArgs() of an empty program: ${bestArgs.toFixed(1)} ns/call`);
    assert(Number.isFinite(bestArgs), 'runArgs() completed');
  });

  if (skipped.length) console.log(`native-smoke: skipped ${skipped.join('; ')}`);
  return { passed, failed };
}

// ---- fuzzer (child process) ----------------------------------------------------------------------------------------

async function fuzz(n, seed, iterations) {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const ri = (k) => Math.floor(rnd() * k);
  const pick = (a) => a[ri(a.length)];

  const detached = (Ctor, len) => {
    const a = new Ctor(len);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    return a;
  };
  const handles = [];
  const sentinel = new Error('getter threw');
  const kernelPool = ['Copy', 'Add', 'Sigmoid', 'Mul', 'Nope', '', 'Copy\0x', 'Gemm', 'Dot', 'Sum', 'Mean', 'Max', 'SumTo', 'AxisCount',
    'Softmax', 'LogSoftmax', 'Transpose', 'BroadcastTo', 'ExpandDims', 'Cast', 'Fused', 'Pow', 'Div', 'Tanh'];
  const weird = () => {
    const k = ri(24);
    switch (k) {
      case 0: return undefined;
      case 1: return null;
      case 2: return pick([0, -1, 1, 2 ** 31, 2 ** 53, NaN, Infinity, -0, 1.5, 1e300]);
      case 3: return pick(['', 'x', 'Copy']);
      case 4: return {};
      case 5: return [];
      case 6: return new (pick(CTORS))(ri(9));
      case 7: return detached(pick(CTORS), ri(5) + 1);
      case 8: return new Uint8ClampedArray(4);
      case 9: return new BigInt64Array(2);
      case 10: return new ArrayBuffer(8);
      case 11: return new DataView(new ArrayBuffer(8));
      case 12: return Symbol('s');
      case 13: return 10n;
      case 14: return () => 1;
      case 15: return handles.length ? pick(handles) : undefined;
      case 16: return Object.defineProperty([0], '0', { get: () => { throw sentinel; } });
      case 17: return Object.defineProperty({}, 'slots', { get: () => { throw sentinel; } });
      case 18: return [new Float32Array(4), new Float32Array(4)];
      case 19: return new Float32Array(new SharedArrayBuffer(16));
      case 20: return new Float32Array(new ArrayBuffer(20), 4, 4);
      case 21: return n.alloc(ri(3) * 16);
      case 22: return [detached(Float32Array, 4)];
      default: return pick([true, false]);
    }
  };
  const randInts = (len, lo, hi) => Int32Array.from({ length: len }, () => lo + ri(hi - lo + 1));

  // a random but mostly well-formed program over Copy (and the other kernels, which may be missing)
  function randomProgram() {
    const nInputs = ri(3), nShared = ri(3), nConst = ri(2);
    const slots = [];
    for (let i = 0; i < nInputs; i++) slots.push([INPUT, ri(4), i]);
    for (let i = 0; i < nShared; i++) slots.push([SHARED, ri(4), i]);
    const constants = [];
    for (let i = 0; i < nConst; i++) {
      const d = ri(4);
      constants.push(new CTORS[d](ri(6)));
      slots.push([CONSTANT, d, i]);
    }
    const steps = [];
    const nSteps = ri(5);
    for (let k = 0; k < nSteps; k++) {
      const readable = slots.map((_, i) => i);
      const ins = readable.length ? [pick(readable)] : [];
      if (rnd() < 0.3 && readable.length) ins.push(pick(readable));
      slots.push([TEMP, ins.length ? slots[ins[0]][1] : ri(4), -1]);
      const attrInts = rnd() < 0.3 ? Array.from({ length: ri(6) }, () => pick([-1, 0, 1, 2, 3, ri(8), 2 ** 31 - 1])) : [];
      const attrFloats = rnd() < 0.2 ? Array.from({ length: ri(3) }, () => pick([0, 1, -1, rnd(), NaN, Infinity])) : [];
      steps.push({ kernel: rnd() < 0.7 ? 'Copy' : pick(kernelPool), ins, outs: [slots.length - 1], ints: attrInts, floats: attrFloats });
    }
    const temps = slots.map((sl, i) => (sl[0] === TEMP ? i : -1)).filter((i) => i >= 0);
    const updates = [];
    for (let i = 0; i < nShared; i++) if (temps.length && rnd() < 0.5) updates.push([i, pick(temps)]);
    const srcOf = new Map(steps.map((st) => [st.outs[0], st.ins[0]]));
    return { slots, desc: programDesc({ slots, steps, constants, updates, nInputs, nShared }), constants, srcOf };
  }

  function mutateInts(a) {
    const b = Int32Array.from(a);
    if (b.length && rnd() < 0.8) b[ri(b.length)] = pick([-1, 0, 1, 2, 3, 7, 1e6, -(2 ** 31), 2 ** 31 - 1, ri(10)]);
    if (rnd() < 0.2) return b.subarray(0, ri(b.length + 1));
    if (rnd() < 0.1) return Int32Array.from([...b, ri(5)]);
    return b;
  }

  // tag: 'run' for runs of a fuzzed plan, 'createProgram'/'createPlan' for those, 'other' for the rest
  let calls = 0, threw = 0, uncoded = 0, ok = 0;
  const tally = {};
  const note = (tag, what) => {
    const k = `${tag}:${what}`;
    tally[k] = (tally[k] || 0) + 1;
  };
  const failed = (e, tag) => {
    threw++;
    note(tag, (e && e.code && e.code.replace('NODEANO_NATIVE_', '')) || (e === sentinel ? 'getter' : 'uncoded'));
    if (e !== sentinel && !(e && typeof e.code === 'string' && e.code.startsWith('NODEANO_NATIVE_'))) {
      uncoded++;
      if (uncoded < 5) console.error(`uncoded error: ${e && e.stack}`);
    }
  };
  const call = (f, tag = 'other') => {
    calls++;
    try {
      const r = f();
      ok++;
      note(tag, 'ok');
      return r;
    } catch (e) {
      failed(e, tag);
      return undefined;
    }
  };
  const pending = [];
  const callAsync = (f, tag = 'other') => {
    calls++;
    let p;
    try {
      p = f();
    } catch (e) {
      uncoded++;
      console.error(`runAsync threw synchronously: ${e && e.stack}`);
      return;
    }
    pending.push(p.then(() => {
      ok++;
      note(tag, 'ok');
    }, (e) => failed(e, tag)));
  };
  const fns = ['info', 'hasKernel', 'kernels', 'createProgram', 'createPlan', 'run', 'runArgs', 'runAsync', 'alloc', 'setThreads', 'getThreads', 'dispose'];

  for (let it = 0; it < iterations; it++) {
    const mode = ri(10);
    if (mode < 3) {
      // any export with random arguments
      const f = pick(fns);
      const args = Array.from({ length: ri(4) }, weird);
      if (f === 'runAsync') callAsync(() => n.runAsync(...args));
      else if (f === 'setThreads') call(() => n.setThreads(pick([1, 2, 0, -1, 1e9, NaN, '2', 1.5])));
      else if (f === 'alloc') call(() => n.alloc(pick([0, 1, 64, 1000, -1, NaN, 2 ** 60, '8', 1.5])));
      else call(() => n[f](...args));
    } else {
      // a random program, often mutated, then plans and runs with random arguments
      const { slots, desc, constants, srcOf } = randomProgram();
      if (mode === 3) desc.slots = mutateInts(desc.slots);
      if (mode === 4) desc.steps = mutateInts(desc.steps);
      if (mode === 5) desc.updates = mutateInts(desc.updates);
      if (mode === 6 && rnd() < 0.5) desc[pick(Object.keys(desc))] = weird();
      if (mode === 6 && rnd() < 0.3) desc.nInputs = pick([-1, 0, 1, 5, 1.5, 2 ** 40]);
      if (mode === 6 && rnd() < 0.3 && constants.length) desc.constants = [detached(Float32Array, 2)];
      const prog = call(() => n.createProgram(desc), 'createProgram');
      if (!prog) continue;
      handles.push(prog);
      const shapes = [];
      slots.forEach((sl, i) => {
        if (sl[0] === CONSTANT) shapes.push([constants[sl[2]].length]);
        else if (sl[0] === TEMP && srcOf.get(i) !== undefined && rnd() < 0.85) shapes.push(shapes[srcOf.get(i)].slice()); // a Copy that fits
        else shapes.push(rnd() < 0.8 ? [ri(3) + 1] : [ri(2), ri(3)]);
      });
      const pd = planDesc(slots, shapes);
      if (rnd() < 0.4) pd.shapes = mutateInts(pd.shapes);
      if (rnd() < 0.3) {
        const o = Float64Array.from(pd.offsets);
        if (o.length) o[ri(o.length)] = pick([-1, 0, 1, 63, 64, 1e12, NaN, -64, 2 ** 60]);
        pd.offsets = o;
      }
      if (rnd() < 0.2) pd.arenaBytes = pick([0, 1, -1, NaN, 2 ** 47, 1e300, pd.arenaBytes - 1, pd.arenaBytes + 1]);
      // the optional view-skip and shared-alias fields, well-formed or not
      if (rnd() < 0.25) pd.skip = rnd() < 0.2 ? weird() : Uint8Array.from({ length: ri(4) + (rnd() < 0.7 ? 0 : 1) }, () => ri(2));
      if (rnd() < 0.25) pd.sharedAlias = rnd() < 0.2 ? weird() : Int32Array.from({ length: ri(5) }, () => pick([-1, 0, 1, 2, 3, slots.length, 2 ** 30]));
      const r = call(() => n.createPlan(prog, pd), 'createPlan');
      if (!r) continue;
      handles.push(r.plan);
      if (handles.length > 50) handles.splice(0, 25);
      const mk = (kind, count) =>
        Array.from({ length: count }, (_, ref) => {
          const slot = slots.findIndex((sl) => sl[0] === kind && sl[2] === ref);
          if (slot < 0 || rnd() < 0.06) return weird();
          const len = shapes[slot].reduce((a, b) => a * b, 1);
          const Ctor = CTORS[slots[slot][1]];
          if (rnd() < 0.04) return new Ctor(len + 1);
          if (rnd() < 0.1 && kind === SHARED) return new Ctor(n.alloc(len * Ctor.BYTES_PER_ELEMENT));
          return new Ctor(len);
        });
      for (let k = 0; k < 1 + ri(3); k++) {
        const ins = mk(INPUT, desc.nInputs | 0);
        const sh = mk(SHARED, desc.nShared | 0);
        const variant = ri(8);
        if (variant === 0) {
          // hostile getters: detach a buffer, dispose the plan, or re-enter run while arguments are read
          // (an accessor element of a real array: napi_is_array is false for a Proxy)
          const hostileIns = ins.slice();
          const hostileSh = sh.slice();
          const target = hostileIns.length ? hostileIns : hostileSh;
          if (target.length) {
            const k = ri(target.length);
            const value = target[k];
            Object.defineProperty(target, String(k), {
              enumerable: true,
              get() {
                const act = ri(6);
                const victim = pick([...ins, ...sh]);
                if (act === 0 && victim && victim.buffer instanceof ArrayBuffer) {
                  try { structuredClone(victim.buffer, { transfer: [victim.buffer] }); } catch {}
                } else if (act === 1) call(() => n.dispose(r.plan));
                else if (act === 2) call(() => n.run(r.plan, ins, sh));
                else if (act === 3) callAsync(() => n.runAsync(r.plan, ins, sh));
                else if (act === 4) call(() => n.runArgs(r.plan, ...ins, ...sh));
                else throw sentinel;
                return value;
              },
            });
          }
          if (rnd() < 0.5) call(() => n.run(r.plan, hostileIns, hostileSh), 'run');
          else callAsync(() => n.runAsync(r.plan, hostileIns, hostileSh), 'run');
        } else if (variant < 3) {
          call(() => n.run(r.plan, ins, sh), 'run');
        } else if (variant < 5) {
          // runArgs: the same arrays as arguments, sometimes one too many or too few, or a weird value in the list
          const args = [...ins, ...sh];
          const v = ri(6);
          if (v === 0) args.push(weird());
          else if (v === 1) args.pop();
          else if (v === 2 && args.length) args[ri(args.length)] = weird();
          call(() => n.runArgs(rnd() < 0.05 ? weird() : r.plan, ...args), 'run');
        } else {
          callAsync(() => n.runAsync(r.plan, ins, sh), 'run');
          // detach an argument while the run is in flight, then drop it
          if (rnd() < 0.3) for (const a of [...ins, ...sh]) if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer) try { structuredClone(a.buffer, { transfer: [a.buffer] }); } catch {}
          if (rnd() < 0.2) call(() => n.dispose(r.plan));
        }
      }
      if (rnd() < 0.3) call(() => n.dispose(pick(handles)));
    }
    if (it % 200 === 199) {
      await Promise.all(pending.splice(0));
      if (global.gc) global.gc();
    }
  }
  await Promise.all(pending.splice(0));
  const t = (k) => tally[k] || 0;
  console.log(`FUZZ-OK calls=${calls} ok=${ok} threw=${threw} uncoded=${uncoded}; programs ${t('createProgram:ok')}, plans ${t('createPlan:ok')}, runs ok ${t('run:ok')}`);
  if (process.env.NODEANO_FUZZ_TALLY) console.error(JSON.stringify(tally));
  if (uncoded) process.exitCode = 3;
}

// ---- worker_threads and memory (child processes) -------------------------------------------------------------------

// Workers load the addon, start async runs and are terminated while runs are in flight.
function workersChild() {
  const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
  if (isMainThread) {
    let exited = 0;
    const N = 6;
    for (let i = 0; i < N; i++) {
      const w = new Worker(__filename, { argv: [addonPath, '--workers-child'], workerData: i });
      w.on('message', () => {
        if (i % 2 === 0) w.terminate();
      });
      w.on('error', (e) => {
        console.error(`worker ${i}: ${e && e.stack}`);
        process.exitCode = 3;
      });
      w.on('exit', () => {
        if (++exited === N) console.log(`WORKERS-OK ${N} workers, ${N / 2} terminated with a run in flight`);
      });
    }
    return;
  }
  const n = require(addonPath);
  const len = 1 << 20;
  const slots = [[INPUT, F32, 0], [SHARED, F32, 0], [TEMP, F32, -1], [TEMP, F32, -1]];
  const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [2] }, { kernel: 'Copy', ins: [1], outs: [3] }], updates: [[0, 2]], nInputs: 1, nShared: 1 }));
  const { plan } = n.createPlan(prog, planDesc(slots, [[len], [len], [len], [len]]));
  const W = new Float32Array(n.alloc(len * 4));
  (async () => {
    for (let k = 1; k <= 20; k++) {
      const p = n.runAsync(plan, [new Float32Array(len).fill(k)], [W]);
      if (k === 2) parentPort.postMessage('running');
      await p;
      if (W[len - 1] !== k) throw new Error(`worker ${workerData}: W=${W[len - 1]} after run ${k}`);
    }
  })();
}

// Programs, plans and alloc()'d buffers are freed when collected or disposed.
async function memoryChild() {
  const n = require(addonPath);
  const slots = [[INPUT, F32, 0], [TEMP, F32, -1]];
  const desc = programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }], constants: [new Float32Array(1024)], nInputs: 1, nShared: 0 });
  const round = async (k) => {
    const prog = n.createProgram(desc);
    const r = n.createPlan(prog, planDesc(slots, [[1 << 14], [1 << 14]]));
    const buf = new Float32Array(n.alloc(1 << 16));
    n.run(r.plan, [buf], []);
    if (k % 3 === 0) await n.runAsync(r.plan, [buf], []);
    if (k % 2 === 0) {
      n.dispose(r.plan);
      n.dispose(prog);
    }
  };
  for (let k = 0; k < 2000; k++) await round(k);
  global.gc();
  await new Promise((r) => setTimeout(r, 10));
  global.gc();
  const before = process.memoryUsage().rss;
  for (let k = 0; k < 20000; k++) {
    await round(k);
    if (k % 1000 === 999) global.gc();
  }
  global.gc();
  await new Promise((r) => setTimeout(r, 10));
  global.gc();
  const grown = (process.memoryUsage().rss - before) / 2 ** 20;
  console.log(`MEMORY-OK rss growth ${grown.toFixed(1)} MiB over 20000 rounds of ~192 KiB`);
  if (grown > 64) process.exitCode = 3;
}

function child(mode, marker, extra = []) {
  const r = spawnSync(process.execPath, ['--expose-gc', __filename, addonPath, mode, ...extra], { encoding: 'utf8', timeout: 300000 });
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith(marker)) || '';
  return { ok: !r.signal && r.status === 0 && !!line, crashed: !!r.signal || !line, line, r };
}

// ---- main ---------------------------------------------------------------------------------------------------------

async function main() {
  if (process.argv.includes('--workers-child')) return workersChild();
  if (process.argv.includes('--memory-child')) return memoryChild();
  if (process.argv.includes('--fuzz-child')) {
    const n = require(addonPath);
    await fuzz(n, Number(argValue('--seed', '1')), Number(argValue('--iterations', '2000')));
    return;
  }
  let n;
  try {
    n = require(addonPath);
  } catch (e) {
    console.log(`native-smoke: cannot load ${addonPath}: ${e.message}`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
    return;
  }
  console.log(`native-smoke: ${addonPath}`);
  let { passed, failed } = await smoke(n);

  const children = Number(argValue('--children', '6'));
  const iterations = Number(argValue('--iterations', '1500'));
  let crashes = 0;
  const jobs = [
    ['workers terminated with runs in flight', '--workers-child', 'WORKERS-OK', []],
    ['memory', '--memory-child', 'MEMORY-OK', []],
  ];
  for (let c = 0; c < children; c++) {
    const seed = 1000 + c * 7919;
    jobs.push([`fuzz seed ${seed}`, '--fuzz-child', 'FUZZ-OK', ['--seed', String(seed), '--iterations', String(iterations)]]);
  }
  for (const [name, mode, marker, extra] of jobs) {
    const { ok, crashed, line, r } = child(mode, marker, extra);
    if (crashed) crashes++;
    if (ok) {
      passed++;
      console.log(`native-smoke: ${name}: ${line.slice(marker.length + 1)}`);
    } else {
      failed++;
      console.log(`FAIL ${name}: status ${r.status} signal ${r.signal}\n${(r.stderr || '').slice(-3000)}`);
    }
  }
  console.log(`native-smoke: fuzz crashes: ${crashes}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.log(`native-smoke: ${e && e.stack}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
