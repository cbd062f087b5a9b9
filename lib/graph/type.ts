import { DType } from '../dtype';
import { shapeStr } from '../ndarray';

/** A static dimension: a known size, or null where only the run time knows it. */
export type Dim = number | null;

/** The type of a symbolic tensor: dtype plus static shape (rank always known, dims where known). */
export class TensorType {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  constructor(dtype: DType, shape: readonly Dim[]) {
    this.dtype = dtype;
    this.shape = Object.freeze(shape.slice());
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Whether every dim is known. */
  get isStatic(): boolean {
    return this.shape.every((d) => d !== null);
  }
  equals(o: TensorType): boolean {
    return this.dtype === o.dtype && this.shape.length === o.shape.length && this.shape.every((d, i) => d === o.shape[i]);
  }
  /** Whether a value of type `o` may stand where this type is expected (same dtype and rank, compatible dims). */
  accepts(o: TensorType): boolean {
    return (
      this.dtype === o.dtype &&
      this.shape.length === o.shape.length &&
      this.shape.every((d, i) => d === null || o.shape[i] === null || d === o.shape[i])
    );
  }
  /** Whether a concrete shape fits this type. */
  fits(shape: readonly number[]): boolean {
    return shape.length === this.shape.length && this.shape.every((d, i) => d === null || d === shape[i]);
  }
  toString(): string {
    return `${this.dtype}${shapeStr(this.shape)}`;
  }
}
