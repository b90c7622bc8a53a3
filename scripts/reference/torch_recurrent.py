#!/usr/bin/python3
"""Reference values for nn.RNN / nn.LSTM / nn.GRU and DataLoader shuffling (PyTorch 1.13, CPU),
written to test/fixtures/nn/.

Run offline with Debian's python3:  /usr/bin/python3 scripts/reference/torch_recurrent.py
The tests (test/nn/*.test.ts) read only the JSON this writes; they never run Python.

recurrent.json, one entry per case:
  init    the parameters right after torch.manual_seed(seed); Module(...), in named_parameters() order
  x, h0, c0   the inputs (h0 / c0 only when the case passes them)
  out, h_n, c_n   what the module returns
  grads   gradients of loss = sum(out * A) + sum(h_n * B) [+ sum(c_n * C)] with respect to every
          parameter, to x and to h0 / c0; A, B, C are fixed weights w(i) = ((37 i) % 11 - 5) / 7
          over the flattened tensors (the tests compute the same weights)
i2dl-constant.json: the I2DL exercise's check: manual_seed, nn.RNN / nn.LSTM(3, 3), every parameter constant 0.3,
  X = randn(10, 1, 3), outputs.
mnist_transforms.json: ToTensor and Normalize of every pixel value 0..255, as torchvision computes them.
dataloader.json: batch index orders of DataLoader(shuffle=True) over several epochs (global
  generator and an explicit Generator), interleaved with an in-order loader, and torch.rand(4)
  afterwards (the generator state the loaders leave behind).
"""
import json
import os

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'nn')
os.makedirs(OUT, exist_ok=True)


def flat(t):
    # 9 significant digits identify a float32 exactly
    return [float('%.9g' % v) for v in t.detach().reshape(-1).tolist()]


def approx(t):
    # outputs and gradients are compared with tolerances: 8 significant digits are plenty
    return [float('%.8g' % v) for v in t.detach().reshape(-1).tolist()]


def loss_weights(n):
    return torch.tensor([((37 * i) % 11 - 5) / 7 for i in range(n)], dtype=torch.float32)


CASES = [
    # name, class, args, kwargs, seed, x shape, give initial state
    ('rnn_tanh', nn.RNN, (3, 4), {}, 1, (5, 2, 3), False),
    ('rnn_tanh_h0', nn.RNN, (3, 4), {}, 2, (4, 3, 3), True),
    ('rnn_relu_2l_bf_h0', nn.RNN, (3, 4), {'num_layers': 2, 'nonlinearity': 'relu', 'batch_first': True}, 3, (2, 5, 3), True),
    ('rnn_tanh_nobias_bidir', nn.RNN, (2, 3), {'bias': False, 'bidirectional': True}, 4, (4, 2, 2), True),
    ('lstm_h0', nn.LSTM, (3, 3), {}, 5, (5, 2, 3), True),
    ('lstm_2l_bf', nn.LSTM, (2, 3), {'num_layers': 2, 'batch_first': True}, 6, (3, 4, 2), False),
    ('lstm_2l_nobias_h0', nn.LSTM, (2, 3), {'num_layers': 2, 'bias': False}, 7, (4, 2, 2), True),
    ('lstm_bidir_2l_h0', nn.LSTM, (2, 2), {'num_layers': 2, 'bidirectional': True}, 8, (4, 2, 2), True),
    ('gru_h0', nn.GRU, (3, 4), {}, 9, (5, 2, 3), True),
    ('gru_2l_bf_nobias', nn.GRU, (2, 3), {'num_layers': 2, 'bias': False, 'batch_first': True}, 10, (2, 4, 2), False),
    ('gru_bidir_bf_h0', nn.GRU, (2, 3), {'bidirectional': True, 'batch_first': True}, 11, (2, 4, 2), True),
    ('gru_2l', nn.GRU, (3, 3), {'num_layers': 2}, 12, (4, 3, 3), False),
    # unbatched 2-D input
    ('lstm_unbatched_h0', nn.LSTM, (2, 3), {}, 13, (5, 2), True),
    ('gru_unbatched_2l', nn.GRU, (2, 3), {'num_layers': 2}, 14, (5, 2), False),
    ('rnn_unbatched_bf_h0', nn.RNN, (3, 4), {'batch_first': True}, 15, (5, 3), True),
]

