"""PyTorch reference timings for `npm run bench` (bench/index.ts runs this when torch imports).

The same workloads, shapes and batch sizes as bench/workloads.ts, written as the original notebooks
write them:
- lab8-{vanilla,gru,lstm}: Lab 8's classifier nn.Sequential(Unflatten(1, (40, 1)),
  cell, Flatten(), Linear(400, 10)) with the lab's cells (hidden 10; the equations of the lab,
  input projection of all steps in one product, one product per step), CrossEntropyLoss,
  Adam(lr 1e-2, weight_decay 1e-3), batch 100; one step is the original's `train` given one batch,
  going through 40 batches in turn.
- lab8-*-epoch: one epoch as the original's `run` does it: `train` over 40 batches, then `test` over
  10 batches (MNIST-1D's 4000 / 1000 samples of 40 values), the original's functions verbatim.
- rnn004 / lstm004: Lab sheet 9's RNN_Model (nn.RNN(28, 128), Linear on the last step) and
  LSTM_Model (2-layer nn.LSTM(28, 128), Linear on hn[-1]), Adam(lr 1e-3), batch 64.

Protocol: bench/index.ts starts `python3 bench/torch_bench.py --serve` once and sends one JSON
object per line, so that TypeScript and PyTorch rounds can alternate on a shared machine:
  {"cmd": "make", "name": "lab8-gru"}                  -> {"ok": true}
  {"cmd": "run", "name": "lab8-gru", "n": 10}          -> {"ok": true, "times": [ms, ...]}
  {"cmd": "info"}                                      -> {"ok": true, "torch": "1.13.0", "threads": 1}
  {"cmd": "denormals"}                                 -> {"ok": true, "results": {...}}
  {"cmd": "sgemm", "m": 64, "n": 512, "k": 128, "ta": false, "tb": true, "ms": 50}
                                                       -> {"ok": true, "us": wall, "cpuUs": CPU microseconds per call}
Every reply is one JSON line on stdout. Random data of the right shapes (timing only).
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
from collections import OrderedDict

# PyTorch at its best: without this, training slowed down about 14x in later epochs on this
# machine as weights produced denormal floats.
torch.set_flush_denormal(True)
torch.manual_seed(0)


class Cell(nn.Module):
    """Lab 8's cells with the lab's equations (as the reference solutions write them)."""

    def __init__(self, kind, d, h):
        super().__init__()
        k = {"vanilla": 1, "gru": 3, "lstm": 4}[kind]
        self.kind, self.hidden_size = kind, h
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
        H = self.hidden_size
        xh = x @ self.weight_xh + self.bias_xh
        h = torch.zeros(N, H)
        c = torch.zeros(N, H)
        y = []
        for t in range(T):
            if self.kind == "vanilla":
                h = torch.tanh(xh[t] + h @ self.weight_hh + self.bias_hh)
            elif self.kind == "gru":
                gh = h @ self.weight_hh + self.bias_hh
                xrz, xn = xh[t].split([2 * H, H], 1)
                hrz, hn = gh.split([2 * H, H], 1)
                r, z = torch.sigmoid(xrz + hrz).chunk(2, 1)
                n = torch.tanh(xn + r * hn)
                h = (1 - z) * n + z * h
            else:
                gates = xh[t] + (h @ self.weight_hh + self.bias_hh)
                i, f, g, o = gates.chunk(4, 1)
                i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
                c = f * c + i * g
                h = o * torch.tanh(c)
            y.append(h)
        return torch.stack(y).transpose(0, 1)


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


# ---- Lab 8's utilities, verbatim (device: cpu) ----

def train(train_loader, model, optimizer, criterion, device):
    avg_loss = 0
    correct = 0
    total = 0
    for i, data in enumerate(train_loader):
        inputs, labels = data
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        avg_loss += loss
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    return avg_loss / len(train_loader), 100 * correct / total


def test(test_loader, model, criterion, device):
    avg_loss = 0
    correct = 0
    total = 0
    with torch.no_grad():
        for data in test_loader:
            inputs, labels = data
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            avg_loss += loss
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return avg_loss / len(test_loader), 100 * correct / total


def lab8_model(kind):
    return nn.Sequential(OrderedDict([
        ("reshape", nn.Unflatten(1, (40, 1))),
        ("rnn", Cell(kind, 1, 10)),
        ("flat", nn.Flatten()),
        ("classifier", nn.Linear(40 * 10, 10)),
    ]))


def make(name):
    """A function running one unit of the workload (a batch, or an epoch for *-epoch)."""
    from torch.utils.data import DataLoader, TensorDataset

    crit = nn.CrossEntropyLoss()
    if name.startswith("lab8-") and name.endswith("-epoch"):
        kind = name[5:-6]
        model = lab8_model(kind)
        opt = torch.optim.Adam(model.parameters(), 1e-2, weight_decay=1e-3)
        train_loader = DataLoader(TensorDataset(torch.randn(4000, 40), torch.randint(0, 10, (4000,))), batch_size=100)
        test_loader = DataLoader(TensorDataset(torch.randn(1000, 40), torch.randint(0, 10, (1000,))), batch_size=100)

        def epoch():
            train(train_loader, model, opt, crit, "cpu")
            test(test_loader, model, crit, "cpu")

        return epoch
    if name.startswith("lab8-"):
        model = lab8_model(name[5:])
        opt = torch.optim.Adam(model.parameters(), 1e-2, weight_decay=1e-3)
        loader = DataLoader(TensorDataset(torch.randn(4000, 40), torch.randint(0, 10, (4000,))), batch_size=100)
        batches = list(loader)
        k = [0]

        # one step = the original's train() given one batch, the 40 batches in turn (as an epoch)
        def step():
            b = batches[k[0] % len(batches)]
            k[0] += 1
            return train([b], model, opt, crit, "cpu")

        return step
    if name in ("rnn004", "lstm004"):
        model = RNN_Model() if name == "rnn004" else LSTM_Model()
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        x = torch.randn(64, 28, 28)
        y = torch.randint(0, 10, (64,))

        def step():
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        return step
    raise ValueError("unknown workload " + name)


def denormals():
    """Median microseconds of a few kernels on normal versus denormal inputs."""
    out = {}
    for flush in (True, False):
        torch.set_flush_denormal(flush)
        for name, op, sa, sb in (
            ("matMul 64x512 . 512x128", lambda a, b: a @ b, (64, 512), (512, 128)),
            ("mul 64x512", lambda a, b: a * b, (64, 512), (64, 512)),
            ("tanh 64x512", lambda a, b: torch.tanh(a), (64, 512), (1,)),
        ):
            r = []
            for d in (False, True):
                scale = 1e-39 if d else 1.0
                a = (torch.rand(sa) + 0.1) * scale
                b = (torch.rand(sb) + 0.1) * scale
                for _ in range(30):
                    op(a, b)
                ts = []
                for _ in range(100):
                    t0 = time.perf_counter()
                    op(a, b)
                    ts.append((time.perf_counter() - t0) * 1e6)
                ts.sort()
                r.append(ts[len(ts) // 2])
            out[f"{name} (flush_denormal {flush})"] = {"normal": r[0], "denormal": r[1]}
    torch.set_flush_denormal(True)
    return out


def sgemm(m, n, k, ta, tb, ms):
    """Wall-clock and CPU microseconds per torch.mm(op(A), op(B), out=C) with op a transposed view
    (no copy), as the backward passes call it; calls repeated for about `ms` milliseconds."""
    a = torch.randn(k, m).t() if ta else torch.randn(m, k)
    b = torch.randn(n, k).t() if tb else torch.randn(k, n)
    out = torch.empty(m, n)
    for _ in range(20):
        torch.mm(a, b, out=out)
    calls = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while True:
        for _ in range(10):
            torch.mm(a, b, out=out)
        calls += 10
        elapsed = time.perf_counter() - t0
        if elapsed * 1000 >= ms:
            return elapsed * 1e6 / calls, (time.process_time() - c0) * 1e6 / calls


def serve():
    made = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            cmd = req["cmd"]
            if cmd == "info":
                reply = {"ok": True, "torch": torch.__version__, "threads": torch.get_num_threads()}
            elif cmd == "make":
                made[req["name"]] = make(req["name"])
                reply = {"ok": True}
            elif cmd == "run":
                f = made[req["name"]]
                times = []
                for _ in range(int(req["n"])):
                    t0 = time.perf_counter()
                    f()
                    times.append((time.perf_counter() - t0) * 1000)
                reply = {"ok": True, "times": times}
            elif cmd == "drop":
                made.pop(req["name"], None)
                reply = {"ok": True}
            elif cmd == "denormals":
                reply = {"ok": True, "results": denormals()}
            elif cmd == "sgemm":
                us, cpu_us = sgemm(int(req["m"]), int(req["n"]), int(req["k"]), bool(req["ta"]), bool(req["tb"]), float(req["ms"]))
                reply = {"ok": True, "us": us, "cpuUs": cpu_us}
            else:
                reply = {"ok": False, "error": "unknown command " + str(cmd)}
        except Exception as e:  # reported to the caller, which prints it
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve()
    else:
        print(__doc__)
