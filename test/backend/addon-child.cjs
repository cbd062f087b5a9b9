// Child process of test/backend/addon-children.test.ts: runs one mode against the addon and prints one result line.
//   node --expose-gc addon-child.cjs <addon path> fuzz <seed> <iterations>   -> FUZZ-OK calls=.. uncoded=..
//   node addon-child.cjs <addon path> workers                                -> WORKERS-OK ..
//   node --expose-gc addon-child.cjs <addon path> memory                     -> MEMORY-OK growthMiB=..
//   node addon-child.cjs <addon path> fused <seed> <programs> <opcodes JSON>  -> FUSED-OK programs=.. ok=.. uncoded=..
//   NODEANO_TEST_MAX_THREADS=3 node addon-child.cjs <addon path> threads <n>  -> THREADS-OK ..
//   node addon-child.cjs <addon path> scan <seed> <cases>                    -> SCAN-OK cases=.. runsOk=.. uncoded=..
// A crash shows as a signal or a missing line; the test checks both.
'use strict';

const F32 = 0, INPUT = 0, SHARED = 1, CONSTANT = 2, TEMP = 3;
const CTORS = [Float32Array, Float64Array, Int32Array, Uint8Array];
const [addonArg, mode, ...rest] = process.argv.slice(2);
const addonPath = require('path').resolve(addonArg);

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
    slots: Int32Array.from(slots.flat()), steps: Int32Array.from(ints), floats: Float64Array.from(floats), kernelNames, constants,
    updates: Int32Array.from(updates.flat()), nInputs, nShared,
  };
}

function planDesc(slots, shapes) {
  const flat = [];
  const offsets = [];
  let arena = 0;
  slots.forEach(([kind, dtype], i) => {
    flat.push(shapes[i].length, ...shapes[i]);
    if (kind === TEMP) {
      offsets.push(arena);
      arena += Math.max(64, Math.ceil((shapes[i].reduce((a, b) => a * b, 1) * CTORS[dtype].BYTES_PER_ELEMENT) / 64) * 64);
    } else offsets.push(-1);
  });
  return { shapes: Int32Array.from(flat), offsets: Float64Array.from(offsets), arenaBytes: arena };
}

const copySlots = [[INPUT, F32, 0], [SHARED, F32, 0], [TEMP, F32, -1], [TEMP, F32, -1]];
const copyProgram = () => programDesc({ slots: copySlots, steps: [{ kernel: 'Copy', ins: [0], outs: [2] }, { kernel: 'Copy', ins: [1], outs: [3] }], updates: [[0, 2]], nInputs: 1, nShared: 1 });

// A seeded xorshift32 generator: ri(k) is an integer in [0, k), pick(a) an element of a.
function xorshift(seed) {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const ri = (k) => Math.floor(rnd() * k);
  return { rnd, ri, pick: (a) => a[ri(a.length)] };
}