cases = {}
for name, cls, args, kwargs, seed, xshape, give_state in CASES:
    torch.manual_seed(seed)
    m = cls(*args, **kwargs)
    init = {n: flat(p) for n, p in m.named_parameters()}
    # inputs from a separate generator, stored in the fixture
    g = torch.Generator().manual_seed(1000 + seed)
    x = torch.randn(*xshape, generator=g).requires_grad_(True)
    dirs = 2 if m.bidirectional else 1
    state_shape = (m.num_layers * dirs,) + ((xshape[0 if m.batch_first else 1],) if len(xshape) == 3 else ()) + (m.hidden_size,)
    h0 = c0 = None
    if give_state:
        h0 = (0.5 * torch.randn(*state_shape, generator=g)).requires_grad_(True)
        if cls is nn.LSTM:
            c0 = (0.5 * torch.randn(*state_shape, generator=g)).requires_grad_(True)
    if cls is nn.LSTM:
        out, (h_n, c_n) = m(x, (h0, c0)) if give_state else m(x)
    else:
        out, h_n = m(x, h0) if give_state else m(x)
        c_n = None
    loss = (out.reshape(-1) * loss_weights(out.numel())).sum() + (h_n.reshape(-1) * loss_weights(h_n.numel())).sum()
    if c_n is not None:
        loss = loss + (c_n.reshape(-1) * loss_weights(c_n.numel())).sum()
    loss.backward()
    entry = {
        'class': cls.__name__, 'args': list(args), 'kwargs': kwargs, 'seed': seed,
        'init': init, 'x': {'shape': list(x.shape), 'values': flat(x)},
        'out': {'shape': list(out.shape), 'values': approx(out)},
        'h_n': {'shape': list(h_n.shape), 'values': approx(h_n)},
        'loss': float(loss),
        'grads': {n: approx(p.grad) for n, p in m.named_parameters()},
    }
    entry['grads']['x'] = approx(x.grad)
    if h0 is not None:
        entry['h0'] = {'shape': list(h0.shape), 'values': flat(h0)}
        entry['grads']['h0'] = approx(h0.grad)
    if c0 is not None:
        entry['c0'] = {'shape': list(c0.shape), 'values': flat(c0)}
        entry['grads']['c0'] = approx(c0.grad)
    if c_n is not None:
        entry['c_n'] = {'shape': list(c_n.shape), 'values': approx(c_n)}
    cases[name] = entry

# initial parameters only, for a bigger layer (the exercise sheet's 2 x 128 on 28 inputs): first values and sums
big = {}
for cls in (nn.RNN, nn.LSTM, nn.GRU):
    torch.manual_seed(0)
    m = cls(28, 128, num_layers=2, batch_first=True)
    big[cls.__name__] = {n: {'shape': list(p.shape), 'first': flat(p.reshape(-1)[:8]), 'last': flat(p.reshape(-1)[-8:]),
                             'sum': float(p.double().sum())} for n, p in m.named_parameters()}
    big[cls.__name__ + '_after'] = flat(torch.rand(4))  # the generator state the constructor leaves

with open(os.path.join(OUT, 'recurrent.json'), 'w') as f:
    json.dump({'cases': cases, 'big': big}, f, separators=(',', ':'))

# ---------------------------------------------------------------- the I2DL exercise: constant 0.3
i2dl_constant = {}
for cls in (nn.RNN, nn.LSTM):
    torch.manual_seed(42)
    m = cls(3, 3)
    for p in m.parameters():
        nn.init.constant_(p, val=0.3)
    X = torch.randn(10, 1, 3)
    out, h = m(X)
    if cls is nn.LSTM:
        h = h[0]
    i2dl_constant[cls.__name__] = {'seed': 42, 'X': flat(X), 'out': flat(out), 'h': flat(h)}
with open(os.path.join(OUT, 'i2dl-constant.json'), 'w') as f:
    json.dump(i2dl_constant, f, separators=(',', ':'))

# ---------------------------------------------------------------- DataLoader shuffling
def epoch(loader):
    return [flat(b[0]) for b in loader]


def idx(batches):
    return [[int(v) for v in b] for b in batches]


dl = {}
ds10 = TensorDataset(torch.arange(10, dtype=torch.float32))
torch.manual_seed(7)
train = DataLoader(ds10, batch_size=3, shuffle=True)
dl['global_seed7_n10_b3'] = {'seed': 7, 'n': 10, 'batch_size': 3, 'epochs': [idx(epoch(train)) for _ in range(3)], 'rand_after': flat(torch.rand(4))}

torch.manual_seed(7)
train = DataLoader(ds10, batch_size=4, shuffle=True, drop_last=True)
dl['global_seed7_n10_b4_droplast'] = {'seed': 7, 'n': 10, 'batch_size': 4, 'epochs': [idx(epoch(train)) for _ in range(2)], 'rand_after': flat(torch.rand(4))}

