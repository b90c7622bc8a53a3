/**
 * The RNN / LSTM exercise sheet (notebooks/ex_rnn_lstm_mnist.ipynb): the notebook follows the
 * original sheet; a shortened instructor run (RNNKIT_SOLUTIONS=1: the kernel fills Exercises 2.1 and
 * 3 with the reference cells) prints what PyTorch prints and leaks nothing; the student copy runs the
 * given code, and its open exercise cells do nothing until written.
 *
 * Shortened runs: RNNKIT_BATCHES / RNNKIT_EPOCHS shorten the loaders' passes; a copy of the notebook
 * tests every 2 iterations instead of 500 and gives Exercises 2 and 3 a budget of 2 iterations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotebook, outputsText } from '../../src/runner/index.js';
import { buildNotebooks, solutionRegions } from '../../src/grading/build.js';
import { findRegions, lines, replaceRegions } from '../../src/grading/markers.js';
import { course } from '../../src/grading/tasks/rnnlstm.js';
import { serializeNotebook, type Notebook, type NotebookCell } from '../../src/notebook/codec.js';
import { loadNotebook, meta, src } from '../helpers/notebooks.js';
import { fixture, mirror, mirrorHas, notebooksDir } from '../helpers/paths.js';

const file = 'ex_rnn_lstm_mnist.ipynb';
const nb = loadNotebook(file);
const haveMnist = mirrorHas('mnist', 'train-images-idx3-ubyte.gz');

/** PyTorch 1.13 after torch.manual_seed(0) with the short settings (scripts/reference/rnnlstm_reference.py short). */
const short = fixture('rnnlstm', 'short.json') as {
  settings: Record<string, number>;
  rnn: { lines: { iteration: number; loss: number; accuracy: number }[] };
};

function env(tmp: string, solutions: boolean): Record<string, string> {
  const e: Record<string, string> = {
    RNNKIT_EPOCHS: String(short.settings.RNNKIT_EPOCHS),
    RNNKIT_BATCHES: String(short.settings.RNNKIT_BATCHES),
    RNNKIT_DATA_DIR: join(tmp, 'data'),
    RNNKIT_DATA_MIRROR: mirror,
  };
  if (solutions) e['RNNKIT_SOLUTIONS'] = '1';
  return e;
}

