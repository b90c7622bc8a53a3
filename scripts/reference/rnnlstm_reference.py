#!/usr/bin/python3
"""Reference values for notebooks/ex_rnn_lstm_mnist.ipynb (the RNN / LSTM exercise sheet), computed
with PyTorch 1.13 on the CPU, written to test/fixtures/rnnlstm/short.json. Run offline with Debian's
python3 (nice'd: the machine is shared):

    nice -n 19 /usr/bin/python3 scripts/reference/rnnlstm_reference.py short [MIRROR]   # seconds

MIRROR defaults to ../shared/datasets (layout mnist/*-ubyte.gz). The tests read only the JSON this
writes; they never run Python.

short.json    The sheet's Exercises 1.2-1.3 with the headless test's short settings: torch.manual_seed(0)
              after the imports (the test inserts manualSeed(0) there), both models built, then the RNN
              loop and the LSTM loop (the original does not reset `iter`), each epoch cut after 4
              batches (RNNKIT_BATCHES=4), the test accuracy on the first 4 test batches every 2
              iterations. The printed lines, as values. (The port's in-order test loader draws no
              worker seed, PyTorch's does: the lines agree until the next shuffle, i.e. the RNN's.)

The run follows the original's code: shuffled training loader (RandomSampler), an in-order test
loader iterated at every evaluation, Adam(lr=0.001), CrossEntropyLoss, the last time step's output
into the readout layer.
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'rnnlstm')
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(1)


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.normpath(path)}')


# ------------------------------------------------------------------------------------ the models

class RNNModel(nn.Module):
    """The original's Exercise 1.1 RNN, as written there."""

    def __init__(self, input_size, hidden_size, num_layers, output_size):
        super(RNNModel, self).__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.rnn = nn.RNN(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(x.device)
        out, _ = self.rnn(x, h0)
        out = out[:, -1, :]
        out = self.fc(out)
        return out


class LSTMModel(nn.Module):
    """The original's Exercise 1.1 LSTM, as written there."""

    def __init__(self, input_size, hidden_size, num_layers, output_size):
        super(LSTMModel, self).__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(x.device)
        c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size).to(x.device)
        out, _ = self.lstm(x, (h0, c0))
        out = out[:, -1, :]
        out = self.fc(out)
        return out


def mnist(mirror):
    def idx(name, nd):
        with gzip.open(os.path.join(mirror, 'mnist', name), 'rb') as f:
            b = f.read()
        assert b[0] == 0 and b[1] == 0 and b[2] == 8 and b[3] == nd, name
        dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
        return torch.from_numpy(np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims).copy())

    # transforms.ToTensor(): uint8 -> float32 / 255, shape [N, 1, 28, 28]
    def images(name):
        return idx(name, 3).unsqueeze(1).to(torch.float32).div(255)

    train = torch.utils.data.TensorDataset(images('train-images-idx3-ubyte.gz'), idx('train-labels-idx1-ubyte.gz', 1).long())
    test = torch.utils.data.TensorDataset(images('t10k-images-idx3-ubyte.gz'), idx('t10k-labels-idx1-ubyte.gz', 1).long())
    return train, test


def seed_schedule(mirror, epochs_cap=None, batches_cap=None, test_every=500, test_batches=None):
    """Sections 1.2 and 1.3 of the original, seeded like the port; the caps mimic the port's settings."""
    torch.manual_seed(0)
    train_dataset, test_dataset = mnist(mirror)
    batch_size = 100
    n_iters = 3000
    num_epochs = n_iters / (len(train_dataset) / batch_size)
    num_epochs = int(num_epochs)
    if epochs_cap is not None:
        num_epochs = min(num_epochs, epochs_cap)
    train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(dataset=test_dataset, batch_size=batch_size, shuffle=False)

    model_rnn = RNNModel(input_size=28, hidden_size=128, num_layers=2, output_size=10)
    model_lstm = LSTMModel(input_size=28, hidden_size=128, num_layers=2, output_size=10)
    loss_fn = nn.CrossEntropyLoss()
    optimizer_rnn = optim.Adam(model_rnn.parameters(), lr=0.001)
    optimizer_lstm = optim.Adam(model_lstm.parameters(), lr=0.001)

    seq_dim = 28
    input_dim = 28
    state = {'iter': 0}
    result = {'trainCount': len(train_dataset), 'testCount': len(test_dataset), 'numEpochs': num_epochs}

    def loop(model, optimizer, name):
        lines = []
        t0 = time.time()
        iterations = 0
        for epoch in range(num_epochs):
            for i, (images, labels) in enumerate(train_loader):
                if batches_cap is not None and i >= batches_cap:
                    break
                images = images.view(-1, seq_dim, input_dim)
                optimizer.zero_grad()
                outputs = model(images)
                loss = loss_fn(outputs, labels)
                loss.backward()
                optimizer.step()
                state['iter'] += 1
                iterations += 1
                if state['iter'] % test_every == 0:
                    correct = 0
                    total = 0
                    with torch.no_grad():  # the original builds graphs here; the values are the same
                        for k, (images, labels) in enumerate(test_loader):
                            if test_batches is not None and k >= test_batches:
                                break
                            images = images.view(-1, seq_dim, input_dim)
                            outputs = model(images)
                            _, predicted = torch.max(outputs.data, 1)
                            total += labels.size(0)
                            correct += (predicted == labels).sum()
                    accuracy = 100 * correct / total
                    line = {'iteration': state['iter'], 'loss': loss.item(), 'accuracy': accuracy.item(), 'epoch': epoch + 1}
                    lines.append(line)
                    print(f"{name} Iteration: {line['iteration']}. Loss: {line['loss']}. Accuracy: {line['accuracy']}. Epochs: {epoch + 1}/{num_epochs}", flush=True)
        result[name] = {'lines': lines, 'iterations': iterations, 'seconds': round(time.time() - t0, 1)}

    loop(model_rnn, optimizer_rnn, 'rnn')
    loop(model_lstm, optimizer_lstm, 'lstm')
    return result


def main(argv):
    mode = argv[1] if len(argv) > 1 else 'short'
    mirror = argv[2] if len(argv) > 2 else os.path.join(HERE, '..', '..', '..', 'shared', 'datasets')
    if mode != 'short':
        raise SystemExit(f'unknown mode {mode} (short)')
    r = seed_schedule(mirror, epochs_cap=1, batches_cap=4, test_every=2, test_batches=4)
    write('short.json', {'torch': torch.__version__, 'settings': {'RNNKIT_EPOCHS': 1, 'RNNKIT_BATCHES': 4, 'test_every': 2}, **r})


if __name__ == '__main__':
    main(sys.argv)
