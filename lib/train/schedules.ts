import { ArgumentError } from '../errors';
import { describe } from '../ndarray';

// Learning-rate schedules as plain functions of the step (or epoch) number. Use them two ways:
//  - host side: keep the rate in a shared variable and set it between calls, `lr.setValue(schedule(epoch))`;
//  - in the graph: pass `learningRate: (t) => ...` to an optimizer, where t is its symbolic step count.

export type Schedule = (step: number) => number;

function positive(where: string, vals: Record<string, unknown>): void {
  const bad = Object.entries(vals).filter(([, v]) => !(typeof v === 'number' && Number.isFinite(v) && v >= 0));
  if (bad.length) throw new ArgumentError(`${where}: ${bad.map(([k, v]) => `${k} must be a non-negative finite number, got ${describe(v)}`).join('; ')}`);
}

/** lr0 * rate^(step / every). @example const s = T.train.schedules.exponential(0.1, 0.5, 10); s(20) // 0.025 */
export function exponential(lr0: number, rate: number, every = 1): Schedule {
  positive('schedules.exponential', { lr0, rate, every });
  return (step) => lr0 * rate ** (step / every);
}

/** lr0 multiplied by `factor` after each of the `milestones` is reached. */
export function piecewise(lr0: number, milestones: readonly number[], factor = 0.1): Schedule {
  positive('schedules.piecewise', { lr0, factor });
  if (!Array.isArray(milestones) || !milestones.every((m) => Number.isFinite(m))) throw new ArgumentError(`schedules.piecewise: milestones must be an array of numbers, got ${describe(milestones)}`);
  return (step) => lr0 * factor ** milestones.filter((m) => step >= m).length;
}

/** Cosine decay from lr0 to lrMin over `total` steps, then lrMin; with an optional linear warm-up from 0. */
export function cosine(lr0: number, total: number, lrMin = 0, warmup = 0): Schedule {
  positive('schedules.cosine', { lr0, total, lrMin, warmup });
  return (step) => {
    if (step < warmup) return (lr0 * (step + 1)) / warmup;
    const p = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
    return lrMin + 0.5 * (lr0 - lrMin) * (1 + Math.cos(Math.PI * p));
  };
}
