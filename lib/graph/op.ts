import { GradError } from '../errors';
import type { Apply, Variable } from './variable';

/** An attribute value of an op: what makes two ops of the same kind differ; serialized into programs. */
export type AttrValue = number | boolean | string | readonly number[];
export type Attrs = Readonly<Record<string, AttrValue>>;

/**
 * An operation on tensors. Each op file declares, side by side: type inference (`makeNode`, which validates every
 * input at graph-build time), the kernel id that both backends run (its shape function and JS reference kernel are
 * registered under that id), and the gradient rule.
 */
export abstract class Op {
  /** The user-facing name (`sigmoid`, `dot`). */
  abstract readonly name: string;
  /** The kernel both backends execute, a stable PascalCase id (`Sigmoid`, `Dot`). */
  abstract readonly kernel: string;
  /** Attributes distinguishing ops of the same kind (axes, flags). */
  readonly attrs: Attrs = {};

  /** Validates the inputs, infers output types and returns the Apply node. */
  abstract makeNode(...inputs: Variable[]): Apply;

  /**
   * Symbolic gradient: given the node's inputs, outputs and the gradients of the cost w.r.t. each output (null where
   * the output does not reach the cost), returns the gradient w.r.t. each input, or null where there is none.
   * Without an override the op has no gradient: T.grad through it is a GradError naming the op, the inputs that
   * needed one and the node's creation site (grad.ts adds those).
   */
  grad(_inputs: readonly Variable[], _outputs: readonly Variable[], _gOut: readonly (Variable | null)[]): (Variable | null)[] {
    throw new GradError(`${this.name}: the op defines no gradient (override grad, or cut the path with T.disconnectedGrad or considerConstant)`);
  }

  /** How the node prints in `pp` and error messages, given its printed inputs. */
  format(inputs: readonly string[]): string {
    const attrs = Object.entries(this.attrs)
      .filter(([, v]) => v !== false && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : v}`);
    return `${this.name}(${[...inputs, ...attrs].join(', ')})`;
  }

  /** `name{attr=value,...}`, as debugprint shows ops. */
  toString(): string {
    const attrs = Object.entries(this.attrs)
      .filter(([, v]) => v !== false)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : v}`);
    return attrs.length ? `${this.name}{${attrs.join(', ')}}` : this.name;
  }

  /** Equality for merging: same kind and same attributes. */
  equals(other: Op): boolean {
    return this.kernel === other.kernel && this.name === other.name && attrsKey(this.attrs) === attrsKey(other.attrs);
  }
}

export function attrsKey(attrs: Attrs): string {
  // exact for every number: JSON would write NaN and ±Infinity as null and -0 as 0
  const num = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
  const val = (v: AttrValue): string => (Array.isArray(v) ? `[${(v as readonly number[]).map(num).join(',')}]` : typeof v === 'number' ? num(v) : JSON.stringify(v));
  return Object.keys(attrs)
    .sort()
    .map((k) => `${k}=${val(attrs[k])}`)
    .join(';');
}
