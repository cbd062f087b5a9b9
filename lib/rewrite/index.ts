import './merge';
import './constant-folding';
import './canonicalize';
import './stabilize';
import './stabilize-logistic';
import './specialize';
import './fusion';
export { optimize, rewriteNames, PHASES } from './registry';
export type { Phase, Rewrite, RewriteLogEntry, RewriteOption } from './registry';