# the exercise sheet's pattern: a shuffled training loader, an in-order test loader iterated in between
torch.manual_seed(3)
train = DataLoader(ds10, batch_size=5, shuffle=True)
test = DataLoader(TensorDataset(torch.arange(4, dtype=torch.float32)), batch_size=2, shuffle=False)
seq = []
for _ in range(2):
    seq.append(idx(epoch(train)))
    seq.append(idx(epoch(test)))
dl['interleaved_seed3'] = {'seed': 3, 'train_n': 10, 'train_batch_size': 5, 'test_n': 4, 'test_batch_size': 2, 'sequence': seq, 'rand_after': flat(torch.rand(4))}

# an explicit generator: the global one is untouched
torch.manual_seed(11)
g = torch.Generator().manual_seed(5)
train = DataLoader(ds10, batch_size=4, shuffle=True, generator=g)
dl['generator5_n10_b4'] = {'global_seed': 11, 'generator_seed': 5, 'n': 10, 'batch_size': 4,
                           'epochs': [idx(epoch(train)) for _ in range(2)], 'rand_after': flat(torch.rand(4)),
                           'generator_rand_after': flat(torch.rand(4, generator=g))}

# explicit generator, edge cases: a full last batch, drop_last, and an epoch left early (break)
for key, n_, bs, drop in (('generator5_n8_b4', 8, 4, False), ('generator5_n10_b4_droplast', 10, 4, True)):
    g = torch.Generator().manual_seed(5)
    train = DataLoader(TensorDataset(torch.arange(n_, dtype=torch.float32)), batch_size=bs, shuffle=True, generator=g, drop_last=drop)
    dl[key] = {'generator_seed': 5, 'n': n_, 'batch_size': bs, 'drop_last': drop, 'epochs': [idx(epoch(train)) for _ in range(2)],
               'generator_rand_after': flat(torch.rand(4, generator=g))}
g = torch.Generator().manual_seed(5)
train = DataLoader(ds10, batch_size=4, shuffle=True, generator=g)
for b in train:
    first = idx([b[0]])[0]
    break
dl['generator5_break'] = {'generator_seed': 5, 'n': 10, 'batch_size': 4, 'first_then_break': first, 'next_epoch': idx(epoch(train)),
                          'generator_rand_after': flat(torch.rand(4, generator=g))}

# next(iter(loader)) (Lab sheet 9 shows one batch this way)
torch.manual_seed(0)
train = DataLoader(ds10, batch_size=4, shuffle=True)
first = idx([next(iter(train))[0]])[0]
dl['first_seed0_n10_b4'] = {'seed': 0, 'n': 10, 'batch_size': 4, 'first': first, 'rand_after': flat(torch.rand(4))}

# a larger dataset: the first batch of each epoch and a checksum of the whole order
torch.manual_seed(123)
n = 1000
train = DataLoader(TensorDataset(torch.arange(n, dtype=torch.float32)), batch_size=64, shuffle=True)
eps = []
for _ in range(2):
    order = [i for b in idx(epoch(train)) for i in b]
    eps.append({'first_batch': order[:64], 'checksum': sum(i * v for i, v in enumerate(order))})
dl['global_seed123_n1000_b64'] = {'seed': 123, 'n': n, 'batch_size': 64, 'epochs': eps}

# torch.randperm and the int64 random_ draw directly
torch.manual_seed(9)
dl['randperm_seed9'] = {'seed': 9, 'int64': str(int(torch.empty((), dtype=torch.int64).random_().item())),
                        'perm12': [int(v) for v in torch.randperm(12)], 'perm1': [int(v) for v in torch.randperm(1)],
                        'rand_after': flat(torch.rand(2))}
with open(os.path.join(OUT, 'dataloader.json'), 'w') as f:
    json.dump(dl, f, separators=(',', ':'))

# ---------------------------------------------------------------- MNIST transforms
# torchvision's ToTensor on uint8 images: img.to(float32).div(255); Normalize: sub_(mean).div_(std)
# with mean and std as float32 tensors. All 256 pixel values, bit for bit.
px = torch.arange(256, dtype=torch.uint8)
tt = px.to(torch.float32).div(255)
mt = {'to_tensor': flat(tt)}
for mean, std in ((0.1307, 0.3081), (0.5, 0.5)):
    mt[f'normalize_{mean}_{std}'] = flat(tt.clone().sub_(torch.as_tensor(mean, dtype=torch.float32)).div_(torch.as_tensor(std, dtype=torch.float32)))
with open(os.path.join(OUT, 'mnist_transforms.json'), 'w') as f:
    json.dump(mt, f, separators=(',', ':'))

print('wrote', OUT)
