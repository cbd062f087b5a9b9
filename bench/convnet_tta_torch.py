"""The PyTorch side of the convnet-tta section of npm run bench (bench/convnet-tta.ts): the net of
examples/convnet.ts written as PyTorch users write it (nn.Conv2d without bias, nn.BatchNorm2d, ReLU, F.max_pool2d,
nn.Linear, nn.Dropout, nn.CrossEntropyLoss, torch.optim.Adam), started from nodeano's initial parameters and fed the
same batches in the same order, timed until its test accuracy reaches the target.

Usage: convnet_tta_torch.py SETUP.npz THREADS
SETUP.npz holds the initial parameters (nodeano's names and layouts), `order` (the training image indices, batch
after batch), and `config` = [batch, lr, dropout, target, eval_every, max_steps]. Prints one JSON line:
{"seconds": training time until the target (evaluations excluded), "steps": ..., "accuracy": ..., "history": [...]}
or {"skip": reason}.
"""
import gzip
import json
import os
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as e:
    print(json.dumps({"skip": f"PyTorch is not installed ({e})"}), flush=True)
    sys.exit(0)

setup = np.load(sys.argv[1])
threads = int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
batch, lr, dropout, target, eval_every, max_steps = setup["config"].tolist()
batch, eval_every, max_steps = int(batch), int(eval_every), int(max_steps)
DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def idx(name, offset):
    with gzip.open(os.path.join(DIR, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


x_train = torch.from_numpy(idx("train-images-idx3-ubyte.gz", 16).astype(np.float32).reshape(-1, 1, 28, 28) / 255)
y_train = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64))
x_test = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz", 16).astype(np.float32).reshape(-1, 1, 28, 28) / 255)
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))
channels = [setup[f"conv{i}.W"].shape[0] for i in range(8) if f"conv{i}.W" in setup]


class Convnet(nn.Module):
    def __init__(self):
        super().__init__()
        c_in = 1
        self.convs, self.bns = nn.ModuleList(), nn.ModuleList()
        for c in channels:
            self.convs.append(nn.Conv2d(c_in, c, 3, padding=1, bias=False))
            self.bns.append(nn.BatchNorm2d(c, eps=1e-5, momentum=0.1))
            c_in = c
        flat, hidden = setup["fc.W"].shape
        self.fc = nn.Linear(flat, hidden)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, 10)

    def forward(self, x):
        for conv, bn in zip(self.convs, self.bns):
            x = F.max_pool2d(F.relu(bn(conv(x))), 2)
        return self.out(self.drop(F.relu(self.fc(x.flatten(1)))))


model = Convnet()
with torch.no_grad():
    for i, (conv, bn) in enumerate(zip(model.convs, model.bns)):
        conv.weight.copy_(torch.from_numpy(setup[f"conv{i}.W"]))  # filterFlip false: the same cross-correlation
        bn.weight.copy_(torch.from_numpy(setup[f"bn{i}.gamma"]))
        bn.bias.copy_(torch.from_numpy(setup[f"bn{i}.beta"]))
    for name, layer in (("fc", model.fc), ("out", model.out)):
        layer.weight.copy_(torch.from_numpy(setup[f"{name}.W"]).T)  # nodeano's [in, out] is nn.Linear's [out, in]
        layer.bias.copy_(torch.from_numpy(setup[f"{name}.b"]))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=lr)
order = torch.from_numpy(setup["order"].astype(np.int64))


def test_accuracy():
    model.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(y_test), 1000):
            right += (model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
    model.train()
    return right / len(y_test)


seconds, history, acc, step = 0.0, [], 0.0, 0
while step < max_steps:
    ids = order[step * batch:(step + 1) * batch]
    xb, yb = x_train[ids], y_train[ids]
    t0 = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    seconds += time.perf_counter() - t0
    step += 1
    if step % eval_every == 0:
        acc = test_accuracy()
        history.append([step, round(seconds, 3), acc])
        if acc >= target:
            break
print(json.dumps({"seconds": seconds, "steps": step, "accuracy": acc, "history": history, "torch": torch.__version__}), flush=True)
