import { describe, expect, it } from 'vitest';
import { ADDON_EXPORTS, ADDON_VERSION } from '../../lib/backend/native-loader';
import { addon, throwsCode } from './addon-helpers';

const d = addon ? describe : describe.skip;

d('addon exports', () => {
  const n = addon!;

  it('are exactly the ones the Addon interface describes', () => {
    expect(Object.keys(n).sort()).toEqual([...ADDON_EXPORTS].sort());
    for (const name of ADDON_EXPORTS) expect(typeof n[name], name).toBe('function');
  });

  it('info reports the interface version, CPU features, threads and the BLAS build', () => {
    const i = n.info();
    expect(i.version).toBe(ADDON_VERSION);
    expect(typeof i.avx2).toBe('boolean');
    expect(typeof i.fma).toBe('boolean');
    expect(Number.isInteger(i.threads) && i.threads >= 1).toBe(true);
    expect(i.blas.length).toBeGreaterThan(0);
  });

  it('setThreads rejects counts outside [1, 1024] and non-integers; getThreads reads back what was set', () => {
    const t = n.getThreads();
    throwsCode(() => n.setThreads(0), 'NODEANO_NATIVE_INVALID', /setThreads: n must be an integer in \[1, 1024\]/);
    throwsCode(() => n.setThreads(1.5), 'NODEANO_NATIVE_INVALID');
    throwsCode(() => n.setThreads(1025), 'NODEANO_NATIVE_INVALID');
    throwsCode(() => (n.setThreads as (x: unknown) => void)('2'), 'NODEANO_NATIVE_INVALID', /must be a number, got a string/);
    n.setThreads(1);
    expect(n.getThreads()).toBe(1);
    expect(n.info().threads).toBe(1);
    n.setThreads(t);
    expect(n.getThreads()).toBe(t);
  });

  it('kernels(names) keeps the names that have a native kernel, in order; kernels() lists every registered one', () => {
    throwsCode(() => (n.kernels as (x: unknown) => void)('Copy'), 'NODEANO_NATIVE_INVALID', /kernels: names must be an array, got a string/);
    throwsCode(() => (n.kernels as (x: unknown) => void)(['Copy', 3]), 'NODEANO_NATIVE_INVALID', /names\[1\] must be a string, got a number/);
    expect(n.kernels(['NoSuchKernel', 'Copy', '', 'Copy\0x'])).toEqual(['Copy']);
    const all = n.kernels();
    expect(all).toContain('Copy');
    expect(new Set(all).size).toBe(all.length);
    expect(n.kernels(all)).toEqual(all);
  });

  it('alloc gives zeroed memory of the asked size and rejects sizes that are not integers in [0, 2^48]', () => {
    const b = n.alloc(1000);
    expect(b.byteLength).toBe(1000);
    expect(new Uint8Array(b).every((x) => x === 0)).toBe(true);
    expect(n.alloc(0).byteLength).toBe(0);
    throwsCode(() => n.alloc(-1), 'NODEANO_NATIVE_INVALID', /alloc: bytes must be an integer/);
    throwsCode(() => n.alloc(1.5), 'NODEANO_NATIVE_INVALID');
    throwsCode(() => n.alloc(2 ** 60), 'NODEANO_NATIVE_INVALID');
  });

  it('free detaches an alloc() buffer at once: its views read length 0; freeing twice is fine', () => {
    const b = n.alloc(4096);
    const v = new Float64Array(b);
    v.fill(3);
    n.free(b);
    expect(b.byteLength).toBe(0);
    expect(v.length).toBe(0);
    expect(v[0]).toBeUndefined();
    n.free(b);
    n.free(n.alloc(0));
  });

  it('free rejects anything but a buffer from alloc() or createPlan()', () => {
    throwsCode(() => n.free(new ArrayBuffer(16)), 'NODEANO_NATIVE_INVALID', /free: buffer must be an ArrayBuffer from alloc\(\) or createPlan\(\), got an ArrayBuffer/);
    throwsCode(() => (n.free as (x: unknown) => void)(new Float32Array(n.alloc(16))), 'NODEANO_NATIVE_INVALID', /got a Float32Array/);
    throwsCode(() => (n.free as (x: unknown) => void)(undefined), 'NODEANO_NATIVE_INVALID', /got undefined/);
  });

  it('rawSgemm multiplies row-major float32 matrices and checks the sizes against the arrays', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2, 3]
    const b = Float32Array.from([1, 0, 0, 1, 1, 1]); // [3, 2]
    const c = new Float32Array(4);
    n.rawSgemm(a, b, c, 2, 2, 3, false, false);
    expect(Array.from(c)).toEqual([4, 5, 10, 11]);
    throwsCode(() => n.rawSgemm(a, b, c, 3, 2, 3, false, false), 'NODEANO_NATIVE_INVALID', /too small/);
    throwsCode(() => (n.rawSgemm as (...x: unknown[]) => void)(new Float64Array(6), b, c, 2, 2, 3, false, false), 'NODEANO_NATIVE_INVALID', /a must be a non-detached Float32Array/);
  });
});
