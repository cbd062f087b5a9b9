// The rewrites section of npm run bench: what the graph rewrites buy on the MLP training step (time, kernels launched,
// graph size, planned memory). Run alone with `npm run bench -- rewrites`.
import { planMemory } from '../lib/compile/memory-plan';
import { PHASES } from '../lib/rewrite';
import { compare, Section } from './harness';
import { buildMlp, MlpStep } from './models';

const mlp = (layers: number) => [784, ...Array.from({ length: layers }, () => 512), 10];

/** Graph rewrites off, in-place reuse (the last phase) kept: what "rewrites off" measures. */
export const GRAPH_REWRITES_OFF = { exclude: PHASES.filter((p) => p !== 'inplace') };

/** Steps the plan launches (view steps that only alias their input are skipped) and its arena bytes. */
function planOf(m: MlpStep): { launched: number; bytes: number } {
  const p = m.train.program;
  const byName = new Map(m.params.map((s) => [s.name, s.getValue({ borrow: true }).shape]));
  const plan = planMemory(p, [m.X.shape, m.Y.shape], p.shared.map((s) => byName.get(s.name)!));
  return { launched: p.steps.length - plan.skip.reduce((a, b) => a + b, 0), bytes: plan.arenaBytes };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;

export function rewritesSection(native: boolean): Section {
  const backend = native ? 'native' : 'js';
  const on = buildMlp(mlp(2), 128, { backend });
  const off = buildMlp(mlp(2), 128, { backend, rewrites: GRAPH_REWRITES_OFF });
  const results = compare(
    [
      { name: `MLP step, rewrites off (${backend})`, run: (k) => { for (let i = 0; i < k; i++) off.train(off.X, off.Y); } },
      { name: `MLP step, rewrites on (${backend})`, run: (k) => { for (let i = 0; i < k; i++) on.train(on.X, on.Y); } },
    ],
    { rounds: 7, roundMs: 300 },
  );
  // graph size: Apply nodes of the compiled graph, i.e. program steps (before rewrites = with rewrites off)
  const deepOn = buildMlp(mlp(20), 128, { backend: 'js' });
  const deepOff = buildMlp(mlp(20), 128, { backend: 'js', rewrites: 'none' });
  const nodes = (m: MlpStep) => m.train.program.steps.length;
  const onNoInPlace = buildMlp(mlp(2), 128, { backend: 'js', rewrites: { exclude: ['inplace'] } });
  const offNoInPlace = buildMlp(mlp(2), 128, { backend: 'js', rewrites: 'none' });
  const [pOn, pOff, pOnNoInPlace, pOffNoInPlace] = [planOf(on), planOf(off), planOf(onNoInPlace), planOf(offNoInPlace)];
  const phases = on.train
    .rewriteLog()
    .filter((e) => e.kind === 'phase')
    .map((e) => `${e.phase} ${e.ms.toFixed(2)} ms`)
    .join(', ');
  const fired = on.train
    .rewriteLog()
    .filter((e) => e.kind === 'rewrite' && e.count > 0)
    .map((e) => `${e.name} ×${e.count}`)
    .join('; ');
  return {
    title: 'Graph rewrites on the MLP 784-512-512-10 training step (batch 128, float32)',
    baseline: `MLP step, rewrites off (${backend})`,
    results,
    notes: [
      `Kernels launched per step: ${pOn.launched} with rewrites, ${pOff.launched} without.`,
      `Graph nodes before / after rewrites: MLP ${nodes(off)} / ${nodes(on)}; 20-layer MLP ${nodes(deepOff)} / ${nodes(deepOn)}.`,
      `Peak planned bytes per step (arena of temporaries): with rewrites ${mib(pOn.bytes)} with in-place reuse, ${mib(pOnNoInPlace.bytes)} without; rewrites off ${mib(pOff.bytes)} with in-place reuse, ${mib(pOffNoInPlace.bytes)} without.`,
      `Rewrite phases while compiling the MLP: ${phases}.`,
      `Rewrites that fired: ${fired}.`,
    ],
  };
}

