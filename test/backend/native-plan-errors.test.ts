import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { planMemory } from '../../lib/compile/memory-plan';
import { NativeExecutor } from '../../lib/backend/native';
import type { Addon } from '../../lib/backend/native-loader';
import { expectError, nativeAvailable } from '../helpers';

/** An addon whose createPlan fails as the real one reports a rejected plan: a plain Error with a code, maybe a step. */
function failingAddon(message: string, extra: { code?: string; step?: number } = {}): Addon {
  return {
    createProgram: () => ({}),
    createPlan: () => {
      throw Object.assign(new Error(`nodeano native: ${message}`), { code: 'NODEANO_NATIVE_INVALID', ...extra });
    },
  } as unknown as Addon;
}

describe('native createPlan failures', () => {
  const x = T.fvector('x');
  const y = T.exp(T.mul(x, 2));
  const f = T.function([x], y, { backend: 'js' });
  const plan = planMemory(f.program, [[3]], []);
  const expStep = f.program.steps.findIndex((s) => s.kernel !== 'Mul' && s.kernel !== 'Copy');
  const expSlot = f.program.steps[expStep].outputs[0];

  it('become a RuntimeError naming the node that produces the slot the addon names', () => {
    const ex = new NativeExecutor(f.program, failingAddon(`slot ${expSlot}: too many elements`));
    const err = (() => {
      try {
        ex.prepare(plan);
      } catch (e) {
        return e as T.NodeanoError;
      }
    })();
    expect(err).toBeInstanceOf(T.RuntimeError);
    expect(err!.code).toBe('NODEANO_RUNTIME');
    expect(err!.message).toContain(`the native backend cannot plan this call (output shape [3]): slot ${expSlot}: too many elements (NODEANO_NATIVE_INVALID)`);
    expect(err!.node).toBe(f.program.nodes[f.program.steps[expStep].node].label);
    expect(err!.createdAt).toContain('native-plan-errors.test.ts');
  });

  it('name the step the addon reports, or the input a slot belongs to', () => {
    expectError(() => new NativeExecutor(f.program, failingAddon('cannot allocate 9 bytes for the scratch of step 0', { step: 0, code: 'NODEANO_NATIVE_ALLOC' })).prepare(plan), T.RuntimeError, 'cannot allocate 9 bytes', '(NODEANO_NATIVE_ALLOC)', 'node: ');
    expectError(() => new NativeExecutor(f.program, failingAddon('slot 0: negative dimension -1')).prepare(plan), T.RuntimeError, '(input x of shape [3]): slot 0: negative dimension -1');
    expectError(() => new NativeExecutor(f.program, failingAddon('arenaBytes must be an integer in [0, 2^48]')).prepare(plan), T.RuntimeError, 'the native backend cannot plan this call: arenaBytes must be');
  });

  (nativeAvailable ? it : it.skip)('an empty array with large dims plans and runs natively as it does in the reference', () => {
    const v = T.fvector('v');
    for (const backend of ['js', 'native'] as const) {
      const g = T.function([v], T.reshape(v, [2 ** 30, 2 ** 30, 0]), { backend });
      const r = g(T.zeros([0], 'float32')) as T.NDArray;
      expect([backend, r.shape, r.size]).toEqual([backend, [2 ** 30, 2 ** 30, 0], 0]);
    }
  });
});
