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

describe('examples/scan-tutorial.ts (Theano\'s loop page, issue 12)', () => {
  const out = () => (tutorialOut ||= execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples/scan-tutorial.ts')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  let tutorialOut = '';
  // test/fixtures/scan-tutorial.py computes these with NumPy, as the page's comparison lines do
  const expected = JSON.parse(require('fs').readFileSync(path.join(root, 'test/fixtures/scan-tutorial.json'), 'utf8'));
  /** The numbers printed under `label:` in the section whose title contains `section`. */
  const printed = (section: string, label: string): number[] => {
    const block = out().split('\n=== ').find((s) => s.split('\n')[0].includes(section));
    expect(block, section).toBeDefined();
    const lines = block!.split('\n');
    const at = lines.indexOf(`${label}:`);
    expect(at, `${section}: ${label}`).toBeGreaterThan(0);
    const value: string[] = [];
    for (let i = at + 1; i < lines.length && /^[\s[\d-]/.test(lines[i]) && lines[i].trim() && !lines[i].endsWith(':'); i++) value.push(lines[i]);
    return value.join(' ').match(/-?\d+(\.\d*)?(e[-+]?\d+)?/g)!.map(Number);
  };
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const near = (got: number[], want: unknown, what: string) => {
    const w = flat(want);
    expect(got, what).toHaveLength(w.length);
    // eight decimals printed, as NumPy prints them
    got.forEach((g, i) => expect(Math.abs(g - w[i]), `${what}[${i}]: ${g} vs ${w[i]}`).toBeLessThan(1e-7));
  };

  it.each([
    ['tanh(x(t).dot(W) + b) elementwise', 'compute_elementwise', 'np.tanh(x.dot(w) + b)', 'compute_elementwise'],
    ['tanh(x(t - 1).dot(W) + y(t).dot(U)', 'compute_seq', 'x_res', 'compute_seq'],
    ['norms of lines', 'compute_norm_lines', 'np.sqrt((x ** 2).sum(1))', 'compute_norm_lines'],
    ['norms of columns', 'compute_norm_cols', 'np.sqrt((x ** 2).sum(0))', 'compute_norm_cols'],
    ['trace of X', 'compute_trace', 'np.diagonal(x).sum()', 'compute_trace'],
    ['x(t - 2).dot(U)', 'compute_seq2', 'x_res', 'compute_seq2'],
    ['Jacobian', 'compute_jac_t', '((1 - np.tanh(x.dot(w)) ** 2) * w).T', 'compute_jac_t'],
  ])('prints the page\'s values for %s, from scan and from the NumPy comparison', (section, scanLabel, npLabel, key) => {
    near(printed(section, scanLabel), expected[key], scanLabel);
    near(printed(section, npLabel), expected[key], npLabel);
  }, 60000);

  it('prints A**k, the polynomial (summed after the scan and accumulated in it), the triangular numbers and the values set at positions', () => {
    near(printed('pow(A, k)', 'power(range(10), 2)'), expected.power, 'power');
    near(printed('Calculating a Polynomial', 'calculate_polynomial(test_coeff, 3)'), expected.calculate_polynomial, 'polynomial');
    near(printed('Exercise', 'calculate_polynomial(test_coeff, 3)'), expected.calculate_polynomial, 'exercise');
    near(printed('accumulation into a scalar', 'triangular_sequence(some_num)'), expected.triangular_sequence, 'triangular');
    near(printed('accumulation into a scalar', '[n * (n + 1) // 2 for n in range(some_num)]'), expected.triangular_sequence, 'triangular (JS)');
    near(printed('Another simple example', 'assign_values_at_positions(test_locations, test_values, test_output_model)'), expected.assign_values_at_positions, 'set_subtensor');
  }, 60000);

  it('updates shared variables through the loop: k counts the steps, and b, c, a follow the guide over two calls', () => {
    near(printed('Accumulate number of loop', 'k.get_value()'), expected.k_before, 'k before');
    near(printed('Accumulate number of loop', 'k.get_value() after accumulator(5)'), expected.k_after, 'k after');
    near(printed('updates dictionary', 'call 1: b, c, a.get_value()'), expected.b_c_a[0], 'call 1');
    near(printed('updates dictionary', 'call 2: b, c, a.get_value()'), expected.b_c_a[1], 'call 2');
  }, 60000);

  // nodeano's generator is not NumPy's, so the draws cannot be the page's; their structure can
  it('draws binomial noise anew at every step and on every call (once per call as a non-sequence), each entry 0 or the page\'s tanh value', () => {
    const where = flat(expected.bnoise_where_one);
    const first = printed('d is binomial', 'compute_with_bnoise');
    const again = printed('d is binomial', 'compute_with_bnoise, called again');
    for (const draw of [first, again]) {
      expect(draw).toHaveLength(20);
      draw.forEach((v, i) => expect(v === 0 || Math.abs(v - where[i]) < 1e-7, `entry ${i}: ${v}`).toBe(true));
      const rows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => draw.slice(2 * r, 2 * r + 2).map((v) => (v ? 1 : 0)).join(''));
      expect(new Set(rows).size, 'masks differ between steps').toBeGreaterThan(1);
    }
    expect(again).not.toEqual(first);
    // passed as a non-sequence, d is drawn once per call: within a call every row has the same zeros
    const masks = [1, 2, 3].map((call) => {
      const fixed = printed('d is binomial', `with d as a non-sequence, call ${call}`);
      fixed.forEach((v, i) => expect(v === 0 || Math.abs(v - where[i]) < 1e-7, `call ${call}, entry ${i}: ${v}`).toBe(true));
      const pattern = (r: number) => fixed.slice(2 * r, 2 * r + 2).map((v) => (v ? 1 : 0)).join('');
      const rows = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(pattern));
      expect(rows.size, `call ${call}`).toBe(1);
      return [...rows][0];
    });
    expect(new Set(masks).size, 'masks differ between calls').toBeGreaterThan(1);
  }, 60000);

  it('runs the Gibbs chain (samples are 0/1 vectors) and strict names the shared variables not passed', () => {
    const samples = printed('Gibbs sampling', 'gibbs10([1, 0]), four calls');
    expect(samples).toHaveLength(8);
    samples.forEach((v) => expect([0, 1]).toContain(v));
    expect(out()).toMatch(/with strict: ArgumentError: scan: with strict, the step function may read only its arguments, got W .*bhid .*bvis/);
  }, 60000);
});

