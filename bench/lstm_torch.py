"""The PyTorch peer of the lstm section of npm run bench (bench/lstm.ts): the character-level LSTM of
examples/char-lstm.ts written as PyTorch users write it, nn.Embedding + nn.LSTM + nn.Linear + nn.CrossEntropyLoss
+ torch.optim.SGD, float32 on the CPU, and a tanh nn.RNN over many steps of tiny shapes.

Usage: lstm_torch.py THREADS ROUND_MS VOCAB EMBED HIDDEN SEQ BATCH RNN_STEPS RNN_HIDDEN
Prints one JSON line {"names": [...], "versions": {...}} once calibrated (or {"skip": reason} without PyTorch), then
for every line read on stdin runs each case once for its calibrated count and prints a JSON list of ns per call.
Cases: the training step (zero_grad, forward, loss, backward, SGD step), the forward and loss under
torch.no_grad(), and one forward of the RNN over RNN_STEPS steps (batch 1).
"""
import json
import sys

from peer import serve

try:
    import torch
    from torch import nn
except ImportError as e:
    print(json.dumps({"skip": f"PyTorch is not installed ({e})"}), flush=True)
    sys.exit(0)

threads, round_ms = int(sys.argv[1]), float(sys.argv[2])
vocab, embed, hidden, seq, batch, rnn_steps, rnn_hidden = (int(a) for a in sys.argv[3:10])
torch.set_num_threads(threads)
torch.manual_seed(0)


class CharLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x):
        h, _ = self.lstm(self.embed(x))
        return self.out(h)


model = CharLstm()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
ids = torch.randint(0, vocab, (batch, seq + 1))
x, y = ids[:, :-1], ids[:, 1:]


def train():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(x).reshape(-1, vocab), y.reshape(-1))
    loss.backward()
    optimizer.step()
    return loss


def forward():
    with torch.no_grad():
        return loss_fn(model(x).reshape(-1, vocab), y.reshape(-1))


rnn = nn.RNN(rnn_hidden, rnn_hidden, nonlinearity="tanh")
rnn_x = torch.rand(rnn_steps, 1, rnn_hidden)


def rnn_forward():
    with torch.no_grad():
        return rnn(rnn_x)[0]


v = torch.__version__


def on(n, f):
    """f with torch.set_num_threads(n) for its run: on a shared 2-core machine one thread is often PyTorch's fastest."""
    def g():
        torch.set_num_threads(n)
        return f()
    return g


counts_of = sorted({1, threads})
cases = [
    *[(f"train: PyTorch {v}, {n} thread{'s' if n > 1 else ''}", on(n, train)) for n in counts_of],
    *[(f"forward: PyTorch {v}, torch.no_grad(), {n} thread{'s' if n > 1 else ''}", on(n, forward)) for n in counts_of],
    (f"rnn: PyTorch {v} nn.RNN, torch.no_grad()", on(1, rnn_forward)),
]


serve(cases, {"torch": v}, round_ms)
