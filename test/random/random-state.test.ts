import { describe, it, expect } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';
import { RandomState, RandomStateSnapshot, NumPyLegacyState } from '../../lib/random/random-state';
import { NDArray } from '../../lib/ndarray';
import { ArgumentError, DTypeError, ShapeError } from '../../lib/errors';

interface Step {
  method: string;
  args: unknown[];
}
interface Result {
  shape: number[];
  values: number[];
}
interface Fixtures {
  numpy_version: string;
  steps: Step[];
  seeds: Record<string, { results: Result[]; final_state: NumPyLegacyState }>;
  restore: { seed: number; after_step: number; state: NumPyLegacyState };
}

const fixtures: Fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'numpy-fixtures.json'), 'utf8'));

/** Builds the input the Python generator describes as {"arange": shape}. */
function arange(shape: number[]): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return new NDArray(Int32Array.from({ length: n }, (_, i) => i), shape);
}

/** Runs one fixture step the way gen_fixtures.py runs it on NumPy (null = argument not given). */
function runStep(rs: RandomState, step: Step): NDArray {
  const args = step.args.map((a) => {
    if (a === null) return undefined;
    if (typeof a === 'object' && !Array.isArray(a) && 'arange' in a) return arange((a as { arange: number[] }).arange);
    return a;
  });
  switch (step.method) {
    case 'rand':
      return rs.rand(...(args as number[]));
    case 'randn':
      return rs.randn(...(args as number[]));
    case 'uniform':
      return rs.uniform(...(args as Parameters<RandomState['uniform']>));
    case 'normal':
      return rs.normal(...(args as Parameters<RandomState['normal']>));
    case 'randint':
      return rs.randint(...(args as Parameters<RandomState['randint']>));
    case 'permutation':
      return rs.permutation(args[0] as number | NDArray);
    case 'shuffle': {
      const x = args[0] as NDArray;
      rs.shuffle(x);
      return x;
    }
    default:
      throw new Error(`unknown fixture method ${step.method}`);
  }
}

function label(step: Step, i: number): string {
  return `step ${i}: ${step.method}(${JSON.stringify(step.args).slice(1, -1)})`;
}

