import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { ElemwiseOp, fusable } from '../../lib/ops/elemwise';
import { nativeAvailable, nativeHas } from '../helpers';

// Every elementwise op, native against the TypeScript reference: random shapes with broadcasting, every dtype the op
// accepts, values salted with edge values (0, -0, ±inf, NaN, ±1e30, int32 extremes), empty tensors, and fused chains.
const d = nativeAvailable ? describe : describe.skip;

type Build = (...xs: T.Variable[]) => T.Variable;
interface OpCase {
  name: string;
  kernel: string;
  arity: 1 | 2 | 3;
  f: Build;
  /** float32 results within a few ulp (our float32 approximations, libm vs V8) instead of bit for bit. */
  approx?: boolean;
}

const u = (name: string, kernel: string, f: Build, approx = false): OpCase => ({ name, kernel, arity: 1, f, approx });
const b = (name: string, kernel: string, f: Build, approx = false): OpCase => ({ name, kernel, arity: 2, f, approx });

const OPS: OpCase[] = [
  u('neg', 'Neg', T.neg), u('sqr', 'Sqr', T.sqr), u('sqrt', 'Sqrt', T.sqrt, true), u('exp', 'Exp', T.exp, true),
  u('log', 'Log', T.log, true), u('abs', 'Abs', T.abs), u('sign', 'Sign', T.sign), u('tanh', 'Tanh', T.tanh, true),
  u('sigmoid', 'Sigmoid', T.sigmoid, true), u('exp2', 'Exp2', T.exp2, true), u('expm1', 'Expm1', T.expm1, true),
  u('log2', 'Log2', T.log2, true), u('log10', 'Log10', T.log10, true), u('log1p', 'Log1p', T.log1p, true),
  u('sin', 'Sin', T.sin, true), u('cos', 'Cos', T.cos, true), u('tan', 'Tan', T.tan, true),
  u('arcsin', 'Arcsin', T.arcsin, true), u('arccos', 'Arccos', T.arccos, true), u('arctan', 'Arctan', T.arctan, true),
  u('sinh', 'Sinh', T.sinh, true), u('cosh', 'Cosh', T.cosh, true), u('erf', 'Erf', T.erf, true),
  u('softplus', 'Softplus', T.softplus, true), u('floor', 'Floor', T.floor), u('ceil', 'Ceil', T.ceil), u('round', 'Round', T.round),
  u('relu', 'Relu', (x) => T.relu(x)), u('leaky relu', 'Relu', (x) => T.relu(x, 0.1)),
  u('elu', 'Elu', (x) => T.elu(x), true), u('elu alpha 0.5', 'Elu', (x) => T.elu(x, 0.5), true), u('selu', 'Selu', T.selu, true),
  u('gelu', 'Gelu', T.gelu, true), u('hardSigmoid', 'HardSigmoid', T.hardSigmoid),
  u('logicalNot', 'Not', T.logicalNot), u('isnan', 'IsNan', T.isnan), u('isinf', 'IsInf', T.isinf),
  u('cast float32', 'Cast', (x) => T.cast(x, 'float32')), u('cast float64', 'Cast', (x) => T.cast(x, 'float64')),
  u('cast int32', 'Cast', (x) => T.cast(x, 'int32')), u('cast bool', 'Cast', (x) => T.cast(x, 'bool')),
  b('add', 'Add', T.add), b('sub', 'Sub', T.sub), b('mul', 'Mul', T.mul), b('div', 'Div', T.div), b('pow', 'Pow', T.pow, true),
  b('maximum', 'Maximum', T.maximum), b('minimum', 'Minimum', T.minimum), b('arctan2', 'Arctan2', T.arctan2, true),
  b('intDiv', 'IntDiv', T.intDiv), b('mod', 'Mod', T.mod),
  b('eq', 'Eq', T.eq), b('neq', 'Neq', T.neq), b('lt', 'Lt', T.lt), b('le', 'Le', T.le), b('gt', 'Gt', T.gt), b('ge', 'Ge', T.ge),
  b('logicalAnd', 'And', T.logicalAnd), b('logicalOr', 'Or', T.logicalOr), b('logicalXor', 'Xor', T.logicalXor),
  { name: 'where', kernel: 'Where', arity: 3, f: T.where },
  { name: 'clip', kernel: 'Clip', arity: 3, f: T.clip },
];

// Every other fusable op (one added later, declared only in its op file) is checked as well, through its op instance;
// heavy ones (libm against V8's Math) within a few float32 ulp.
for (const spec of fusable.values()) {
  if (OPS.some((c) => c.kernel === spec.kernel)) continue;
  const op = new ElemwiseOp(spec);
  OPS.push({ name: spec.name, kernel: spec.kernel, arity: spec.arity, f: (...xs) => op.makeNode(...xs).outputs[0], approx: !!spec.heavy });
}

const DTYPES: T.DType[] = ['float32', 'float64', 'int32', 'bool'];
const FLOAT_EDGES = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e30, 0.5, -0.5, 2.5, -3, 1, -1, 100];
const INT_EDGES = [0, 1, -1, 2, -2, 7, -7, 2147483647, -2147483648, 46341, 3];

