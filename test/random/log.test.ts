import { describe, expect, it } from 'vitest';
import { logRounded, split, splitDouble } from '../../lib/random/log';

describe('random/log', () => {
  it('logRounded gives Math.log at the special points', () => {
    expect(logRounded(-1)).toBeNaN();
    expect(logRounded(NaN)).toBeNaN();
    expect(logRounded(0)).toBe(-Infinity);
    expect(logRounded(Infinity)).toBe(Infinity);
    expect(logRounded(1)).toBe(0);
  });

  it('splitDouble splits exactly into a mantissa in [1, 2) and an exponent', () => {
    for (const x of [1, 1.5, 12, Math.SQRT2, 2 ** -1022, 1.7976931348623157e308, 0.1, 3e-300]) {
      splitDouble(x);
      expect(split.m).toBeGreaterThanOrEqual(1);
      expect(split.m).toBeLessThan(2);
      expect(split.m * 2 ** split.e).toBe(x);
    }
  });

  it('logRounded is within one ulp of Math.log, subnormals included', () => {
    const ulp = (v: number) => (v === 0 ? 5e-324 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 52));
    for (let i = 0; i < 20000; i++) {
      const x = i % 100 === 0 ? Math.random() * 1e-310 : Math.exp((Math.random() - 0.5) * 1400);
      const got = logRounded(x);
      expect(Math.abs(got - Math.log(x)), `log(${x})`).toBeLessThanOrEqual(ulp(got));
    }
  });
});
