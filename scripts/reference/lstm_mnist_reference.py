#!/usr/bin/python3
"""Reference values for notebooks/02_lstm_gru_mnist.ipynb (original 002, "Improving RNNs with GRU and
LSTM"): the original's hand-built LSTM classifier in PyTorch 1.13 (CPU), trained exactly as the original
does, on the MNIST files of the course mirror, written to test/fixtures/lstm_mnist/.

Run offline with Debian's python3:

    /usr/bin/python3 scripts/reference/lstm_mnist_reference.py [MIRROR_DIR [OUT_NAME]]

The headless notebook test trains on a mirror with the first 300 training images (3 batches, see
test/helpers/notebooks.ts writeSmallMnistMirror); its values are lstm_mnist_300.json:

    /usr/bin/python3 scripts/reference/lstm_mnist_reference.py /tmp/small-mirror lstm_mnist_300.json

MIRROR_DIR defaults to ../shared/datasets (layout mnist/*-ubyte.gz; the course mirror holds the
official 10,000 test images and the first 24,000 training images). The tests read only the JSON
this writes; they never run Python.

Differences from the original, the same as in the TypeScript port:
- The original's `nn.Parameter(torch.Tensor(...))` leaves the LSTM parameters uninitialised; here (as in
  the port) `torch.manual_seed(0)` and then every LSTM parameter, in the order they are created,
  draws `uniform_(-1/sqrt(H), 1/sqrt(H))` (nn.LSTM's default), before nn.Linear draws its own.
- The images are read from the IDX files directly (torchvision's `dataset.data` is the same uint8
  tensor); the number of batches is derived from the data (the original's 60000 // batch_size).

lstm_mnist.json:
  trainCount, testCount, numBatches   what the files hold and how many batches of 100 that makes
  batches[i] = {loss, correct}        every training batch, before that batch's optimiser step
  test[k] = {loss, accuracy}          the original's test evaluation after the first k batches, for the
                                      k the notebook tests use and for all batches
  seconds                             wall time of the full training pass here (for comparison)
"""
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

HERE = os.path.dirname(os.path.abspath(__file__))
MIRROR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', '..', '..', 'shared', 'datasets')
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'lstm_mnist')
OUT_NAME = sys.argv[2] if len(sys.argv) > 2 else 'lstm_mnist.json'
os.makedirs(OUT, exist_ok=True)

torch.set_num_threads(2)


def idx(name, nd):
    with gzip.open(os.path.join(MIRROR, 'mnist', name), 'rb') as f:
        b = f.read()
    assert b[0] == 0 and b[1] == 0 and b[2] == 8 and b[3] == nd, name
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return torch.from_numpy(np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims).copy())


train_data_u8 = idx('train-images-idx3-ubyte.gz', 3)
train_labels_all = idx('train-labels-idx1-ubyte.gz', 1).long()
test_data_u8 = idx('t10k-images-idx3-ubyte.gz', 3)
test_labels = idx('t10k-labels-idx1-ubyte.gz', 1).long()

input_dim = 28
hidden_dim = 128
classes_amount = 10
batch_size = 100
learning_rate = 0.01


class basicLSTM(nn.Module):
    def __init__(self, input_dim, hidden_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.input_dim = input_dim
        self.W_ii = nn.Parameter(torch.Tensor(input_dim, hidden_dim))
        self.W_hi = nn.Parameter(torch.Tensor(hidden_dim, hidden_dim))
        self.b_i = nn.Parameter(torch.Tensor(hidden_dim))
        self.W_if = nn.Parameter(torch.Tensor(input_dim, hidden_dim))
        self.W_hf = nn.Parameter(torch.Tensor(hidden_dim, hidden_dim))
        self.b_f = nn.Parameter(torch.Tensor(hidden_dim))
        self.W_ig = nn.Parameter(torch.Tensor(input_dim, hidden_dim))
        self.W_hg = nn.Parameter(torch.Tensor(hidden_dim, hidden_dim))
        self.b_g = nn.Parameter(torch.Tensor(hidden_dim))
        self.W_io = nn.Parameter(torch.Tensor(input_dim, hidden_dim))
        self.W_ho = nn.Parameter(torch.Tensor(hidden_dim, hidden_dim))
        self.b_o = nn.Parameter(torch.Tensor(hidden_dim))
        # The port's initialisation (the original leaves the memory as it is).
        bound = 1 / math.sqrt(hidden_dim)
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound)

    def forward(self, x):
        batch, seq_length, _ = x.size()
        h_t = torch.zeros(batch, self.hidden_dim)
        c_t = torch.zeros(batch, self.hidden_dim)
        for t in range(seq_length):
            x_t = x[:, t, :]
            i_t = torch.sigmoid(x_t @ self.W_ii + h_t @ self.W_hi + self.b_i)
            f_t = torch.sigmoid(x_t @ self.W_if + h_t @ self.W_hf + self.b_f)
            g_t = torch.tanh(x_t @ self.W_ig + h_t @ self.W_hg + self.b_g)
            o_t = torch.sigmoid(x_t @ self.W_io + h_t @ self.W_ho + self.b_o)
            c_t = f_t * c_t + i_t * g_t
            h_t = o_t * torch.tanh(c_t)
        return h_t


