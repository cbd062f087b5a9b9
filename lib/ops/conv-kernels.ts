import type { TypedArray } from '../dtype';
import type { ConvAttrs } from './conv-geometry';

/** Everything the reference loops need, all dims known. */
export interface ConvDims {
  n: number;
  c: number;
  h: number;
  w: number;
  k: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  padH: number;
  padW: number;
}

/** 0: out = conv(x, w); 1: dx from (gy, w); 2: dw from (x, gy). */
export type ConvPass = 0 | 1 | 2;

/**
 * The reference loops of the three conv kernels, in double: every (image, output channel, output pixel, input
 * channel of its group, tap) product x[n, c, oh*s - pad + i*dil, ...] * w[k, c', i', j'] with i' = kh-1-i when the
 * filters flip. The forward sums it into y, the input gradient scatters gy * w into dx, the weight gradient gy * x
 * into dw; the sums run in that fixed order, so both gradient kernels are the exact adjoints of the forward.
 */
export function convReference(pass: ConvPass, d: ConvDims, a: ConvAttrs): (ins: readonly TypedArray[], outs: readonly TypedArray[]) => void {
  const { n: N, c: C, h: H, w: W, k: K, kh: KH, kw: KW, oh: OH, ow: OW, padH, padW } = d;
  const G = a.groups;
  const cg = C / G;
  const kg = K / G;
  const [sh, sw] = a.subsample;
  const [dh, dw] = a.dilation;
  const flip = a.flip;
  const acc = new Float64Array(pass === 0 ? 0 : pass === 1 ? N * C * H * W : K * cg * KH * KW);
  return (ins, outs) => {
    let x: TypedArray, wt: TypedArray, gy: TypedArray;
    if (pass === 0) [x, wt] = ins;
    else if (pass === 1) [gy, wt] = ins;
    else [x, gy] = ins;
    const out = outs[0];
    acc.fill(0);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const g = Math.floor(k / kg);
        for (let oy = 0; oy < OH; oy++) {
          for (let ox = 0; ox < OW; ox++) {
            const yi = ((n * K + k) * OH + oy) * OW + ox;
            const gv = pass === 0 ? 0 : gy![yi];
            let s = 0;
            for (let c = 0; c < cg; c++) {
              const xc = (n * C + g * cg + c) * H;
              const wc = (k * cg + c) * KH;
              for (let i = 0; i < KH; i++) {
                const iy = oy * sh - padH + i * dh;
                if (iy < 0 || iy >= H) continue;
                const wi = (wc + (flip ? KH - 1 - i : i)) * KW;
                for (let j = 0; j < KW; j++) {
                  const ix = ox * sw - padW + j * dw;
                  if (ix < 0 || ix >= W) continue;
                  const xIdx = (xc + iy) * W + ix;
                  const wIdx = wi + (flip ? KW - 1 - j : j);
                  if (pass === 0) s += x![xIdx] * wt![wIdx];
                  else if (pass === 1) acc[xIdx] += gv * wt![wIdx];
                  else acc[wIdx] += gv * x![xIdx];
                }
              }
            }
            if (pass === 0) out[yi] = s;
          }
        }
      }
    }
    if (pass !== 0) for (let i = 0; i < acc.length; i++) out[i] = acc[i];
  };
}
