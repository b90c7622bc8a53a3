import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotebook, outputsText } from '../../src/runner/index.js';
import { serializeNotebook } from '../../src/notebook/codec.js';
import { dataEnv, loadNotebook, src } from '../helpers/notebooks.js';
import { fixture, notebooksDir } from '../helpers/paths.js';

const file = 'lab9_rnn_lstm_mnist.ipynb';

/** PyTorch on the test data (scripts/reference/lab9_reference.py). */
interface ModelRun {
  epochs: { loss: number; accuracy: number; seconds: number }[];
  testAccuracy: number;
  evalSeconds: number;
}
interface LabRun {
  epochs: number;
  batches: number;
  image: { batchIndex: number; label: number; sum: number };
  rnn: ModelRun;
  lstm: ModelRun;
}
interface Lab9Reference {
  torch: string;
  threads: number;
  trainCount: number;
  testCount: number;
  batchSize: number;
  lr: number;
  seed: number;
  quick: LabRun;
  full: LabRun | null;
}

const reference = fixture<Lab9Reference>('lab9', 'lab9_reference.json');
const nb = loadNotebook(file);



test('the notebook follows the original: sections, data, image, models, LSTM formulas, train/evaluate, both runs', () => {
  assert.deepEqual(nb.metadata['kernelspec'], { display_name: 'TypeScript (rnn-course-kit)', language: 'typescript', name: 'tslab' });
  assert.equal((nb.metadata['language_info'] as { name: string }).name, 'typescript');
  const all = nb.cells.map(src).join('\n');
  const order = [
    '# Lab sheet - 9 (04 - 05 APR 2025)',
    '# Setup and Import Dependencies', 'setupBackend()',
    '# Load the MNIST Dataset', 'ToTensor', 'Normalize((0.5,), (0.5,))', 'normalize: { mean: 0.5, std: 0.5 }',
    'loadMnistTensors({ train: true', 'loadMnistTensors({ train: false',
    'new DataLoader(trainset, { batchSize: 64, shuffle: true })', 'new DataLoader(testset, { batchSize: 64, shuffle: false',
    'trainloader.first()', 'imagesArray[9]', "type: 'heatmap'", "[[0, 'black'], [1, 'white']]",
    '# Define the RNN Model', '28 rows', 'class RNN_Model extends Module', 'new RNN(inputSize, hiddenSize, { batchFirst: true })',
    'new Linear(hiddenSize, numClasses)', 'Use the output of the last time-step', 'this.fc.apply(out.gather(T - 1, 1))',
    '# LSTM', 'vanishing and exploding gradients', 'W_x\\in\\mathbb{R}^{4H\\times D}', 'a=W_xx_t + W_hh_{t-1}+b',
    'i = \\sigma(a_i)', 'f = \\sigma(a_f)', 'o = \\sigma(a_o)', 'g = \\tanh(a_g)',
    'c_{t} = f\\odot c_{t-1} + i\\odot g', 'h_t = o\\odot\\tanh(c_t)', '\\odot$ is the elementwise product',
    'A = X_t W_x + H_{t-1} W_h',
    '# Define the LSTM Model', 'class LSTM_Model extends Module', 'numLayers = 2',
    'new LSTM(inputSize, hiddenSize, { numLayers, batchFirst: true })', 'this.lstm.call(x)', 'hn[-1]', 'this.fc.apply(hn.gather(numLayers - 1))',
    '# Training and Evaluation Functions', 'async function train(model: Module, trainloader: DataLoader, criterion: Criterion, optimizer: Adam, numEpochs = 5)',
    "trange(numEpochs, { desc: 'Epochs' })", 'new ProgressBar(trainloader.length', 'for (const [images, labels] of trainloader)', "images.reshape([-1, 28, 28])",
    'optimizer.minimize(', 'criterion(outputs, labels)', 'Epoch [${epoch + 1}/${numEpochs}], Loss: ${(runningLoss / i).toFixed(4)}, Accuracy: ${(100 * correct / total).toFixed(2)}%',
    'Evaluation Function', 'async function evaluate(model: Module, testloader: DataLoader)', 'model.eval()', 'await tf.nextFrame()', 'Test Accuracy: ${(100 * correct / total).toFixed(2)}%',
    '# Model Training and Evaluation', '## Training RNN Model:', 'new RNN_Model()', 'crossEntropyLoss', 'new Adam(rnnModel.parameters(), 0.001)',
    'await train(rnnModel, trainloader, criterion, optimizer, 5)', 'await evaluate(rnnModel, testloader)',
    '## Training LSTM Model:', 'new LSTM_Model()', 'new Adam(lstmModel.parameters(), 0.001)',
    'await train(lstmModel, trainloader, criterion, optimizer, 5)', 'await evaluate(lstmModel, testloader)',
  ];
  let at = -1;
  for (const s of order) {
    const i = all.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" missing or out of order`);
    at = i;
  }
  // no graded tasks: the original has none
  assert.ok(!all.includes('START OF YOUR CODE') && !nb.cells.some((c) => c.metadata['task']));
  // every code cell starts without outputs
  for (const c of nb.cells.filter((c) => c.cell_type === 'code')) assert.deepEqual([c.outputs, c.execution_count], [[], null]);
  // the lab sheet printed nothing: no reference outputs are quoted, none invented
  assert.ok(!nb.cells.some((c) => c.metadata['reference']) && !/Epoch \[1\/5\], Loss: \d/.test(all));
});

