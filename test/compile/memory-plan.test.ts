import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { allocArena, allocSlot, planMemory } from '../../lib/compile/memory-plan';
import { backends, expectError } from '../helpers';

describe('memory plan: sizes that cannot be allocated', () => {
  it('a call whose temporaries and outputs together exceed the machine memory is refused before any allocation', () => {
    const n = 40000; // each eye below is float64 [~n, ~n]: about 12.8 GB, under the 2^31 - 1 element limit
    const k = Math.floor(os.totalmem() / (n * n * 8)) + 2;
    for (const backend of backends) {
      const x = T.dvector('x');
      const outs = Array.from({ length: k }, (_, j) => T.eye(x.shape[0].mul(n - j), undefined, 0, 'float64'));
      const f = T.function([x], outs, { backend });
      expectError(() => f([1]), T.RuntimeError, 'bytes for its temporaries and outputs, more than the', `bytes of memory this machine has (the largest, [${n}, ${n}], is this node's)`, 'node: eye(');
      // the same function still runs with small shapes afterwards
      expect((f(T.zeros([0], 'float64')) as T.NDArray[]).map((r) => r.size)).toEqual(new Array(k).fill(0));
    }
  });

  it('each inferred output shape is checked: dims in [0, 2^31 - 1], element count at most 2^31 - 1', () => {
    const x = T.fvector('x');
    const f = T.function([x], T.tile(x, [x.shape[0].mul(2 ** 20), 2 ** 20]), { backend: 'js' });
    expectError(() => planMemory(f.program, [[4]], []), T.RuntimeError, 'tile: output shape [4194304, 4194304] must have at most 2147483647 elements, got 17592186044416', 'node: tile(x, ', 'created at: ');
  });

  it('an allocation the engine refuses is a RuntimeError naming the node or the function', () => {
    const x = T.fvector('x');
    const f = T.function([x], T.exp(x), { backend: 'js' });
    const out = f.program.outputs[0];
    expectError(() => allocSlot(f.program, out, 2 ** 40), T.RuntimeError, 'cannot allocate 4398046511104 bytes for an output', 'node: exp(x)');
    expectError(() => allocArena(f.program, 2 ** 50), T.RuntimeError, 'cannot allocate 1125899906842624 bytes for the temporaries of this call');
  });
});
