"""The MLP training step of bench/models.ts in PyTorch, written as PyTorch users write it: nn.Sequential of nn.Linear
and nn.Sigmoid, nn.CrossEntropyLoss on class labels, torch.optim.SGD. 784-512-512-10, batch 128, float32 on the CPU.
Prints one JSON line: {"torch": version, "threads": n, "ms_per_step": median over rounds}."""
import json
import sys
import time

import torch
from torch import nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
torch.set_num_threads(threads)
torch.manual_seed(0)
sizes = [784, 512, 512, 10]
batch = 128
layers = []
for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
    layers.append(nn.Linear(a, b))
    if i + 2 < len(sizes):
        layers.append(nn.Sigmoid())
model = nn.Sequential(*layers)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.rand(batch, sizes[0])
y = torch.randint(0, sizes[-1], (batch,))


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss


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
