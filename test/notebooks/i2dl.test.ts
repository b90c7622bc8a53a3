/**
 * notebooks/i2dl_rnn_exercise.ipynb (the I2DL RNN exercise, original 003): the notebook follows the original step by step, it runs end to end headless with the
 * instructor toggle and short settings, and the student version fails clearly at its checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNotebook, outputsText } from '../../src/runner/index.js';
import { buildNotebooks } from '../../src/grading/build.js';
import { course } from '../../src/grading/tasks/i2dl.js';
import { readSavedModule } from '../../src/lib/nn/serialize.js';
import { dataEnv, loadNotebook, src } from '../helpers/notebooks.js';
import type { NotebookCell as Cell } from '../../src/notebook/codec.js';
import { notebooksDir } from '../helpers/paths.js';

const file = 'i2dl_rnn_exercise.ipynb';
const notebook = join(notebooksDir, file);
const nb = loadNotebook(file);

/** Short settings: 1 epoch of 3 batches (training and validation), 5 timing runs. */
function env(tmp: string, solutions: boolean): Record<string, string> {
  const e: Record<string, string> = {
    RNNKIT_EPOCHS: '1', RNNKIT_BATCHES: '3', RNNKIT_TIMEIT_RUNS: '5',
    RNNKIT_OUTPUT_DIR: join(tmp, 'out'), ...dataEnv(tmp, 'mnist'),
  };
  if (solutions) e['RNNKIT_SOLUTIONS'] = '1';
  return e;
}

