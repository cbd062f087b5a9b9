"""The peers of the calls section of npm run bench (bench/calls.ts), written as their users call them: each call
allocates its output. Cases: scipy.special.expit and numpy.exp over each size, numpy.dot of a square matrix, and
torch.sigmoid, torch.exp, torch.mm where Debian's python3-torch is installed (torch.set_num_threads(threads)).

Usage: calls_peers.py THREADS ROUND_MS DOT_N SIZE... Inputs are uniform in [-8, 8), float32, made once.
Prints one JSON line {"names": [...], "versions": {...}} once calibrated (or {"skip": reason} without NumPy), then
for every line read on stdin runs each case once for its calibrated count and prints a JSON list of ns per call.
"""
import json
import sys

from peer import serve

try:
    import numpy as np
except ImportError as e:
    print(json.dumps({"skip": f"NumPy is not installed ({e})"}), flush=True)
    sys.exit(0)

threads = int(sys.argv[1])
round_ms = float(sys.argv[2])
dot_n = int(sys.argv[3])
sizes = [int(a) for a in sys.argv[4:]]
versions = {"numpy": np.__version__}
rng = np.random.default_rng(3)
cases = []  # (name, zero-argument function)

try:
    import scipy
    import scipy.special

    versions["scipy"] = scipy.__version__
except ImportError:
    scipy = None
try:
    import torch

    torch.set_num_threads(threads)
    versions["torch"] = torch.__version__
except ImportError:
    torch = None


def label(n):
    return f"{n // 2 ** 20}M" if n % 2 ** 20 == 0 else str(n)


for n in sizes:
    x = rng.uniform(-8, 8, n).astype(np.float32)
    t = torch.from_numpy(x) if torch else None
    if scipy:
        cases.append((f"sigmoid {label(n)}: SciPy {scipy.__version__} scipy.special.expit(x)", lambda x=x: scipy.special.expit(x)))
    if torch:
        cases.append((f"sigmoid {label(n)}: PyTorch {torch.__version__} torch.sigmoid(x), {threads} threads", lambda t=t: torch.sigmoid(t)))
    cases.append((f"exp {label(n)}: NumPy {np.__version__} numpy.exp(x)", lambda x=x: np.exp(x)))
    if torch:
        cases.append((f"exp {label(n)}: PyTorch {torch.__version__} torch.exp(x), {threads} threads", lambda t=t: torch.exp(t)))

a = rng.uniform(-1, 1, (dot_n, dot_n)).astype(np.float32)
b = rng.uniform(-1, 1, (dot_n, dot_n)).astype(np.float32)
cases.append((f"dot: NumPy {np.__version__} numpy.dot(A, B)", lambda: np.dot(a, b)))
if torch:
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    cases.append((f"dot: PyTorch {torch.__version__} torch.mm(A, B), {threads} threads", lambda: torch.mm(ta, tb)))


serve(cases, versions, round_ms)
