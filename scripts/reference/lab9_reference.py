#!/usr/bin/python3
"""Reference values for notebooks/lab9_rnn_lstm_mnist.ipynb (original 004, "Lab sheet 9"): the original's
code (RNN_Model, LSTM_Model, train, evaluate, Adam lr 0.001, batches of 64) in PyTorch 1.13 on the
CPU, on the MNIST files of the course mirror, written to test/fixtures/lab9/lab9_reference.json.

Run offline with Debian's python3 (nice'd: it trains both models for 5 epochs):

    nice -n 19 /usr/bin/python3 scripts/reference/lab9_reference.py [MIRROR_DIR] [--quick-only]

MIRROR_DIR defaults to ../shared/datasets (layout mnist/*-ubyte.gz; the course mirror holds the
official 10,000 test images and the first 24,000 training images). The tests read only the JSON
this writes; they never run Python. --quick-only rewrites only the short run the notebook test
compares with (and keeps the full run already in the JSON).

Differences from the original, the same as in the TypeScript port:
- `torch.manual_seed(0)` first (the original sets no seed), so that the run repeats and the port, whose
  generator, DataLoader shuffling and layer initialisation draw the same numbers, sees the same
  batches and the same initial weights.
- torchvision is not installed here: `MNISTDataset` reads the IDX files and applies what
  `transforms.Compose([ToTensor(), Normalize((0.5,), (0.5,))])` computes (byte / 255 in float32,
  then (x - 0.5) / 0.5), item by item as torchvision's `datasets.MNIST` does; the sampler's random
  draws do not depend on the dataset class.
- `train` and `evaluate` take `max_batches` (the port's RNNKIT_BATCHES, which shortens every
  DataLoader pass): they stop a pass after that many batches; in `train` the printed loss is the mean over the batches run (the original divides by len(trainloader),
  which is the same when all batches run).

lab9_reference.json:
  trainCount, testCount, batchSize, lr, seed      the data and the original's settings
  quick    {epochs, batches, image, rnn, lstm}     the short run of the notebook test
  full     {epochs, batches, image, rnn, lstm}     the original's settings: 5 epochs over all batches
    image  {batchIndex, label, sum}                img = images[9] of the first training batch
    rnn / lstm  {epochs: [{loss, accuracy, seconds}], testAccuracy, evalSeconds}
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
from torch.utils.data import DataLoader, Dataset

HERE = os.path.dirname(os.path.abspath(__file__))
args = [a for a in sys.argv[1:] if not a.startswith('--')]
QUICK_ONLY = '--quick-only' in sys.argv
MIRROR = args[0] if args else os.path.join(HERE, '..', '..', '..', 'shared', 'datasets')
OUT_DIR = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'lab9')
OUT = os.path.join(OUT_DIR, 'lab9_reference.json')
os.makedirs(OUT_DIR, exist_ok=True)

# What the notebook test runs: RNNKIT_EPOCHS=2, RNNKIT_BATCHES=3.
QUICK_EPOCHS = 2
QUICK_BATCHES = 3


def idx(name, nd):
    with gzip.open(os.path.join(MIRROR, 'mnist', name), 'rb') as f:
        b = f.read()
    assert b[0] == 0 and b[1] == 0 and b[2] == 8 and b[3] == nd, name
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return torch.from_numpy(np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims).copy())


class MNISTDataset(Dataset):
    """datasets.MNIST(..., transform=Compose([ToTensor(), Normalize((0.5,), (0.5,))]))."""

    def __init__(self, train):
        prefix = 'train' if train else 't10k'
        self.data = idx(f'{prefix}-images-idx3-ubyte.gz', 3)
        self.targets = idx(f'{prefix}-labels-idx1-ubyte.gz', 1).long()
        self.mean = torch.tensor([0.5])
        self.std = torch.tensor([0.5])

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        img = self.data[index].view(1, 28, 28).to(dtype=torch.get_default_dtype()).div(255)  # ToTensor
        img = img.sub_(self.mean[:, None, None]).div_(self.std[:, None, None])  # Normalize
        return img, int(self.targets[index])


# ---------------------------------------------------------------- the original's code


class RNN_Model(nn.Module):
    def __init__(self, input_size=28, hidden_size=128, num_classes=10):
        super(RNN_Model, self).__init__()
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        out = self.fc(out[:, -1, :])  # Use the output of the last time-step
        return out


class LSTM_Model(nn.Module):
    def __init__(self, input_size=28, hidden_size=128, num_layers=2, num_classes=10):
        super(LSTM_Model, self).__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        lstm_out, (hn, cn) = self.lstm(x)
        out = self.fc(hn[-1])
        return out


def train(model, trainloader, criterion, optimizer, num_epochs=5, max_batches=None):
    model.train()
    epochs = []
    for epoch in range(num_epochs):
        t0 = time.time()
        running_loss = 0.0
        correct = 0
        total = 0
        batches = 0
        for i, (inputs, labels) in enumerate(trainloader):
            if i == max_batches:
                break
            inputs = inputs.view(-1, 28, 28)
            outputs = model(inputs)
            loss = criterion(outputs, labels)

            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

            running_loss += loss.item()

            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            batches += 1

        seconds = time.time() - t0
        print(f'Epoch [{epoch + 1}/{num_epochs}], Loss: {running_loss/batches:.4f}, Accuracy: {100 * correct / total:.2f}%  ({seconds:.1f} s)', flush=True)
        epochs.append({'loss': running_loss / batches, 'accuracy': 100 * correct / total, 'seconds': round(seconds, 2)})
    return epochs


def evaluate(model, testloader, max_batches=None):
    t0 = time.time()
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for i, (inputs, labels) in enumerate(testloader):
            if i == max_batches:
                break
            inputs = inputs.view(-1, 28, 28)
            outputs = model(inputs)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()

    print(f'Test Accuracy: {100 * correct / total:.2f}%', flush=True)
    return 100 * correct / total, round(time.time() - t0, 2)


# ---------------------------------------------------------------- the original's steps


def lab(num_epochs, max_batches):
    torch.manual_seed(0)
    trainset = MNISTDataset(train=True)
    testset = MNISTDataset(train=False)
    trainloader = DataLoader(trainset, batch_size=64, shuffle=True)
    testloader = DataLoader(testset, batch_size=64, shuffle=False)

    dataiter = iter(trainloader)
    images, labels = next(dataiter)
    image = {'batchIndex': 9, 'label': int(labels[9]), 'sum': float(images[9].double().sum())}
    print(f'image 9 of the first batch: label {image["label"]}, pixel sum {image["sum"]:.4f}')

    result = {'epochs': num_epochs, 'batches': max_batches or len(trainloader), 'image': image}
    criterion = nn.CrossEntropyLoss()
    for name, Model in (('rnn', RNN_Model), ('lstm', LSTM_Model)):
        model = Model()
        optimizer = optim.Adam(model.parameters(), lr=0.001)
        epochs = train(model, trainloader, criterion, optimizer, num_epochs=num_epochs, max_batches=max_batches)
        accuracy, seconds = evaluate(model, testloader, max_batches)
        result[name] = {'epochs': epochs, 'testAccuracy': accuracy, 'evalSeconds': seconds}
    return result, len(trainset), len(testset)


previous = {}
if os.path.exists(OUT):
    with open(OUT) as f:
        previous = json.load(f)

print(f'torch {torch.__version__}, {torch.get_num_threads()} threads')
print(f'quick: {QUICK_EPOCHS} epochs of {QUICK_BATCHES} batches')
quick, train_count, test_count = lab(QUICK_EPOCHS, QUICK_BATCHES)
if QUICK_ONLY:
    full = previous.get('full')
else:
    print('full: the original\'s settings (5 epochs, all batches)')
    full, _, _ = lab(5, None)

result = {
    'torch': torch.__version__,
    'threads': torch.get_num_threads(),
    'trainCount': train_count,
    'testCount': test_count,
    'batchSize': 64,
    'lr': 0.001,
    'seed': 0,
    'quick': quick,
    'full': full,
}
with open(OUT, 'w') as f:
    json.dump(result, f, indent=1)
    f.write('\n')
print(f'wrote {OUT}')