/** Random values of a dtype, about a third of them edge values. */
function values(shape: number[], dt: T.DType, seed: number): T.NDArray {
  const rng = new T.RandomState(seed);
  const n = shape.reduce((p, v) => p * v, 1);
  const pick = rng.uniform(0, 1, [Math.max(n, 1)]).data;
  const r = rng.uniform(-4, 4, [Math.max(n, 1)]).data;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const edge = pick[i] < 0.35;
    const k = Math.floor(pick[i] * 1000);
    if (dt === 'bool') out.push(pick[i] < 0.5 ? 0 : 1);
    else if (dt === 'int32') out.push(edge ? INT_EDGES[k % INT_EDGES.length] : Math.round(r[i] * 3));
    else out.push(edge ? FLOAT_EDGES[k % FLOAT_EDGES.length] : r[i]);
  }
  return T.array(out, { dtype: dt }).reshape(shape);
}

/** The spacing of float32 numbers at v (2^-149 among the subnormals). */
function ulp32(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

/**
 * Exact agreement (NaN with NaN, -0 with -0), or within a few ulp / 1e-11 relative where `approx` (float64: the
 * TypeScript erf/erfc formulas and libm differ by ~1e-12 relative in gelu's negative tail); 'chain' allows
 * for a last-bit difference that later ops amplify by cancellation (1e-4 / 1e-9 of max(1, |value|)).
 */
function sameValues(nat: T.NDArray, js: T.NDArray, approx: boolean | 'chain', label: string): void {
  expect(nat.dtype, label).toBe(js.dtype);
  expect(nat.shape, label).toEqual(js.shape);
  for (let i = 0; i < js.size; i++) {
    const [x, y] = [nat.data[i], js.data[i]];
    if (Object.is(x, y)) continue;
    const msg = `${label}: element ${i}: native ${x}, TypeScript ${y}`;
    if (!approx || !Number.isFinite(y) || !Number.isFinite(x)) expect(x, msg).toBe(y);
    const f32 = js.dtype === 'float32';
    const tol = approx === 'chain' ? (f32 ? 1e-4 : 1e-9) * Math.max(1, Math.abs(y)) : f32 ? 4 * ulp32(y) : 1e-11 * Math.max(Math.abs(y), 1e-300);
    expect(Math.abs(x - y), msg).toBeLessThanOrEqual(tol);
  }
}

function agree(c: OpCase, inputs: T.NDArray[], label: string): void {
  const vars = inputs.map((v, i) => T.tensor(v.dtype, v.shape.map(() => null), `x${i}`));
  const out = c.f(...vars);
  const js = T.function(vars, out, { backend: 'js', onUnusedInput: 'ignore' });
  const nat = T.function(vars, out, { backend: 'native', onUnusedInput: 'ignore' });
  sameValues(nat(...inputs) as T.NDArray, js(...inputs) as T.NDArray, !!c.approx, label);
}

const shape = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 4 });
/** Shapes that broadcast to `s`: some dims 1, some leading dims dropped. */
const broadcastOf = (s: number[]) =>
  fc.tuple(fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length })).map(([ones, drop]) =>
    s.map((v, i) => (ones[i] ? 1 : v)).slice(drop),
  );

