import { ArgumentError } from '../errors';
import { asVariable, constant } from '../graph/as-variable';
import { FunctionGraph } from '../graph/fgraph';
import { Op } from '../graph/op';
import { Apply, Variable } from '../graph/variable';
import { describe } from '../ndarray';
import { zerosLike } from './broadcast-to';
import { maximum } from './maximum';
import { minimum } from './minimum';
import { mul } from './mul';

/**
 * An op that is the identity in the forward program and only changes how gradients flow through it (Theano's
 * ViewOp subclasses zero_grad, disconnected_grad, grad_clip, grad_scale). The four live in one file because they
 * share everything but their one-line gradient rule.
 *
 * They never reach a program: `withoutGradModifiers` drops them when compileFunction clones the graph, before any
 * rewrite runs, so they cost nothing at run time on either backend (no copy even of a function input, and fusion,
 * merging and constant folding see straight through them). Their kernel ids are therefore not registered.
 */
export abstract class GradModifierOp extends Op {
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [x.type]);
  }
}

/** Forward identity, gradient zero (still connected: grad() returns zeros, it does not raise). */
export class ZeroGradOp extends GradModifierOp {
  readonly name = 'zeroGrad';
  readonly kernel = 'ZeroGrad';
  // d zeroGrad(x) := 0
  override grad([x]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? zerosLike(x) : null];
  }
}

/** Forward identity, no gradient path: a wrt reached only through it is disconnected from the cost. */
export class DisconnectedGradOp extends GradModifierOp {
  readonly name = 'disconnectedGrad';
  readonly kernel = 'DisconnectedGrad';
  // d disconnectedGrad(x) := disconnected (grad() also prunes the path, so nothing is built behind it)
  override grad(): (Variable | null)[] {
    return [null];
  }
}

/** Forward identity, gradient clipped elementwise into [lo, hi]. */
export class GradClipOp extends GradModifierOp {
  readonly name = 'gradClip';
  readonly kernel = 'GradClip';
  override readonly attrs: { lo: number; hi: number };
  constructor(lo: number, hi: number) {
    super();
    this.attrs = { lo, hi };
  }
  // d gradClip(x) := min(max(g, lo), hi)
  override grad(_i: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const { lo, hi } = this.attrs;
    const low = lo === -Infinity ? g : maximum(g, constant(lo, g.dtype));
    return [hi === Infinity ? low : minimum(low, constant(hi, g.dtype))];
  }
}

/** Forward identity, gradient multiplied by a constant. */
export class GradScaleOp extends GradModifierOp {
  readonly name = 'gradScale';
  readonly kernel = 'GradScale';
  override readonly attrs: { multiplier: number };
  constructor(multiplier: number) {
    super();
    this.attrs = { multiplier };
  }
  // d gradScale(x) := multiplier * g
  override grad(_i: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? mul(g, constant(this.attrs.multiplier, g.dtype)) : null];
  }
}

/**
 * The function graph with every gradient modifier replaced by its input (what compileFunction runs); the same
 * graph object when there is none.
 */
export function withoutGradModifiers(fg: FunctionGraph): FunctionGraph {
  const replace = new Map<Variable, Variable>();
  for (const node of fg.nodes) if (node.op instanceof GradModifierOp) replace.set(node.outputs[0], node.inputs[0]);
  return replace.size ? new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }) : fg;
}

/** x in the forward pass, but its gradient is zero (Theano's zero_grad). @example T.grad(T.sum(T.zeroGrad(x).mul(x)), x) // = x */
export function zeroGrad(x: unknown): Variable {
  return new ZeroGradOp().makeNode(asVariable(x, 'zeroGrad', 'x')).outputs[0];
}

/**
 * x in the forward pass, but no gradient flows back through it (stop gradient, Theano's disconnected_grad).
 * @example const target = T.disconnectedGrad(qNext.max()); // a TD target held fixed
 */
export function disconnectedGrad(x: unknown): Variable {
  return new DisconnectedGradOp().makeNode(asVariable(x, 'disconnectedGrad', 'x')).outputs[0];
}

/** x in the forward pass; the gradient flowing back through it is clipped elementwise into [lo, hi]. @example T.gradClip(h, -1, 1) */
export function gradClip(x: unknown, lo: number, hi: number): Variable {
  const v = asVariable(x, 'gradClip', 'x');
  const problems: string[] = [];
  if (typeof lo !== 'number' || Number.isNaN(lo)) problems.push(`lo must be a number (-Infinity for no lower bound), got ${describe(lo)}`);
  if (typeof hi !== 'number' || Number.isNaN(hi)) problems.push(`hi must be a number (Infinity for no upper bound), got ${describe(hi)}`);
  if (!problems.length && lo > hi) problems.push(`lo must be <= hi, got lo ${lo} > hi ${hi}`);
  if (problems.length) throw new ArgumentError(`gradClip: ${problems.join('; ')}`);
  return new GradClipOp(lo, hi).makeNode(v).outputs[0];
}

/** x in the forward pass; the gradient flowing back through it is scaled (Theano's grad_scale). @example T.gradScale(x, -1) // gradient reversal */
export function gradScale(x: unknown, multiplier: number): Variable {
  const v = asVariable(x, 'gradScale', 'x');
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier)) {
    throw new ArgumentError(`gradScale: multiplier must be a finite number, got ${describe(multiplier)}`);
  }
  return new GradScaleOp(multiplier).makeNode(v).outputs[0];
}
