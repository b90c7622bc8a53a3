import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNotebook, outputsText } from '../../src/runner/index.js';
import { notebookJson } from '../../scripts/notebooks/rnnlstm.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const notebook = join(root, 'notebooks', 'ex_rnn_lstm_mnist.ipynb');
const mirror = join(root, '..', 'shared', 'datasets');
const haveMnist = existsSync(join(mirror, 'mnist', 'train-images-idx3-ubyte.gz'));

interface Cell { cell_type: string; metadata: Record<string, unknown>; source: string[] }
const nb = JSON.parse(readFileSync(notebook, 'utf8')) as { cells: Cell[]; metadata: Record<string, any> };
const src = (c: Cell) => c.source.join('');

/** PyTorch 1.13 on the mirror with the short settings below (scripts/reference/rnnlstm_reference.py short). */
const short = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'rnnlstm', 'short.json'), 'utf8')) as {
  settings: Record<string, number>;
  rnn: { lines: { iteration: number; loss: number; accuracy: number }[] };
  lstm: { lines: { iteration: number; loss: number; accuracy: number }[] };
};


function env(tmp: string, solutions: boolean): Record<string, string> {
  const e: Record<string, string> = {
    RNNKIT_EPOCHS: String(short.settings.RNNKIT_EPOCHS),
    RNNKIT_BATCHES: String(short.settings.RNNKIT_BATCHES),
    RNNKIT_TEST_EVERY: String(short.settings.RNNKIT_TEST_EVERY),
    RNNKIT_ITERS: '2',
    RNNKIT_DATA_DIR: join(tmp, 'data'),
    RNNKIT_DATA_MIRROR: mirror,
  };
  if (solutions) e['RNNKIT_SOLUTIONS'] = '1';
  return e;
}

test('the committed notebook is what scripts/notebooks/rnnlstm.ts generates', () => {
  assert.equal(readFileSync(notebook, 'utf8'), notebookJson(false), 'run: npx tsx scripts/notebooks/rnnlstm.ts');
});

