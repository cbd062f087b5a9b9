/**
 * The MT19937 Mersenne Twister (Matsumoto and Nishimura, 1998) with NumPy's seeding (init_genrand) and its 53-bit
 * doubles (random_sample): the generator under RandomState. It checks nothing: callers validate first.
 * @example const mt = new MT19937(); mt.seed(42); mt.nextDouble() // 0.3745401188473625, as NumPy's RandomState(42)
 */

/** Words of state. */
export const MT_N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  /** The 624 state words. */
  readonly key = new Uint32Array(MT_N);
  /** Index of the next word to use; MT_N means the state is regenerated on the next draw. */
  pos = MT_N;

  /** Seeds like init_genrand: `seed` is an integer in [0, 2**32 - 1]. */
  seed(seed: number): void {
    // Knuth's multiplier recurrence; Math.imul keeps the product in 32 bits exactly.
    let s = seed >>> 0;
    for (let i = 0; i < MT_N; i++) {
      this.key[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = MT_N;
  }

  /** The next 32-bit word, as a uint32. */
  nextUint32(): number {
    if (this.pos === MT_N) this.twist();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform double in [0, 1) from 53 random bits of two words, exactly as NumPy's random_sample. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  private twist(): void {
    const k = this.key;
    for (let i = 0; i < MT_N; i++) {
      const y = (k[i] & UPPER_MASK) | (k[(i + 1) % MT_N] & LOWER_MASK);
      k[i] = k[(i + M) % MT_N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.pos = 0;
  }
}
