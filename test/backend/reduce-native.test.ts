import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { ArgReduceOp } from '../../lib/ops/argmax';
import { SoftmaxOp } from '../../lib/ops/softmax';
import { nativeHas } from '../helpers';

// Every reduction (and scan, and softmax) on the native backend against the TypeScript reference: random shapes of
// rank 0-4 with empty and size-1 dims, random axis subsets, keepdims, all four dtypes, and edge values.
const KERNELS = ['Sum', 'Mean', 'Max', 'Min', 'Prod', 'Argmax', 'Argmin', 'All', 'Any', 'Logsumexp', 'Cumsum', 'Cumprod', 'Softmax', 'LogSoftmax'];
const d = nativeHas(...KERNELS) ? describe : describe.skip;

type DT = 'float32' | 'float64' | 'int32' | 'bool';
const TYPED = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };

/**
 * Values for exact comparisons: ties (small integers), NaN, ±inf, ±0 and huge magnitudes for floats; the int32
 * extremes for int32.
 */
const exactValue = (dt: DT): fc.Arbitrary<number> => {
  if (dt === 'bool') return fc.integer({ min: 0, max: 1 });
  if (dt === 'int32') return fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(2147483647, -2147483648, 65536), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
  const huge = dt === 'float32' ? 3e38 : 1e300;
  return fc.oneof(
    { arbitrary: fc.integer({ min: -3, max: 3 }), weight: 4 },
    { arbitrary: fc.double({ min: -100, max: 100, noNaN: true }), weight: 4 },
    { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, huge, -huge, 1e-30), weight: 1 },
  );
};

/**
 * Values whose sums and products do not depend on the order of the operations beyond rounding (no cancellation of
 * huge terms, no overflow or underflow of a product of up to 625 factors): halves in [-2, 2] and random doubles in
 * [-2, 2], with NaN and ±inf now and then.
 */
const orderFreeValue = (dt: DT): fc.Arbitrary<number> => {
  if (dt === 'bool') return fc.integer({ min: 0, max: 1 });
  if (dt === 'int32') return fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
  return fc.oneof(
    { arbitrary: fc.integer({ min: -4, max: 4 }).map((v) => v / 2), weight: 4 },
    { arbitrary: fc.double({ min: -2, max: 2, noNaN: true }).filter((v) => v === 0 || Math.abs(v) > 0.5), weight: 4 },
    { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity), weight: 1 },
  );
};

const dimArb = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 5 }), weight: 6 }, { arbitrary: fc.constant(0), weight: 1 });
const shapeArb = fc.array(dimArb, { minLength: 0, maxLength: 4 });

/** A tensor of shape s and dtype dt with values from `value`. */
const tensorArb = (dtArb: fc.Arbitrary<DT>, value: (dt: DT) => fc.Arbitrary<number>) =>
  fc.tuple(shapeArb, dtArb).chain(([s, dt]) => {
    const n = s.reduce((p, v) => p * v, 1);
    return fc.array(value(dt), { minLength: n, maxLength: n }).map((vs) => T.array(new TYPED[dt](vs), { dtype: dt, shape: s }));
  });

/** Axes for a tensor of rank r: undefined (all), a single axis (maybe negative) or a list of distinct axes. */
const axesArb = (r: number): fc.Arbitrary<number | number[] | undefined> => {
  const all = Array.from({ length: r }, (_, i) => i);
  return fc.oneof(
    fc.constant(undefined),
    r ? fc.integer({ min: -r, max: r - 1 }) : fc.constant(undefined),
    fc.subarray(all).chain((a) => fc.tuple(...a.map((v) => fc.constantFrom(v, v - r)))).chain((a) => fc.shuffledSubarray(a, { minLength: a.length, maxLength: a.length })),
  );
};

type Outcome = { value: T.NDArray } | { error: Error };

