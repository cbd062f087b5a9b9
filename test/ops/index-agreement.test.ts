import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { nativeHas } from '../helpers';

// Native indexing kernels against the TypeScript reference on random shapes, slices (negative steps, clamped and
// empty ranges) and index tensors; every result compared bit for bit (the kernels move data, they do no arithmetic
// except the increments, which add in the same order).
const d = nativeHas('Subtensor', 'IncSubtensor', 'Take', 'IncTake') ? describe : describe.skip;

function agree(vars: T.Variable[], out: T.Variable, values: T.NDArray[]): void {
  const js = T.function(vars, out, { backend: 'js', onUnusedInput: 'ignore' })(...values) as T.NDArray;
  const nat = T.function(vars, out, { backend: 'native', onUnusedInput: 'ignore' })(...values) as T.NDArray;
  expect(nat.dtype).toBe(js.dtype);
  expect(nat.shape).toEqual(js.shape);
  expect(Array.from(nat.data)).toEqual(Array.from(js.data));
}

const dtype = fc.constantFrom<T.DType>('float32', 'float64', 'int32');
const shape = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 });

function randomArray(s: number[], dt: T.DType, seed: number): T.NDArray {
  const v = new T.RandomState(seed).uniform(-9, 9, s);
  return T.array(dt === 'int32' ? Array.from(v.data, Math.round) : v, { dtype: dt }).reshape(s);
}

const bound = fc.option(fc.integer({ min: -8, max: 8 }), { nil: null });
const sliceOf = fc.tuple(bound, bound, fc.constantFrom(1, 2, 3, -1, -2, -3)).map(([a, b, s]) => [a, b, s] as T.SliceSpec);

/** Per axis: the whole axis, a slice, or (for non-empty axes) an integer within range. */
const specFor = (s: number[]) =>
  fc.tuple(...s.map((n) => (n > 0 ? fc.oneof(fc.constant(null), sliceOf, fc.integer({ min: -n, max: n - 1 })) : fc.oneof(fc.constant(null), sliceOf)))) as fc.Arbitrary<T.SliceSpec[]>;

/** The region shape of a spec, computed by the library itself on a static-shaped input. */
const regionOf = (s: number[], spec: T.SliceSpec[]) => T.slice(T.tensor('float64', s), ...spec).staticShape as number[];

d('native indexing kernels agree with the TypeScript reference', () => {
  it('slice on random shapes and specs (empty results and negative steps included)', () => {
    fc.assert(
      fc.property(shape.chain((s) => fc.tuple(fc.constant(s), specFor(s))), dtype, fc.integer({ min: 0, max: 1e6 }), ([s, spec], dt, seed) => {
        const x = T.tensor(dt, s.map(() => null), 'x');
        agree([x], T.slice(x, ...spec), [randomArray(s, dt, seed)]);
      }),
      { numRuns: 80 },
    );
  });
  it('setSubtensor and incSubtensor with y broadcast to the region', () => {
    fc.assert(
      fc.property(shape.chain((s) => fc.tuple(fc.constant(s), specFor(s))), dtype, fc.boolean(), fc.integer({ min: 0, max: 1e6 }), ([s, spec], dt, set, seed) => {
        const r = regionOf(s, spec);
        const ys = r.map((n, i) => (seed >> i) & 1 ? 1 : n).slice(seed % (r.length + 1) === 0 ? 1 : 0);
        const x = T.tensor(dt, s.map(() => null), 'x');
        const y = T.tensor(dt, ys.map(() => null), 'y');
        const out = set ? T.setSubtensor(x, spec, y) : T.incSubtensor(x, spec, y);
        agree([x, y], out, [randomArray(s, dt, seed), randomArray(ys, dt, seed + 1)]);
      }),
      { numRuns: 80 },
    );
  });
  it('take and its scatter forms along a random axis, with negative and repeated indices', () => {
    fc.assert(
      fc.property(
        shape.map((s) => s.map((n) => n || 1)),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
        fc.nat(3),
        dtype,
        fc.constantFrom('take', 'inc', 'set'),
        fc.integer({ min: 0, max: 1e6 }),
        (s, is, ax, dt, kind, seed) => {
          const axis = ax % s.length;
          const n = s[axis];
          const rng = new T.RandomState(seed + 2);
          const idx = T.array(Array.from(rng.uniform(0, 1, [is.reduce((a, b) => a * b, 1)]).data, (u) => Math.floor(u * 2 * n) - n), { dtype: 'int32' }).reshape(is);
          const x = T.tensor(dt, s.map(() => null), 'x');
          const i = T.tensor('int32', is.map(() => null), 'i');
          if (kind === 'take') return agree([x, i], T.take(x, i, axis), [randomArray(s, dt, seed), idx]);
          const ys = [...s.slice(0, axis), ...is, ...s.slice(axis + 1)].map((m, k) => ((seed >> k) & 1 ? 1 : m));
          const y = T.tensor(dt, ys.map(() => null), 'y');
          const out = kind === 'set' ? T.setSubtensor(x, i, y, { axis }) : T.incSubtensor(x, i, y, { axis });
          agree([x, i, y], out, [randomArray(s, dt, seed), idx, randomArray(ys, dt, seed + 1)]);
        },
      ),
      { numRuns: 80 },
    );
  });
  it('gradients of slice and take (scatter-adds into zeros) agree', () => {
    fc.assert(
      fc.property(shape.chain((s) => fc.tuple(fc.constant(s), specFor(s))), fc.integer({ min: 0, max: 1e6 }), ([s, spec], seed) => {
        const x = T.tensor('float64', s.map(() => null), 'x');
        const y = T.slice(x, ...spec);
        const g = T.grad(T.sum(y.mul(y)), x);
        agree([x], g, [randomArray(s, 'float64', seed)]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('symbolic bounds', () => {
  const backendsHere = ['js', ...(nativeHas('Subtensor', 'IncSubtensor') ? ['native'] : [])] as ('js' | 'native')[];
  it('give the results of the same constant bounds, on every backend', () => {
    fc.assert(
      fc.property(shape.chain((s) => fc.tuple(fc.constant(s), specFor(s))), fc.integer({ min: 0, max: 1e6 }), ([s, spec], seed) => {
        const x = T.tensor('float64', s.map(() => null), 'x');
        const scalars: T.Variable[] = [];
        const values: number[] = [];
        const symbolic = (v: number | null) => {
          if (v === null) return null;
          const sv = T.iscalar(`b${scalars.length}`);
          scalars.push(sv);
          values.push(v);
          return sv;
        };
        const symSpec = spec.map((a) => (Array.isArray(a) ? [symbolic(a[0] as number | null), symbolic(a[1] as number | null), a[2]] : typeof a === 'number' ? symbolic(a) : a)) as T.SliceSpec[];
        const xv = randomArray(s, 'float64', seed);
        const want = T.function([x], [T.slice(x, ...spec), T.grad(T.sum(T.slice(x, ...spec).sqr()), x)], { backend: 'js' })(xv) as T.NDArray[];
        const y = T.slice(x, ...symSpec);
        for (const backend of backendsHere) {
          const got = T.function([x, ...scalars], [y, T.grad(T.sum(y.sqr()), x)], { backend, onUnusedInput: 'ignore' })(xv, ...values) as T.NDArray[];
          got.forEach((g, k) => {
            expect(g.shape).toEqual(want[k].shape);
            expect(Array.from(g.data)).toEqual(Array.from(want[k].data));
          });
        }
      }),
      { numRuns: 60 },
    );
  });
});
