"""The peer protocol of bench/harness.ts startPythonPeers, shared by the Python peers of npm run bench: calibrate
each case to about round_ms, print {"names", "versions"}, then for every line read on stdin print the ns per call of
every case as a JSON list."""
import json
import sys
import time


def run(f, k):
    t0 = time.perf_counter_ns()
    for _ in range(k):
        f()
    return (time.perf_counter_ns() - t0) / k


def calibrate(f, round_ms):
    """As bench/harness.ts: the count of calls that takes about round_ms."""
    f()
    k = 1
    while True:
        ms = run(f, k) * k / 1e6
        if ms > round_ms / 4 or k > 1e9:
            return max(1, round(k * round_ms / max(ms, 1e-3)))
        k *= 4


def serve(cases, versions, round_ms):
    counts = [calibrate(f, round_ms) for _, f in cases]
    print(json.dumps({"names": [name for name, _ in cases], "versions": versions}), flush=True)
    for _ in sys.stdin:
        print(json.dumps([run(f, k) for (_, f), k in zip(cases, counts)]), flush=True)