class MNISTLSMT(nn.Module):
    def __init__(self, input_dim, hidden_dim, classes_amount):
        super().__init__()
        self.lstm = basicLSTM(input_dim, hidden_dim)
        self.lstm_out = nn.Linear(hidden_dim, classes_amount)
        self.act_out = nn.Sigmoid()

    def forward(self, x):
        x = x.reshape(-1, 28, 28)
        out = self.lstm(x)
        return self.act_out(self.lstm_out(out))


train_count = train_data_u8.shape[0]
num_batches = train_count // batch_size
train_data = train_data_u8.type(torch.float32)
train_data = (train_data - torch.mean(train_data)) / torch.std(train_data)
train_data = train_data[:num_batches * batch_size].reshape(num_batches, batch_size, 28, 28)
train_labels = train_labels_all[:num_batches * batch_size].reshape(num_batches, batch_size)

test_data = test_data_u8.type(torch.float32).unsqueeze(-1)
test_data = (test_data - torch.mean(test_data)) / torch.std(test_data)

# After how many batches the notebook tests evaluate on the test set (RNNKIT_BATCHES), and all.
TEST_AFTER = sorted({1, 3, 101, num_batches})

torch.manual_seed(0)
model = MNISTLSMT(input_dim, hidden_dim, classes_amount)
lossfunction = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=learning_rate)


def evaluate():
    with torch.no_grad():
        out = model(test_data)
        loss = lossfunction(out, test_labels)
        _, predicted = torch.max(out, 1)
        correct = (predicted == test_labels).sum().item()
    return {'loss': loss.item(), 'accuracy': correct / len(test_data) * 100}


batches = []
test = {}
started = time.time()
train_seconds = 0.0
for i in range(num_batches):
    t0 = time.time()
    images = train_data[i]
    labels = train_labels[i]
    outputs = model(images)
    loss = lossfunction(outputs, labels)
    _, predicted = torch.max(outputs, 1)
    total_correct = (predicted == labels).sum().item()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    train_seconds += time.time() - t0
    batches.append({'loss': loss.item(), 'correct': total_correct})
    if i % 100 == 0:
        print(f"The loss for Batch {i} is {loss.item()}")
        print(f"Accuracy for Batch {i} is {total_correct/batch_size*100:.2f}%")
    if i + 1 in TEST_AFTER:
        test[str(i + 1)] = evaluate()
        print(f"after {i + 1} batches: test loss {test[str(i + 1)]['loss']}, accuracy {test[str(i + 1)]['accuracy']:.2f}%")

result = {
    'torch': torch.__version__,
    'trainCount': train_count,
    'testCount': int(test_data.shape[0]),
    'numBatches': num_batches,
    'batchSize': batch_size,
    'learningRate': learning_rate,
    'seed': 0,
    'batches': batches,
    'test': test,
    'trainSeconds': round(train_seconds, 1),
}
with open(os.path.join(OUT, OUT_NAME), 'w') as f:
    json.dump(result, f, indent=1)
    f.write('\n')
print(f"wrote {os.path.join(OUT, OUT_NAME)} ({num_batches} batches, {train_seconds:.1f} s of training)")
