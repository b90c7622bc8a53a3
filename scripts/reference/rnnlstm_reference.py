#!/usr/bin/python3
"""Reference values for notebooks/ex_rnn_lstm_mnist.ipynb (seed 001, the exercise sheet "RNNModel /
LSTMModel on MNIST"), computed with PyTorch 1.13 on the CPU, written to test/fixtures/rnnlstm/.

Run offline with Debian's python3 (nice'd: the machine is shared):

    nice -n 19 /usr/bin/python3 scripts/reference/rnnlstm_reference.py models          # seconds
    nice -n 19 /usr/bin/python3 scripts/reference/rnnlstm_reference.py short           # seconds
    nice -n 19 /usr/bin/python3 scripts/reference/rnnlstm_reference.py full [MIRROR]   # minutes

MIRROR defaults to ../shared/datasets (layout mnist/*-ubyte.gz). The course mirror holds the
official 10,000 test images but only the first 24,000 training images, so the seed's
num_epochs = int(n_iters / (len(train_dataset) / batch_size)) is int(3000 / 240) = 12 here (5 on the
full 60,000), and each loop runs 12 * 240 = 2880 iterations. The tests read only the JSON this
writes; they never run Python.

models.json   The configurable model of Exercise 2.1 (`RecurrentModel` in the port) for a few
              configurations: after torch.manual_seed(seed), its named_parameters (names, shapes),
              the parameter count and the output for a fixed input x [2, 5, 28]. The grader's
              "parameters" and "output values" checks compare with these.
short.json    The notebook's sections 1.2-1.3 with the headless test's short settings
              (RNNKIT_EPOCHS=1, RNNKIT_BATCHES=4, RNNKIT_TEST_EVERY=2): torch.manual_seed(0) as the
              port's setup cell does, both models built, then the RNN loop and the LSTM loop (the
              seed does not reset `iter`), each epoch cut after 4 batches, the test accuracy on the
              first 4 test batches every 2 iterations. The printed lines, as values.
seed_run.json The seed's own schedule on this data (the full run, for the port's comparison):
              torch.manual_seed(0) (the seed sets no seed), the printed lines and the wall time of
              each loop.

Both runs follow the seed's code: shuffled training loader (RandomSampler), an in-order test loader
iterated at every evaluation (each DataLoader iteration draws its worker base seed from the global
generator, as the port's `drawBaseSeed: true` does), Adam(lr=0.001), CrossEntropyLoss, the last
time step's output into the readout layer.
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
    """The seed's Exercise 1.1 RNN, as written there."""

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
    """The seed's Exercise 1.1 LSTM, as written there."""

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


class RecurrentModel(nn.Module):
    """Exercise 2.1 as the port specifies it: `rnn` (nn.RNN with the nonlinearity, or nn.LSTM), an
    optional extra fully connected layer `fcExtra` (hidden -> hidden, then ReLU), the readout `fc`,
    created in that order; the last time step's output goes through them."""

    def __init__(self, type, numLayers, hiddenSize=128, nonlinearity='tanh', extraFc=False, inputSize=28, outputSize=10):
        super().__init__()
        self.type = type
        self.num_layers = numLayers
        self.hidden_size = hiddenSize
        if type == 'rnn':
            self.rnn = nn.RNN(inputSize, hiddenSize, numLayers, nonlinearity=nonlinearity, batch_first=True)
        else:
            self.rnn = nn.LSTM(inputSize, hiddenSize, numLayers, batch_first=True)
        self.fcExtra = nn.Linear(hiddenSize, hiddenSize) if extraFc else None
        self.fc = nn.Linear(hiddenSize, outputSize)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        if self.type == 'lstm':
            out, _ = self.rnn(x, (h0, torch.zeros_like(h0)))
        else:
            out, _ = self.rnn(x, h0)
        out = out[:, -1, :]
        if self.fcExtra is not None:
            out = torch.relu(self.fcExtra(out))
        return self.fc(out)


# The configurations of the fixture: the seed's two models and three of Exercise 2's variants.
MODEL_CASES = [
    {'name': 'rnn-1-tanh', 'seed': 1, 'config': {'type': 'rnn', 'numLayers': 1}},
    {'name': 'rnn-2-tanh', 'seed': 2, 'config': {'type': 'rnn', 'numLayers': 2}},
    {'name': 'rnn-3-relu-fc', 'seed': 3, 'config': {'type': 'rnn', 'numLayers': 3, 'nonlinearity': 'relu', 'extraFc': True}},
    {'name': 'lstm-2', 'seed': 4, 'config': {'type': 'lstm', 'numLayers': 2}},
    {'name': 'lstm-1-fc', 'seed': 5, 'config': {'type': 'lstm', 'numLayers': 1, 'extraFc': True}},
]


def models():
    g = np.random.RandomState(2024)
    x = torch.from_numpy(np.round(g.uniform(0, 1, size=(2, 5, 28)), 4).astype(np.float32))
    cases = []
    for case in MODEL_CASES:
        torch.manual_seed(case['seed'])
        m = RecurrentModel(**case['config'])
        with torch.no_grad():
            y = m(x)
        params = [{'name': n, 'shape': list(p.shape)} for n, p in m.named_parameters()]
        entry = {**case, 'params': params, 'count': sum(p.numel() for p in m.parameters()), 'y': y.flatten().tolist()}
        # The seed's own classes give the same parameters and output for the same seed.
        if case['name'] in ('rnn-2-tanh', 'lstm-2'):
            torch.manual_seed(case['seed'])
            seed_model = (RNNModel if case['config']['type'] == 'rnn' else LSTMModel)(28, 128, 2, 10)
            with torch.no_grad():
                assert torch.equal(seed_model(x), y), case['name']
        cases.append(entry)
    write('models.json', {'torch': torch.__version__, 'xShape': [2, 5, 28], 'x': x.flatten().tolist(), 'yShape': [2, 10], 'cases': cases})


# ------------------------------------------------------------------------------------ the runs

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
    """Sections 1.2 and 1.3 of the seed, seeded like the port; the caps mimic the port's settings."""
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
                    with torch.no_grad():  # the seed builds graphs here; the values are the same
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
    mode = argv[1] if len(argv) > 1 else 'models'
    mirror = argv[2] if len(argv) > 2 else os.path.join(HERE, '..', '..', '..', 'shared', 'datasets')
    if mode == 'models':
        models()
    elif mode == 'short':
        r = seed_schedule(mirror, epochs_cap=1, batches_cap=4, test_every=2, test_batches=4)
        write('short.json', {'torch': torch.__version__, 'settings': {'RNNKIT_EPOCHS': 1, 'RNNKIT_BATCHES': 4, 'RNNKIT_TEST_EVERY': 2}, **r})
    elif mode == 'full':
        r = seed_schedule(mirror)
        write('seed_run.json', {'torch': torch.__version__, 'threads': torch.get_num_threads(), **r})
    else:
        raise SystemExit(f'unknown mode {mode} (models, short, full)')


if __name__ == '__main__':
    main(sys.argv)