describe('examples/lstm-classifier.ts (lstm.py-style masked LSTM, issue 12)', () => {
  it('learns the temporal-order problem far above chance, its cost falls, and padding steps change nothing', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'examples/lstm-classifier.ts')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const epochs = [...out.matchAll(/epoch (\d+): cost ([\d.]+), train accuracy ([\d.]+), valid accuracy ([\d.]+)/g)].map((m) => m.slice(1).map(Number));
    expect(epochs.map((e) => e[0])).toEqual([1, 2, 3, 4]);
    expect(epochs[3][1]).toBeLessThan(epochs[0][1] / 2);
    // chance is 0.5: both classes hold one A and one B, only their order differs
    expect(epochs[3][2]).toBeGreaterThan(0.85);
    expect(Number(out.match(/final valid accuracy ([\d.]+)/)![1])).toBeGreaterThan(0.85);
    expect(Number(out.match(/changes its probabilities by (\S+)/)![1])).toBeLessThan(1e-6);
  }, 120000);
});

describe.skipIf(!require('fs').existsSync(fashion))('examples/lenet.ts and examples/convnet.ts (convnets on Fashion-MNIST, issue 13)', () => {
  const tmp = (name: string) => path.join(require('os').tmpdir(), `nodeano-${name}-${process.pid}.safetensors`);
  const run = (file: string, args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', path.join(root, file), ...args], { cwd: root, encoding: 'utf8' });

  it('lenet.ts (convolutional_mlp.py) learns, and a run resumed after epoch 1 ends exactly as an uninterrupted one', () => {
    const ckpt = tmp('lenet');
    const args = ['--limit', '3000', '--batch', '100', '--checkpoint', ckpt];
    const straight = run('examples/lenet.ts', [...args, '--epochs', '2']);
    const errors = [...straight.matchAll(/epoch (\d+), minibatch \d+\/\d+, validation error ([\d.]+) %/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(errors.map((e) => e[0])).toEqual([1, 2]);
    // 2,500 images for two epochs of SGD at 0.1: well below chance's 90 % error, and improving
    expect(errors[1][1]).toBeLessThan(45);
    expect(errors[1][1]).toBeLessThan(errors[0][1]);
    run('examples/lenet.ts', [...args, '--epochs', '1']);
    const resumed = run('examples/lenet.ts', [...args, '--epochs', '2', '--resume']);
    expect(resumed).toContain('resumed from');
    expect(resumed).not.toMatch(/epoch 1, minibatch/);
    const final = (out: string) => /Best validation score of .* %$/m.exec(out)![0];
    expect(final(resumed)).toBe(final(straight));
    require('fs').rmSync(ckpt, { force: true });
  }, 240000);

  it('convnet.ts (batch norm, dropout, Adam) learns, and resuming restores running statistics, Adam and dropout exactly', () => {
    const ckpt = tmp('convnet');
    const args = ['--limit', '2000', '--channels', '8,16', '--hidden', '64', '--checkpoint', ckpt];
    const straight = run('examples/convnet.ts', [...args, '--epochs', '2']);
    const accs = [...straight.matchAll(/epoch (\d+): train loss ([\d.]+), test accuracy ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
    expect(accs.map((a) => a[0])).toEqual([1, 2]);
    expect(accs[1][2]).toBeGreaterThan(0.6);
    expect(accs[1][1]).toBeLessThan(accs[0][1]);
    run('examples/convnet.ts', [...args, '--epochs', '1']);
    const resumed = run('examples/convnet.ts', [...args, '--epochs', '2', '--resume']);
    expect(resumed).toContain('after epoch 1');
    const line2 = (out: string) => /epoch 2: train loss [\d.]+, test accuracy [\d.]+/.exec(out)![0];
    expect(line2(resumed)).toBe(line2(straight));
    require('fs').rmSync(ckpt, { force: true });
  }, 240000);
});
