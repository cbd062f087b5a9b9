import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError } from '../helpers';

describe('squaredError and meanSquaredError', () => {
  it('rejects non-tensors and shapes that do not broadcast', () => {
    expectError(() => T.nnet.squaredError('abc', T.dvector('b')), T.ArgumentError, 'squaredError: a must be');
    expectError(() => T.nnet.meanSquaredError(T.tensor('float64', [2]), T.tensor('float64', [3])), T.ShapeError, 'sub');
  });
  it('squaredError is (a - b)^2 elementwise with broadcasting (gradients 2(a-b), -2(a-b))', () => {
    checkOp({ fn: T.nnet.squaredError, inputs: [[[1, 2], [3, 4]], [0.5, -1]], expected: [[0.25, 9], [6.25, 25]] });
  });
  it('meanSquaredError averages over every element into a scalar', () => {
    checkOp({ fn: T.nnet.meanSquaredError, inputs: [[[1, 2], [3, 4]], [[1, 0], [0, 0]]], expected: (0 + 4 + 9 + 16) / 4 });
    expect(T.nnet.meanSquaredError(T.dmatrix('a'), T.dmatrix('b')).ndim).toBe(0);
  });
});