d('every elementwise op: native agrees with the TypeScript reference', () => {
  it('covers every fusable elementwise op and every kernel has a native implementation', () => {
    const kernels = new Set(OPS.map((c) => c.kernel));
    for (const spec of fusable.values()) expect(kernels.has(spec.kernel), `${spec.kernel} missing from OPS`).toBe(true);
    expect(nativeHas(...kernels)).toBe(true);
  });

  for (const c of OPS) {
    for (const dt of DTYPES) {
      it(`${c.name} on ${dt} with broadcasting and edge values`, () => {
        fc.assert(
          fc.property(
            shape.chain((s) => fc.tuple(fc.constant(s), fc.array(broadcastOf(s), { minLength: c.arity, maxLength: c.arity }), fc.integer({ min: 0, max: c.arity - 1 }))),
            fc.integer({ min: 0, max: 1e6 }),
            ([s, shapes, full], seed) => {
              shapes[full] = s; // one operand has the whole shape, so the output is s
              // where's cond is bool, as users write it; clip gets lo <= hi most of the time but not always
              const ins = shapes.map((sh, i) => values(sh, c.name === 'where' && i === 0 ? 'bool' : dt, seed + i));
              agree(c, ins, `${c.name} ${dt} ${JSON.stringify(shapes)}`);
            },
          ),
          { numRuns: 12 },
        );
      });
    }
  }

  it('every op on edge values against every edge value, in float32, float64 and int32', () => {
    for (const dt of ['float32', 'float64', 'int32'] as const) {
      const edges = dt === 'int32' ? INT_EDGES : FLOAT_EDGES;
      const n = edges.length;
      const col = T.array(edges, { dtype: dt }).reshape([n, 1]);
      const row = T.array(edges, { dtype: dt }).reshape([1, n]);
      const mid = T.array(edges.map((_, i) => edges[(i * 5) % n]), { dtype: dt }).reshape([n, 1, 1]);
      for (const c of OPS) {
        const ins = c.arity === 1 ? [col] : c.arity === 2 ? [col, row] : [mid, col, row];
        agree(c, ins, `${c.name} ${dt} edges`);
      }
    }
  });

  it('every op maps empty tensors to empty tensors', () => {
    for (const dt of DTYPES) {
      for (const c of OPS) {
        const ins = Array.from({ length: c.arity }, (_, i) => T.zeros(i === 0 ? [0, 3] : [1, 3], dt));
        agree(c, ins, `${c.name} ${dt} empty`);
      }
    }
  });

  it('large tensors split across threads agree too (the parallel block loop)', () => {
    const x = values([300, 1000], 'float32', 1);
    const y = values([1000], 'float32', 2);
    for (const c of OPS.filter((o) => o.arity === 2 && !['Add', 'Sub', 'Mul', 'Div', 'Pow'].includes(o.kernel))) agree(c, [x, y], `${c.name} large`);
    agree(OPS.find((o) => o.name === 'gelu')!, [x], 'gelu large');
  });

  it('fused chains containing the new opcodes run as one native Fused kernel and agree', () => {
    const unaryFusable = OPS.filter((c) => c.arity === 1 && fusableKernel(c.kernel) && c.name !== 'leaky relu' && c.name !== 'elu alpha 0.5');
    const binaryFusable = OPS.filter((c) => c.arity === 2 && fusableKernel(c.kernel));
    fc.assert(
      fc.property(
        shape.chain((s) => fc.tuple(fc.constant(s), broadcastOf(s))),
        fc.constantFrom<T.DType>('float32', 'float64'),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 0, max: 1e6 }),
        ([s, bs], dt, picks, seed) => {
          // x -> u1(x) -> b1(., y) -> u2(.) ... : a chain alternating unary ops and binary ops with the broadcast y
          const build = (x: T.Variable, y: T.Variable) => {
            let v = x;
            picks.forEach((p, k) => {
              v = k % 2 === 0 ? unaryFusable[p % unaryFusable.length].f(v) : binaryFusable[p % binaryFusable.length].f(v, y);
            });
            return v;
          };
          const xv = values(s, dt, seed);
          const yv = values(bs, dt, seed + 1);
          const vars = [T.tensor(dt, s.map(() => null)), T.tensor(dt, bs.map(() => null))];
          const out = build(vars[0], vars[1]);
          const nat = T.function(vars, out, { backend: 'native', onUnusedInput: 'ignore' });
          const js = T.function(vars, out, { backend: 'js', onUnusedInput: 'ignore' });
          const used = picks.map((p, k) => (k % 2 === 0 ? unaryFusable[p % unaryFusable.length] : binaryFusable[p % binaryFusable.length]));
          expect(nat.program.steps.filter((st) => st.kernel !== 'Fused' && used.some((c) => c.kernel === st.kernel)).length, 'every op fused').toBe(0);
          // a chain of transcendental ops may amplify a last-bit difference: compare approximately
          sameValues(nat(xv, yv) as T.NDArray, js(xv, yv) as T.NDArray, used.some((c) => c.approx) ? 'chain' : false, `chain ${used.map((c) => c.name).join(' > ')}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a Fused program with every fusable opcode runs natively', () => {
    for (const dt of ['float32', 'float64'] as const) {
      const x = T.tensor(dt, [null]);
      const y = T.tensor(dt, [null]);
      const cases = OPS.filter((c) => c.arity <= 2 && fusableKernel(c.kernel) && c.name !== 'leaky relu' && c.name !== 'elu alpha 0.5');
      for (const c of cases) {
        const out = T.mul(c.arity === 1 ? c.f(T.add(x, y)) : c.f(T.add(x, 0.5), y), 2);
        const nat = T.function([x, y], out, { backend: 'native' });
        const fused = nat.program.steps.find((st) => st.kernel === 'Fused');
        expect(fused, `${c.name} fused`).toBeDefined();
        const xv = values([40], dt, 3);
        const yv = values([40], dt, 4);
        sameValues(nat(xv, yv) as T.NDArray, T.function([x, y], out, { backend: 'js' })(xv, yv) as T.NDArray, !!c.approx, `fused ${c.name} ${dt}`);
      }
    }
  });

  it('leaky relu and elu with a non-default alpha do not fuse (the bytecode has no parameters) but still agree', () => {
    const x = T.fvector();
    const out = T.mul(T.relu(T.add(x, 1), 0.2), 3);
    const nat = T.function([x], out, { backend: 'native' });
    expect(nat.program.steps.some((st) => st.kernel === 'Relu')).toBe(true);
    agree({ name: 'leaky', kernel: 'Relu', arity: 1, f: (v) => T.mul(T.relu(T.add(v, 1), 0.2), 3) }, [values([50], 'float32', 9)], 'leaky relu chain');
  });
});

function fusableKernel(kernel: string): boolean {
  for (const spec of fusable.values()) if (spec.kernel === kernel) return true;
  return false;
}
