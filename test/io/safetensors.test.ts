import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';

/** A safetensors file from a header object and raw data bytes, built by hand from the format description. */
function st(header: unknown, data: Buffer, pad = ''): Buffer {
  const json = Buffer.from(JSON.stringify(header) + pad);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

const f32 = (xs: number[]) => Buffer.from(new Float32Array(xs).buffer);

describe('safetensors', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeano-st-'));
  const file = (name: string, b?: Buffer) => {
    const p = path.join(d, name);
    if (b) fs.writeFileSync(p, b);
    return p;
  };

  it('rejects bad arguments', () => {
    expectError(() => T.io.saveSafetensors(file('a'), { W: [1, 2] } as never), T.ArgumentError, 'tensors.W must be an NDArray');
    expectError(() => T.io.saveSafetensors(file('a'), { __metadata__: T.zeros([1]) }), T.ArgumentError, 'reserved');
    expectError(() => T.io.saveSafetensors(file('a'), {}, { epoch: 3 } as never), T.ArgumentError, 'metadata.epoch must be a string');
    expectError(() => T.io.saveSafetensors('', {}), T.ArgumentError, 'path must be a non-empty string');
  });

  it('rejects every malformed file with a FormatError, never garbage values', () => {
    const W = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
    const cases: [Buffer, string][] = [
      [Buffer.from([1, 2, 3]), 'too short'],
      [st({ W }, f32([1, 2])).subarray(0, 20), 'truncated'],
      [st({ W }, f32([1])), 'truncated'],
      [st({ W }, Buffer.concat([f32([1, 2]), Buffer.from([9])])), 'trailing bytes'],
      [st({ W: { ...W, dtype: 'C64' } }, f32([1, 2])), 'dtype must be one of'],
      [st({ W: { ...W, shape: [3] } }, f32([1, 2])), 'needs 12 bytes'],
      [st({ W: { ...W, shape: [-2] } }, f32([1, 2])), 'shape[0] must be an integer in [0, 2147483647], got -2'],
      [st({ W: { ...W, data_offsets: [8, 0] } }, f32([1, 2])), 'data_offsets must be'],
      [st({ W, V: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), 'overlapping'],
      [st({ W: { ...W, data_offsets: [4, 12] } }, f32([1, 2, 3])), 'hole'],
      [st({ __metadata__: { a: 1 } }, Buffer.alloc(0)), '__metadata__.a must be a string'],
      [Buffer.concat([Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{oops')]), 'not valid JSON'],
      [Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0]), 'header length must be at most'],
      [st({ b: { dtype: 'BOOL', shape: [1], data_offsets: [0, 1] } }, Buffer.from([7])), 'expected 0 or 1'],
      [st({ i: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, Buffer.from(new BigInt64Array([1n << 40n]).buffer)), 'outside the int32 range'],
    ];
    cases.forEach(([bytes, frag], i) => expectError(() => T.io.loadSafetensors(file(`bad${i}`, bytes)), T.FormatError, 'loadSafetensors', frag));
  });

  it('rejects dims beyond 2^31 - 1 next to a zero dim, naming the file, tensor, dim and value', () => {
    const cases: [unknown[], string][] = [
      [[0, 2 ** 31], 'shape[1] must be an integer in [0, 2147483647], got 2147483648'],
      [[2 ** 31, 0], 'shape[0] must be an integer in [0, 2147483647], got 2147483648'],
      [[1e20, 0], 'shape[0] must be an integer in [0, 2147483647], got 100000000000000000000'],
      [[0, -1], 'shape[1] must be an integer in [0, 2147483647], got -1'],
      [[0, 2.5], 'shape[1] must be an integer in [0, 2147483647], got 2.5'],
      [[0, '3'], 'shape[1] must be an integer in [0, 2147483647], got "3"'],
    ];
    cases.forEach(([shape, frag], i) => {
      const p = file(`dims${i}`, st({ W: { dtype: 'F32', shape, data_offsets: [0, 0] } }, Buffer.alloc(0)));
      expectError(() => T.io.loadSafetensors(p), T.FormatError, `loadSafetensors(${JSON.stringify(p)}): tensor "W": ${frag}`);
    });
    // in range per dim, but the element count is not
    const big = file('count', st({ W: { dtype: 'F32', shape: [2 ** 16, 2 ** 16], data_offsets: [0, 0] } }, Buffer.alloc(0)));
    expectError(() => T.io.loadSafetensors(big), T.FormatError, 'tensor "W": shape [65536, 65536] must have at most 2147483647 elements, got 4294967296');
    // the largest dim next to a zero loads, and computes as an empty array
    const edge = T.io.loadSafetensors(file('edge', st({ W: { dtype: 'F32', shape: [0, 2 ** 31 - 1], data_offsets: [0, 0] } }, Buffer.alloc(0))));
    expect(edge.tensors.W.shape).toEqual([0, 2 ** 31 - 1]);
  });

  it('keeps a tensor or metadata key named "__proto__" as a key (it replaced the result object\'s prototype)', () => {
    const json = '{"__metadata__": {"__proto__": "m"}, "__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}';
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    const r = T.io.loadSafetensors(file('proto', Buffer.concat([len, Buffer.from(json), f32([5])])));
    expect(Object.keys(r.tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r.tensors)).toBe(Object.prototype);
    expect(Array.from(Object.getOwnPropertyDescriptor(r.tensors, '__proto__')!.value.data)).toEqual([5]);
    expect(Object.getOwnPropertyDescriptor(r.metadata, '__proto__')?.value).toBe('m');
  });

  it('round-trips every dtype with metadata; the data starts 8-byte aligned', () => {
    const t = {
      W: T.array([[1.5, -2], [3, 4e30]], { dtype: 'float32' }),
      d: T.array([Math.PI, -0, Infinity, NaN], { dtype: 'float64' }),
      i: T.array([-7, 2147483647], { dtype: 'int32' }),
      m: T.array([true, false, true]),
      s: T.array(2.5, { dtype: 'float32' }),
      e: T.zeros([0, 4], 'float32'),
    };
    T.io.saveSafetensors(file('rt.safetensors'), t, { epoch: '3', note: 'ünïcode' });
    const raw = fs.readFileSync(file('rt.safetensors'));
    expect((8 + Number(raw.readBigUInt64LE(0))) % 8).toBe(0);
    const back = T.io.loadSafetensors(file('rt.safetensors'));
    expect(back.metadata).toEqual({ epoch: '3', note: 'ünïcode' });
    for (const [k, v] of Object.entries(t)) {
      expect([back.tensors[k].dtype, back.tensors[k].shape]).toEqual([v.dtype, v.shape]);
      expect(Array.from(back.tensors[k].data)).toEqual(Array.from(v.data));
    }
  });

  it('reads the dtypes other tools write (F16, BF16, I64, U8) into the nearest nodeano dtype', () => {
    const h = Buffer.from(new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001]).buffer); // 1, -2, inf, 2^-24
    const bf = Buffer.from(new Uint16Array([0x3f80, 0x4049]).buffer); // 1, 3.140625
    const i64 = Buffer.from(new BigInt64Array([-5n, 2147483647n]).buffer);
    const bytes = st(
      {
        h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
        bf: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
        i: { dtype: 'I64', shape: [2], data_offsets: [12, 28] },
        u: { dtype: 'U8', shape: [2], data_offsets: [28, 30] },
      },
      Buffer.concat([h, bf, i64, Buffer.from([0, 255])]),
      '   ',
    );
    const { tensors } = T.io.loadSafetensors(file('other.safetensors', bytes));
    expect(Array.from(tensors.h.data)).toEqual([1, -2, Infinity, 2 ** -24]);
    expect(Array.from(tensors.bf.data)).toEqual([1, 3.140625]);
    expect([tensors.i.dtype, Array.from(tensors.i.data)]).toEqual(['int32', [-5, 2147483647]]);
    expect(Array.from(tensors.u.data)).toEqual([0, 255]);
  });
});