function evaluate(v: T.Variable, out: T.Variable, x: T.NDArray, backend: 'js' | 'native'): Outcome {
  try {
    return { value: T.function([v], out, { backend })(x) as T.NDArray };
  } catch (e) {
    return { error: e as Error };
  }
}

/** Both backends give the same dtype, shape and values (exactly, or within tol), or both throw the same error class. */
function agree(build: (x: T.Variable) => T.Variable, x: T.NDArray, tol: number | 'exact'): void {
  const v = T.tensor(x.dtype, x.shape.map(() => null), 'x');
  let out: T.Variable;
  try {
    out = build(v);
  } catch {
    return; // refused at build time (the same for both backends): the op tests cover those errors
  }
  const js = evaluate(v, out, x, 'js');
  const nat = evaluate(v, out, x, 'native');
  if ('error' in js) {
    expect('error' in nat, `native succeeded where js threw ${js.error.message}`).toBe(true);
    expect((nat as { error: Error }).error.constructor).toBe(js.error.constructor);
    return;
  }
  if ('error' in nat) throw nat.error;
  const [a, b] = [nat.value, js.value];
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  for (let i = 0; i < b.size; i++) {
    const [p, q] = [a.data[i], b.data[i]];
    const ok = p === q || (p !== p && q !== q) || (tol !== 'exact' && Number.isFinite(q) && Math.abs(p - q) <= tol * Math.max(1, Math.abs(q)));
    if (!ok) expect(p, `element ${i} of ${a.shape} (js ${q})`).toBe(q);
  }
}

const tolOf = (dt: T.DType, scale = 1) => (dt === 'float32' ? 2e-6 : 1e-11) * scale;
const anyDtype = fc.constantFrom<DT>('float32', 'float64', 'int32', 'bool');
const floatDtype = fc.constantFrom<DT>('float32', 'float64');
const RUNS = { numRuns: 150 };

/** A property over a random tensor, random axes and keepdims. */
const reduceCase = (dts: fc.Arbitrary<DT>, value: (dt: DT) => fc.Arbitrary<number>) =>
  tensorArb(dts, value).chain((x) => fc.tuple(fc.constant(x), axesArb(x.ndim), fc.boolean()));

type Reduce = (x: T.Variable, axis?: number | number[], opts?: { keepdims?: boolean }) => T.Variable;