/** `Epoch [e/n], Loss: x, Accuracy: y%` lines of a cell's output. */
function epochLines(text: string): { epoch: number; of: number; loss: number; accuracy: number }[] {
  return [...text.matchAll(/^Epoch \[(\d+)\/(\d+)\], Loss: (\d+\.\d{4}), Accuracy: (\d+\.\d{2})%$/gm)].map((m) => ({
    epoch: Number(m[1]), of: Number(m[2]), loss: Number(m[3]), accuracy: Number(m[4]),
  }));
}

test('headless with RNNKIT_EPOCHS=2 and RNNKIT_BATCHES=3: image, Epoch and Test Accuracy lines of both models, the PyTorch values, no leaks', { timeout: 300_000 }, async (t) => {
  const quick = reference.quick;
  const tmp = mkdtempSync(join(tmpdir(), 'lab9-nb-'));
  try {
    // The committed notebook plus one cell that trains and evaluates once more and counts the
    // tensors left behind (run from the notebooks folder, where 'rnn-course-kit' resolves).
    const variant = loadNotebook(file);
    variant.cells.push({
      cell_type: 'code', id: 'lab9-leak-check', metadata: {}, execution_count: null, outputs: [],
      source: [
        '// 10 test batches (an in-order loader slices its batches once, at the first pass)\n',
        'const someTests = new DataLoader(new TensorDataset(testData.images.slice(0, 640), testData.labels.slice(0, 640)), { batchSize: 64 });\n',
        'await evaluate(lstmModel, someTests);\n',
        'const before = tf.memory().numTensors;\n',
        'await train(lstmModel, trainloader, criterion, optimizer, 1);\n',
        'await evaluate(lstmModel, someTests);\n',
        'console.log(`tensors left behind: ${tf.memory().numTensors - before}`);',
      ],
    });
    const path = join(tmp, 'lab9.ipynb');
    writeFileSync(path, serializeNotebook(variant));
    const env: Record<string, string> = { RNNKIT_EPOCHS: '2', RNNKIT_BATCHES: String(quick.batches), ...dataEnv(tmp, 'mnist') };
    assert.equal(quick.epochs, 2);
    const r = await runNotebook(path, { env, cwd: notebooksDir, timeout: 240 });
    assert.ok(r.ok, `failed: ${r.failed ? `cell ${r.failed.codeCellNumber}: ${r.failed.error?.message}` : r.message}`);
    const cell = (needle: string) => {
      const c = r.cells.find((x) => x.source.includes(needle));
      assert.ok(c, needle);
      return c;
    };

    // the setup cell shows the backend and prints nothing else
    assert.match(outputsText(cell('setupBackend()').outputs), /^TensorFlow\.js 4\.22\.0 backend: \w+/);
    assert.ok(!outputsText(cell('setupBackend()').outputs).includes('Generator'));
    // a shortened run: every DataLoader pass is 3 batches, and the loaders say so
    assert.ok(outputsText(cell('new TensorDataset(trainData').outputs).includes(
      `${reference.trainCount} training images (${quick.batches} batches), ${reference.testCount} test images (${quick.batches} batches)`));

    // the image: a 28 x 28 gray heatmap of the first batch's image 9, the one PyTorch draws after manual_seed(0)
    const fig = cell('showFigure(').outputs.find((o) => o.output_type === 'display_data' && 'application/vnd.plotly.v1+json' in o.data);
    assert.ok(fig && fig.output_type === 'display_data', 'the image cell shows a plotly figure');
    const plotly = fig.data['application/vnd.plotly.v1+json'] as { data: { type: string; z: number[][]; colorscale: unknown }[]; layout: { title: { text: string } } };
    assert.equal(plotly.data[0]!.type, 'heatmap');
    assert.deepEqual(plotly.data[0]!.colorscale, [[0, 'black'], [1, 'white']]);
    const z = plotly.data[0]!.z;
    assert.deepEqual([z.length, ...new Set(z.map((row) => row.length))], [28, 28]);
    const flat = z.flat();
    assert.ok(Math.min(...flat) >= -1 && Math.max(...flat) <= 1, 'normalised pixels lie in [-1, 1]');
    assert.ok(Math.abs(flat.reduce((s, v) => s + v, 0) - quick.image.sum) < 1e-3, `pixel sum ${flat.reduce((s, v) => s + v, 0)} vs PyTorch's ${quick.image.sum}`);
    assert.ok(plotly.layout.title.text.includes(`(label ${quick.image.label})`), plotly.layout.title.text);

    for (const [model, needle] of [['rnn', 'train(rnnModel'], ['lstm', 'train(lstmModel']] as const) {
      const out = outputsText(cell(needle).outputs);
      const want = quick[model];
      // the original's per-epoch line, with PyTorch's values (same batches, same initial weights, same Adam)
      const got = epochLines(out);
      assert.deepEqual(got.map((e) => `${e.epoch}/${e.of}`), ['1/5', '2/5'], `trange stops the 5 epochs after 2:\n${out}`);
      for (const [i, e] of got.entries()) {
        assert.ok(Math.abs(e.loss - want.epochs[i]!.loss) < 2e-4, `${model} epoch ${i + 1} loss ${e.loss} vs PyTorch's ${want.epochs[i]!.loss}`);
        // 3 batches of 64: one image is 0.52%
        assert.ok(Math.abs(e.accuracy - want.epochs[i]!.accuracy) < 0.53, `${model} epoch ${i + 1} accuracy ${e.accuracy} vs PyTorch's ${want.epochs[i]!.accuracy}`);
      }
      const test = [...out.matchAll(/^Test Accuracy: (\d+\.\d{2})%$/gm)].map((m) => Number(m[1]));
      assert.equal(test.length, 1, out);
      assert.ok(Math.abs(test[0]! - want.testAccuracy) <= 0.05, `${model} test accuracy ${test[0]} vs PyTorch's ${want.testAccuracy}`);
      // the progress bars end full: one per epoch over the 3 batches, one over the test set's 3
      assert.match(out, /Epoch 1\/5 100% \|█+\| 3\/3 \[[^\]]+\] loss=\d/);
      assert.match(out, /Epoch 2\/5 100% \|█+\| 3\/3 /);
      assert.match(out, /Test 100% \|█+\| 3\/3 /);
    }

    // training and evaluating once more leaves no tensors behind
    const leak = outputsText(cell('tensors left behind').outputs);
    assert.match(leak, /^Epoch \[1\/1\], Loss: /m);
    assert.equal([...leak.matchAll(/^Test Accuracy: /gm)].length, 2);
    assert.match(leak, /tensors left behind: 0$/m);
    t.diagnostic(`ran in ${(r.duration / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