// Every export with random, often hostile arguments; random programs and plans, mostly well formed; runs with
// arrays of wrong types and sizes, detached or freed while in flight. Every error must carry a NODEANO_NATIVE_ code.
async function fuzz(n, seed, iterations) {
  const { rnd, ri, pick } = xorshift(seed);
  const detached = (Ctor, len) => {
    const a = new Ctor(len);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    return a;
  };
  const handles = [];
  const buffers = [];
  const sentinel = new Error('getter threw');
  const kernelPool = ['Copy', 'Add', 'Sigmoid', 'Mul', 'Nope', '', 'Copy\0x', 'Gemm', 'Dot', 'Sum', 'Mean', 'Max', 'SumTo', 'AxisCount',
    'Softmax', 'LogSoftmax', 'Transpose', 'BroadcastTo', 'ExpandDims', 'Cast', 'Fused', 'Pow', 'Div', 'Tanh'];
  const weird = () => {
    switch (ri(24)) {
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
      case 22: return buffers.length ? pick(buffers) : undefined;
      default: return pick([true, false]);
    }
  };

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
    for (let k = 0, nSteps = ri(5); k < nSteps; k++) {
      const readable = slots.map((_, i) => i);
      const ins = readable.length ? [pick(readable)] : [];
      if (rnd() < 0.3 && readable.length) ins.push(pick(readable));
      slots.push([TEMP, ins.length ? slots[ins[0]][1] : ri(4), -1]);
      const ints = rnd() < 0.3 ? Array.from({ length: ri(6) }, () => pick([-1, 0, 1, 2, 3, ri(8), 2 ** 31 - 1])) : [];
      const floats = rnd() < 0.2 ? Array.from({ length: ri(3) }, () => pick([0, 1, -1, rnd(), NaN, Infinity])) : [];
      steps.push({ kernel: rnd() < 0.7 ? 'Copy' : pick(kernelPool), ins, outs: [slots.length - 1], ints, floats });
    }
    const temps = slots.map((sl, i) => (sl[0] === TEMP ? i : -1)).filter((i) => i >= 0);
    const updates = [];
    for (let i = 0; i < nShared; i++) if (temps.length && rnd() < 0.5) updates.push([i, pick(temps)]);
    const srcOf = new Map(steps.map((st) => [st.outs[0], st.ins[0]]));
    return { slots, desc: programDesc({ slots, steps, constants, updates, nInputs, nShared }), constants, srcOf, nSteps: steps.length, nUpdates: updates.length };
  }

  function mutateInts(a) {
    const b = Int32Array.from(a);
    if (b.length && rnd() < 0.8) b[ri(b.length)] = pick([-1, 0, 1, 2, 3, 7, 1e6, -(2 ** 31), 2 ** 31 - 1, ri(10)]);
    if (rnd() < 0.2) return b.subarray(0, ri(b.length + 1));
    if (rnd() < 0.1) return Int32Array.from([...b, ri(5)]);
    return b;
  }
  const flags = (len) => (rnd() < 0.2 ? weird() : Uint8Array.from({ length: len + (rnd() < 0.8 ? 0 : 1) }, () => ri(2)));

  let calls = 0, ok = 0, uncoded = 0, runsOk = 0;
  const failed = (e) => {
    if (e !== sentinel && !(e && typeof e.code === 'string' && e.code.startsWith('NODEANO_NATIVE_'))) {
      uncoded++;
      if (uncoded < 5) console.error(`uncoded error: ${e && e.stack}`);
    }
  };
  const call = (f, isRun = false) => {
    calls++;
    try {
      const r = f();
      ok++;
      if (isRun) runsOk++;
      return r;
    } catch (e) {
      failed(e);
      return undefined;
    }
  };
  const pending = [];
  const callAsync = (f) => {
    calls++;
    let p;
    try {
      p = f();
    } catch (e) {
      uncoded++;
      console.error(`runAsync threw synchronously: ${e && e.stack}`);
      return;
    }
    pending.push(p.then(() => { ok++; runsOk++; }, failed));
  };
  const fns = ['info', 'kernels', 'createProgram', 'createPlan', 'run', 'runAsync', 'alloc', 'free', 'setThreads', 'getThreads', 'dispose', 'rawSgemm'];

  for (let it = 0; it < iterations; it++) {
    const mode = ri(10);
    if (mode < 3) {
      const f = pick(fns);
      const args = Array.from({ length: ri(4) }, weird);
      if (f === 'runAsync') callAsync(() => n.runAsync(...args));
      else if (f === 'setThreads') call(() => n.setThreads(pick([1, 2, 0, -1, 1e9, NaN, '2', 1.5])));
      else if (f === 'alloc') call(() => n.alloc(pick([0, 1, 64, 1000, -1, NaN, 2 ** 60, '8', 1.5])));
      else if (f !== 'rawSgemm') call(() => n[f](...args));
      continue;
    }
    const { slots, desc, constants, srcOf, nSteps, nUpdates } = randomProgram();
    if (mode === 3) desc.slots = mutateInts(desc.slots);
    if (mode === 4) desc.steps = mutateInts(desc.steps);
    if (mode === 5) desc.updates = mutateInts(desc.updates);
    if (mode === 6 && rnd() < 0.5) desc[pick(Object.keys(desc))] = weird();
    if (mode === 6 && rnd() < 0.3) desc.nInputs = pick([-1, 0, 1, 5, 1.5, 2 ** 40]);
    if (mode === 6 && rnd() < 0.3 && constants.length) desc.constants = [detached(Float32Array, 2)];
    const prog = call(() => n.createProgram(desc));
    if (!prog) continue;
    handles.push(prog);
    const shapes = [];
    slots.forEach((sl, i) => {
      if (sl[0] === CONSTANT) shapes.push([constants[sl[2]].length]);
      else if (sl[0] === TEMP && srcOf.get(i) !== undefined && rnd() < 0.85) shapes.push(shapes[srcOf.get(i)].slice());
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
    if (rnd() < 0.25) pd.skip = flags(nSteps);
    if (rnd() < 0.25) pd.inPlace = flags(nSteps);
    if (rnd() < 0.25) pd.sharedAlias = rnd() < 0.2 ? weird() : Int32Array.from({ length: ri(5) }, () => pick([-1, 0, 1, 2, 3, slots.length, 2 ** 30]));
    if (rnd() < 0.25) pd.resized = rnd() < 0.2 ? weird() : Int32Array.from({ length: ri(3) }, () => pick([-1, 0, 1, nUpdates, ri(nUpdates + 1)]));
    if (rnd() < 0.05) {
      const offsets = pd.offsets;
      Object.defineProperty(pd, 'offsets', { get: () => { if (rnd() < 0.5) throw sentinel; call(() => n.dispose(prog)); return offsets; } });
    }
    const r = call(() => n.createPlan(prog, pd));
    if (!r) continue;
    handles.push(r.plan);
    buffers.push(r.arena);
    if (handles.length > 50) handles.splice(0, 25);
    if (buffers.length > 50) buffers.splice(0, 25);
    const mk = (kind, count) =>
      Array.from({ length: count }, (_, ref) => {
        const slot = slots.findIndex((sl) => sl[0] === kind && sl[2] === ref);
        if (slot < 0 || rnd() < 0.06) return weird();
        const len = shapes[slot].reduce((a, b) => a * b, 1);
        const Ctor = CTORS[slots[slot][1]];
        if (rnd() < 0.04) return new Ctor(len + 1);
        if (rnd() < 0.1 && kind === SHARED) {
          const buf = n.alloc(len * Ctor.BYTES_PER_ELEMENT);
          buffers.push(buf);
          return new Ctor(buf);
        }
        return new Ctor(len);
      });
    for (let k = 0; k < 1 + ri(3); k++) {
      const args = [...mk(INPUT, desc.nInputs | 0), ...mk(SHARED, desc.nShared | 0)];
      const v = ri(6);
      if (v === 0) args.push(weird());
      else if (v === 1) args.pop();
      else if (v === 2 && args.length) args[ri(args.length)] = weird();
      const plan = rnd() < 0.05 ? weird() : r.plan;
      if (rnd() < 0.5) {
        call(() => n.run(plan, ...args), true);
      } else {
        callAsync(() => n.runAsync(plan, ...args));
        // while the run is in flight: detach or free its arrays, free the arena, dispose the plan
        if (rnd() < 0.3) for (const a of args) if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer) try { structuredClone(a.buffer, { transfer: [a.buffer] }); } catch {}
        if (rnd() < 0.2) for (const a of args) if (ArrayBuffer.isView(a)) call(() => n.free(a.buffer));
        if (rnd() < 0.2) call(() => n.free(r.arena));
        if (rnd() < 0.2) call(() => n.dispose(r.plan));
      }
    }
    if (rnd() < 0.3) call(() => n.dispose(pick(handles)));
    if (rnd() < 0.2 && buffers.length) call(() => n.free(pick(buffers)));
    if (it % 200 === 199) {
      await Promise.all(pending.splice(0));
      if (global.gc) global.gc();
    }
  }
  await Promise.all(pending.splice(0));
  console.log(`FUZZ-OK calls=${calls} ok=${ok} runsOk=${runsOk} uncoded=${uncoded}`);
}

