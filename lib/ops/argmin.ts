import { registerKernel } from '../graph/kernel-registry';
import { argKernelSpec, argReduction } from './argmax';

registerKernel('Argmin', argKernelSpec(true));

/** Index of the smallest element along `axis` (int32), or the flat index when `axis` is undefined. @example T.argmin(d, 1) */
export const argmin = argReduction(true);
