"""The PyTorch peer of the convnet section of npm run bench (bench/convnet.ts): LeNet5 of examples/lenet.ts
(DeepLearningTutorials' convolutional_mlp.py) written as PyTorch users write it, nn.Conv2d + F.max_pool2d + tanh,
nn.Linear, nn.CrossEntropyLoss and torch.optim.SGD, float32 on the CPU (oneDNN convolutions in Debian's build).

Usage: convnet_torch.py THREADS ROUND_MS NKERN0 NKERN1 BATCH...
Prints one JSON line {"names": [...], "versions": {...}} once calibrated (or {"skip": reason} without PyTorch), then
for every line read on stdin runs each case once for its calibrated count and prints a JSON list of ns per call.
Cases per batch size: the training step (zero_grad, forward, loss, backward, SGD step) with 1 and THREADS threads.
"""
import json
import sys

from peer import serve

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as e:
    print(json.dumps({"skip": f"PyTorch is not installed ({e})"}), flush=True)
    sys.exit(0)

threads, round_ms = int(sys.argv[1]), float(sys.argv[2])
nk0, nk1 = int(sys.argv[3]), int(sys.argv[4])
batches = [int(a) for a in sys.argv[5:]]
torch.set_num_threads(threads)
torch.manual_seed(0)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv0 = nn.Conv2d(1, nk0, 5)
        self.conv1 = nn.Conv2d(nk0, nk1, 5)
        self.hidden = nn.Linear(nk1 * 4 * 4, 500)
        self.out = nn.Linear(500, 10)

    def forward(self, x):
        h = torch.tanh(F.max_pool2d(self.conv0(x), 2))
        h = torch.tanh(F.max_pool2d(self.conv1(h), 2))
        return self.out(torch.tanh(self.hidden(h.flatten(1))))


def step_for(batch):
    model = LeNet5()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def train():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return train


def on(n, f):
    """f with torch.set_num_threads(n) for its run: on a shared 2-core machine one thread is often PyTorch's fastest."""
    def g():
        torch.set_num_threads(n)
        return f()
    return g


v = torch.__version__
counts_of = sorted({1, threads})
cases = [(f"lenet {b}: PyTorch {v}, {n} thread{'s' if n > 1 else ''}", on(n, step_for(b))) for b in batches for n in counts_of]
serve(cases, {"torch": v}, round_ms)