test('the notebook follows the original: sections, tasks, questions, checks, figures, in order', () => {
  assert.deepEqual(nb.metadata['kernelspec'], { display_name: 'TypeScript (rnn-course-kit)', language: 'typescript', name: 'tslab' });
  const all = nb.cells.map(src).join('\n');
  const order = [
    'Recurrent Neural Networks (RNN)', 'time series analysis', 'image captioning', 'Goal of this exercise', 'Implement your own simple RNN class',
    'submit your best model', 'setupBackend()', 'Using torch version:', "'Using node: '", "'Using TensorFlow.js version: '", "'Using backend: '",
    '## Simple Recurrent Neural Network', 'h_t = \\tanh\\left(W \\cdot h_{t-1} + b_h + V \\cdot x_t + b_x\\right)', 'a relu or a tanh',
    '// ToDo: Implement the RNN class', 'class RNN extends Module', 'W!: Linear;', 'V!: Linear;', 'START OF YOUR CODE', "new nn.RNN(inputSize, hiddenDim)", 'new RNN(inputSize, hiddenDim)', 'nn.init.constant_(p, 0.3)',
    'randn([seqLen, 1, inputSize])', 'diff < 10 ** -10', 'Cool, you implemented a correct model.', 'Upps! There is something wrong in your model. Try again!',
    "await check('i2dl.rnn', RNN)", 'const runs = 10 ** 4', 'Time library RNN', 'Time I2DL RNN', 'From now on we use',
    '## Vanishing Gradient', 'TODO: Define a RNN and explore the gradients on the output h_T', 'use one input feature', 'function exploreGradients(',
    'const gradsRnn = exploreGradients(50, 20)', 'decreases exponentially', '$t=3$ and $h_0=0$',
    '## Long-Short Term Memory Network (LSTM)', 'Schmidhuber (1997)', 'What size does the cell state have?',
    'f_t &= \\sigma_g', 'h_t &= o_t \\circ \\sigma_h', 'forget gate', 'sigmoid activation', 'hyperbolic tangent',
    '// ToDo: Implement the LSTM class', 'class LSTM extends Module', 'new nn.LSTM(inputSize, hiddenDim)', 'new LSTM(inputSize, hiddenDim)', "await check('i2dl.lstm', LSTM)",
    'Time library LSTM', 'Time I2DL LSTM', '## Explore Gradients', 'What do you see?', 'TODO: Define a RNN and LSTM and explore the gradients',
    'function compareGradients(', 'const compared = compareGradients(50, 20)',
    '## MNIST image classification with RNNs', 'sequence of rows', 'multi-layer perceptrons', 'over-fitting',
    'class Unsqueeze', 'new Unsqueeze(3)', 'new transforms.ToTensor()', 'new transforms.Normalize([0.5], [0.5])', 'class MnistDataset',
    'loadMnistRaw({ train: true })', 'TODO: Set a useful training/ validation split', 'function chooseTrainSplit(', "await check('i2dl.split', chooseTrainSplit)",
    'samplesPerClass = 5', "type: 'heatmap'", 'final hidden state for the prediction', 'class RNN_Classifier extends Module',
    "await check('i2dl.rnnClassifier', RNN_Classifier)", 'showSource(Solver)', 'const batchSize = 32', 'shuffle: true', 'shuffle: false',
    'new Solver({ optimArgs: { lr: 1e-3 } })', '{ logNth: 50, numEpochs: 10 }', '__90%__', 'Try to improve your model by using an LSTM',
    'class LSTM_Classifier extends Module', "await check('i2dl.lstmClassifier', LSTM_Classifier)", 'Train your LSTM model again',
    '# Test your Model', '__97__', '## Save the Model', "modelRnn.save('models/rnn_mnist_nn.model')",
  ];
  let at = -1;
  for (const s of order) {
    const i = all.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" missing or out of order`);
    at = i;
  }
  const tasks = nb.cells.filter((c) => c.metadata['task']).map((c) => c.metadata['task']);
  assert.deepEqual(tasks, ['i2dl.rnn', 'i2dl.gradients', 'i2dl.lstm', 'i2dl.compare', 'i2dl.split', 'i2dl.rnnClassifier', 'i2dl.lstmClassifier']);
  for (const c of nb.cells.filter((x) => x.metadata['task'])) {
    assert.equal(c.cell_type, 'code');
    assert.ok(src(c).includes('START OF YOUR CODE') && src(c).includes('END OF YOUR CODE'));
    assert.ok(!src(c).includes('BEGIN SOLUTION') && !src(c).includes('new Linear(hiddenSize, hiddenSize)') && !src(c).includes('tf.grad((xs'), 'the student notebook holds no solution');
  }
  const feedback = nb.cells.filter((c) => c.metadata['feedback']).map((c) => c.metadata['feedback']);
  assert.deepEqual(feedback, tasks.filter((t) => t !== 'i2dl.gradients' && t !== 'i2dl.compare'), 'a feedback cell after each graded task (the explorations are open-ended)');
  const questions = nb.cells.filter((c) => c.metadata['question']).map((c) => c.metadata['question']);
  assert.deepEqual(questions, ['i2dl.vanishing', 'i2dl.cellState', 'i2dl.explore', 'i2dl.models']);
  assert.deepEqual([...all.matchAll(/src="(figures\/[^"]+\.svg)"/g)].map((m) => m[1]),
    ['figures/i2dl-rnn-loop.svg', 'figures/i2dl-rnn-unrolled.svg', 'figures/i2dl-lstm-unrolled.svg', 'figures/i2dl-rnn-image-rows.svg'], 'RNN-rolled, SimpleRNN, LSTM chain, classifier');
  assert.ok(!/colah\.github\.io|medium\.com|wikimedia/.test(all), 'no external images');
  const instructor = buildNotebooks(course).instructor;
  const taskSrc = instructor.cells.filter((c) => c.metadata['task']).map(src);
  assert.ok(taskSrc[0]!.includes('this.W = new Linear(hiddenSize, hiddenSize);') && taskSrc.every((s) => !s.includes('BEGIN SOLUTION')));
  assert.ok(instructor.cells.filter((c) => c.metadata['question']).every((c) => src(c).includes('**Answer.**')));
});