d('native reductions agree with the TypeScript reference', () => {
  const exact: [string, Reduce][] = [
    ['max', T.max],
    ['min', T.min],
    ['all', T.all],
    ['any', T.any],
  ];
  for (const [name, f] of exact) {
    it(`${name} exactly, on every dtype, NaN and ±inf included, over any axes`, () => {
      fc.assert(fc.property(reduceCase(anyDtype, exactValue), ([x, axes, keepdims]) => agree((v) => f(v, axes, { keepdims }), x, 'exact')), RUNS);
    });
  }

  it('sum and prod of int32 and bool exactly (wrapping), over any axes', () => {
    fc.assert(
      fc.property(reduceCase(fc.constantFrom<DT>('int32', 'bool'), exactValue), fc.boolean(), ([x, axes, keepdims], isProd) =>
        agree((v) => (isProd ? T.prod : T.sum)(v, axes, { keepdims }), x, 'exact'),
      ),
      RUNS,
    );
  });

  const rounded: [string, Reduce, number][] = [
    ['sum', T.sum, 1],
    ['mean', T.mean, 1],
    ['prod', T.prod, 1],
    ['logsumexp', T.logsumexp, 4],
    ['var', T.var as Reduce, 64],
    ['std', T.std as Reduce, 64],
  ];
  for (const [name, f, scale] of rounded) {
    it(`${name} within rounding, on every dtype, NaN and ±inf included, over any axes`, () => {
      fc.assert(
        fc.property(reduceCase(anyDtype, orderFreeValue), ([x, axes, keepdims]) => {
          agree((v) => f(v, axes, { keepdims }), x, tolOf(x.dtype === 'float64' ? 'float64' : 'float32', scale));
        }),
        RUNS,
      );
    });
  }

  it('float32 sums, means and products that overflow (or whose huge terms cancel) as the reference does', () => {
    const x = T.array(new Float32Array([3e38, 3e38, -3e38, 1, 2e38, 2e38, 0, 1]), { dtype: 'float32', shape: [2, 4] });
    for (const f of [T.sum, T.mean, T.prod] as Reduce[]) {
      for (const axes of [undefined, 0, 1]) agree((v) => f(v, axes), x, tolOf('float32'));
    }
  });

  it('logsumexp of huge, -inf-only and +inf groups', () => {
    const value = (dt: DT) => fc.constantFrom(-Infinity, Infinity, dt === 'float32' ? 3e38 : 1e300, dt === 'float32' ? -3e38 : -1e300, 0, NaN);
    fc.assert(fc.property(reduceCase(floatDtype, value), ([x, axes, keepdims]) => agree((v) => T.logsumexp(v, axes, { keepdims }), x, tolOf(x.dtype))), RUNS);
  });

  it('argmax and argmin exactly (first of ties, first NaN), one axis or the flat index', () => {
    fc.assert(
      fc.property(
        tensorArb(anyDtype, exactValue).chain((x) => fc.tuple(fc.constant(x), x.ndim ? fc.option(fc.integer({ min: -x.ndim, max: x.ndim - 1 }), { nil: undefined }) : fc.constant(undefined))),
        fc.boolean(),
        fc.boolean(),
        ([x, axis], keepdims, smallest) => agree((v) => (smallest ? T.argmin : T.argmax)(v, axis, { keepdims }), x, 'exact'),
      ),
      RUNS,
    );
  });

  it('the arg kernels over any axis subset (patterns the public function does not build)', () => {
    fc.assert(
      fc.property(reduceCase(anyDtype, exactValue), fc.boolean(), ([x, axes, keepdims], smallest) => {
        const list = axes === undefined ? x.shape.map((_, i) => i) : (typeof axes === 'number' ? [axes] : axes).map((a) => (a + x.ndim) % x.ndim).sort((p, q) => p - q);
        agree((v) => new ArgReduceOp(smallest, list, keepdims).makeNode(v).outputs[0], x, 'exact');
      }),
      RUNS,
    );
  });

  it('cumsum and cumprod exactly along any axis or flattened, on every dtype', () => {
    fc.assert(
      fc.property(
        tensorArb(anyDtype, exactValue).chain((x) => fc.tuple(fc.constant(x), x.ndim ? fc.option(fc.integer({ min: -x.ndim, max: x.ndim - 1 }), { nil: undefined }) : fc.constant(undefined))),
        fc.boolean(),
        ([x, axis], isProd) => agree((v) => (isProd ? T.cumprod : T.cumsum)(v, axis), x, 'exact'),
      ),
      RUNS,
    );
  });

  it('softmax and logSoftmax along any axis (the kernels directly and the public functions)', () => {
    fc.assert(
      fc.property(
        tensorArb(floatDtype, exactValue).filter((x) => x.ndim > 0).chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: -x.ndim, max: x.ndim - 1 }))),
        fc.boolean(),
        ([x, axis], log) => {
          const a = (axis + x.ndim) % x.ndim;
          agree((v) => new SoftmaxOp(a, log).makeNode(v).outputs[0], x, tolOf(x.dtype, 8));
          agree((v) => (log ? T.logSoftmax : T.softmax)(v, axis), x, tolOf(x.dtype, 8));
        },
      ),
      RUNS,
    );
  });
});

