export { saveSafetensors, loadSafetensors, encodeSafetensors, decodeSafetensors } from './safetensors';
export type { SafetensorsFile } from './safetensors';
export { saveNpy, loadNpy, saveNpz, loadNpz } from './npy';
export { loadIdx } from './idx';
export type { IdxOptions } from './idx';
export { saveCheckpoint, loadCheckpoint } from './checkpoint';
export type { CheckpointVars, LoadCheckpointOptions } from './checkpoint';
