import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, compileOnBackends, expectError } from '../helpers';

const { conv1d } = T.nnet;
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/conv/conv.json'), 'utf8')).conv1d as {
  opts: T.Conv1dOptions;
  x: T.NestedArray;
  w: T.NestedArray;
  y: T.NestedArray;
};

describe('conv1d', () => {
  describe('bad input', () => {
    it('rejects ranks other than 3 and non-integer strides and dilations, listing each', () => {
      expectError(() => conv1d(T.tensor4('x', 'float64'), T.dmatrix('w'), { subsample: 0, filterDilation: 1.5 }), T.ArgumentError, 'conv1d: input must have rank 3 [N, C, W], got float64[?, ?, ?, ?]', 'filters must have rank 3', 'subsample must be an integer >= 1, got 0', 'filterDilation must be an integer >= 1, got 1.5');
      expectError(() => conv1d(T.tensor3('x', 'float64'), T.tensor3('w', 'float64'), { inputShape: [1, 2], stride: 2 } as never), T.ArgumentError, 'inputShape must be 3 sizes, got [1,2]', 'unknown option "stride"');
    });
    it("reports conv2d's shape errors for its inputs", () => {
      expectError(() => conv1d(T.tensor('float64', [2, 3, 9]), T.tensor('float64', [4, 2, 3])), T.ShapeError, 'filters must have 3 input channels');
    });
  });
  it('matches torch.nn.functional.conv1d (filters flipped), with padding, stride, dilation and groups', () => {
    const x = T.tensor3('x', 'float64');
    const w = T.tensor3('w', 'float64');
    const y = conv1d(x, w, fixture.opts);
    expect(conv1d(T.tensor('float64', [2, 4, 11]), T.tensor('float64', [6, 2, 3]), fixture.opts).type.shape).toEqual([2, 6, 5]);
    for (const [, f] of compileOnBackends([x, w], y)) close(f(fixture.x, fixture.w) as T.NDArray, fixture.y, 1e-10);
  });
  it("keeps 'full' and 'half' on the one real axis", () => {
    expect(conv1d(T.tensor('float64', [1, 1, 10]), T.tensor('float64', [1, 1, 4]), { borderMode: 'full' }).type.shape).toEqual([1, 1, 13]);
    expect(conv1d(T.tensor('float64', [1, 1, 10]), T.tensor('float64', [1, 1, 3]), { borderMode: 'half' }).type.shape).toEqual([1, 1, 10]);
  });
});
