import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';

const fx = (n: string) => path.join(__dirname, 'fixtures', n);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nodeano-npy-'));
const a23 = () => T.array([[-0.5, -0.25, 0], [0.25, 0.5, 0.75]], { dtype: 'float64' });

describe('npy / npz', () => {
  it('rejects bad arguments and corrupt files with FormatError', () => {
    expectError(() => T.io.saveNpy('x.npy', [1, 2] as never), T.ArgumentError, 'saveNpy', 'NDArray');
    expectError(() => T.io.saveNpz('x.npz', { a: 3 } as never), T.ArgumentError, 'arrays.a must be an NDArray');
    expectError(() => T.io.loadNpy(path.join(tmp(), 'missing.npy')), T.FormatError, 'loadNpy', 'could not read');
    const d = tmp();
    const good = fs.readFileSync(fx('f8.npy'));
    const cases: [string, Buffer, string][] = [
      ['magic', Buffer.from('hello world, not numpy'), 'bad magic'],
      ['truncated data', good.subarray(0, good.length - 3), 'truncated'],
      ['trailing', Buffer.concat([good, Buffer.from([0])]), 'trailing bytes'],
      ['header cut', good.subarray(0, 30), 'truncated'],
      ['dtype', Buffer.from(good.toString('latin1').replace("'<f8'", "'<c8'"), 'latin1'), 'not supported'],
    ];
    for (const [name, bytes, frag] of cases) {
      fs.writeFileSync(path.join(d, name), bytes);
      expectError(() => T.io.loadNpy(path.join(d, name)), T.FormatError, frag);
    }
  });

  it('rejects dims beyond 2^31 - 1 next to a zero dim, in .npy and inside .npz, naming the file, the dim and its value', () => {
    const d = tmp();
    const cases: [string, string][] = [
      ['(0, 2147483648)', 'shape[1] must be an integer in [0, 2147483647], got 2147483648'],
      ['(100000000000000000000, 0)', 'shape[0] must be an integer in [0, 2147483647], got 100000000000000000000'],
      ['(65536, 65536)', 'shape [65536, 65536] must have at most 2147483647 elements, got 4294967296'],
    ];
    for (const [k, [shape, frag]] of cases.entries()) {
      const p = path.join(d, `dims${k}.npy`);
      fs.writeFileSync(p, npy(shape));
      expectError(() => T.io.loadNpy(p), T.FormatError, `loadNpy(${JSON.stringify(p)}): ${frag}`);
      const z = path.join(d, `dims${k}.npz`);
      fs.writeFileSync(z, storedZip('a.npy', npy(shape)));
      expectError(() => T.io.loadNpz(z), T.FormatError, `loadNpz(${JSON.stringify(z)}): entry "a.npy": ${frag}`);
    }
    // negative and non-integer dims stay rejected, and the largest dim next to a zero loads as an empty array
    fs.writeFileSync(path.join(d, 'neg.npy'), npy('(0, -1)'));
    expectError(() => T.io.loadNpy(path.join(d, 'neg.npy')), T.FormatError, 'non-negative integers');
    fs.writeFileSync(path.join(d, 'edge.npy'), npy('(0, 2147483647)'));
    expect(T.io.loadNpy(path.join(d, 'edge.npy')).shape).toEqual([0, 2 ** 31 - 1]);
  });

  it('npz: an entry that inflates past its declared size is refused without inflating it all', () => {
    const d = tmp();
    const body = npy('(4,)');
    const bomb = zlib.deflateRawSync(Buffer.alloc(64 << 20));
    const z = path.join(d, 'bomb.npz');
    fs.writeFileSync(z, deflatedZip('a.npy', bomb, body.length, zlib.crc32(body) >>> 0));
    expectError(() => T.io.loadNpz(z), T.FormatError, 'entry "a.npy" inflates to more than its declared 68 bytes: the file is corrupt');
  });

  it('npz: an entry named "__proto__.npy" loads under its own key', () => {
    const z = path.join(tmp(), 'proto.npz');
    fs.writeFileSync(z, storedZip('__proto__.npy', npy('(0,)')));
    const r = T.io.loadNpz(z);
    expect(Object.keys(r)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });

  it('writes the same bytes NumPy writes', () => {
    const d = tmp();
    T.io.saveNpy(path.join(d, 'a.npy'), a23());
    expect(fs.readFileSync(path.join(d, 'a.npy')).equals(fs.readFileSync(fx('f8.npy')))).toBe(true);
    T.io.saveNpy(path.join(d, 'b.npy'), a23().astype('float32'));
    expect(fs.readFileSync(path.join(d, 'b.npy')).equals(fs.readFileSync(fx('f4.npy')))).toBe(true);
  });

  it('reads what NumPy writes: every supported dtype, big-endian, Fortran order, scalars and empty arrays', () => {
    expect(T.io.loadNpy(fx('f8.npy')).toArray()).toEqual(a23().toArray());
    expect(T.io.loadNpy(fx('be_f8.npy')).toArray()).toEqual(a23().toArray());
    const i4 = T.io.loadNpy(fx('i4.npy'));
    expect([i4.dtype, i4.toArray()]).toEqual(['int32', [[1, -2], [3, 2147483647]]]);
    expect(T.io.loadNpy(fx('i8.npy')).toArray()).toEqual([5, -6, 7]);
    expect(T.io.loadNpy(fx('u1.npy')).toArray()).toEqual([0, 255, 7]);
    const b = T.io.loadNpy(fx('b1.npy'));
    expect([b.dtype, Array.from(b.data)]).toEqual(['bool', [1, 0, 1]]);
    const h = T.io.loadNpy(fx('f2.npy'));
    expect([h.dtype, Array.from(h.data)]).toEqual(['float32', [1.5, -0, 65504, Infinity]]);
    const f = T.io.loadNpy(fx('fortran.npy'));
    expect(f.shape).toEqual([2, 3, 4]);
    expect(Array.from(f.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const s = T.io.loadNpy(fx('scalar.npy'));
    expect([s.shape, s.data[0]]).toEqual([[], 3.25]);
    expect(T.io.loadNpy(fx('empty.npy')).shape).toEqual([0, 3]);
  });

  it('npz: reads compressed and stored archives, round-trips its own, and checks CRCs', () => {
    const c = T.io.loadNpz(fx('compressed.npz'));
    expect(Object.keys(c).sort()).toEqual(['W', 'labels']);
    expect(c.W.toArray()).toEqual(a23().astype('float32').toArray());
    expect(c.labels.toArray()).toEqual([3, 1]);
    expect(T.io.loadNpz(fx('stored.npz')).x.toArray()).toEqual([0, 1, 2, 3, 4]);
    const d = tmp();
    const file = path.join(d, 'p.npz');
    T.io.saveNpz(file, { W: a23(), idx: T.array([1, 2, 3], { dtype: 'int32' }), m: T.array([true, false]) });
    const back = T.io.loadNpz(file);
    expect(back.W.toArray()).toEqual(a23().toArray());
    expect([back.idx.dtype, back.idx.toArray()]).toEqual(['int32', [1, 2, 3]]);
    expect(back.m.dtype).toBe('bool');
    const bytes = fs.readFileSync(file);
    const flipped = Buffer.from(bytes);
    flipped[200] ^= 0xff; // inside the first entry's data
    fs.writeFileSync(path.join(d, 'bad.npz'), flipped);
    expectError(() => T.io.loadNpz(path.join(d, 'bad.npz')), T.FormatError, 'CRC');
    fs.writeFileSync(path.join(d, 'cut.npz'), bytes.subarray(0, bytes.length - 30));
    expectError(() => T.io.loadNpz(path.join(d, 'cut.npz')), T.FormatError, 'loadNpz');
  });
});

/** A version 1.0 .npy of float32 with the given shape tuple text and no data. */
function npy(shape: string): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }\n`;
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1')]);
}

/** A one-entry stored (uncompressed) zip archive, built from the format description. */
function storedZip(name: string, body: Buffer): Buffer {
  const fname = Buffer.from(name);
  const crc = zlib.crc32(body) >>> 0;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(body.length, 22);
  local.writeUInt16LE(fname.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt32LE(crc, 16);
  cd.writeUInt32LE(body.length, 20);
  cd.writeUInt32LE(body.length, 24);
  cd.writeUInt16LE(fname.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + fname.length, 12);
  end.writeUInt32LE(30 + fname.length + body.length, 16);
  return Buffer.concat([local, fname, body, cd, fname, end]);
}

/** A one-entry deflated zip archive whose headers declare `usize` bytes and `crc` for the inflated entry. */
function deflatedZip(name: string, data: Buffer, usize: number, crc: number): Buffer {
  const z = storedZip(name, data);
  const fname = Buffer.from(name).length;
  const cd = 30 + fname + data.length;
  for (const [at, method] of [[0, 8], [cd, 10]] as const) z.writeUInt16LE(8, at + method); // compression method: deflate
  z.writeUInt32LE(crc, 14);
  z.writeUInt32LE(usize, 22);
  z.writeUInt32LE(crc, cd + 16);
  z.writeUInt32LE(usize, cd + 24);
  return z;
}
