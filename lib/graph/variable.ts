import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { canCastSafely, DType, dtypeOfTypedArray, TypedArray } from '../dtype';
import { array, convertData, describe, NDArray, shapeStr } from '../ndarray';
import { captureSite, CreationSite } from './trace';
import { TensorType } from './type';
import type { Op } from './op';

let nextId = 1;

/**
 * A symbolic tensor: a graph input (no owner), a constant, a shared variable, or the output of an Apply.
 * Arithmetic and other ops are also available as methods (`x.add(y)`, `x.dot(W)`, `x.sigmoid()`, `x.T`).
 */
export class Variable {
  readonly id: number;
  readonly type: TensorType;
  readonly owner: Apply | null;
  readonly index: number;
  name: string | undefined;
  readonly site: CreationSite;

  constructor(type: TensorType, owner: Apply | null = null, index = 0, name?: string, site?: CreationSite) {
    this.id = nextId++;
    this.type = type;
    this.owner = owner;
    this.index = index;
    this.name = name;
    this.site = site ?? captureSite();
  }
  get dtype(): DType {
    return this.type.dtype;
  }
  get ndim(): number {
    return this.type.ndim;
  }
  /** The static shape: known dims as numbers, unknown ones as null. */
  get staticShape(): readonly (number | null)[] {
    return this.type.shape;
  }
  /** A fresh input variable of the same type and name (no owner). */
  cloneAsInput(): Variable {
    return new Variable(this.type, null, 0, this.name, this.site);
  }
  toString(): string {
    return this.name ?? `<${this.type}>`;
  }
}

/** A symbolic value fixed at graph-build time. */
export class Constant extends Variable {
  readonly value: NDArray;
  constructor(value: NDArray, name?: string) {
    super(new TensorType(value.dtype, value.shape), null, 0, name);
    this.value = value;
  }
  override toString(): string {
    if (this.name) return this.name;
    if (this.value.size === 1) return String(this.value.data[0]);
    return `constant(${this.value.dtype}${shapeStr(this.value.shape)})`;
  }
}

export interface SharedOptions {
  name?: string;
  dtype?: DType;
  /** Keep the caller's NDArray instead of copying it (the caller must not mutate it behind nodeano's back). */
  borrow?: boolean;
}

/**
 * State that lives across calls of compiled functions (weights, optimizer moments).
 * Its value's dims may change through setValue; its dtype and rank may not.
 */
export class SharedVariable extends Variable {
  private value: NDArray;
  constructor(value: NDArray, name?: string) {
    super(new TensorType(value.dtype, value.shape.map(() => null)), null, 0, name);
    this.value = value;
  }
  /** The current value: a copy, or with `{ borrow: true }` the internal array that updates write into. */
  getValue(opts: { borrow?: boolean } = {}): NDArray {
    return opts.borrow ? this.value : this.value.copy();
  }
  /** Replaces the value (copied unless `{ borrow: true }`); the dtype must cast safely and the rank must match. */
  setValue(v: unknown, opts: { borrow?: boolean } = {}): void {
    const arr = toValue(v, this.dtype, `shared ${this.name ?? ''}`.trim() + '.setValue');
    if (arr.ndim !== this.ndim) {
      throw new ShapeError(`${this.name ?? 'shared'}.setValue: value must have rank ${this.ndim}, got shape ${shapeStr(arr.shape)}`);
    }
    const sharesMemory = arr.data === (v instanceof NDArray ? v.data : v);
    this.value = sharesMemory && !opts.borrow ? arr.copy() : arr;
  }
  /** Internal: the array compiled functions read and update in place. */
  get storage(): NDArray {
    return this.value;
  }
  /** Internal: replaces the storage after an update that changed the shape. */
  setStorage(v: NDArray): void {
    this.value = v;
  }
}

/** Converts a user value to an NDArray of `dtype`, allowing only safe casts for typed data. */
export function toValue(v: unknown, dtype: DType, where: string): NDArray {
  if (v instanceof NDArray) {
    if (v.dtype === dtype) return v;
    if (!canCastSafely(v.dtype, dtype)) {
      throw new DTypeError(`${where}: value must have dtype ${dtype} (or one that casts to it safely), got ${v.dtype}`);
    }
    return v.astype(dtype);
  }
  const taDtype = dtypeOfTypedArray(v);
  if (taDtype) {
    if (taDtype !== dtype && !canCastSafely(taDtype, dtype)) {
      throw new DTypeError(`${where}: value must have dtype ${dtype} (or one that casts to it safely), got ${describe(v)}`);
    }
    const ta = v as TypedArray;
    return new NDArray(taDtype === dtype ? ta : convertData(ta, dtype), [ta.length], dtype);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || Array.isArray(v)) return array(v, { dtype });
  throw new ArgumentError(`${where}: value must be an NDArray, typed array, nested array or number, got ${describe(v)}`);
}

/** One application of an op to input variables, producing output variables. */
export class Apply {
  readonly op: Op;
  readonly inputs: readonly Variable[];
  readonly outputs: Variable[];
  readonly site: CreationSite;
  constructor(op: Op, inputs: readonly Variable[], outputTypes: readonly TensorType[], site?: CreationSite) {
    this.op = op;
    this.inputs = inputs;
    this.site = site ?? captureSite();
    this.outputs = outputTypes.map((t, i) => new Variable(t, this, i, undefined, this.site));
  }
}