describe('RandomState argument validation', () => {
  it('rejects seeds outside [0, 2**32 - 1] and non-integers', () => {
    for (const bad of [-1, 2 ** 32, 1.5, 'a', NaN, undefined]) {
      expect(() => new RandomState(bad as number)).toThrow(ArgumentError);
    }
    expect(() => new RandomState('a' as unknown as number)).toThrow(
      'RandomState: seed must be an integer in [0, 4294967295], got string "a"',
    );
    expect(() => new RandomState(-1)).toThrow('got number -1');
    const rs = new RandomState(0);
    expect(() => rs.seed(2 ** 32)).toThrow('RandomState.seed: seed must be an integer in [0, 4294967295], got number 4294967296');
    expect(() => new RandomState(2 ** 32 - 1)).not.toThrow();
  });

  it('rejects bad shapes with a ShapeError naming each bad dimension', () => {
    const rs = new RandomState(0);
    expect(() => rs.rand(2, -1)).toThrow(ShapeError);
    expect(() => rs.rand(2, -1, 1.5)).toThrow(
      'RandomState.rand: dimension 1 must be a non-negative integer, got number -1; dimension 2 must be a non-negative integer, got number 1.5',
    );
    expect(() => rs.rand([2, 3] as unknown as number)).toThrow('pass dimensions as separate arguments, e.g. rand(2, 3)');
    // Only a trailing string is read as a dtype.
    expect(() => rs.randn('3' as unknown as number, 2)).toThrow(ShapeError);
    expect(() => rs.randn(2, '3' as 'float64')).toThrow(DTypeError);
    expect(() => rs.uniform(0, 1, [2, -3])).toThrow('RandomState.uniform: shape[1] must be a non-negative integer, got number -3');
    expect(() => rs.normal(0, 1, 'x' as unknown as number)).toThrow(ShapeError);
    expect(() => rs.randint(0, 5, -1)).toThrow(ShapeError);
    expect(() => rs.uniform(0, 1, [2 ** 20, 2 ** 20])).toThrow('must have at most 2147483647 elements');
    // a dim no array can have, next to a zero, is named (it reached the NDArray constructor)
    expect(() => rs.uniform(0, 1, [0, 2 ** 31])).toThrow('RandomState.uniform: shape[1] must be at most 2147483647, got number 2147483648');
    expect(() => rs.rand(0, 2 ** 31)).toThrow('RandomState.rand: dimension 1 must be at most 2147483647, got number 2147483648');
    expect(() => rs.normal(0, 1, 2 ** 31)).toThrow(ShapeError);
  });

  it('rejects non-finite parameters and lists every bad argument', () => {
    const rs = new RandomState(0);
    expect(() => rs.uniform('a' as unknown as number)).toThrow('RandomState.uniform: low must be a finite number, got string "a"');
    let err: unknown;
    try {
      rs.uniform('a' as unknown as number, Infinity, [-1], 'int32' as 'float64');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as Error).message).toBe(
      'RandomState.uniform: low must be a finite number, got string "a"; high must be a finite number, got number Infinity; ' +
        'shape[0] must be a non-negative integer, got number -1; dtype must be "float32" or "float64", got string "int32"',
    );
    expect(() => rs.uniform(-1e308, 1e308)).toThrow('high - low must be finite');
    expect(() => rs.normal(NaN)).toThrow('loc must be a finite number, got number NaN');
    expect(() => rs.rand(2, 'int32' as 'float64')).toThrow(DTypeError);
  });

  it('rejects a negative scale', () => {
    const rs = new RandomState(0);
    expect(() => rs.normal(0, -1)).toThrow(ArgumentError);
    expect(() => rs.normal(0, -1, 3)).toThrow('RandomState.normal: scale must be >= 0, got number -1');
    expect(rs.normal(5, 0, 2).toArray()).toEqual([5, 5]);
  });

  it('rejects empty or out-of-range randint bounds', () => {
    const rs = new RandomState(0);
    expect(() => rs.randint(5, 5)).toThrow('RandomState.randint: low must be less than high, got low 5 and high 5');
    expect(() => rs.randint(6, 5)).toThrow(ArgumentError);
    expect(() => rs.randint(0)).toThrow('low must be > 0 when high is omitted');
    expect(() => rs.randint(-3)).toThrow(ArgumentError);
    expect(() => rs.randint(0.5, 3)).toThrow('low must be an integer');
    expect(() => rs.randint(0, 2 ** 31 + 1)).toThrow('high must be an integer in [-2147483648, 2147483648]');
    expect(() => rs.randint(-(2 ** 31) - 1, 0)).toThrow(ArgumentError);
    expect(() => rs.randint(0, 2, 3, 'bool' as 'int32')).toThrow(DTypeError);
    expect(() => rs.randint(-(2 ** 31), 2 ** 31, 2)).not.toThrow();
  });

  it('rejects bad permutation and shuffle inputs', () => {
    const rs = new RandomState(0);
    expect(() => rs.permutation(-1)).toThrow(ArgumentError);
    expect(() => rs.permutation(2.5)).toThrow('RandomState.permutation: x must be an integer in [0, 2147483647]');
    expect(() => rs.permutation(new NDArray(new Float64Array([1]), []))).toThrow(ShapeError);
    expect(() => rs.shuffle(new NDArray(new Float64Array([1]), []))).toThrow(ShapeError);
    expect(() => rs.shuffle('abc' as unknown as unknown[])).toThrow('RandomState.shuffle: x must be an NDArray, an array or a typed array, got string "abc"');
  });

  it('rejects malformed states', () => {
    const rs = new RandomState(0);
    const good = rs.getState();
    expect(() => rs.setState({ ...good, key: good.key.slice(1) })).toThrow('key must be 624 integers');
    expect(() => rs.setState({ ...good, pos: 625, hasGauss: 'yes' as unknown as boolean })).toThrow(
      'RandomState.setState: pos must be an integer in [0, 624], got number 625; hasGauss must be a boolean (or 0 or 1), got string "yes"',
    );
    expect(() => rs.setState(['PCG64', good.key, 0] as unknown as NumPyLegacyState)).toThrow('state[0] must be "MT19937"');
    expect(() => rs.setState(null as unknown as RandomStateSnapshot)).toThrow(ArgumentError);
  });
});

