import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, nativeAvailable } from '../helpers';

const f32 = (xs: number[]) => T.array(xs, { dtype: 'float32' });

// The native runner passes a shared array the addon kept bound since the last synchronous run as null; whatever
// replaces or frees the storage in between must be seen by the next call.
(nativeAvailable ? describe : describe.skip)('shared values kept bound between native calls', () => {
  it('a disposed shared variable is a typed error, not the freed array the addon kept', () => {
    const w = T.shared(f32([1, 2, 3]), { name: 'w' });
    const f = T.function([], T.sum(w), { backend: 'native' });
    close(f() as T.NDArray, 6);
    w.dispose();
    expect(() => f()).toThrow(/shared variable w was disposed/);
  });

  it('sees new storage after setValue (borrowed or copied), a resizing update and an async call', async () => {
    const w = T.shared(f32([1, 2, 3]), { name: 'w' });
    const f = T.function([], T.sum(w), { backend: 'native' });
    close(f() as T.NDArray, 6);
    close(f() as T.NDArray, 6);
    w.setValue(f32([1, 1, 1]), { borrow: true });
    close(f() as T.NDArray, 3);
    w.setValue(f32([2, 2, 2]));
    close(f() as T.NDArray, 6);
    w.getValue({ borrow: true }).data.set([3, 3, 3]);
    close(f() as T.NDArray, 9);
    close((await f.async()) as T.NDArray, 9);
    close(f() as T.NDArray, 9);
    const grow = T.function([], [], { updates: [[w, T.concatenate([w, w])]], backend: 'native' });
    grow();
    close(f() as T.NDArray, 18);
    const g = T.function([], [], { updates: [[w, w.mul(2)]], backend: 'native' });
    g();
    close(f() as T.NDArray, 36);
  });
});
