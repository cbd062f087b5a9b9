import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';

// Every loader, on every prefix of a valid file and on files with random bytes overwritten: a FormatError or a
// result, never a raw Error, a crash or a hang.
describe('io loaders on truncated and corrupted files', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeano-trunc-'));
  const a = T.array([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
  T.io.saveNpy(path.join(d, 'a.npy'), a);
  T.io.saveNpz(path.join(d, 'a.npz'), { a, b: T.array([1, 2], { dtype: 'int32' }) });
  T.io.saveSafetensors(path.join(d, 'a.safetensors'), { a }, { k: 'v' });
  const idx = Buffer.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4]);
  fs.writeFileSync(path.join(d, 'a.idx'), idx);
  fs.writeFileSync(path.join(d, 'a.idx.gz'), zlib.gzipSync(idx));
  const loaders: [string, (p: string) => unknown][] = [
    ['a.npy', T.io.loadNpy],
    ['a.npz', T.io.loadNpz],
    ['a.safetensors', T.io.loadSafetensors],
    ['a.idx', (p) => T.io.loadIdx(p)],
    ['a.idx.gz', (p) => T.io.loadIdx(p)],
  ];
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);

  for (const [name, load] of loaders) {
    it(`${name}: every prefix is a FormatError; corrupted bytes give a FormatError or a result`, () => {
      const good = fs.readFileSync(path.join(d, name));
      const bad = path.join(d, `bad-${name}`);
      const raw: string[] = [];
      const attempt = (bytes: Buffer, mustFail: boolean) => {
        fs.writeFileSync(bad, bytes);
        try {
          load(bad);
          if (mustFail) raw.push(`a ${bytes.length}-byte prefix loaded`);
        } catch (e) {
          if (!(e instanceof T.FormatError)) raw.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
        }
      };
      for (let len = 0; len < good.length; len++) attempt(good.subarray(0, len), true);
      for (let k = 0; k < 150; k++) {
        const b = Buffer.from(good);
        for (let j = 1 + (rand() % 4); j > 0; j--) b[rand() % b.length] = rand() % 256;
        attempt(b, false);
      }
      expect(raw).toEqual([]);
    });
  }
});