describe('RandomState matches NumPy legacy RandomState', () => {
  for (const [seed, { results, final_state }] of Object.entries(fixtures.seeds)) {
    it(`replays the fixture call sequence for seed ${seed} (NumPy ${fixtures.numpy_version})`, () => {
      const rs = new RandomState(Number(seed));
      fixtures.steps.forEach((step, i) => {
        const out = runStep(rs, step);
        const want = results[i];
        expect(out.shape, label(step, i)).toEqual(want.shape);
        // Exact equality: float64 values must agree bit for bit, ints exactly.
        expect(Array.from(out.data), label(step, i)).toEqual(want.values);
        const isFloat = ['rand', 'randn', 'uniform', 'normal'].includes(step.method);
        expect(out.dtype, label(step, i)).toBe(isFloat ? 'float64' : 'int32');
      });
      const st = rs.getState();
      expect([st.algorithm, st.key, st.pos, st.hasGauss ? 1 : 0, st.gauss]).toEqual(final_state);
    });
  }

  it('continues from a NumPy get_state() tuple, including a cached gaussian', () => {
    const { seed, after_step, state } = fixtures.restore;
    expect(state[3]).toBe(1);
    const rs = new RandomState(123);
    rs.setState(state);
    const expected = fixtures.seeds[String(seed)].results;
    for (let i = after_step + 1; i < fixtures.steps.length; i++) {
      expect(Array.from(runStep(rs, fixtures.steps[i]).data), label(fixtures.steps[i], i)).toEqual(expected[i].values);
    }
  });
});

describe('RandomState behaviour', () => {
  it('casts to float32 on request', () => {
    const a = new RandomState(0).rand(2, 3, 'float32');
    const b = new RandomState(0).rand(2, 3);
    expect(a.dtype).toBe('float32');
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual(Array.from(Float32Array.from(b.data)));
    const rs = new RandomState(1);
    expect(rs.randn(4, 'float32').dtype).toBe('float32');
    expect(rs.uniform(0, 1, [2, 2], 'float32').dtype).toBe('float32');
    expect(rs.normal(0, 1, 3, 'float32').data).toBeInstanceOf(Float32Array);
    expect(rs.randint(0, 10, 3, 'float32').dtype).toBe('float32');
    expect(rs.randint(0, 10, 3, 'float64').data).toBeInstanceOf(Float64Array);
  });

  it('returns 0-d arrays when no shape is given', () => {
    const rs = new RandomState(0);
    for (const a of [rs.rand(), rs.randn(), rs.uniform(), rs.normal(), rs.randint(3)]) {
      expect(a.shape).toEqual([]);
      expect(a.size).toBe(1);
    }
  });

  it('round-trips getState/setState, including through JSON and a cached gaussian', () => {
    const rs = new RandomState(42);
    rs.randn(3); // leaves a cached gaussian
    const snap = rs.getState();
    expect(snap.hasGauss).toBe(true);
    const after = [rs.randn(5), rs.rand(700), rs.randint(0, 100, 4), rs.permutation(6)].map((a) => Array.from(a.data));
    rs.setState(JSON.parse(JSON.stringify(snap)));
    expect(rs.getState()).toEqual(snap);
    const again = [rs.randn(5), rs.rand(700), rs.randint(0, 100, 4), rs.permutation(6)].map((a) => Array.from(a.data));
    expect(again).toEqual(after);
    // The snapshot is a copy: drawing more does not change it.
    expect(rs.getState()).not.toEqual(snap);
  });

  it('reseeding restarts the stream and drops the cached gaussian', () => {
    const rs = new RandomState(3);
    const first = Array.from(rs.randn(3).data);
    expect(rs.getState().hasGauss).toBe(true);
    rs.seed(3);
    expect(rs.getState()).toEqual(new RandomState(3).getState());
    expect(Array.from(rs.randn(3).data)).toEqual(first);
  });

  it('shuffles JS arrays, typed arrays and NDArray rows in place like NumPy arange shuffles', () => {
    const idx = Array.from({ length: 7 }, (_, i) => i);
    new RandomState(0).shuffle(idx);
    const viaNd = arange([7]);
    new RandomState(0).shuffle(viaNd);
    const typed = Float64Array.from(idx.keys());
    new RandomState(0).shuffle(typed);
    expect(idx).toEqual(Array.from(viaNd.data));
    expect(Array.from(typed)).toEqual(idx);
    expect([...idx].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Rows move as units.
    const m = arange([5, 2]);
    new RandomState(0).shuffle(m);
    const rows = m.toArray() as number[][];
    for (const r of rows) expect(r[1]).toBe(r[0] + 1);
  });

  it('permutation of an NDArray is a shuffled copy and leaves the input alone', () => {
    const x = arange([4, 3]);
    const p = new RandomState(0).permutation(x);
    expect(Array.from(x.data)).toEqual(Array.from(arange([4, 3]).data));
    expect(p.shape).toEqual([4, 3]);
    expect(p.dtype).toBe('int32');
    expect(new RandomState(0).permutation(0).shape).toEqual([0]);
  });
});
