import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';

describe('verifyGrad on non-finite gradients', () => {
  it('fails where the symbolic and the numeric gradient are both NaN', () => {
    // sqrt(-1): the forward value, the symbolic gradient and both finite-difference sides are NaN
    expectError(() => T.verifyGrad((x) => T.sqrt(x), [[-1]]), T.GradError, 'gradient of input 0', 'flat index 0', 'symbolic NaN, numeric NaN');
    expectError(() => T.verifyGrad((x, y) => T.sqrt(x).add(y), [[-1], [2]]), T.GradError, 'gradient of input 0');
  });

  it('fails where only one side is NaN', () => {
    expectError(() => T.verifyGrad((x) => T.log(x), [[0]]), T.GradError, 'flat index 0', 'numeric NaN');
  });

  it('still passes where every element is finite and close', () => {
    expect(() => T.verifyGrad((x) => T.sqrt(x), [[4, 0.25]])).not.toThrow();
  });
});
