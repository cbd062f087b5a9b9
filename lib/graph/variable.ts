import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { canCastSafely, ctorOf, DType, dtypeOfTypedArray, TypedArray } from '../dtype';
import { array, checkNotDetached, convertData, describe, MAX_DIM, MAX_ELEMENTS, NDArray, shapeStr } from '../ndarray';
import { captureSite, COMPILER_SITE, CreationSite } from './trace';
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
  private disposed = false;
  /** `value` is kept as is when `borrowed`, else copied into storage memory (native and 64-byte aligned if loaded). */
  constructor(value: NDArray, name?: string, borrowed = false) {
    super(new TensorType(value.dtype, value.shape.map(() => null)), null, 0, name);
    this.value = borrowed ? value : intoStorage(value);
  }
  /** The current value: a copy, or with `{ borrow: true }` the internal array that updates write into. */
  getValue(opts: { borrow?: boolean } = {}): NDArray {
    this.checkLive('getValue');
    return opts.borrow ? this.value : this.value.copy();
  }
  /** Releases the value's memory now; the variable cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const old = this.value;
    this.value = new NDArray(new (ctorOf(this.dtype))(0), this.value.shape.map(() => 0), this.dtype);
    releaseStorage(old);
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
  private checkLive(what: string): void {
    if (this.disposed) throw new ArgumentError(`${this.name ?? 'shared'}.${what}: the shared variable was disposed`);
  }
  /** Replaces the value (copied unless `{ borrow: true }`); the dtype must cast safely and the rank must match. */
  setValue(v: unknown, opts: { borrow?: boolean } = {}): void {
    this.checkLive('setValue');
    const arr = toValue(v, this.dtype, `shared ${this.name ?? ''}`.trim() + '.setValue');
    if (arr.ndim !== this.ndim) {
      throw new ShapeError(`${this.name ?? 'shared'}.setValue: value must have rank ${this.ndim}, got shape ${shapeStr(arr.shape)}`);
    }
    const sharesMemory = arr.data === (v instanceof NDArray ? v.data : v);
    // a same-shaped value is written into the existing storage, so borrowed views keep seeing the variable
    if (!opts.borrow && sameDims(arr.shape, this.value.shape)) this.value.data.set(arr.data);
    else this.value = sharesMemory && opts.borrow ? arr : intoStorage(arr);
  }
  /** Internal: the array compiled functions read and update in place. */
  get storage(): NDArray {
    return this.value;
  }
  /** Internal: replaces the storage after an update that changed the shape. */
  setStorage(v: NDArray): void {
    this.value = intoStorage(v);
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Allocates storage for shared values; the native backend installs one giving aligned native memory. */
export interface StorageAllocator {
  alloc(bytes: number): ArrayBuffer;
  /** Returns a buffer from `alloc` to the system now; every view of it then has length 0. */
  release(buffer: ArrayBuffer): void;
}
let allocator: StorageAllocator | null = null;
/** Buffers an allocator made, with the allocator that made them: only those are released (never a borrowed array). */
const allocated = new WeakMap<ArrayBuffer, StorageAllocator>();

export function setStorageAllocator(a: StorageAllocator | null): void {
  allocator = a;
}

let provider: (() => boolean) | null = null;
/**
 * Registers what runs before a shared value is stored, until it returns true: the native backend loads its addon
 * there and installs its allocator. The graph layer stays unaware of backends.
 */
export function setStorageProvider(f: (() => boolean) | null): void {
  provider = f;
}
/** Runs the registered provider until it reports that storage is settled. */
export function prepareStorage(): void {
  if (provider !== null && provider()) provider = null;
}

function intoStorage(v: NDArray): NDArray {
  const Ctor = ctorOf(v.dtype);
  if (!allocator || v.size === 0) return new NDArray(v.data.slice() as TypedArray, v.shape, v.dtype);
  const buffer = allocator.alloc(v.size * Ctor.BYTES_PER_ELEMENT);
  allocated.set(buffer, allocator);
  const data = new Ctor(buffer, 0, v.size);
  data.set(v.data);
  return new NDArray(data, v.shape, v.dtype);
}

function releaseStorage(v: NDArray): void {
  const buffer = v.data.buffer as ArrayBuffer;
  const owner = allocated.get(buffer);
  if (!owner) return;
  allocated.delete(buffer);
  owner.release(buffer);
}

/** Converts a user value to an NDArray of `dtype`, allowing only safe casts for typed data. */
export function toValue(v: unknown, dtype: DType, where: string): NDArray {
  if (v instanceof NDArray || dtypeOfTypedArray(v)) checkNotDetached(v as NDArray | TypedArray, where, 'value');
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
const NOT_IN_PLACE: readonly number[] = Object.freeze([]);

export class Apply {
  readonly op: Op;
  readonly inputs: readonly Variable[];
  readonly outputs: Variable[];
  /** Where the user created it; a node the compiler built has the site of the node it replaced (adoptSite). */
  readonly site: CreationSite;
  /**
   * Input positions whose buffer the output may take over when that input dies here (set only by the `inplace`
   * rewrite phase; the memory planner decides per shape whether it does).
   */
  readonly inPlace: readonly number[];
  constructor(op: Op, inputs: readonly Variable[], outputTypes: readonly TensorType[], site?: CreationSite, inPlace: readonly number[] = NOT_IN_PLACE) {
    this.op = op;
    this.inputs = inputs;
    this.inPlace = inPlace;
    this.site = site ?? captureSite();
    for (let i = 0; i < outputTypes.length; i++) checkStaticSize(op, outputTypes[i], i, outputTypes.length);
    this.outputs = outputTypes.map((t, i) => new Variable(t, this, i, undefined, this.site));
  }
}

/**
 * The known dims of a node's output must fit an array (each an integer in [0, MAX_DIM], at most MAX_ELEMENTS
 * elements), so a size that can never run (eye(1e300), a tile of 2^40 elements) is refused while the graph is built.
 */
function checkStaticSize(op: Op, t: TensorType, k: number, n: number): void {
  let count = 1;
  let bad = false;
  for (const d of t.shape) {
    if (d === null) continue;
    if (!(Number.isInteger(d) && d >= 0 && d <= MAX_DIM)) bad = true;
    count *= d;
  }
  if (!bad && !(count <= MAX_ELEMENTS)) bad = true;
  if (!bad) return;
  const what = n === 1 ? 'output' : `output ${k}`;
  throw new ShapeError(`${op.name}: ${what} shape must have integer dims in [0, ${MAX_DIM}] and at most ${MAX_ELEMENTS} elements, got ${shapeStr(t.shape)}`);
}

/**
 * Gives v, and the nodes and leaves behind it that the compiler built (COMPILER_SITE), `site`: a rewrite's
 * replacement takes the site of the variable it replaces, so a run-time error in a fused or gemm node names the
 * user's line of the expression it computes. Stops at anything with a site of its own, so it visits only new nodes.
 */
export function adoptSite(v: Variable, site: CreationSite): void {
  if (v.site !== COMPILER_SITE || site === COMPILER_SITE) return;
  // sites are set once here, before the nodes are used anywhere else: the only writer of the readonly field
  const set = (x: Variable | Apply) => ((x as { site: CreationSite }).site = site);
  const stack = [v];
  while (stack.length) {
    const u = stack.pop()!;
    if (u.site !== COMPILER_SITE) continue;
    set(u);
    const n = u.owner;
    if (!n || n.site !== COMPILER_SITE) continue;
    set(n);
    for (const o of n.outputs) set(o);
    for (const i of n.inputs) if (i.site === COMPILER_SITE) stack.push(i);
  }
}