test('the notebook follows the seed: sections, code steps, tasks, questions and reference outputs in order', () => {
  assert.deepEqual(nb.metadata['kernelspec'], { display_name: 'TypeScript', language: 'typescript', name: 'tslab' });
  const all = nb.cells.map(src).join('\n');
  const order = [
    '# Exercise sheet: Recurrent Neural Networks', 'START OF YOUR CODE', '## Imports', "from 'rnn-course-kit'",
    '## Loading the Dataset and making it iterable', 'loadMnistTensors({ train: true })', 'loadMnistTensors({ train: false })',
    'const batchSize = 100;', 'const nIters = 3000;', 'let numEpochs = nIters / (trainDataset.length / batchSize);', 'numEpochs = Math.trunc(numEpochs);',
    'shuffle: true', 'shuffle: false',
    '### Exercise 1.1: Creating the model classes', 'class RNNModel extends Module', 'new RNN(inputSize, hiddenSize, { numLayers, batchFirst: true })',
    'new Linear(hiddenSize, outputSize)', 'this.rnn.call(x, h0)', 'Take the output of the last time step',
    'class LSTMModel extends Module', 'new LSTM(inputSize, hiddenSize, { numLayers, batchFirst: true })', 'const c0', 'this.lstm.call(x, [h0, c0])',
    '### Exercise 1.2: Instantiations', 'new RNNModel(28, 128, 2, 10)', 'new LSTMModel(28, 128, 2, 10)', 'Move to GPU if available',
    'const lossFn = crossEntropyLoss', 'new Adam(modelRnn.parameters(), 0.001)', 'new Adam(modelLstm.parameters(), 0.001)', 'const learningRate = 0.1;',
    '## Exercise 1.3: Training the models',
    'Iteration: 500. Loss: 0.08315066993236542. Accuracy: 96.8499984741211. Epochs: 5',
    'Iteration: 3000. Loss: 0.053878821432590485. Accuracy: 96.91000366210938. Epochs: 5',
    '// RNN Training', 'let iter = 0;', 'optimizerRnn.minimize', 'iter += 1;', 'iter % testEvery === 0', 'Calculate Accuracy', 'Math.fround((100 * correct) / total)',
    'Iteration: ${iter}. Loss: ${(await loss.data())[0]}. Accuracy: ${accuracy}. Epochs: ${numEpochs}',
    'does **not** reset', 'Iteration: 3500. Loss: 0.12816676497459412. Accuracy: 94.7300033569336%. Epochs: 1/5',
    'Iteration: 6000. Loss: 0.04128799960017204. Accuracy: 98.33000183105469%. Epochs: 5/5',
    '// LSTM Training', 'optimizerLstm.minimize', 'Iteration: ${iter}. Loss: ${(await loss.data())[0]}. Accuracy: ${accuracy}%. Epochs: ${epoch + 1}/${numEpochs}',
    '## Exercise 2: Classification', '1, 2, 3 or 4 hidden layers', 'tanh and ReLU activation function', 'Additional fully connected layer',
    '1, 2 or 3 hidden layers', '### Exercise 2.1:', 'Task 2.1a (graded)', 'class RecurrentModel extends Module', "useTask('rnnlstm.model'",
    "await check('rnnlstm.model'", 'Task 2.1b (graded)', 'async function compareConfigs', "await check('rnnlstm.compare'",
    '[1, 2, 3, 4]', "['tanh', 'relu']", '[1, 2, 3]', 'showComparison(', '### Exercise 2.2:', 'differ from the results presented in the lecture',
    '## Exercise 3:', 'batch size of 100 and a learning rate of 0.1', 'Task 3 (open-ended, not graded)', 'async function searchHyperparameters', 'showSearch(',
    '## Exercise 4:', 'Why might the LSTM result in better classification accuracies?', 'GRU, bidirectional RNN, recursive neural network, encoder-decoder RNN',
  ];
  let at = -1;
  for (const s of order) {
    const i = all.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" missing or out of order`);
    at = i;
  }
  // the LSTM loop continues the RNN's iteration counter, as the seed's does
  const lstmLoop = nb.cells.find((c) => src(c).startsWith('// LSTM Training'))!;
  assert.ok(!/iter = 0/.test(src(lstmLoop)));
  // tasks: two graded, one open-ended; empty regions in the committed (student) notebook
  const tasks = nb.cells.filter((c) => c.metadata['task']);
  assert.deepEqual(tasks.map((c) => c.metadata['task']), ['rnnlstm.model', 'rnnlstm.compare', 'rnnlstm.search']);
  assert.deepEqual(tasks.map((c) => src(c).split('START OF YOUR CODE').length - 1), [2, 1, 1]);
  for (const c of tasks) assert.ok(!/SOLUTION|new RNN\(|optimizer\.minimize|compareConfigs\(\[config\]/.test(src(c)), 'the student notebook holds no solution');
  const questions = nb.cells.filter((c) => c.metadata['question']).map((c) => c.metadata['question']);
  assert.deepEqual(questions, ['rnnlstm.2.1', 'rnnlstm.2.2', 'rnnlstm.3', 'rnnlstm.4.1', 'rnnlstm.4.2']);
  assert.ok(nb.cells.filter((c) => c.metadata['question']).every((c) => src(c).includes('Write your answer here')));
  // the instructor version has the solutions and the answers
  const instructor = JSON.parse(notebookJson(true)) as { cells: Cell[] };
  const iTasks = instructor.cells.filter((c) => c.metadata['task']).map(src);
  assert.ok(iTasks[0]!.includes('new RNN(inputSize, hiddenSize') && iTasks[1]!.includes('optimizer.minimize') && iTasks[2]!.includes('compareConfigs([config]'));
  assert.ok(!iTasks.some((s) => s.includes('BEGIN SOLUTION')));
  assert.ok(instructor.cells.filter((c) => c.metadata['question']).every((c) => src(c).includes('**Answer.**')));
});

/** The "Iteration: ..." lines a training cell printed. */
function iterationLines(text: string): { iteration: number; loss: number; accuracy: number }[] {
  return [...text.matchAll(/Iteration: (\d+)\. Loss: ([-\d.e]+)\. Accuracy: ([\d.]+)%?\. Epochs: /g)]
    .map((m) => ({ iteration: Number(m[1]), loss: Number(m[2]), accuracy: Number(m[3]) }));
}

/**
 * A copy of the notebook with leak checks: after the two training loops, each runs once more
 * between two cells that count tensors (the first pass creates what lives on: Adam's moments, the
 * test loader's batches); the comparison and the search are counted around their cells.
 */
function withLeakChecks(): unknown {
  const copy = structuredClone(nb);
  const cell = (id: string, source: string): Cell => ({ cell_type: 'code', metadata: { leak: id }, source: [source], execution_count: null, outputs: [] } as Cell);
  const at = (start: string) => copy.cells.findIndex((c) => src(c).startsWith(start));
  const around = (id: string, body: Cell[]) => [
    cell(`${id}-before`, `const leak_${id} = tf.memory().numTensors;`), ...body,
    cell(`${id}-after`, `console.log(\`leak check: \${tf.memory().numTensors - leak_${id}} tensors\`);`),
  ];
  const rnn = copy.cells[at('// RNN Training')]!;
  const lstm = copy.cells[at('// LSTM Training')]!;
  const search = at('const search = await useTask');
  copy.cells.splice(search, 1, ...around('search', [copy.cells[search]!]));
  const compare = at('const configs');
  copy.cells.splice(compare, 1, ...around('compare', [copy.cells[compare]!]));
  const after = at('// LSTM Training') + 1;
  copy.cells.splice(after, 0, ...around('rnn', [structuredClone(rnn)]), ...around('lstm', [structuredClone(lstm)]));
  return copy;
}

test('headless with RNNKIT_SOLUTIONS=1 and short settings: every cell runs; the training loops print what PyTorch prints and leak nothing', { skip: haveMnist ? false : 'no MNIST mirror', timeout: 600_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'rnnlstm-nb-'));
  try {
    const copyPath = join(tmp, 'ex_rnn_lstm_mnist.ipynb');
    writeFileSync(copyPath, JSON.stringify(withLeakChecks()));
    const r = await runNotebook(copyPath, { env: env(tmp, true), timeout: 300, cwd: dirname(notebook) });
    assert.ok(r.ok, `failed: ${r.failed ? `cell ${r.failed.codeCellNumber}: ${r.failed.error?.message}` : r.message}`);
    const out = (start: string) => outputsText(r.cells.find((c) => c.source.startsWith(start))!.outputs);
    assert.match(out('// MNIST with'), /24000 training images, 10000 test images: numEpochs = 12/);
    // the same weights, batches and Adam steps as PyTorch after manual_seed(0): the same losses and accuracies
    for (const [cell, ref] of [['// RNN Training', short.rnn], ['// LSTM Training', short.lstm]] as const) {
      const got = iterationLines(out(cell));
      assert.deepEqual(got.map((l) => l.iteration), ref.lines.map((l) => l.iteration), cell);
      got.forEach((l, i) => {
        assert.ok(Math.abs(l.loss - ref.lines[i]!.loss) < 1e-5, `${cell} iteration ${l.iteration}: loss ${l.loss} vs PyTorch ${ref.lines[i]!.loss}`);
        assert.equal(l.accuracy, ref.lines[i]!.accuracy, `${cell} iteration ${l.iteration}: accuracy`);
      });
    }
    assert.match(out('// LSTM Training'), /LSTM: 8 iterations so far/);
    assert.match(out('// useTask hands over'), /RNN 2L tanh: same parameter shapes: true; Output check: true\nLSTM 2L: same parameter shapes: true; Output check: true/);
    assert.match(out("await check('rnnlstm.model'"), /checking the reference solution[\s\S]*rnnlstm\.model passed: 7\/7/);
    assert.match(out("await check('rnnlstm.compare'"), /checking the reference solution[\s\S]*rnnlstm\.compare passed: 4\/4/);
    const comparison = out('const configs');
    assert.match(comparison, /\[plot: Exercise 2: test accuracy after 2 iterations per configuration/);
    for (const label of ['RNN 1L tanh ', 'RNN 4L relu +FC', 'LSTM 1L ', 'LSTM 3L +FC']) assert.ok(comparison.includes(label), label);
    assert.equal(comparison.split('\n').filter((l) => /^(RNN|LSTM) \dL/.test(l)).length, 22);
    const search = out("const search = await useTask");
    assert.match(search, /\[plot: Exercise 3: test accuracy per combination/);
    // 3 batch sizes x 3 learning rates, the iteration budgets all capped to 2
    assert.equal(search.split('\n').filter((l) => /^2 +(50|100|200) +0\.\d+ /.test(l)).length, 9);
    const leaks = r.cells.filter((c) => /^console\.log\(`leak check/.test(c.source)).map((c) => outputsText(c.outputs).trim());
    assert.deepEqual(leaks, ['leak check: 0 tensors', 'leak check: 0 tensors', 'leak check: 0 tensors', 'leak check: 0 tensors']);
    t.diagnostic(`ran in ${(r.duration / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the student notebook (task cells empty) runs the given code and fails clearly at the tasks', { skip: haveMnist ? false : 'no MNIST mirror', timeout: 600_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rnnlstm-nb-'));
  try {
    const r = await runNotebook(notebook, { env: env(tmp, false), timeout: 300, allowErrors: true });
    assert.equal(r.ok, false);
    const cell = (start: string) => r.cells.find((c) => c.source.startsWith(start))!;
    for (const s of ['// Setup', '// MNIST with', '// RNN Training', '// LSTM Training']) assert.equal(cell(s).status, 'ok', s);
    assert.equal(iterationLines(outputsText(cell('// RNN Training').outputs)).length, 2);
    assert.equal(cell('// useTask hands over').status, 'error');
    assert.match(`${cell('// useTask hands over').error?.message}`, /RecurrentModel\.forward is not written yet/);
    const model = cell("await check('rnnlstm.model'");
    assert.equal(model.status, 'ok');
    assert.match(outputsText(model.outputs), /✗ rnnlstm\.model: 0\/7[\s\S]*✗ recurrent layers: RecurrentModel\(\{ type: 'rnn', numLayers: 1 \}\)\.rnn should be the library's RNN \(got null\)/);
    const compare = cell("await check('rnnlstm.compare'");
    assert.equal(compare.status, 'ok');
    assert.match(outputsText(compare.outputs), /✗ rnnlstm\.compare: 0\/4[\s\S]*✗ one result per configuration: .*returned 0 results/);
    assert.equal(cell('const configs').status, 'error');
    assert.match(`${cell('const configs').error?.message}`, /compareConfigs: returned no results \(expected one per configuration, 22\)/);
    assert.equal(cell('const search = await useTask').status, 'error');
    assert.match(`${cell('const search = await useTask').error?.message}`, /searchHyperparameters: returned no results/);
    assert.ok(!r.cells.some((c) => outputsText(c.outputs).includes('Output check: true')));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