// Workers load the addon, start async runs and are terminated while runs are in flight.
function workers() {
  const { Worker } = require('worker_threads');
  const N = 6;
  let exited = 0;
  const src = `
    const { parentPort, workerData } = require('worker_threads');
    const n = require(workerData.addonPath);
    const len = 1 << 20;
    const prog = n.createProgram(workerData.desc);
    const { plan } = n.createPlan(prog, workerData.pd);
    const W = new Float32Array(n.alloc(len * 4));
    (async () => {
      for (let k = 1; k <= 20; k++) {
        const p = n.runAsync(plan, new Float32Array(len).fill(k), W);
        if (k === 2) parentPort.postMessage('running');
        await p;
        if (W[len - 1] !== k) throw new Error('worker ' + workerData.i + ': W=' + W[len - 1] + ' after run ' + k);
      }
    })();`;
  const len = 1 << 20;
  for (let i = 0; i < N; i++) {
    const w = new Worker(src, { eval: true, workerData: { addonPath, i, desc: copyProgram(), pd: planDesc(copySlots, [[len], [len], [len], [len]]) } });
    w.on('message', () => { if (i % 2 === 0) w.terminate(); });
    w.on('error', (e) => { console.error(`worker ${i}: ${e && e.stack}`); process.exitCode = 3; });
    w.on('exit', () => { if (++exited === N && !process.exitCode) console.log(`WORKERS-OK ${N} workers, ${N / 2} terminated with a run in flight`); });
  }
}