test('the notebook follows the original sheet: sections, code steps, open exercises, questions and printed outputs in order', () => {
  const all = nb.cells.map(src).join('\n');
  const order = [
    '# Exercise sheet: Recurrent Neural Networks', 'npm start', 'START OF YOUR CODE', '## Imports', "from 'rnn-course-kit'",
    '## Loading the Dataset and making it iterable', 'loadMnistTensors({ train: true })', 'loadMnistTensors({ train: false })',
    'const batchSize = 100;', 'const nIters = 3000;', 'let numEpochs = nIters / (trainDataset.length / batchSize);', 'numEpochs = Math.trunc(numEpochs);',
    'shuffle: true', 'shuffle: false',
    '### Exercise 1.1: Creating the model classes', 'class RNNModel extends Module', 'new RNN(inputSize, hiddenSize, { numLayers, batchFirst: true })',
    'new Linear(hiddenSize, outputSize)', 'this.rnn.call(x, h0)', 'out.gather(x.shape[1] - 1, 1); // Take the output of the last time step',
    'class LSTMModel extends Module', 'new LSTM(inputSize, hiddenSize, { numLayers, batchFirst: true })', 'const c0', 'this.lstm.call(x, [h0, c0])',
    '### Exercise 1.2: Instantiations', 'new RNNModel(28, 128, 2, 10)', 'new LSTMModel(28, 128, 2, 10)', 'Move to GPU if available',
    'const lossFn = crossEntropyLoss', 'new Adam(modelRnn.parameters(), 0.001)', 'new Adam(modelLstm.parameters(), 0.001)', 'const learningRate = 0.1;',
    '## Exercise 1.3: Training the models', 'The original notebook printed',
    'Iteration: 500. Loss: 0.08315066993236542. Accuracy: 96.8499984741211. Epochs: 5',
    'Iteration: 3000. Loss: 0.053878821432590485. Accuracy: 96.91000366210938. Epochs: 5',
    '// RNN Training', 'let iter = 0;', 'for (let epoch = 0; epoch < numEpochs; epoch++)', 'optimizerRnn.minimize', 'iter += 1;', 'if (iter % 500 === 0)',
    'Calculate Accuracy', 'Math.fround((100 * correct) / total)',
    'Iteration: ${iter}. Loss: ${loss.dataSync()[0]}. Accuracy: ${accuracy}. Epochs: ${numEpochs}',
    'does **not**', 'Iteration: 3500. Loss: 0.12816676497459412. Accuracy: 94.7300033569336%. Epochs: 1/5',
    'Iteration: 6000. Loss: 0.04128799960017204. Accuracy: 98.33000183105469%. Epochs: 5/5',
    '// LSTM Training', 'optimizerLstm.minimize', 'Iteration: ${iter}. Loss: ${loss.dataSync()[0]}. Accuracy: ${accuracy}%. Epochs: ${epoch + 1}/${numEpochs}',
    '## Exercise 2: Classification', '1, 2, 3 or 4 hidden layers', 'tanh and ReLU activation function', 'Additional fully connected layer',
    '1, 2 or 3 hidden layers', '### Exercise 2.1:', 'Change the above implementation to allow for an efficient way to compare the final classification',
    '// type your answer as a comment', '### Exercise 2.2:', 'differ from the results presented in the lecture',
    '## Exercise 3:', 'batch size of 100 and a learning rate of 0.1', 'Systematically change these', '// your code goes here',
    '## Exercise 4:', 'Why might the LSTM result in better classification accuracies?', 'GRU, bidirectional RNN, Recursive Neural Network, Encoder-Decoder RNN',
  ];
  let at = -1;
  for (const s of order) {
    const i = all.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" missing or out of order`);
    at = i;
  }
  // the LSTM loop continues the RNN's iteration counter, as the original's does
  const lstmLoop = nb.cells.find((c) => src(c).startsWith('// LSTM Training'))!;
  assert.ok(!/iter = 0/.test(src(lstmLoop)));
  // two open tasks, each one empty region in the committed (student) notebook: no class or signature to follow
  const tasks = nb.cells.filter((c) => meta(c, 'task'));
  assert.deepEqual(tasks.map((c) => meta(c, 'task')), ['rnnlstm.compare', 'rnnlstm.search']);
  for (const c of tasks) {
    assert.equal(src(c).split('START OF YOUR CODE').length - 1, 1);
    assert.ok(src(c).split('\n').every((l) => l.trim() === '' || l.trim().startsWith('//')), 'an open task cell holds only comments');
  }
  const questions = nb.cells.filter((c) => meta(c, 'question')).map((c) => meta(c, 'question'));
  assert.deepEqual(questions, ['rnnlstm.2.2', 'rnnlstm.4.1', 'rnnlstm.4.2']);
  // outputs quoted are the original's only, and the sheet speaks of the student's data
  assert.doesNotMatch(all, /mirror|24,000|24000|2880|this machine|\bhere \(|graded\)|seed's/i);
  // the instructor version has the reference cells in place
  const instructor = buildNotebooks(course).instructor;
  const regions = solutionRegions(course.solutionFile);
  for (const [id, name] of [['rnnlstm.compare', 'compareConfigurations'], ['rnnlstm.search', 'searchHyperparameters']] as const) {
    const cell = src(instructor.cells.find((c) => meta(c, 'task') === id)!);
    for (const l of regions.get(name)!.flat().filter((x) => x.trim().length > 8)) assert.ok(cell.includes(l.trim()), l);
  }
});

/** The "Iteration: ..." lines a training cell printed. */
function iterationLines(text: string): { iteration: number; loss: number; accuracy: number }[] {
  return [...text.matchAll(/Iteration: (\d+)\. Loss: ([-\d.e]+)\. Accuracy: ([\d.]+)%?\. Epochs: /g)]
    .map((m) => ({ iteration: Number(m[1]), loss: Number(m[2]), accuracy: Number(m[3]) }));
}

const codeCell = (id: string, source: string): NotebookCell => ({ cell_type: 'code', id, metadata: {}, execution_count: null, outputs: [], source });

/**
 * A shortened copy: seeded as PyTorch's reference run (torch.manual_seed(0) after the imports),
 * testing every 2 iterations, Exercises 2 and 3 with a budget of 2 iterations, and leak checks:
 * the two training loops run once more between two cells that count tensors (the first pass creates
 * what lives on: Adam's moments, the test loader's batches), the exercises are counted around their cells.
 */
function shortened(): Notebook {
  const copy = structuredClone(nb);
  for (const c of copy.cells) if (c.cell_type === 'code') c.source = src(c).replace('if (iter % 500 === 0)', 'if (iter % 2 === 0)');
  const at = (start: string) => copy.cells.findIndex((c) => src(c).startsWith(start));
  const around = (id: string, body: NotebookCell[]) => [
    codeCell(`${id}-before`, `const leak_${id} = tf.memory().numTensors;`), ...body,
    codeCell(`${id}-after`, `console.log(\`leak check: \${tf.memory().numTensors - leak_${id}} tensors\`);`),
  ];
  const search = at('// your code goes here\n////');
  copy.cells.splice(search, 1, ...around('search', [copy.cells[search]!]));
  const compare = at('// your code goes here\n// type');
  copy.cells.splice(compare, 1, codeCell('budget', 'const nIters = 2;'), ...around('compare', [copy.cells[compare]!]));
  const rnn = copy.cells[at('// RNN Training')]!;
  const lstm = copy.cells[at('// LSTM Training')]!;
  const after = at('// LSTM Training') + 1;
  copy.cells.splice(after, 0, ...around('rnn', [{ ...structuredClone(rnn), id: 'rnn-again' }]), ...around('lstm', [{ ...structuredClone(lstm), id: 'lstm-again' }]));
  copy.cells.splice(at('import * as tf') + 1, 0, codeCell('seed', "import { manualSeed } from 'rnn-course-kit';\nmanualSeed(0);"));
  return copy;
}

test('headless with RNNKIT_SOLUTIONS=1 and short settings: every cell runs; the RNN loop prints what PyTorch prints; nothing leaks', { skip: haveMnist ? false : 'no MNIST mirror', timeout: 900_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'rnnlstm-nb-'));
  try {
    const copyPath = join(tmp, file);
    writeFileSync(copyPath, serializeNotebook(shortened()));
    const r = await runNotebook(copyPath, { env: env(tmp, true), timeout: 600, cwd: notebooksDir });
    assert.ok(r.ok, `failed: ${r.failed ? `cell ${r.failed.codeCellNumber}: ${r.failed.error?.message}` : r.message}`);
    const out = (start: string) => outputsText(r.cells.find((c) => c.source.startsWith(start))!.outputs);
    // the same weights, batches and Adam steps as PyTorch after manual_seed(0): the same losses and accuracies
    const got = iterationLines(out('// RNN Training'));
    assert.ok(got.length >= short.rnn.lines.length, out('// RNN Training'));
    short.rnn.lines.forEach((ref, i) => {
      assert.equal(got[i]!.iteration, ref.iteration);
      assert.ok(Math.abs(got[i]!.loss - ref.loss) < 1e-5, `iteration ${ref.iteration}: loss ${got[i]!.loss} vs PyTorch ${ref.loss}`);
      assert.equal(got[i]!.accuracy, ref.accuracy, `iteration ${ref.iteration}: accuracy`);
    });
    const lstm = iterationLines(out('// LSTM Training'));
    assert.ok(lstm.length > 0 && lstm[0]!.iteration > got.at(-1)!.iteration, 'the LSTM loop counts on from the RNN loop');
    // Exercise 2.1: all 22 configurations, Exercise 3: the seven settings
    const comparison = out('// your code goes here\n// type');
    assert.equal([...comparison.matchAll(/^(RNN [1-4] layers (tanh|relu)|LSTM [1-3] layers)( \+FC)?: Accuracy: [\d.]+$/gm)].length, 22, comparison);
    const search = out('// your code goes here\n////');
    assert.equal([...search.matchAll(/^Iterations: \d+\. Batch size: (50|100|200)\. Learning rate: [\d.]+\. Accuracy: [\d.]+$/gm)].length, 7, search);
    const leaks = r.cells.filter((c) => /^console\.log\(`leak check/.test(c.source)).map((c) => outputsText(c.outputs).trim());
    assert.deepEqual(leaks, ['leak check: 0 tensors', 'leak check: 0 tensors', 'leak check: 0 tensors', 'leak check: 0 tensors']);
    t.diagnostic(`ran in ${(r.duration / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

/** A task cell's copy with its region written (as a student writes it), placed after the cell. */
function written(copy: Notebook, task: string, body: string[]): void {
  const at = copy.cells.findIndex((c) => meta(c, 'task') === task);
  const ls = lines(src(copy.cells[at]!));
  const regions = findRegions(ls, ['student']);
  copy.cells.splice(at + 1, 0, codeCell(`${task}-written`, replaceRegions(ls, regions, [body]).join('\n')));
}

test('the student notebook runs the given code; its open exercise cells do nothing until written, and an error in one names the exercise', { skip: haveMnist ? false : 'no MNIST mirror', timeout: 900_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rnnlstm-nb-'));
  try {
    const copy = structuredClone(nb);
    for (const c of copy.cells) if (c.cell_type === 'code') c.source = src(c).replace('if (iter % 500 === 0)', 'if (iter % 2 === 0)');
    // a first attempt at each exercise, each with a mistake: a name not defined, a stack of nothing
    written(copy, 'rnnlstm.compare', ['for (const layers of [1, 2, 3, 4]) console.log(layers, evaluate(modelRnn));']);
    written(copy, 'rnnlstm.search', ['const accuracies: tf.Tensor[] = [];', 'console.log(tf.stack(accuracies).max().dataSync()[0]);']);
    const copyPath = join(tmp, file);
    writeFileSync(copyPath, serializeNotebook(copy));
    const r = await runNotebook(copyPath, { env: env(tmp, false), timeout: 600, cwd: notebooksDir, allowErrors: true });
    const failed = r.cells.filter((c) => c.status !== 'ok');
    assert.deepEqual(failed.map((c) => c.source.split('\n').find((l) => l.includes('evaluate(') || l.includes('tf.stack('))?.trim()),
      ['for (const layers of [1, 2, 3, 4]) console.log(layers, evaluate(modelRnn));', 'console.log(tf.stack(accuracies).max().dataSync()[0]);'],
      'only the two written attempts fail');
    const cell = (start: string) => r.cells.find((c) => c.source.startsWith(start))!;
    assert.ok(iterationLines(outputsText(cell('// RNN Training').outputs)).length > 0);
    assert.ok(iterationLines(outputsText(cell('// LSTM Training').outputs)).length > 0);
    for (const s of ['// your code goes here\n// type', '// your code goes here\n////']) assert.equal(outputsText(cell(s).outputs).trim(), '', s);
    const [compare, search] = failed.map((c) => c.outputs.find((o) => o.output_type === 'error') as { evalue: string; traceback: string[] });
    assert.match(compare!.evalue, /^Exercise 2\.1: \d+:\d+ - Cannot find name 'evaluate'\.$/);
    assert.match(search!.evalue, /^Exercise 3: Pass at least one tensor to tf\.stack$/);
    assert.equal(search!.traceback.length, 1, search!.traceback.join('\n'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
