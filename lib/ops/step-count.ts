import { RuntimeError, ShapeError } from '../errors';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { NDArray } from '../ndarray';

/**
 * An empty bool [n, 0] whose length is the value of an int32 scalar: how a size known only from data (scan's nSteps,
 * arange's stop) becomes a shape. A function using it runs in segments (lib/runtime/segments.ts): the runner reads
 * the value before the segment that needs the size.
 */
export class StepCountOp extends Op {
  readonly name = 'stepCount';
  readonly kernel = 'StepCount';
  readonly dataDependent = true;
  readonly dataSizeCount = 1;
  readonly dataInputs = 1;
  /** What the count is, for errors (`scan: nSteps`), and where the user asked for it. */
  private readonly what: string;
  private readonly site: string;
  /** The count is max(0, ceil((value - start) / step)): arange's length for a stop given as data. */
  private readonly start: number;
  private readonly step: number;
  constructor(what: string, site: string, start = 0, step = 1) {
    super();
    this.what = what;
    this.site = site;
    this.start = start;
    this.step = step;
  }
  makeNode(n: Variable): Apply {
    return new Apply(this, [n], [new TensorType('bool', [null, 0])]);
  }
  dataSizes([n]: readonly NDArray[]): number[] {
    const v = n.data[0];
    if (!Number.isInteger(v) || (this.start === 0 && this.step === 1 && v < 0)) throw new RuntimeError(`${this.what} must be a non-negative integer, got ${v} (created at ${this.site})`);
    return [Math.max(0, Math.ceil((v - this.start) / this.step))];
  }
  withSizes(_inputs: readonly Variable[], ref: Variable): Variable {
    return ref;
  }
  override grad(): (Variable | null)[] {
    return [null];
  }
}

registerKernel('StepCount', {
  inferShape: () => {
    throw new ShapeError('stepCount: the size depends on data, so this step runs only inside a compiled function');
  },
  prepareJs: () => () => undefined,
});
