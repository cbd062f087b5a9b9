import { describe, expect, it } from 'vitest';
import * as T from '../lib';
import { applyUnary, defineElemwise } from '../lib/ops/elemwise';
import { outputsOf } from './op-cases';

// The case table's harness (test/op-cases.ts): an op declared differentiable that loses its gradient fails its case
// instead of being checked forward only.
const noGrad = defineElemwise({
  name: 'testNoGrad',
  kernel: 'TestNoGrad',
  arity: 1,
  js: () => 'a * 2',
  grad: () => {
    throw new T.GradError('testNoGrad: no gradient');
  },
});
const x = () => T.array([[1, 2], [3, 4]], { dtype: 'float64' });

describe('op-cases harness', () => {
  it('fails a case whose op cannot build its gradient', () => {
    expect(() => outputsOf({ inputs: [x()], build: (v) => applyUnary(noGrad, v) })).toThrow(/no gradient/);
  });

  it('checks forward only for a case marked grad: false', () => {
    const r = outputsOf({ inputs: [x()], build: (v) => applyUnary(noGrad, v), grad: false });
    expect(r.outs).toHaveLength(1);
    expect(r.grads).toEqual([]);
  });

  it('fails a case marked grad: false whose op has a gradient', () => {
    expect(() => outputsOf({ inputs: [x()], build: T.sqr, grad: false })).toThrow(/remove the flag/);
  });

  it('builds the gradients of a differentiable case', () => {
    expect(outputsOf({ inputs: [x()], build: T.sqr }).grads).toHaveLength(1);
  });
});
