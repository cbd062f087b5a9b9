import { execFileSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { nativeAvailable } from './helpers';

const root = path.resolve(__dirname, '..');

describe('examples', () => {
  it('xor.ts converges to within 0.1 of [0, 1, 1, 0]', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples/xor.ts')], { cwd: root, encoding: 'utf8' });
    const values = out.split('outputs for')[1].match(/-?\d+\.\d*(e-?\d+)?/g)!.map(Number);
    expect(values).toHaveLength(4);
    [0, 1, 1, 0].forEach((t, i) => expect(Math.abs(values[i] - t)).toBeLessThan(0.1));
    expect(out).toMatch(/step 50000: cost/);
  }, 60000);
});

const fashion = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
describe.skipIf(!require('fs').existsSync(fashion))('examples/fashion-mnist.ts (Debian dataset-fashion-mnist)', () => {
  it('trains on a slice, checkpoints every epoch, and after a kill resumes exactly where it stopped', async () => {
    const ckpt = path.join(require('os').tmpdir(), `nodeano-fashion-${process.pid}.safetensors`);
    const argv = (...args: string[]) => ['--import', 'tsx', path.join(root, 'examples/fashion-mnist.ts'), '--limit', '3000', '--epochs', '3', '--checkpoint', ckpt, ...args];
    const straight = execFileSync(process.execPath, argv(), { cwd: root, encoding: 'utf8' });
    const accs = [...straight.matchAll(/epoch (\d+): train loss ([\d.]+), test accuracy ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
    expect(accs.map((a) => a[0])).toEqual([1, 2, 3]);
    // 3,000 images for three epochs: far from the full run's accuracy, far above chance (0.1)
    expect(accs[2][2]).toBeGreaterThan(0.6);
    expect(accs[2][1]).toBeLessThan(accs[0][1]);
    // the same run killed as soon as it reports epoch 2 (its checkpoint is written before the report)
    const child = require('child_process').spawn(process.execPath, argv(), { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/epoch 2: train loss/.test(seen)) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(seen).not.toMatch(/epoch 3: train loss/);
    const resumed = execFileSync(process.execPath, argv('--resume'), { cwd: root, encoding: 'utf8' });
    expect(resumed).toContain('after epoch 2');
    expect(resumed).not.toMatch(/epoch [12]: train loss/);
    // parameters, Adam state and dropout streams are all in the checkpoint: resuming equals never stopping
    const line3 = (out: string) => /epoch 3: train loss [\d.]+, test accuracy [\d.]+/.exec(out)![0];
    expect(line3(resumed)).toBe(line3(straight));
    require('fs').rmSync(ckpt, { force: true });
  }, 120000);
});

const fortunes = '/usr/share/games/fortunes';
describe.skipIf(!require('fs').existsSync(fortunes))('examples/char-lstm.ts (Debian fortunes, issue 12)', () => {
  it('a short run lowers the loss, samples vocabulary characters, and after a kill resumes exactly where it stopped', async () => {
    const ckpt = path.join(require('os').tmpdir(), `nodeano-char-lstm-${process.pid}.safetensors`);
    // sizes far below the example's defaults so three runs fit the JS backend on two cores
    const small = ['--hidden', '32', '--batch', '8', '--seq', '32', '--embed', '16', '--lr', '0.01', '--steps', '30', '--every', '10', '--sample', '120'];
    const argv = (...args: string[]) => ['--import', 'tsx', path.join(root, 'examples/char-lstm.ts'), ...small, '--checkpoint', ckpt, ...args];
    const straight = execFileSync(process.execPath, argv(), { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const reports = [...straight.matchAll(/step (\d+): loss ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(reports.map((r) => r[0])).toEqual([10, 20, 30]);
    // from about ln(96) = 4.56 (uniform over the vocabulary) to well below it
    expect(reports[0][1]).toBeLessThan(4.6);
    expect(reports[2][1]).toBeLessThan(reports[0][1] - 0.3);
    const sample = /--- sample of 120 characters, temperature 0.8 ---\n([^]*)\n--- end of sample ---/.exec(straight)![1];
    expect(sample).toHaveLength(120);
    const { VOCAB } = await import('../examples/char-lstm');
    expect([...sample].filter((ch) => !VOCAB.includes(ch))).toEqual([]);
    // the same run killed as soon as it reports step 20 (its checkpoint is written before the report)
    const child = require('child_process').spawn(process.execPath, argv(), { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/step 20: loss/.test(seen)) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(seen).not.toMatch(/step 30: loss/);
    const resumed = execFileSync(process.execPath, argv('--resume'), { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(resumed).toContain(`resumed from ${ckpt} after step 20`);
    expect(resumed).not.toMatch(/step [12]0: loss/);
    // parameters and Adam's moments and step count are in the checkpoint, batches depend only on the step:
    // the resumed loss curve and sample are the uninterrupted run's
    const tail = (out: string) => [/step 30: loss [\d.]+/.exec(out)![0], out.split('--- end of sample')[0].split('temperature 0.8 ---')[1]];
    expect(tail(resumed)).toEqual(tail(straight));
    require('fs').rmSync(ckpt, { force: true });
  }, 60000);
});

describe('examples/logistic-regression.ts and examples/mlp-dropout.ts (issue 4)', () => {
  const run = (file: string, ...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples', file), ...args], { cwd: root, encoding: 'utf8' });
  const num = (out: string, re: RegExp) => Number(out.match(re)![1]);
  const lines = (out: string, after: string) => out.split(`${after}\n`)[1].split('\n')[0];
  const logistic = (backend: string) => run('logistic-regression.ts', '--backend', backend, '--steps', '1000', '--until-fit');
  const mlp = (backend: string) => run('mlp-dropout.ts', '--backend', backend, '--epochs', '25');
  const losses = (out: string) => [...out.matchAll(/epoch \d+: loss ([\d.]+)/g)].map((m) => Number(m[1]));
  // the js runs are shared with the native tests that compare against them (and made on demand when run alone)
  let jsLogisticOut = '';
  let jsMlpOut = '';
  const jsLogistic = () => (jsLogisticOut ||= logistic('js'));
  const jsMlp = () => (jsMlpOut ||= mlp('js'));

  it('logistic regression fits its 400 random examples exactly on js, stopping at the first perfect step', () => {
    const out = jsLogistic();
    expect(out).toContain('backend: js; cross-entropy from tutorial');
    expect(out).toMatch(/every training example classified correctly at step \d+; stopping/);
    expect(num(out, /trained (\d+) steps/)).toBeLessThan(1000);
    expect(num(out, /final training accuracy ([\d.]+)/)).toBe(1);
    const targets = lines(out, 'target values for D:');
    expect(targets).toMatch(/^[01]{400}$/);
    expect(lines(out, 'prediction on D:')).toBe(targets);
  }, 60000);

  it.skipIf(!nativeAvailable)('logistic regression on native stops at the same step with the same predictions as js', () => {
    const out = logistic('native');
    expect(out).toContain('backend: native');
    expect(num(out, /trained (\d+) steps/)).toBe(num(jsLogistic(), /trained (\d+) steps/));
    expect(num(out, /final training accuracy ([\d.]+)/)).toBe(1);
    expect(lines(out, 'prediction on D:')).toBe(lines(jsLogistic(), 'prediction on D:'));
    expect(Math.abs(num(out, /\nb: (\S+)/) - num(jsLogistic(), /\nb: (\S+)/))).toBeLessThan(1e-9);
  }, 60000);

  it('the dropout MLP learns the 3-class spiral on js (train accuracy > 0.9) and its loss falls', () => {
    const out = jsMlp();
    expect(out).toContain('backend: train js, predict js');
    const l = losses(out);
    expect(l).toHaveLength(25);
    expect(l[24]).toBeLessThan(l[0] / 4);
    expect(num(out, /final train accuracy ([\d.]+)/)).toBeGreaterThan(0.9);
  }, 60000);

  // Same seed, same batches and bit-identical dropout masks on both backends; only float32 rounding in the sums
  // differs, so the losses agree closely rather than exactly.
  it.skipIf(!nativeAvailable)('the dropout MLP on native follows the js losses and reaches the same accuracy', () => {
    const out = mlp('native');
    expect(out).toContain('backend: train native, predict native');
    const l = losses(out);
    losses(jsMlp()).forEach((v, i) => expect(Math.abs(l[i] - v), `epoch ${i + 1}`).toBeLessThan(5e-3));
    const acc = num(out, /final train accuracy ([\d.]+)/);
    expect(acc).toBeGreaterThan(0.9);
    expect(Math.abs(acc - num(jsMlp(), /final train accuracy ([\d.]+)/))).toBeLessThanOrEqual(0.01);
  }, 60000);
});

describe('examples/custom-op.ts (writing your own op, issue 11)', () => {
  const run = (backend: string) =>
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples/custom-op.ts'), '--backend', backend], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const nums = (out: string, label: string) => out.split(`${label}: `)[1].split('\n')[0].match(/-?\d+(\.\d*)?(e-?\d+)?/g)!.map(Number);
  const close = (a: number[], b: number[]) => expect(a.map((v, i) => Math.abs(v - b[i])).every((d) => d < 1e-12), `${a} vs ${b}`).toBe(true);

  it.each(['js', 'auto'])('defines, runs, differentiates and trains its ops with backend %s (on js)', (backend) => {
    const out = run(backend);
    expect(out).toContain('backend: js');
    close(nums(out, 'softsign'), [2 / 3, -0.75, 1 / 3]);
    close(nums(out, 'gradient'), [1 / 9, 1 / 16, 4 / 9]);
    expect(nums(out, 'sorted')).toEqual([-3, 0.5, 2]);
    expect(nums(out, 'range')).toEqual([-3, 2]);
    expect(out).toContain('gradient of softsign checked against finite differences');
    expect(Math.abs(nums(out, 'fitted w')[0] - 1.5)).toBeLessThan(1e-3);
  }, 60000);

  it.skipIf(!nativeAvailable)('reports the CompileError for its JS-only ops with backend native', () => {
    expect(run('native')).toMatch(/with backend native: CompileError: .*no kernel "custom:softsign" for op softsign/);
  }, 60000);
});
