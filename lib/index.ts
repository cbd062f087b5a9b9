import './api/methods';
import { sigmoid } from './ops/sigmoid';
import { logSoftmax, softmax } from './ops/softmax';
import { softplus } from './ops/softplus';
import { relu } from './ops/relu';
import { elu } from './ops/elu';
import { selu } from './ops/selu';
import { gelu } from './ops/gelu';
import { hardSigmoid } from './ops/hard-sigmoid';
import { categoricalCrossentropy } from './ops/categorical-crossentropy';
import { binaryCrossentropy, binaryCrossentropyWithLogits } from './ops/binary-crossentropy';
import { meanSquaredError, squaredError } from './ops/squared-error';
import { oneHot } from './ops/one-hot';
import { dropout } from './ops/dropout';
import { softmaxCrossentropyWithLogits } from './ops/softmax-crossentropy';
import { RandomStreams } from './ops/random-streams';
import { pool2d } from './ops/pool';
import { batchNormalizationTest, batchNormalizationTrain } from './ops/batch-norm';
import { conv2d, conv2dGradWrtInputs, conv2dGradWrtWeights } from './ops/conv2d';
import { conv1d } from './ops/conv1d';

export { config } from './config';
export type { FloatX } from './config';
export * from './errors';
export type { DType, TypedArray } from './dtype';
export { NDArray, array, zeros, ones, full } from './ndarray';
export type { Shape, NestedArray, ArrayOptions } from './ndarray';
export { Variable, Constant, SharedVariable, Apply } from './graph/variable';
export type { SharedOptions } from './graph/variable';
export { Op } from './graph/op';
export { defineOp, asOp, CustomOp } from './api/custom-op';
export type { OpDefinition, AsOpDefinition, OpFunction, TypeLike, GradResult } from './api/custom-op';
export { TensorType } from './graph/type';
export { FunctionGraph } from './graph/fgraph';
export { constant } from './graph/as-variable';
export { tensor, scalar, vector, matrix, row, col, tensor3, tensor4, shared } from './graph/tensor';
export { fscalar, dscalar, iscalar, fvector, dvector, ivector, fmatrix, dmatrix, imatrix } from './graph/tensor';
export * from './ops';
export { grad } from './grad/grad';
export type { GradOptions, DiffOptions } from './grad/grad';
export { Lop, Rop, jacobian, hessian } from './scan/jacobian';
export { scan, scanUntil, ScanUntil, map, reduce, foldl, foldr, ifelse } from './scan';
export type { ScanOptions, ScanUpdates, ScanResult, SequenceInfo, OutputInfo } from './scan';
export { verifyGrad } from './api/verify-grad';
export type { VerifyGradOptions } from './api/verify-grad';
export { compileFunction as function, compileFunction as compile } from './api/function';
export type { CompiledFunction, FunctionOptions, FunctionInfo } from './api/function';
export { makeIn as In, makeOut as Out } from './api/in-out';
export type { InOptions, OutOptions } from './api/in-out';
export type { Program } from './compile/program';
export { pp, debugprint } from './api/debugprint';
export { backend } from './backend/select';
export { RandomState } from './random/random-state';
/** Symbolic random streams, Theano's `T.shared_randomstreams` / `MRG_RandomStreams`. */
export const random = { RandomStreams };
export { RandomStreams };
/** Reading and writing arrays and checkpoints: safetensors, .npy/.npz, IDX. */
export * as io from './io';
/** Training toolkit: initializers, optimizers (update builders), schedules, minibatches, progress. */
export * as train from './train';

/** Neural-network ops, Theano's `T.nnet`. */
export const nnet = {
  sigmoid, softmax, logSoftmax, softplus, relu, elu, selu, gelu, hardSigmoid,
  categoricalCrossentropy, softmaxCrossentropyWithLogits, binaryCrossentropy, binaryCrossentropyWithLogits, squaredError, meanSquaredError, oneHot, dropout,
  pool2d,
  /** Batch normalization, Theano's `T.nnet.bn`. */
  bn: { batchNormalizationTrain, batchNormalizationTest },
  conv2d, conv2dGradWrtInputs, conv2dGradWrtWeights, conv1d,
};
/** Signal processing, Theano's `T.signal` (`pool.pool_2d` as `pool2d`). */
export const signal = { pool2d };
