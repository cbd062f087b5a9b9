// GFLOP/s of the native conv kernels (forward, gradient wrt inputs, wrt weights) on LeNet's two layers and a ResNet
// 3x3 layer, float32, next to PyTorch (bench/conv_torch.py, same thread count) when /usr/bin/python3 has it.
// Run: npx tsx bench/conv.ts   (NODEANO_THREADS / the default: every core)
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as T from '../lib';
import { compare } from './harness';

export const SHAPES: { name: string; x: number[]; w: number[]; opts: T.Conv2dOptions }[] = [
  { name: 'LeNet conv1 500x1x28x28 * 20x1x5x5', x: [500, 1, 28, 28], w: [20, 1, 5, 5], opts: {} },
  { name: 'LeNet conv2 500x20x12x12 * 50x20x5x5', x: [500, 20, 12, 12], w: [50, 20, 5, 5], opts: {} },
  { name: '3x3 32x64x56x56 * 64x64x3x3 half', x: [32, 64, 56, 56], w: [64, 64, 3, 3], opts: { borderMode: 'half' } },
];

const rng = new T.RandomState(3);
const rows: string[] = [];
for (const s of SHAPES) {
  const x = T.tensor4('x', 'float32');
  const w = T.tensor4('w', 'float32');
  const gy = T.tensor4('gy', 'float32');
  const y = T.nnet.conv2d(x, w, s.opts);
  const X = rng.uniform(-1, 1, s.x, 'float32');
  const W = rng.uniform(-1, 1, s.w, 'float32');
  const fwd = T.function([x, w], y, { backend: 'native' });
  const Y = fwd(X, W) as T.NDArray;
  const G = rng.uniform(-1, 1, Y.shape, 'float32');
  const gin = T.function([gy, w], T.nnet.conv2dGradWrtInputs(gy, w, s.x, s.opts), { backend: 'native' });
  const gw = T.function([x, gy], T.nnet.conv2dGradWrtWeights(x, gy, s.w, s.opts), { backend: 'native' });
  const flops = 2 * Y.size * (s.w[1] * s.w[2] * s.w[3]);
  const res = compare(
    [
      { name: 'forward', run: (n) => { for (let i = 0; i < n; i++) fwd(X, W); } },
      { name: 'gradInputs', run: (n) => { for (let i = 0; i < n; i++) gin(G, W); } },
      { name: 'gradWeights', run: (n) => { for (let i = 0; i < n; i++) gw(X, G); } },
    ],
    { rounds: 5, roundMs: 300 },
  );
  for (const r of res) rows.push(`| ${s.name} | ${r.name} | ${(r.ns / 1e6).toFixed(2)} ms | ${(flops / r.ns).toFixed(1)} |`);
}
console.log(`threads ${T.config.threads ?? 'default'}\n| shape | pass | time | GFLOP/s |\n|---|---|---|---|\n${rows.join('\n')}`);
if (process.argv.includes('--torch')) {
  console.log(execFileSync('/usr/bin/python3', [path.join(__dirname, 'conv_torch.py')], { encoding: 'utf8' }));
}
