import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { FUSED_MAX_INPUTS, FUSED_MAX_REGS, FusedOp } from '../../lib/ops/fused';
import { labelOf, MAX_LABEL_CHARS } from '../../lib/graph/printing';
import { ElemwiseOp } from '../../lib/ops/elemwise';
import { backends, close } from '../helpers';

const fusedSteps = (f: T.CompiledFunction) => f.program.steps.filter((s) => s.kernel === 'Fused');

describe('fusion respects the native Fused kernel limits', () => {
  it('FUSED_MAX_INPUTS and FUSED_MAX_REGS agree with kMaxInputs and kMaxRegs in native/kernels/fused.cc', () => {
    const src = readFileSync(join(__dirname, '../../native/kernels/fused.cc'), 'utf8');
    expect(Number(/constexpr int kMaxInputs = (\d+);/.exec(src)?.[1])).toBe(FUSED_MAX_INPUTS);
    expect(Number(/constexpr int kMaxRegs = (\d+);/.exec(src)?.[1])).toBe(FUSED_MAX_REGS);
  });

  it('a sum of 33 vectors runs on every backend with the reference values, in kernels within the limits', () => {
    const xs = Array.from({ length: 33 }, (_, i) => T.dvector(`v${i}`));
    const out = xs.slice(1).reduce((a, b) => a.add(b), xs[0]);
    const vals = xs.map((_, i) => T.array([i, 2 * i + 0.5, -i], { dtype: 'float64' }));
    const expected = [0, 1, 2].map((j) => vals.reduce((s, v) => s + (v.data[j] as number), 0));
    for (const backend of backends) {
      const f = T.function(xs, out, { backend });
      expect(f.info().backend).toBe(backend);
      expect(fusedSteps(f).length).toBeGreaterThan(0);
      for (const s of fusedSteps(f)) expect(s.inputs.length).toBeLessThanOrEqual(FUSED_MAX_INPUTS);
      close(f(...vals) as T.NDArray, expected, 1e-12);
    }
  });

  it('the gradient of a sum of 40 slices runs on every backend with the reference values', () => {
    const x = T.dvector('x');
    const cost = Array.from({ length: 40 }, (_, i) => T.sum(x.slice([i, i + 3]).mul(i + 1)))
      .reduce((a, b) => a.add(b));
    const g = T.grad(cost, x);
    const xv = T.array(Array.from({ length: 45 }, (_, i) => i / 7), { dtype: 'float64' });
    const expected = Array.from({ length: 45 }, (_, j) => {
      let s = 0;
      for (let i = 0; i < 40; i++) if (j >= i && j < i + 3) s += i + 1;
      return s;
    });
    for (const backend of backends) {
      const f = T.function([x], g, { backend });
      expect(fusedSteps(f).length).toBeGreaterThan(0);
      for (const s of fusedSteps(f)) {
        expect(s.inputs.length).toBeLessThanOrEqual(FUSED_MAX_INPUTS);
        expect(s.inputs.length + (s.attrs.code as number[])[1]).toBeLessThanOrEqual(FUSED_MAX_REGS);
      }
      close(f(xv) as T.NDArray, expected, 1e-12);
    }
  });

  it('caps a long fused label in error messages at MAX_LABEL_CHARS with an ellipsis', () => {
    const xs = Array.from({ length: 30 }, (_, i) => T.dvector(`a_rather_long_input_name_${i}`));
    const code = [30, 29, ...Array.from({ length: 29 }, (_, k) => [(T.add(xs[0], xs[1]).owner!.op as ElemwiseOp).fuseOpcode!, k === 0 ? 0 : 30 + k - 1, k + 1]).flat()];
    const fused = new FusedOp(code, []).makeNode(...xs).outputs[0];
    expect(T.pp(fused).length).toBeGreaterThan(MAX_LABEL_CHARS);
    const label = labelOf(fused);
    expect(label.length).toBe(MAX_LABEL_CHARS);
    expect(label.endsWith('…')).toBe(true);
    let msg = '';
    try {
      T.function([fused], fused);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('must be an input variable');
    expect(msg.length).toBeLessThan(2 * MAX_LABEL_CHARS + 200);
  });
});