d('native reduction gradients agree with the TypeScript reference', () => {
  const fs: [string, (x: T.Variable, axes: number | number[] | undefined, keepdims: boolean) => T.Variable][] = [
    ['sum', (x, a, k) => T.sum(x, a, { keepdims: k })],
    ['mean', (x, a, k) => T.mean(x, a, { keepdims: k })],
    ['max', (x, a, k) => T.max(x, a, { keepdims: k })],
    ['min', (x, a, k) => T.min(x, a, { keepdims: k })],
    ['prod', (x, a, k) => T.prod(x, a, { keepdims: k })],
    ['logsumexp', (x, a, k) => T.logsumexp(x, a, { keepdims: k })],
    ['var', (x, a, k) => T.var(x, a, { keepdims: k, ddof: 1 })],
    ['std', (x, a, k) => T.std(x, a, { keepdims: k })],
    ['cumsum', (x, a) => T.cumsum(x, typeof a === 'number' ? a : undefined)],
    ['cumprod', (x, a) => T.cumprod(x, typeof a === 'number' ? a : undefined)],
    ['softmax', (x, a) => (x.ndim ? T.softmax(x, typeof a === 'number' ? a : -1) : x)],
  ];
  const nonEmpty = tensorArb(fc.constant<DT>('float64'), () => fc.integer({ min: -8, max: 8 }).map((v) => v / 4)).filter((x) => x.size > 0);
  for (const [name, f] of fs) {
    it(`the gradient of ${name}, also with ties and zeros`, () => {
      fc.assert(
        fc.property(nonEmpty.chain((x) => fc.tuple(fc.constant(x), axesArb(x.ndim), fc.boolean())), ([x, axes, keepdims]) => {
          // a weighted sum, so each output position gets its own gradient
          agree((v) => T.grad(T.sum(T.sqr(f(v, axes, keepdims))), v), x, 1e-9);
        }),
        { numRuns: 40 },
      );
    });
  }
});

d('native reductions of large tensors (the split paths) agree with the TypeScript reference', () => {
  // 2^17 + 3 elements: the all-axes chunks, row splits and column tiles of the thread pool all run
  const rng = new T.RandomState(7);
  const big = (s: number[], dt: 'float32' | 'float64' | 'int32') => {
    const a = rng.uniform(-2, 2, s);
    return dt === 'int32' ? T.array(a.data.map((v) => Math.round(v * 3)), { dtype: 'int32', shape: s }) : T.array(a, { dtype: dt });
  };
  const shapes = [[131075], [3, 43691, 1], [43691, 3], [7, 18725]];
  const cases: [string, (x: T.Variable, a?: number | number[]) => T.Variable, 'exact' | number][] = [
    ['sum', T.sum, 1e-9],
    ['max', T.max, 'exact'],
    ['min', T.min, 'exact'],
    ['argmax', (x, a) => T.argmax(x, typeof a === 'number' ? a : undefined), 'exact'],
    ['argmin', (x, a) => T.argmin(x, typeof a === 'number' ? a : undefined), 'exact'],
    ['all', T.all, 'exact'],
    ['any', T.any, 'exact'],
    ['logsumexp', T.logsumexp, 1e-9],
    ['cumsum', (x, a) => T.cumsum(x, typeof a === 'number' ? a : undefined), 'exact'],
    ['cumprod', (x, a) => T.cumprod(x, typeof a === 'number' ? a : undefined), 'exact'],
    ['prod', T.prod, 'exact'],
    ['softmax', (x, a) => new SoftmaxOp(typeof a === 'number' ? a : 0, false).makeNode(x).outputs[0], 1e-12],
  ];
  for (const [name, f, tol] of cases) {
    it(`${name} over every axis of tensors of 2^17 elements`, () => {
      for (const s of shapes) {
        for (const dt of ['float64', 'int32'] as const) {
          // float products of 2^17 factors under- and overflow in an order-dependent way; softmax needs floats
          if ((name === 'logsumexp' || name === 'softmax') && dt === 'int32') continue;
          if (name === 'prod' && dt !== 'int32') continue;
          const x = big(s, dt);
          for (const a of [undefined, ...s.map((_, i) => i)]) agree((v) => f(v, a), x, tol);
        }
      }
    });
  }
});