// Programs, plans and alloc()'d buffers are freed when collected, disposed or freed: RSS stays flat over many rounds.
async function memory(n) {
  const slots = [[INPUT, F32, 0], [TEMP, F32, -1]];
  const desc = programDesc({ slots, steps: [{ kernel: 'Copy', ins: [0], outs: [1] }], constants: [new Float32Array(1024)], nInputs: 1, nShared: 0 });
  const round = async (k) => {
    const prog = n.createProgram(desc);
    const r = n.createPlan(prog, planDesc(slots, [[1 << 14], [1 << 14]]));
    const buf = n.alloc(1 << 16);
    n.run(r.plan, new Float32Array(buf));
    if (k % 3 === 0) await n.runAsync(r.plan, new Float32Array(buf));
    if (k % 2 === 0) {
      n.dispose(r.plan);
      n.dispose(prog);
    }
    if (k % 4 === 0) {
      n.free(buf);
      n.free(r.arena);
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
  console.log(`MEMORY-OK growthMiB=${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(1)}`);
}

// Fused register programs that are well formed except for one hostile field: counts near 2^31, -1, 2^30, past
// kMaxRegs / kMaxInputs; register indices at and past the bounds; unknown opcodes; truncated or padded ints; Const
// without floats. createPlan and run must return (coded errors or results), never crash. `opcodes` is
// ELEMWISE_OPCODES: index = opcode, '' (0) is Const; Clip and Where take a third operand.
function fusedFuzz(n, seed, programs, opcodes) {
  const { rnd, ri, pick } = xorshift(seed);
  const ternary = new Set([opcodes.indexOf('Clip'), opcodes.indexOf('Where')]);
  const huge = [2 ** 31 - 1, -1, 2 ** 30, -(2 ** 31), 2 ** 30 + 1, 128, 129, 127, 33, 32, 1e6];
  let ok = 0, coded = 0, uncoded = 0, runsOk = 0;
  const failed = (e) => {
    if (e && typeof e.code === 'string' && e.code.startsWith('NODEANO_NATIVE_')) coded++;
    else if (uncoded++ < 5) console.error(`uncoded error: ${e && e.stack}`);
  };
  for (let it = 0; it < programs; it++) {
    const nIn = ri(4), dtype = ri(2), len = pick([1, 4, 1000, 5000]);
    const nOps = rnd() < 0.15 ? 100 + ri(3000) : ri(8) + (nIn === 0 ? 1 : 0);
    const ints = [nIn, nOps];
    const floats = [0.5, -2];
    for (let k = 0; k < nOps; k++) {
      const r = nIn + k;
      const op = 1 + ri(opcodes.length - 1);
      ints.push(op, ri(r), ri(r));
      if (ternary.has(op)) ints.push(ri(r));
    }
    // one hostile change (sometimes none, so valid programs run too)
    const v = ri(12);
    if (v === 0) ints[1] = pick(huge);
    else if (v === 1) ints[0] = pick(huge);
    else if (v === 2 && ints.length > 2) ints[2 + ri(ints.length - 2)] = pick([...huge, -1, 0, nIn + nOps, nIn + nOps - 1, opcodes.length]);
    else if (v === 3) ints.length = ri(ints.length);
    else if (v === 4) ints.push(...Array.from({ length: 1 + ri(7) }, () => pick(huge)));
    else if (v === 5 && ints.length > 2) ints.splice(2 + 3 * ri(nOps || 1), 0, 0, pick([0, 1, 2, -1, 2 ** 31 - 1]), 0);  // a Const
    else if (v === 6) floats.length = 0;
    else if (v === 7) ints[1] = pick(huge), ints.push(...Array.from({ length: 3 * 500 }, (_, i) => (i % 3 === 0 ? 1 : ri(nIn + 1))));
    const slots = [];
    for (let i = 0; i < nIn; i++) slots.push([INPUT, dtype, i]);
    slots.push([TEMP, dtype, -1]);
    const ins = Array.from({ length: nIn }, (_, i) => i);
    let prog;
    try {
      prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Fused', ins, outs: [nIn], ints, floats }], nInputs: nIn, nShared: 0 }));
      ok++;
    } catch (e) {
      failed(e);
      continue;
    }
    let plan;
    try {
      plan = n.createPlan(prog, planDesc(slots, slots.map(() => [len]))).plan;
      ok++;
    } catch (e) {
      failed(e);
      continue;
    }
    const args = ins.map(() => new CTORS[dtype](len).map(() => rnd() * 2 - 1));
    try {
      n.run(plan, ...args);
      ok++;
      runsOk++;
    } catch (e) {
      failed(e);
    }
  }
  console.log(`FUSED-OK programs=${programs} ok=${ok} runsOk=${runsOk} coded=${coded} uncoded=${uncoded}`);
}

// setThreads(n) with the OS (simulated by NODEANO_TEST_MAX_THREADS) giving fewer threads: a large elementwise kernel
// split across the pool and a large Gemm (OpenBLAS threads) still return the right values. A hang shows as the
// parent's timeout, a wrong value as a missing line.
function threads(n, count) {
  n.setThreads(count);
  const len = 1 << 22;
  const slots = [[INPUT, F32, 0], [TEMP, F32, -1]];
  const prog = n.createProgram(programDesc({ slots, steps: [{ kernel: 'Sigmoid', ins: [0], outs: [1] }], nInputs: 1, nShared: 0 }));
  const { plan, arena } = n.createPlan(prog, planDesc(slots, [[len], [len]]));
  const x = new Float32Array(len).map((_, i) => (i % 17) - 8);
  for (let k = 0; k < 3; k++) n.run(plan, x);
  const y = new Float32Array(arena, 0, len);
  for (let i = 0; i < len; i++) {
    if (Math.abs(y[i] - 1 / (1 + Math.exp(-x[i]))) > 1e-6) {
      console.error(`sigmoid[${i}] = ${y[i]}`);
      process.exitCode = 4;
      return;
    }
  }
  const m = 512;
  const a = new Float32Array(m * m).map((_, i) => (i % 7) - 3), b = new Float32Array(m * m).map((_, i) => (i % 5) - 2);
  const c = new Float32Array(m * m);
  n.rawSgemm(a, b, c, m, m, m, false, false);
  const gslots = [[INPUT, F32, 0], [INPUT, F32, 1], [TEMP, F32, -1]];
  const gprog = n.createProgram(programDesc({ slots: gslots, steps: [{ kernel: 'Dot', ins: [0, 1], outs: [2] }], nInputs: 2, nShared: 0 }));
  const g = n.createPlan(gprog, planDesc(gslots, [[m, m], [m, m], [m, m]]));
  n.run(g.plan, a, b);
  const d = new Float32Array(g.arena, 0, m * m);
  for (const i of [0, 1, m + 3, m * m - 1]) {
    let ref = 0;
    const row = Math.floor(i / m), col = i % m;
    for (let k = 0; k < m; k++) ref += a[row * m + k] * b[k * m + col];
    if (d[i] !== ref || c[i] !== ref) {
      console.error(`dot[${i}] = ${d[i]} (rawSgemm ${c[i]}), expected ${ref}`);
      process.exitCode = 4;
      return;
    }
  }
  console.log(`THREADS-OK set=${count} read=${n.getThreads()}`);
}

// Scan programs and plans (native/kernels/scan_loop.cc), h[t] = h[t-lag] + x[t+off] forwards or backwards, with one
// hostile change each (attribute ints, iterations, shapes, body outputs, body indices) or none. Every error must be
// coded; well-formed ones run and give the reference's values.
function scanFuzz(n, seed, cases) {
  const { rnd, ri, pick } = xorshift(seed);
  const huge = [2 ** 31 - 1, -1, 2 ** 30, -(2 ** 31), 2 ** 20 + 1, 3, 0];
  let ok = 0, coded = 0, uncoded = 0, runsOk = 0, wrong = 0;
  const failed = (e) => {
    if (e && typeof e.code === 'string' && e.code.startsWith('NODEANO_NATIVE_')) coded++;
    else if (uncoded++ < 5) console.error(`uncoded error: ${e && e.stack}`);
  };
  for (let c = 0; c < cases; c++) {
    const steps = ri(6), w = 1 + ri(5), off = ri(3), lag = 1 + ri(3), reverse = ri(2), last = rnd() < 0.3;
    const L = last ? 1 : lag;
    const ints = [1, 1, 0, reverse, 0, 1, off, 1, L, last ? 1 : 0, -1, 0];
    const bodySlots = [[INPUT, F32, 0], [INPUT, F32, 1], [TEMP, F32, -1]];
    const outerSlots = [[INPUT, F32, 0], [INPUT, F32, 1], [TEMP, F32, -1]];
    let bodyOutputs = [2], bodies = [0, 0], iterations = steps, step = 0, direct = [2];
    const outerShapes = [[steps + off, w], [L + ri(2), w], last ? [w] : [steps, w]];
    const bodyShapes = [[w], [w], [w]];
    const v = ri(10);
    if (v === 0) ints[ri(ints.length)] = pick(huge);
    else if (v === 1) ints.length = ri(ints.length);
    else if (v === 2) ints.push(...Array.from({ length: 1 + ri(4) }, () => pick(huge)));
    else if (v === 3) iterations = pick([steps + 1, steps + off + 1, 2 ** 31 - 1, -1, 1.5, 0]);
    else if (v === 4) pick([outerShapes, bodyShapes])[ri(3)] = pick([[], [0], [1, w + 1], [2 ** 30, 2 ** 30], [0, 2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1]]);
    else if (v === 5) bodyOutputs = pick([[], [0], [1], [2, 2], [7], [-1]]);
    else if (v === 6) bodies = pick([[], [0], [0, 1], [1, 0], [0, 0, 0, 0]]);
    else if (v === 7) step = pick([1, -1, 2 ** 31]);
    else if (v === 8) direct = pick([[], [0], [2, 2], [1]]);
    let prog;
    try {
      const body = { ...programDesc({ slots: bodySlots, steps: [{ kernel: 'Add', ins: [0, 1], outs: [2] }], nInputs: 2, nShared: 0 }), outputs: Int32Array.from(bodyOutputs) };
      prog = n.createProgram({ ...programDesc({ slots: outerSlots, steps: [{ kernel: 'Scan', ins: [0, 1], outs: [2], ints }], nInputs: 2, nShared: 0 }), outputs: Int32Array.of(2), subprograms: [body], bodies: Int32Array.from(bodies) });
      ok++;
    } catch (e) {
      failed(e);
      continue;
    }
    const bodyPlan = planDesc(bodySlots, bodyShapes);
    for (const s of direct) if (s >= 0 && s < 3) bodyPlan.offsets[s] = -1;
    bodyPlan.outputs = Int32Array.from(direct);
    const outerPlan = { ...planDesc(outerSlots, outerShapes), offsets: Float64Array.from([-1, -1, -1]), arenaBytes: 0, outputs: Int32Array.of(2) };
    outerPlan.bodies = [{ step, iterations, plan: bodyPlan }];
    let plan;
    try {
      plan = n.createPlan(prog, outerPlan).plan;
      ok++;
    } catch (e) {
      failed(e);
      continue;
    }
    const size = (s) => s.reduce((a, b) => a * b, 1);
    const x = new Float32Array(size(outerShapes[0])).map(() => ri(10));
    const h0 = new Float32Array(size(outerShapes[1])).map(() => ri(10));
    const out = new Float32Array(size(outerShapes[2]));
    try {
      n.run(plan, x, h0, out);
      ok++;
      runsOk++;
    } catch (e) {
      failed(e);
      continue;
    }
    if (v !== 9) continue;
    // the reference, for the untouched cases
    const rows = outerShapes[1][0], hist = [];
    for (let k = 0; k < steps; k++) {
      const t = reverse ? steps - 1 - k : k;
      // before the first step, the initial value's rows: the last L ones forwards, the first L ones backwards
      const r0 = reverse ? L - 1 - k : rows - L + k;
      const prev = k >= L ? hist[k - L] : h0.subarray(r0 * w, (r0 + 1) * w);
      const cur = Float32Array.from({ length: w }, (_, j) => prev[j] + x[(t + off) * w + j]);
      hist.push(cur);
    }
    const want = last ? (steps ? hist[steps - 1] : h0.subarray((reverse ? 0 : rows - 1) * w, (reverse ? 1 : rows) * w)) : new Float32Array(steps * w);
    if (!last) hist.forEach((hv, k) => want.set(hv, (reverse ? steps - 1 - k : k) * w));
    if (want.some((y, i) => y !== out[i]) && wrong++ < 3) console.error(`wrong values: steps ${steps} w ${w} off ${off} lag ${L} reverse ${reverse} last ${last}: ${Array.from(out)} vs ${Array.from(want)}`);
  }
  console.log(`SCAN-OK cases=${cases} ok=${ok} runsOk=${runsOk} coded=${coded} uncoded=${uncoded} wrong=${wrong}`);
}

const n = mode === 'workers' ? null : require(addonPath);
if (mode === 'fuzz') fuzz(n, Number(rest[0]), Number(rest[1]));
else if (mode === 'workers') workers();
else if (mode === 'memory') memory(n);
else if (mode === 'fused') fusedFuzz(n, Number(rest[0]), Number(rest[1]), JSON.parse(rest[2]));
else if (mode === 'threads') threads(n, Number(rest[0]));
else if (mode === 'scan') scanFuzz(n, Number(rest[0]), Number(rest[1]));
else {
  console.error(`unknown mode ${mode}`);
  process.exitCode = 2;
}
