#!/usr/bin/python3
"""Reference values for Lab 8 (PyTorch 1.13, CPU), written to test/fixtures/lab8/.

Run offline with Debian's python3:  /usr/bin/python3 scripts/reference/torch_reference.py
The tests read only the JSON this writes; they never run Python.
"""
import json
import math
import os
from collections import OrderedDict

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'lab8')
os.makedirs(OUT, exist_ok=True)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


# ---------------------------------------------------------------- generator
gen = {}
for seed in (0, 1, 123, 2024):
    for lo, hi in ((0.0, 1.0), (-1 / math.sqrt(10), 1 / math.sqrt(10)), (-2.5, 7.0), (-1 / math.sqrt(3), 1 / math.sqrt(3))):
        torch.manual_seed(seed)
        t = torch.empty(37)
        t.uniform_(lo, hi)
        gen[f'uniform_seed{seed}_{lo!r}_{hi!r}_37'] = {'seed': seed, 'from': lo, 'to': hi, 'values': flat(t)}
for seed in (0, 5):
    for n in (1, 2, 3, 7, 15, 16, 17, 20, 31, 32, 33, 48, 50, 100):
        torch.manual_seed(seed)
        gen[f'randn_seed{seed}_{n}'] = {'seed': seed, 'shape': [n], 'values': flat(torch.randn(n))}
    torch.manual_seed(seed)
    gen[f'rand_seed{seed}_3x5'] = {'seed': seed, 'shape': [3, 5], 'values': flat(torch.rand(3, 5))}
    torch.manual_seed(seed)
    gen[f'randn_seed{seed}_4x6'] = {'seed': seed, 'shape': [4, 6], 'values': flat(torch.randn(4, 6))}
# Sequences of calls on the global generator (the scalar normal path caches its second value).
torch.manual_seed(3)
seq = [flat(torch.randn(3)), flat(torch.randn(3)), flat(torch.rand(2)), flat(torch.randn(1)), flat(torch.randn(20)), flat(torch.randn(1)), flat(torch.randn(5))]
gen['sequence_seed3'] = {'seed': 3, 'calls': [['randn', 3], ['randn', 3], ['rand', 2], ['randn', 1], ['randn', 20], ['randn', 1], ['randn', 5]], 'values': seq}
# An explicit Generator object.
g = torch.Generator().manual_seed(77)
gen['generator_seed77'] = {'seed': 77, 'rand4': flat(torch.rand(4, generator=g)), 'randn3': flat(torch.randn(3, generator=g)), 'randn17': flat(torch.randn(17, generator=g))}
# nn.Linear's default init, drawn from the global generator (weight then bias).
torch.manual_seed(11)
lin = nn.Linear(6, 4)
torch.manual_seed(11)
big = nn.Linear(400, 10)
gen['linear_seed11_6_4'] = {'seed': 11, 'in': 6, 'out': 4, 'weight_out_in': flat(lin.weight), 'bias': flat(lin.bias)}
gen['linear_seed11_400_10'] = {'seed': 11, 'in': 400, 'out': 10, 'weight_first20': flat(lin.weight)[:0] + flat(big.weight)[:20],
                               'weight_sum': float(big.weight.double().sum()), 'weight_abs_sum': float(big.weight.double().abs().sum()),
                               'bias': flat(big.bias)}
with open(os.path.join(OUT, 'torch_generator.json'), 'w') as f:
    json.dump(gen, f, indent=0)


# ---------------------------------------------------------------- cells (reference solutions in PyTorch)
class Cell(nn.Module):
    k = 1

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        kh = self.k * hidden_size
        self.weight_xh = nn.Parameter(torch.empty(input_size, kh))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, kh))
        self.bias_xh = nn.Parameter(torch.empty(kh))
        self.bias_hh = nn.Parameter(torch.empty(kh))
        std = 1.0 / math.sqrt(self.hidden_size)
        self.weight_xh.data.uniform_(-std, std)
        self.weight_hh.data.uniform_(-std, std)
        self.bias_xh.data.uniform_(-std, std)
        self.bias_hh.data.uniform_(-std, std)


