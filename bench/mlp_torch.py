"""The MLP training step of bench/models.ts in PyTorch, for a side-by-side figure: 784-512-512-10, batch 128,
sigmoid hidden units, softmax cross-entropy on one-hot targets, plain SGD, float32 on the CPU.
Prints one JSON line: {"torch": version, "threads": n, "ms_per_step": median over rounds}."""
import json
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
torch.set_num_threads(threads)
torch.manual_seed(0)
sizes = [784, 512, 512, 10]
batch = 128
params = []
for a, b in zip(sizes[:-1], sizes[1:]):
    r = (6.0 / (a + b)) ** 0.5
    params.append((torch.empty(a, b).uniform_(-r, r).requires_grad_(), torch.zeros(b, requires_grad=True)))
x = torch.rand(batch, sizes[0])
y = torch.nn.functional.one_hot(torch.randint(0, sizes[-1], (batch,)), sizes[-1]).float()


def step():
    h = x
    for i, (w, b) in enumerate(params):
        z = h @ w + b
        h = torch.sigmoid(z) if i + 1 < len(params) else torch.log_softmax(z, dim=1)
    cost = -(y * h).sum(dim=1).mean()
    for w, b in params:
        w.grad = None
        b.grad = None
    cost.backward()
    with torch.no_grad():
        for w, b in params:
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
    return cost


for _ in range(5):
    step()
times = []
for _ in range(rounds):
    n = 20
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    times.append((time.perf_counter() - t0) / n * 1e3)
times.sort()
print(json.dumps({"torch": torch.__version__, "threads": threads, "ms_per_step": times[len(times) // 2]}))