test('headless with RNNKIT_SOLUTIONS=1 and short settings the notebook runs end to end', { timeout: 600_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'i2dl-nb-'));
  try {
    const r = await runNotebook(notebook, { env: env(tmp, true), timeout: 300 });
    assert.ok(r.ok, `failed: ${r.failed ? `cell ${r.failed.codeCellNumber}: ${r.failed.error?.message}` : r.message}`);
    const out = (needle: string) => outputsText(r.cells.find((c) => c.source.includes(needle))!.outputs);
    assert.match(out('Using node'), /Using node: {2}\d+\.\d+\.\d+\nUsing TensorFlow\.js version: {2}4\.22\.0\nUsing backend: {2}\w+/);
    const checks = r.cells.filter((c) => /Cool, you implemented/.test(c.source)).map((c) => outputsText(c.outputs));
    assert.equal(checks.length, 2);
    for (const s of checks) assert.match(s, /Difference between the library's and your (RNN|LSTM) implementation: [0-9.e+-]+\nCool, you implemented a correct model\./);
    // RNNKIT_TIMEIT_RUNS=5: timeit times 5 runs and reports the time scaled to the notebook's 10^4
    assert.match(out('Time I2DL RNN'), /Time library RNN 10000 runs: \d+\.\d{3}s\nTime I2DL RNN 10000 run: \d+\.\d{3}s/);
    assert.match(out('Time I2DL LSTM'), /Time library LSTM 10000 runs: \d+\.\d{3}s\nTime I2DL LSTM 10000 run: \d+\.\d{3}s/);
    assert.match(out('exploreGradients(50, 20)'), /\[plot: Gradient of h_T with respect to the input x_t \(RNN, T = 50\)[\s\S]*\|dh_T\/dx_1\| = [0-9.]+e-\d+, \|dh_T\/dx_T\| = /);
    assert.match(out('compareGradients(50, 20)'), /\[plot: Gradient of h_T with respect to x_t \(T = 50, 20 hidden units\) \| RNN = [0-9.e-]+, LSTM = [0-9.e-]+\][\s\S]*first input: \|dh_T\/dx_1\| RNN [0-9.]+e-\d+, LSTM [0-9.]+e-\d+/);
    const feedback = r.cells.filter((c) => /await check\('i2dl\./.test(c.source)).map((c) => outputsText(c.outputs));
    const max = { rnn: 7, lstm: 7, split: 2, rnnClassifier: 2, lstmClassifier: 2 };
    assert.equal(feedback.length, 5);
    for (const [i, [id, pts]] of Object.entries(max).entries()) {
      assert.match(feedback[i]!, new RegExp(`checking the reference solution[\\s\\S]*i2dl\\.${id} passed: ${pts}/${pts}`));
    }
    assert.match(out('console.log(`train: '), /train: 19200 images, validation: 4800 images|train: 48000 images, validation: 12000 images/);
    const runs = r.cells.filter((c) => /await solver\.train\(/.test(c.source)).map((c) => outputsText(c.outputs));
    assert.equal(runs.length, 2);
    for (const s of runs) assert.match(s, /START TRAIN\.[\s\S]*\[Epoch 1\/1\] TRAIN acc\/loss: \d\.\d{3}\/\d\.\d{3}\n\[Epoch 1\/1\] VAL {3}acc\/loss: \d\.\d{3}\/\d\.\d{3}\nFINISH\./);
    assert.match(out("modelRnn.save("), /Saving model\.\.\. models\/rnn_mnist_nn\.model/);
    const saved = readSavedModule(join(tmp, 'out', 'models', 'rnn_mnist_nn.model'));
    assert.equal(saved.module, 'RNN_Classifier');
    assert.deepEqual(saved.parameters.map((p) => p.name), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'fc.weight', 'fc.bias']);
    t.diagnostic(`ran in ${(r.duration / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

/**
 * The student copy (task cells as stored), with a cell after each classifier's task cell that calls
 * its forward as the Solver would (the Solver cannot train on the empty split of the student copy).
 */
function studentCopy(): string {
  const copy = JSON.parse(readFileSync(notebook, 'utf8')) as { cells: Array<Cell & Record<string, unknown>> };
  for (const [task, model] of [['i2dl.rnnClassifier', 'modelRnn'], ['i2dl.lstmClassifier', 'model']] as const) {
    const at = copy.cells.findIndex((c) => c.metadata['task'] === task);
    copy.cells.splice(at + 1, 0, { cell_type: 'code', id: `${model}-forward`, metadata: {}, execution_count: null, outputs: [], source: [`${model}.forward(tf.zeros([2, 28, 28]));`] });
  }
  return JSON.stringify(copy);
}

test("the student copy (task cells empty): the first error of each task names it and says what to do, in one line", { timeout: 600_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'i2dl-nb-'));
  try {
    const copyPath = join(tmp, 'i2dl_rnn_exercise.ipynb');
    writeFileSync(copyPath, studentCopy());
    const r = await runNotebook(copyPath, { env: env(tmp, false), timeout: 300, allowErrors: true, cwd: dirname(notebook) });
    assert.equal(r.ok, false);
    const cell = (needle: string) => r.cells.find((c) => c.source.includes(needle))!;
    const error = (needle: string) => {
      const c = cell(needle);
      assert.equal(c.status, 'error', needle);
      const out = c.outputs.find((o) => o.output_type === 'error') as { evalue: string; traceback: string[] };
      assert.doesNotMatch(out.traceback.join('\n'), /evalmachine|node_modules|dist\/|node:/, 'no frames of the kit, tslab or Node');
      return out;
    };
    const checks = r.cells.filter((c) => /Cool, you implemented/.test(c.source));
    assert.equal(checks.length, 2);
    const [rnnCheck, lstmCheck] = checks.map((c) => c.outputs.find((o) => o.output_type === 'error') as { evalue: string; traceback: string[] });
    assert.match(rnnCheck!.evalue, /^Task "Simple RNN: RNN" \(RNN\.call\): push the hidden state of every time step onto hSeq \(it holds 0 of 10\) and set h to the last one$/);
    assert.match(lstmCheck!.evalue, /^Task "LSTM" \(LSTM\.call\): push the hidden state of every time step onto hSeq \(it holds 0 of 10\) and set h and c to the last states$/);
    for (const e of [rnnCheck!, lstmCheck!]) assert.equal(e.traceback.length, 1, e.traceback.join('\n'));
    // the timing cell after a failed check: the names tslab forgot, and where they come from
    const timing = error('Time I2DL RNN');
    assert.match(timing.traceback.at(-1)!, /^libraryRnn, X, i2dlRnn are declared in a cell that failed \(In \[\d+\]\): fix that cell and run it again, then this one\.$/);
    assert.match(error('const gradsRnn = exploreGradients(50, 20)').evalue, /^Task "Vanishing gradient: exploreGradients": exploreGradients returned 0 values; it should return one per time step \(50\)$/);
    assert.match(error('const compared = compareGradients(50, 20)').evalue, /^Task "Explore gradients: compareGradients": compareGradients returned 0 and 0 values/);
    assert.match(error('samplesPerClass = 5').evalue, /^Task "Training \/ validation split": the training set has 0 images of class 0: set a useful trainSplit above$/);
    assert.match(error('modelRnn.forward(tf.zeros').evalue, /^Task "MNIST: RNN_Classifier" \(RNN_Classifier\.forward\): set out to the class scores \[N, classes\]$/);
    assert.match(error('model.forward(tf.zeros').evalue, /^Task "MNIST: LSTM_Classifier" \(LSTM_Classifier\.forward\): set out to the class scores \[N, classes\]$/);
    // the feedback cells give every task 0 points and say why (each distinct reason once), without failing themselves
    const feedback = r.cells.filter((c) => /await check\('i2dl\./.test(c.source));
    assert.equal(feedback.length, 5);
    for (const c of feedback) {
      assert.equal(c.status, 'ok', `${c.source}: ${c.error?.message}`);
      const text = outputsText(c.outputs);
      assert.match(text, /✗ i2dl\.\w+: 0\/\d/);
      const reasons = [...text.matchAll(/^ {2}✗ [^:]+: (.*)$/gm)].map((m) => m[1]!).filter((x) => x !== '(the same reason as above)');
      assert.equal(new Set(reasons).size, reasons.length, text);
    }
    assert.match(outputsText(feedback[0]!.outputs), /✗ parameters: W\.weight is missing/);
    assert.match(outputsText(feedback[2]!.outputs), /✗ between 0 and 1: the split 0 leaves the training set empty/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
