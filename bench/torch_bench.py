"""PyTorch reference timings for `npm run bench` (bench/index.ts runs this when torch imports).

Same workloads, shapes and batch counts as bench/workloads.ts: prints one JSON object
{"torch": version, "threads": n, "results": {name: {"median": ms, "times": [ms...]}}}.
Usage: python3 bench/torch_bench.py '{"lab8-vanilla": 30, "rnn004": 20, ...}' [warmup]
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn

torch.set_flush_denormal(True)
torch.manual_seed(0)


class Cell(nn.Module):
    """Lab 8's cells with the PyTorch equations, one matmul per step (plus the input projection)."""

    def __init__(self, kind, d, h):
        super().__init__()
        k = {"vanilla": 1, "gru": 3, "lstm": 4}[kind]
        self.kind, self.h = kind, h
        self.weight_xh = nn.Parameter(torch.empty(d, k * h))
        self.weight_hh = nn.Parameter(torch.empty(h, k * h))
        self.bias_xh = nn.Parameter(torch.empty(k * h))
        self.bias_hh = nn.Parameter(torch.empty(k * h))
        std = 1.0 / math.sqrt(h)
        for p in self.parameters():
            p.data.uniform_(-std, std)

    def forward(self, x):
        x = x.transpose(0, 1)  # (T, N, D)
        T, N = x.shape[0], x.shape[1]
        xp = x @ self.weight_xh + self.bias_xh
        h = torch.zeros(N, self.h)
        c = torch.zeros(N, self.h)
        ys = []
        for t in range(T):
            hp = h @ self.weight_hh + self.bias_hh
            if self.kind == "vanilla":
                h = torch.tanh(xp[t] + hp)
            elif self.kind == "gru":
                xr, xz, xn = xp[t].chunk(3, 1)
                hr, hz, hn = hp.chunk(3, 1)
                r = torch.sigmoid(xr + hr)
                z = torch.sigmoid(xz + hz)
                n = torch.tanh(xn + r * hn)
                h = (1 - z) * n + z * h
            else:
                i, f, g, o = (xp[t] + hp).chunk(4, 1)
                i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
                c = f * c + i * g
                h = o * torch.tanh(c)
            ys.append(h)
        return torch.stack(ys).transpose(0, 1)


class RNN_Model(nn.Module):
    def __init__(self, input_size=28, hidden_size=128, num_classes=10):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])


class LSTM_Model(nn.Module):
    def __init__(self, input_size=28, hidden_size=128, num_layers=2, num_classes=10):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        _, (hn, _) = self.lstm(x)
        return self.fc(hn[-1])


def make(name):
    if name.startswith("lab8-"):
        kind = name[5:]
        model = nn.Sequential(nn.Unflatten(1, (40, 1)), Cell(kind, 1, 10), nn.Flatten(), nn.Linear(400, 10))
        opt = torch.optim.Adam(model.parameters(), 1e-2, weight_decay=1e-3)
        x = torch.randn(100, 40)
        y = torch.randint(0, 10, (100,))
    elif name in ("rnn004", "lstm004"):
        model = RNN_Model() if name == "rnn004" else LSTM_Model()
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        x = torch.randn(64, 28, 28)
        y = torch.randint(0, 10, (64,))
    else:
        raise ValueError(name)
    crit = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main():
    spec = json.loads(sys.argv[1])
    warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    results = {}
    for name, batches in spec.items():
        step = make(name)
        for _ in range(warmup):
            step()
        times = []
        for _ in range(batches):
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1000)
        s = sorted(times)
        results[name] = {"median": s[len(s) // 2], "times": times}
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