class VanillaRNN(Cell):
    k = 1

    def forward(self, x):
        x = x.transpose(0, 1)
        T, M = x.shape[0], x.shape[1]
        h = torch.zeros(M, self.hidden_size)
        y = []
        for t in range(T):
            h = torch.tanh(x[t] @ self.weight_xh + self.bias_xh + h @ self.weight_hh + self.bias_hh)
            y.append(h)
        return torch.stack(y).transpose(0, 1)


class GRU(Cell):
    k = 3

    def forward(self, x):
        x = x.transpose(0, 1)
        T, N, H = x.shape[0], x.shape[1], self.hidden_size
        h = torch.zeros(N, H)
        y = []
        for t in range(T):
            gx = x[t] @ self.weight_xh + self.bias_xh
            gh = h @ self.weight_hh + self.bias_hh
            r = torch.sigmoid(gx[:, :H] + gh[:, :H])
            z = torch.sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
            n = torch.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
            h = (1 - z) * n + z * h
            y.append(h)
        return torch.stack(y).transpose(0, 1)


class LSTM(Cell):
    k = 4

    def forward(self, x):
        x = x.transpose(0, 1)
        T, N, H = x.shape[0], x.shape[1], self.hidden_size
        h = torch.zeros(N, H)
        c = torch.zeros(N, H)
        y = []
        for t in range(T):
            g_all = x[t] @ self.weight_xh + self.bias_xh + h @ self.weight_hh + self.bias_hh
            i = torch.sigmoid(g_all[:, :H])
            f = torch.sigmoid(g_all[:, H:2 * H])
            g = torch.tanh(g_all[:, 2 * H:3 * H])
            o = torch.sigmoid(g_all[:, 3 * H:])
            c = f * c + i * g
            h = o * torch.tanh(c)
            y.append(h)
        return torch.stack(y).transpose(0, 1)


def summary(t):
    """A large parameter as its first 24 values, sum and sum of squares (keeps the fixture small)."""
    return {'first': flat(t)[:24], 'sum': float(t.double().sum()), 'sumsq': float((t.double() ** 2).sum()), 'numel': t.numel()}


CELLS = {'vanilla': VanillaRNN, 'gru': GRU, 'lstm': LSTM}
x = torch.tensor([[[0.7957, 0.5273, 0.3984, 0.2958],
                   [0.3043, 0.4366, 0.6209, 0.4625],
                   [0.4545, 0.8004, 0.9374, 0.6986]],
                  [[0.4338, 0.7891, 0.1068, 0.8820],
                   [0.0045, 0.7733, 0.6096, 0.7807],
                   [0.0209, 0.7052, 0.9621, 0.5020]]])
cells = {'x': flat(x), 'x_shape': list(x.shape)}
for name, cls in CELLS.items():
    torch.manual_seed(123)
    m = cls(4, 10)
    cells[name] = {'y': flat(m(x)), 'params': {k: flat(v) for k, v in m.named_parameters()}}

# A few Adam steps (lr 1e-2, weight decay 1e-3) on the original's classifier with small hidden size.
train_ref = {}
for name, cls in CELLS.items():
    torch.manual_seed(0)
    xb = torch.randn(16, 40)
    yb = torch.tensor([i % 10 for i in range(16)])
    torch.manual_seed(1)
    H = 3
    model = nn.Sequential(OrderedDict([
        ('reshape', nn.Unflatten(1, (40, 1))),
        ('rnn', cls(1, H)),
        ('flat', nn.Flatten()),
        ('classifier', nn.Linear(40 * H, 10)),
    ]))
    opt = torch.optim.Adam(model.parameters(), 1e-2, weight_decay=1e-3)
    crit = nn.CrossEntropyLoss()
    init = {k: summary(v) for k, v in model.named_parameters()}
    losses = []
    for step in range(3):
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    train_ref[name] = {'hidden': H, 'x': flat(xb), 'y': yb.tolist(), 'init': init, 'losses': losses,
                       'final': {k: (summary(v) if k == 'classifier.weight' else flat(v)) for k, v in model.named_parameters()},
                       'final_loss': float(crit(model(xb), yb))}
cells['train'] = train_ref
with open(os.path.join(OUT, 'cells.json'), 'w') as f:
    json.dump(cells, f)
print('wrote', OUT)
