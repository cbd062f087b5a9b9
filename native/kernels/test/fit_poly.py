#!/usr/bin/env python3
"""Derives the polynomial coefficients used in vec_math.inc with a weighted Remez exchange (mpmath, 60 digits).

Each fit minimizes max |w(t) * (g(t) - p(t))| over [lo, hi] for a polynomial p of the given degree, then rounds the
coefficients to float one at a time from the lowest, refitting the higher ones after
each rounding so the later coefficients absorb the rounding of the earlier ones. Run: python3 fit_poly.py (about five
minutes; needs mpmath). The printed hex values are the ones in vec_math.inc.
"""
import struct
import mpmath as mp

mp.mp.dps = 60


def to_f32(x):
    return struct.unpack('f', struct.pack('f', float(x)))[0]


def remez(g, w, lo, hi, deg, fixed=(), iters=40):
    """Minimax p(t) = sum fixed[i] t^i + sum c_j t^(len(fixed)+j), j <= deg-len(fixed), for weight w."""
    nf = len(fixed)
    n = deg - nf + 1  # free coefficients
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    pts = [(lo + hi) / 2 - (hi - lo) / 2 * mp.cos(mp.pi * i / n) for i in range(n + 1)]

    def base(t):
        return sum(mp.mpf(c) * t ** i for i, c in enumerate(fixed))

    coef, E = None, None
    for _ in range(iters):
        # solve w(t_i) (g(t_i) - base - sum c_j t_i^(nf+j)) = (-1)^i E
        A = mp.matrix(n + 1, n + 1)
        b = mp.matrix(n + 1, 1)
        for i, t in enumerate(pts):
            for j in range(n):
                A[i, j] = w(t) * t ** (nf + j)
            A[i, n] = (-1) ** i
            b[i] = w(t) * (g(t) - base(t))
        sol = mp.lu_solve(A, b)
        coef = [sol[j] for j in range(n)]
        E = sol[n]

        def err(t):
            return w(t) * (g(t) - base(t) - sum(c * t ** (nf + j) for j, c in enumerate(coef)))

        # new reference: the extremum of err in each interval between sign changes, on a dense grid
        grid = [lo + (hi - lo) * k / 4000 for k in range(4001)]
        vals = [err(t) for t in grid]
        segs, cur = [], [0]
        for k in range(1, len(grid)):
            if mp.sign(vals[k]) == mp.sign(vals[cur[0]]) or vals[k] == 0:
                cur.append(k)
            else:
                segs.append(cur)
                cur = [k]
        segs.append(cur)
        ext = [max(s, key=lambda k: abs(vals[k])) for s in segs]
        if len(ext) < n + 1:
            break
        # keep n+1 alternating extrema including the largest
        while len(ext) > n + 1:
            if abs(vals[ext[0]]) < abs(vals[ext[-1]]):
                ext.pop(0)
            else:
                ext.pop()
        pts = [grid[k] for k in ext]
    maxerr = max(abs(err(t)) for t in [lo + (hi - lo) * k / 20000 for k in range(20001)])
    return coef, maxerr


def fit_rounded(g, w, lo, hi, deg, rnd, fixed=()):
    """Fit, then round coefficients one at a time (low to high), refitting the rest each time."""
    fixed = list(fixed)
    while len(fixed) <= deg:
        coef, _ = remez(g, w, lo, hi, deg, fixed)
        fixed.append(rnd(coef[0]))

    # error of the fully rounded polynomial
    def err(t):
        return w(t) * (g(t) - sum(mp.mpf(c) * t ** i for i, c in enumerate(fixed)))
    grid = [mp.mpf(lo) + (mp.mpf(hi) - mp.mpf(lo)) * k / 20000 for k in range(20001)]
    return fixed, max(abs(err(t)) for t in grid)


def show(name, coefs, maxerr, fmt):
    print(f'{name}: max weighted error {mp.nstr(maxerr, 5)} = 2^{mp.nstr(mp.log(maxerr, 2), 4)}')
    for i, c in enumerate(coefs):
        print(f'  c{i} = {fmt(c)}')


def hexf(x):
    return float(x).hex()


LN2_2 = mp.log(2) / 2 * mp.mpf('1.0005')  # k is rounded in float: allow r slightly past ln2/2

# exp(r) = 1 + r + r^2 q(r): q ~ (e^r - 1 - r) / r^2, error measured relative to e^r (weight r^2 / e^r)
def q_exp(t):
    return (mp.exp(t) - 1 - t) / t ** 2 if t != 0 else mp.mpf(1) / 2

c, e = fit_rounded(q_exp, lambda t: t * t / mp.exp(t), -LN2_2, LN2_2, 4, to_f32)
show('exp f32 q(r), degree 4', c, e, lambda c: f'{hexf(c)}f  /* {float(c)!r} */')

# sigmoid: 2^f = 1 + f q(f) on [0, 1] (f from a floor split, so p(0) = 1 exactly), error relative to 2^f (weight
# f / 2^f); all coefficients come out positive, which the monotonicity argument needs (README.md)
def q_exp2(t):
    return (mp.power(2, t) - 1) / t if t != 0 else mp.log(2)
c, e = fit_rounded(q_exp2, lambda t: t / mp.power(2, t), 0, 1, 5, to_f32)
show('sigmoid 2^f q(f), degree 5', c, e, lambda c: f'{hexf(c)}f  /* {float(c)!r} */')

# log(1+f) = f - (hfsq - s (hfsq + R)), s = f / (2 + f), R = z g(z), z = s^2, g ~ (2 atanh(s) / s - 2) / z
S_MAX = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1) * mp.mpf('1.0001')
def g_log(z):
    if z == 0:
        return mp.mpf(2) / 3
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) / s - 2) / z
# the term s R = s z g contributes to log(1+f) ~ 2s: relative weight z / 2
c, e = fit_rounded(g_log, lambda z: z / 2, 0, S_MAX ** 2, 3, to_f32)
show('log f32 g(z), degree 3', c, e, lambda c: f'{hexf(c)}f  /* {float(c)!r} */')

# tanh(x) = x + x^3 P(x^2) for |x| < atanh(1/2): P ~ (tanh(x)/x - 1) / z, relative weight z / (tanh(x)/x)
X_T = mp.atanh(mp.mpf(1) / 2) * mp.mpf('1.0001')
def p_tanh(z):
    if z == 0:
        return -mp.mpf(1) / 3
    x = mp.sqrt(z)
    return (mp.tanh(x) / x - 1) / z
c, e = fit_rounded(p_tanh, lambda z: z / (mp.tanh(mp.sqrt(z)) / mp.sqrt(z)) if z else z, 0, X_T ** 2, 4, to_f32)
show('tanh f32 P(z), degree 4', c, e, lambda c: f'{hexf(c)}f  /* {float(c)!r} */')
