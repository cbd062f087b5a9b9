import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';

/** An IDX file: magic, big-endian dims, then `body`. */
function idx(type: number, dims: number[], body: Buffer): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, body]);
}

describe('loadIdx', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeano-idx-'));
  const write = (name: string, b: Buffer) => {
    fs.writeFileSync(path.join(d, name), b);
    return path.join(d, name);
  };

  it('rejects bad options and malformed files with clear errors', () => {
    const ok = write('ok', idx(0x08, [2, 2], Buffer.from([0, 1, 2, 255])));
    expectError(() => T.io.loadIdx(ok, { dtype: 'float16' as never }), T.DTypeError, 'loadIdx');
    expectError(() => T.io.loadIdx(ok, { scale: NaN }), T.ArgumentError, 'scale must be a finite number');
    expectError(() => T.io.loadIdx(ok, { dtype: 'int32', scale: 0.5 }), T.ArgumentError, 'needs a float dtype');
    expectError(() => T.io.loadIdx(path.join(d, 'nope')), T.FormatError, 'could not read');
    expectError(() => T.io.loadIdx(write('magic', Buffer.from([1, 0, 8, 1, 0, 0, 0, 0]))), T.FormatError, 'two zero bytes');
    expectError(() => T.io.loadIdx(write('type', Buffer.from([0, 0, 7, 1, 0, 0, 0, 0]))), T.FormatError, 'type code');
    expectError(() => T.io.loadIdx(write('short', idx(0x08, [2, 2], Buffer.from([0, 1, 2])))), T.FormatError, 'truncated');
    expectError(() => T.io.loadIdx(write('long', idx(0x08, [2, 2], Buffer.from([0, 1, 2, 3, 4])))), T.FormatError, 'trailing');
    expectError(() => T.io.loadIdx(write('dims', Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]))), T.FormatError, 'inside the 3 dims');
    const gz = zlib.gzipSync(idx(0x08, [4], Buffer.from([1, 2, 3, 4])));
    expectError(() => T.io.loadIdx(write('cut.gz', gz.subarray(0, gz.length - 6))), T.FormatError, 'gzip');
  });

  it('rejects dims beyond 2^31 - 1 next to a zero dim, naming the file, the dim and its value', () => {
    const p = write('huge', idx(0x08, [0, 2 ** 31], Buffer.alloc(0)));
    expectError(() => T.io.loadIdx(p), T.FormatError, `loadIdx(${JSON.stringify(p)}): shape[1] must be an integer in [0, 2147483647], got 2147483648`);
    const q = write('huge2', idx(0x0d, [2 ** 32 - 1, 0, 2 ** 31 + 5], Buffer.alloc(0)));
    expectError(() => T.io.loadIdx(q), T.FormatError, 'shape[0] must be an integer in [0, 2147483647], got 4294967295; shape[2]', 'got 2147483653');
    expectError(() => T.io.loadIdx(write('count', idx(0x08, [2 ** 16, 2 ** 16], Buffer.alloc(0)))), T.FormatError, 'must have at most 2147483647 elements');
  });

  it('refuses values the requested dtype cannot hold instead of wrapping or storing them as is', () => {
    const u8 = write('u8', idx(0x08, [3], Buffer.from([0, 1, 200])));
    expectError(() => T.io.loadIdx(u8, { dtype: 'bool' }), T.FormatError, 'element 2 is 200, which dtype bool cannot hold (expected 0 or 1)');
    const f = Buffer.alloc(8);
    f.writeFloatBE(2, 0);
    f.writeFloatBE(3e9, 4);
    const big = write('f4big', idx(0x0d, [2], f));
    expectError(() => T.io.loadIdx(big, { dtype: 'int32' }), T.FormatError, 'element 1 is 3000000000, which dtype int32 cannot hold');
    f.writeFloatBE(1.5, 4);
    expectError(() => T.io.loadIdx(write('f4frac', idx(0x0d, [2], f)), { dtype: 'int32' }), T.FormatError, 'element 1 is 1.5');
    expect(T.io.loadIdx(write('f4ok', idx(0x0d, [1], f.subarray(0, 4))), { dtype: 'int32' }).toArray()).toEqual([2]);
    expect(Array.from(T.io.loadIdx(write('u8ok', idx(0x08, [2], Buffer.from([0, 1]))), { dtype: 'bool' }).data)).toEqual([0, 1]);
  });

  it('reads every IDX type, gzip or not, big-endian, with optional dtype and scale', () => {
    const u8 = T.io.loadIdx(write('u8', idx(0x08, [2, 2], Buffer.from([0, 1, 2, 255]))));
    expect([u8.dtype, u8.toArray()]).toEqual(['int32', [[0, 1], [2, 255]]]);
    const px = T.io.loadIdx(write('u8.gz', zlib.gzipSync(idx(0x08, [1, 2], Buffer.from([0, 255])))), { dtype: 'float32', scale: 1 / 255 });
    expect([px.dtype, px.toArray()]).toEqual(['float32', [[0, 1]]]);
    const i16 = Buffer.alloc(4);
    i16.writeInt16BE(-300, 0);
    i16.writeInt16BE(7, 2);
    expect(T.io.loadIdx(write('i16', idx(0x0b, [2], i16))).toArray()).toEqual([-300, 7]);
    const f64 = Buffer.alloc(16);
    f64.writeDoubleBE(1.25, 0);
    f64.writeDoubleBE(-3e300, 8);
    const f = T.io.loadIdx(write('f64', idx(0x0e, [2], f64)));
    expect([f.dtype, f.toArray()]).toEqual(['float64', [1.25, -3e300]]);
  });

  it.skipIf(!fs.existsSync('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz'))('reads the Fashion-MNIST test labels from the Debian package', () => {
    const y = T.io.loadIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz');
    expect(y.shape).toEqual([10000]);
    const counts = new Array(10).fill(0);
    for (const v of y.data) counts[v]++;
    expect(counts).toEqual(new Array(10).fill(1000));
  });
});
