# PyTorch's conv2d forward / input gradient / weight gradient on bench/conv.ts's shapes (float32, CPU, torch threads =
# the core count), printed as the same table. Run: /usr/bin/python3 bench/conv_torch.py
import os
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count())))
SHAPES = [
    ("LeNet conv1 500x1x28x28 * 20x1x5x5", (500, 1, 28, 28), (20, 1, 5, 5), 0),
    ("LeNet conv2 500x20x12x12 * 50x20x5x5", (500, 20, 12, 12), (50, 20, 5, 5), 0),
    ("3x3 32x64x56x56 * 64x64x3x3 half", (32, 64, 56, 56), (64, 64, 3, 3), 1),
]


def median_ms(fn, rounds=5, min_s=0.3):
    fn()
    times = []
    for _ in range(rounds):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < min_s:
            fn()
            n += 1
        times.append((time.perf_counter() - t0) / n)
    times.sort()
    return times[len(times) // 2] * 1e3


print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
print("| shape | pass | time | GFLOP/s |\n|---|---|---|---|")
with torch.no_grad():
    for name, xs, ws, pad in SHAPES:
        x, w = torch.rand(xs) * 2 - 1, torch.rand(ws) * 2 - 1
        y = F.conv2d(x, w, padding=pad)
        g = torch.rand(y.shape) * 2 - 1
        flops = 2 * y.numel() * ws[1] * ws[2] * ws[3]
        passes = [
            ("forward", lambda: F.conv2d(x, w, padding=pad)),
            ("gradInputs", lambda: torch.nn.grad.conv2d_input(xs, w, g, padding=pad)),
            ("gradWeights", lambda: torch.nn.grad.conv2d_weight(x, ws, g, padding=pad)),
        ]
        for p, fn in passes:
            ms = median_ms(fn)
            print(f"| {name} | {p} | {ms:.2f} ms | {flops / ms / 1e6:.1f} |")
