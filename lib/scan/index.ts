import './grad';
import './rewrite-last';
export { scan, scanUntil, ScanUntil } from './scan';
export type { ScanOptions, ScanUpdates, ScanResult, SequenceInfo, OutputInfo } from './scan';
export { map, reduce, foldl, foldr } from './fold';
export { ifelse, IfElseOp } from './ifelse';
