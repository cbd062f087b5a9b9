export * as init from './init';
export { sgd, momentum, nesterov, adam, adamW, rmsprop, adagrad, clipByGlobalNorm } from './optimizers';
export type { Updates, LearningRate, OptimizerOptions, MomentumOptions, AdamOptions, RmspropOptions, AdagradOptions } from './optimizers';
export * as schedules from './schedules';
export { minibatches, batchCount } from './data';
export type { MinibatchOptions } from './data';
export { progress } from './progress';
export type { Progress, ProgressOptions } from './progress';
