import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { nativeAvailable } from '../helpers';

// Accuracy of the native float32 approximations against a float64 reference, over the whole float range: every
// 1021st bit pattern (positive and negative, normals, subnormals, ±inf, NaN) plus edge values. The bounds asserted
// here are the ones stated in the README and native/kernels/README.md.
const d = nativeAvailable ? describe : describe.skip;

function sweep(): Float32Array {
  const bits = new Uint32Array(2 * Math.ceil(0x100000000 / 1021) + 64);
  let k = 0;
  for (let b = 0; b < 0x100000000; b += 1021) bits[k++] = b;
  const edges = [0, 0x80000000, 1, 0x80000001, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x00800000, 0x80800000, 0x3f800000, 0xbf800000];
  for (const e of edges) bits[k++] = e;
  return new Float32Array(bits.buffer, 0, k);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Position of a float32 on the number line, so ulp distance is a difference of ordinals. */
function ordinal(x: number): number {
  f32[0] = x;
  const b = u32[0];
  return b & 0x80000000 ? -(b & 0x7fffffff) : b;
}

function maxUlp(name: string, f: (x: T.Variable) => T.Variable, ref: (x: number) => number, xs: Float32Array, skip?: (x: number) => boolean) {
  const x = T.fvector('x');
  const y = (T.function([x], f(x), { backend: 'native' })(xs) as T.NDArray).data;
  let worst = 0;
  let at = 0;
  for (let i = 0; i < xs.length; i++) {
    if (skip?.(xs[i])) continue;
    const r = Math.fround(ref(xs[i]));
    if (Number.isNaN(r) || Number.isNaN(y[i])) {
      if (Number.isNaN(r) !== Number.isNaN(y[i])) return { worst: Infinity, at: xs[i], y };
      continue;
    }
    const e = Math.abs(ordinal(y[i]) - ordinal(r));
    if (e > worst) {
      worst = e;
      at = xs[i];
    }
  }
  return { worst, at, y };
}

d('native float32 accuracy over the whole float range', () => {
  const xs = sweep();
  it('exp within 2 ulp (overflow to inf, underflow through subnormals to 0)', () => {
    const { worst, at } = maxUlp('exp', T.exp, Math.exp, xs);
    expect(worst, `worst at ${at}`).toBeLessThanOrEqual(2);
  });
  it('log within 2 ulp (subnormal inputs, 0 -> -inf, negatives -> NaN)', () => {
    const { worst, at } = maxUlp('log', T.log, Math.log, xs);
    expect(worst, `worst at ${at}`).toBeLessThanOrEqual(2);
  });
  it('tanh within 2 ulp', () => {
    const { worst, at } = maxUlp('tanh', T.tanh, Math.tanh, xs);
    expect(worst, `worst at ${at}`).toBeLessThanOrEqual(2);
  });
  it('sigmoid within 3 ulp, exactly in [0, 1] and monotone', () => {
    const ref = (v: number) => 1 / (1 + Math.exp(-v));
    const { worst, at } = maxUlp('sigmoid', T.sigmoid, ref, xs);
    expect(worst, `worst at ${at}`).toBeLessThanOrEqual(3);
    // monotone and bounded over a sorted dense sweep of [-120, 120] and the extremes
    const n = 1 << 20;
    const grid = new Float32Array(n + 4);
    for (let i = 0; i < n; i++) grid[i] = -120 + (240 * i) / n;
    grid.set([Infinity, 3.4e38, -3.4e38, -Infinity], n);
    const x = T.fvector('x');
    const s = (T.function([x], T.sigmoid(x), { backend: 'native' })(grid) as T.NDArray).data;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      if (!(s[i] >= 0 && s[i] <= 1)) bad++;
      if (i > 0 && s[i] < s[i - 1]) bad++;
    }
    expect(bad).toBe(0);
    expect(Array.from(s.subarray(n))).toEqual([1, 1, 0, 0]);
  });
});
