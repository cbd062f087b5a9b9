import { config, FloatX } from '../config';
import { ArgumentError } from '../errors';
import { describe, NDArray } from '../ndarray';
import { RandomState } from '../random/random-state';

// Parameter initializers: each draws an NDArray from a RandomState, so a seed fixes the whole model. Fans follow
// the convention of weights used as dot(X, W): W has shape [fanIn, fanOut]; for rank > 2 (filters
// [out, in, ...kernel]) the kernel size multiplies both fans.

export interface InitOptions {
  /** Output dtype (default T.config.floatX). */
  dtype?: FloatX;
  /** Scale factor on the standard deviation or limit (e.g. sqrt(2) for ReLU under Glorot). */
  gain?: number;
}

function check(where: string, rng: unknown, shape: unknown, opts: InitOptions): number[] {
  const problems: string[] = [];
  if (!(rng instanceof RandomState)) problems.push(`rng must be a T.RandomState, got ${describe(rng)}`);
  const okShape = Array.isArray(shape) && shape.length > 0 && shape.every((d) => Number.isInteger(d) && d >= 0);
  if (!okShape) problems.push(`shape must be a non-empty array of non-negative integers, got ${describe(shape)}`);
  if (opts === null || typeof opts !== 'object') problems.push(`options must be an object, got ${describe(opts)}`);
  else if (opts.gain !== undefined && !(typeof opts.gain === 'number' && opts.gain > 0 && Number.isFinite(opts.gain))) {
    problems.push(`gain must be a positive finite number, got ${describe(opts.gain)}`);
  }
  if (problems.length) throw new ArgumentError(`${where}: ${problems.join('; ')}`);
  return shape as number[];
}

/** [fanIn, fanOut] of a weight of this shape. */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const field = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * field, shape[0] * field];
}

/** Uniform in [low, high). @example T.train.init.uniform(rng, [10], -0.1, 0.1) */
export function uniform(rng: RandomState, shape: number[], low = -0.05, high = 0.05, opts: InitOptions = {}): NDArray {
  check('init.uniform', rng, shape, opts);
  return rng.uniform(low, high, shape, opts.dtype ?? config.floatX);
}

/** Normal with mean `mean` and standard deviation `std`. @example T.train.init.normal(rng, [784, 10], 0, 0.01) */
export function normal(rng: RandomState, shape: number[], mean = 0, std = 0.05, opts: InitOptions = {}): NDArray {
  check('init.normal', rng, shape, opts);
  return rng.normal(mean, std, shape, opts.dtype ?? config.floatX);
}

/** Glorot/Xavier uniform: limit gain * sqrt(6 / (fanIn + fanOut)). @example T.shared(T.train.init.glorotUniform(rng, [784, 512]), 'W1') */
export function glorotUniform(rng: RandomState, shape: number[], opts: InitOptions = {}): NDArray {
  const [fi, fo] = fans(check('init.glorotUniform', rng, shape, opts));
  const limit = (opts.gain ?? 1) * Math.sqrt(6 / Math.max(1, fi + fo));
  return rng.uniform(-limit, limit, shape, opts.dtype ?? config.floatX);
}

/** Glorot/Xavier normal: std gain * sqrt(2 / (fanIn + fanOut)). */
export function glorotNormal(rng: RandomState, shape: number[], opts: InitOptions = {}): NDArray {
  const [fi, fo] = fans(check('init.glorotNormal', rng, shape, opts));
  return rng.normal(0, (opts.gain ?? 1) * Math.sqrt(2 / Math.max(1, fi + fo)), shape, opts.dtype ?? config.floatX);
}

/** He/Kaiming uniform for ReLU layers: limit gain * sqrt(6 / fanIn). */
export function heUniform(rng: RandomState, shape: number[], opts: InitOptions = {}): NDArray {
  const [fi] = fans(check('init.heUniform', rng, shape, opts));
  const limit = (opts.gain ?? 1) * Math.sqrt(6 / Math.max(1, fi));
  return rng.uniform(-limit, limit, shape, opts.dtype ?? config.floatX);
}

/** He/Kaiming normal for ReLU layers: std gain * sqrt(2 / fanIn). */
export function heNormal(rng: RandomState, shape: number[], opts: InitOptions = {}): NDArray {
  const [fi] = fans(check('init.heNormal', rng, shape, opts));
  return rng.normal(0, (opts.gain ?? 1) * Math.sqrt(2 / Math.max(1, fi)), shape, opts.dtype ?? config.floatX);
}
