import { registerKernel } from '../graph/kernel-registry';

/**
 * The kernel that stages a value in a buffer of its own: the compiler inserts it where an output or an update would
 * otherwise read a buffer that the updates overwrite (linearize). It has no op: users never build it.
 */
export const COPY = 'Copy';

registerKernel(COPY, {
  inferShape: (shapes) => [shapes[0].slice()],
  prepareJs: () => (ins, outs) => outs[0].set(ins[0]),
  inPlace: () => true,
});
