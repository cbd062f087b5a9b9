#!/usr/bin/env python3
"""Writes numpy-fixtures.json: NumPy legacy RandomState outputs that test/random/random-state.test.ts replays.

Run from anywhere with `python3 test/random/gen_fixtures.py` (needs numpy; 1.17+ and 2.x give the same numbers).

For each seed in SEEDS, one fresh np.random.RandomState(seed) runs the STEPS below in order, so every step
continues the stream left by the previous ones (this is what checks stream positions and the cached gaussian).
Step arguments are JSON: a list passed as `size` becomes a tuple, null means "not given" (None), and
{"arange": shape} stands for np.arange(prod(shape)).reshape(shape). For each step the file records the result's
shape and its values flattened in C order (for shuffle, the array after shuffling in place). Python's json writes
floats with repr, which round-trips every float64 exactly.

The file also records each seed's final get_state() tuple, and for one seed the state right after the randn(7)
step, when a gaussian is cached, so the test can load a NumPy state and continue from it.

Normals go through the C library's log, so their last bit can depend on the platform's libm; these fixtures come
from x86-64 Linux with glibc.
"""
import json
import os
import platform

import numpy as np

SEEDS = [0, 1, 42]

STEPS = [
    {"method": "rand", "args": [5]},
    {"method": "rand", "args": [2, 3]},
    {"method": "rand", "args": []},
    {"method": "uniform", "args": [-1, 1, [2, 5]]},
    {"method": "randn", "args": [7]},  # odd count: leaves a cached gaussian for the next call
    {"method": "normal", "args": [3, 2, 4]},
    {"method": "randn", "args": []},
    {"method": "randint", "args": [0, 10, 6]},
    {"method": "randint", "args": [-5, 1000003, 5]},
    {"method": "randint", "args": [7, None, 8]},
    {"method": "randint", "args": [5, 6, 3]},  # a single value: draws nothing
    {"method": "randint", "args": [-2**31, 2**31, 3]},  # full 32-bit span
    {"method": "randint", "args": [-2**31, 2**31 - 1, 3]},
    {"method": "permutation", "args": [10]},
    {"method": "shuffle", "args": [{"arange": [7]}]},
    {"method": "uniform", "args": [0, 5, 3]},  # checks the stream position after a shuffle
    {"method": "permutation", "args": [{"arange": [4, 3]}]},
    {"method": "shuffle", "args": [{"arange": [5, 2]}]},
    {"method": "normal", "args": [-1, 0.5, [2, 3]]},
    {"method": "uniform", "args": [2, -3, 4]},  # low > high is allowed
]

RESTORE_SEED = 42
RESTORE_AFTER_STEP = 4  # the randn(7) step


def resolve(arg):
    if isinstance(arg, dict) and "arange" in arg:
        shape = tuple(arg["arange"])
        return np.arange(int(np.prod(shape))).reshape(shape)
    if isinstance(arg, list):
        return tuple(arg)
    return arg


def state_tuple(rs):
    name, key, pos, has_gauss, gauss = rs.get_state()
    return [name, [int(k) for k in key], int(pos), int(has_gauss), float(gauss)]


def record(value):
    a = np.asarray(value)
    return {"shape": list(a.shape), "values": a.ravel().tolist()}


def run_seed(seed):
    rs = np.random.RandomState(seed)
    results = []
    restore = None
    for i, step in enumerate(STEPS):
        args = [resolve(a) for a in step["args"]]
        if step["method"] == "shuffle":
            rs.shuffle(args[0])
            results.append(record(args[0]))
        else:
            results.append(record(getattr(rs, step["method"])(*args)))
        if seed == RESTORE_SEED and i == RESTORE_AFTER_STEP:
            restore = {"seed": seed, "after_step": i, "state": state_tuple(rs)}
    return results, state_tuple(rs), restore


def main():
    out = {
        "generator": "test/random/gen_fixtures.py",
        "numpy_version": np.__version__,
        "platform": f"{platform.system()} {platform.machine()} {' '.join(platform.libc_ver())}".strip(),
        "steps": STEPS,
        "seeds": {},
    }
    for seed in SEEDS:
        results, final_state, restore = run_seed(seed)
        out["seeds"][str(seed)] = {"results": results, "final_state": final_state}
        if restore is not None:
            out["restore"] = restore
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy-fixtures.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
