import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runNotebook, outputsText } from '../../src/runner/index.js';
import { serializeNotebook, type Notebook, type NotebookCell } from '../../src/notebook/codec.js';
import { loadNotebook, src, writeSmallMnistMirror } from '../helpers/notebooks.js';
import { fixture, mirrorHas, notebooksDir, sharedDir } from '../helpers/paths.js';

const originalPath = join(sharedDir, 'seeds', '002_1b8ebd86ac83d2cb.txt');
const NOTEBOOK = join(notebooksDir, '02_lstm_mnist.ipynb');

/** The PyTorch outputs of the original notebook, verbatim (the tests compare them with the original). */
const SEED_OUTPUTS = {
  train: [
    'The loss at Batch 0 is 2.302553653717041',
    'Accuracy for Batch at 0 is 11.00%',
    'The loss at Batch 100 is 1.7761597633361816',
    'Accuracy for Batch at 100 is 47.00%',
    'The loss at Batch 200 is 1.7102913856506348',
    'Accuracy for Batch at 200 is 57.00%',
    'The loss at Batch 300 is 1.6082502603530884',
    'Accuracy for Batch at 300 is 72.00%',
    'The loss at Batch 400 is 1.5405768156051636',
    'Accuracy for Batch at 400 is 86.00%',
    'The loss at Batch 500 is 1.5157616138458252',
    'Accuracy for Batch at 500 is 82.00%',
  ],
  test: ['We got a loss of 1.543831467628479 on our test set', 'The accuracy on our test set is 84.71'],
  graph: ["'MNIST classification LSTM.png'"],
} as const;


const nb = loadNotebook('02_lstm_mnist.ipynb');

/**
 * PyTorch with the port's initial values on the first 300 training images (a mirror the test
 * writes, so that the notebook's one pass over all batches is 3 batches): the original's code, by
 * scripts/reference/lstm_mnist_reference.py.
 */
const torchRef = fixture('lstm_mnist', 'lstm_mnist_300.json') as {
  trainCount: number;
  numBatches: number;
  batches: { loss: number; correct: number }[];
  test: Record<string, { loss: number; accuracy: number }>;
};

/** The batches the headless run trains on: all of the small mirror's; the fixture has the test values after them. */
const BATCHES = 3;

/** The notebook with extra code cells that count tensors around the training pass and the graph cells. */
function withLeakChecks(): Notebook {
  const copy = structuredClone(nb);
  const cell = (step: string, source: string): NotebookCell => ({ cell_type: 'code', metadata: { step }, source: [source], ...{ execution_count: null, outputs: [] } });
  const at = (step: string) => {
    const i = copy.cells.findIndex((c) => c.metadata['step'] === step);
    assert.ok(i >= 0, step);
    return i;
  };
  copy.cells.splice(at('graph-short') + 1, 0, cell('leak-graph-after', "console.log(`leak check: ${tf.memory().numTensors - leak_check_graph - 2} tensors`);"));
  copy.cells.splice(at('graph'), 0, cell('leak-graph-before', 'const leak_check_graph = tf.memory().numTensors;'));
  copy.cells.splice(at('train') + 1, 0, cell('leak-train-after', "console.log(`leak check: ${tf.memory().numTensors - leak_check_train - 3 * model.parameters().length} tensors (${train_data.shape[0]} batches)`);"));
  copy.cells.splice(at('train'), 0, cell('leak-train-before', 'const leak_check_train = tf.memory().numTensors;'));
  return copy;
}



test('the notebook follows the original: sections, formulas, code steps and reference outputs in order; kernel tslab; no task cells', () => {
  assert.deepEqual(nb.metadata['kernelspec'], { display_name: 'TypeScript (rnn-course-kit)', language: 'typescript', name: 'tslab' });
  assert.equal((nb.metadata['language_info'] as { name: string }).name, 'typescript');
  assert.equal((nb.metadata['lab'] as { id: string }).id, 'lstm-mnist');
  const all = nb.cells.map(src).join('\n');
  const order = [
    '### Improving RNNs with GRU and LSTM', 'vanish', '`Gated Recurrent Unit`', '`Long-Short-Term-Memory`', '`BasicRNN`',
    'JupyterLab',
    '##### Long-Short-Term-Memory (LSTM)', 'https://en.wikipedia.org/wiki/Long_short-term_memory',
    'https://www.researchgate.net/publication/13853244_Long_Short-Term_Memory', 'not\n  worth remembering', 'exploding gradients',
    '$h_t$', '$c_t$', '$x_t$', 'output of the model at time $t$', 'src="figures/lstm-mnist-lstm-cell.svg"',
    'i_t &= \\sigma', 'f_t &= \\sigma', 'g_t &= \\tanh', 'o_t &= \\sigma', 'c_t &= f_t \\odot c_{t-1} + i_t \\odot g_t', 'h_t &= o_t \\odot \\tanh',
    "Let's look at an example", 'Convolutional'.toLowerCase(), 'batches at once',
    // In [5]: imports
    "import * as tf from '@tensorflow/tfjs'", 'Module, parameter, Linear, Sigmoid', 'crossEntropyLoss', 'Adam', 'loadMnistTensors', 'makeDot', 'await setupBackend()',
    // In [2]: constants and the two modules
    'nn.Parameter(torch.Tensor(input_dim, hidden_dim))', 'manualSeed(0)', 'hidde_dim', 'const input_dim = 28', 'const hidden_dim = 128', 'const classes_amount = 10', 'class basicLSTM extends Module',
    'this.W_ii = parameter([input_dim, hidden_dim])', 'this.W_hi = parameter([hidden_dim, hidden_dim])', 'this.b_i = parameter([hidden_dim])',
    'this.W_if', 'this.W_hf', 'this.b_f', 'this.W_ig', 'this.W_hg', 'this.b_g', 'this.W_io', 'this.W_ho', 'this.b_o = parameter([hidden_dim])',
    'uniform_(p, -bound, bound)', 'let h_t: tf.Tensor = tf.zeros([batch, this.hidden_dim])', 'let c_t: tf.Tensor = tf.zeros([batch, this.hidden_dim])',
    'for (let t = 0; t < seq_length; t++)', 'tf.gather(x, t, 1)', 'const i_t = x_t.matMul(this.W_ii).add(h_t.matMul(this.W_hi)).add(this.b_i).sigmoid()',
    'const f_t = x_t.matMul(this.W_if)', 'const g_t = x_t.matMul(this.W_ig).add(h_t.matMul(this.W_hg)).add(this.b_g).tanh()',
    'const o_t = x_t.matMul(this.W_io)', 'f_t.mul(c_t).add(i_t.mul(g_t))', 'o_t.mul(c_next.tanh())', 'return h_t;',
    'class MNISTLSMT extends Module', 'new basicLSTM(input_dim, hidden_dim)', 'new Linear(hidden_dim, classes_amount)', 'new Sigmoid()',
    'x.reshape([-1, 28, 28])', 'this.act_out.apply(this.lstm_out.apply(out))',
    // In [3]: data, batching, model, loss, optimiser, the pass over the batches
    'const batch_size = 100', 'const learning_rate = 0.01', 'loadMnistTensors({ train: true })', 'loadMnistTensors({ train: false })',
    '//normalize', 'std(train_data_all)', '//batching', 'Math.floor(train_data_normalized.shape[0] / batch_size)',
    'reshape([num_batches, batch_size])', 'reshape([num_batches, batch_size, 28, 28])',
    'manualSeed(0)', 'new MNISTLSMT(input_dim, hidden_dim, classes_amount)', 'const lossfunction = crossEntropyLoss', 'new Adam(model.parameters(), learning_rate)',
    'for (let i = 0; i < train_data.shape[0]; i++)', 'tf.gather(train_data, i)', 'optimizer.minimize(', 'lossfunction(outputs, labels)', 'tf.argMax(outputs, 1)',
    'tf.equal(predicted, labels)', 'if (i % 100 === 0)', 'The loss for Batch ${i} is', 'Accuracy for Batch ${i} is', 'tf.dispose([images, labels, outputs, loss, predicted, correct])',
    ...SEED_OUTPUTS.train, '$\\ln 10$', '\\ln(1 + 9/e)',
    // In [4]: the test set
    '//Lets test our Model', 'tf.expandDims(test_dataset.images, -1)', 'std(x)', 'const out = model.apply(test_data)', 'lossfunction(out, test_labels)',
    'tf.argMax(out, 1)', 'We got a loss of ${', 'The accuracy on our test set is ${', ...SEED_OUTPUTS.test,
    // In [7]: the graph
    'make_dot(out.mean(), params=dict(model.named_parameters()))', 'makeDot(() => model.apply(test_batch).mean(), { params: model.namedParameters()',
    "dot.render('MNIST classification LSTM', { format: 'svg' })", ...SEED_OUTPUTS.graph, 'dot_short.show()',
  ];
  let at = -1;
  for (const s of order) {
    const i = all.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" missing or out of order`);
    at = i;
  }
  const steps = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.metadata['step']);
  assert.deepEqual(steps, ['setup', 'model', 'data', 'train', 'test', 'graph', 'graph-short']);
  assert.ok(src(nb.cells.find((c) => c.cell_type === 'code')!).includes('setupBackend'), 'the first code cell picks the backend');
  assert.ok(!all.includes('START OF YOUR CODE') && !nb.cells.some((c) => c.metadata['task']), 'a demonstration: no task cells');
  assert.ok(!all.includes('60000//batch_size') && !/reshape\(\[600,/.test(all), 'the number of batches is not assumed');
  const figures = nb.cells.filter((c) => c.metadata['figure']);
  assert.equal(figures.length, 1);
  const m = /<img alt="[^"]+" src="(figures\/[a-z-]+\.svg)"\/>/.exec(src(figures[0]!));
  assert.ok(m, 'the LSTM cell is an SVG file beside the notebook');
  const svg = readFileSync(join(dirname(NOTEBOOK), m[1]!), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
  for (const s of ['cₜ₋₁', 'hₜ₋₁', 'xₜ', 'forget fₜ', 'input iₜ', 'cand. gₜ', 'output oₜ', 'tanh']) assert.ok(svg.includes(`>${s}<`), s);
  assert.deepEqual(nb.cells.filter((c) => c.metadata['reference']).map((c) => c.metadata['reference']), ['train', 'test', 'graph']);
});

test("the quoted reference outputs are the original's, verbatim", (t) => {
  if (!existsSync(originalPath)) return t.skip('the original is not here (../shared/seeds)');
  const original = readFileSync(originalPath, 'utf8').split('\n').map((l) => l.trimEnd());
  const pick = (re: RegExp) => original.filter((l) => re.test(l));
  assert.deepEqual(pick(/^(The loss at Batch|Accuracy for Batch at) /), [...SEED_OUTPUTS.train]);
  assert.deepEqual(pick(/^(We got a loss of|The accuracy on our test set is) /), [...SEED_OUTPUTS.test]);
  assert.deepEqual(pick(/^'MNIST classification LSTM\.png'$/), [...SEED_OUTPUTS.graph]);
  // and the original's code steps that the order test looks for, in the original itself
  const code = original.join('\n');
  for (const s of ['hidden_dim = 128', 'batch_size = 100', 'learning_rate = 0.01', 'optim.Adam(model.parameters(), lr=learning_rate)', 'if i % 100 == 0', 'make_dot(out.mean(), params=dict(model.named_parameters()))']) {
    assert.ok(code.includes(s), s);
  }
});

test(`headless on ${BATCHES * 100} training images every cell runs: loss and accuracy lines, a test accuracy, the graph file and the graph SVG`, { timeout: 300_000, skip: mirrorHas('mnist') ? false : 'no MNIST test data in ../shared/datasets' }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'lstm-mnist-nb-'));
  try {
    const env: Record<string, string> = {
      RNNKIT_DATA_DIR: join(tmp, 'data'), RNNKIT_OUTPUT_DIR: join(tmp, 'out'),
      RNNKIT_DATA_MIRROR: writeSmallMnistMirror(join(tmp, 'mirror'), BATCHES * 100),
    };
    // A copy with leak checks around the training pass and the graph cells (run from notebooks/, as the notebook)
    const checked = withLeakChecks();
    const copyPath = join(tmp, '02_lstm_mnist.ipynb');
    writeFileSync(copyPath, serializeNotebook(checked));
    const r = await runNotebook(copyPath, { env, timeout: 240, cwd: dirname(NOTEBOOK) });
    assert.ok(r.ok, `failed: ${r.failed ? `cell ${r.failed.codeCellNumber}: ${r.failed.error?.message}` : r.message}`);
    assert.equal(r.cells.length, checked.cells.filter((c) => c.cell_type === 'code').length);
    assert.ok(r.cells.every((c) => c.status === 'ok'));
    const out = (step: string) => {
      const c = r.cells.find((c) => checked.cells[c.index]!.metadata['step'] === step);
      assert.ok(c, step);
      return c;
    };
    for (const c of r.cells) assert.ok(!c.outputs.some((o) => o.output_type === 'error'), `cell ${c.codeCellNumber} has an error output`);

    // the data: the number of batches comes from the files
    const data = outputsText(out('data').outputs);
    const dm = /^(\d+) training images: (\d+) batches of 100$/m.exec(data);
    assert.ok(dm, data);
    assert.equal(Number(dm[2]), Math.floor(Number(dm[1]) / 100));

    // the pass: with 3 batches only batch 0 is printed (every 100 batches)
    const train = outputsText(out('train').outputs);
    const losses = [...train.matchAll(/^The loss for Batch (\d+) is (\d+\.\d+)$/gm)];
    const accs = [...train.matchAll(/^Accuracy for Batch (\d+) is (\d+\.\d\d)%$/gm)];
    assert.deepEqual(losses.map((m) => m[1]), ['0'], train);
    assert.deepEqual(accs.map((m) => m[1]), ['0'], train);
    const loss0 = Number(losses[0]![2]);
    const acc0 = Number(accs[0]![2]);

    const testText = outputsText(out('test').outputs);
    const tl = /^We got a loss of (\d+\.\d+) on our test set$/m.exec(testText);
    const ta = /^The accuracy on our test set is (\d+\.\d\d)%$/m.exec(testText);
    assert.ok(tl && ta, testText);
    const testLoss = Number(tl[1]);
    const testAcc = Number(ta[1]);
    t.diagnostic(`batch 0: loss ${loss0}, accuracy ${acc0}%; test after ${BATCHES} batches: loss ${testLoss}, accuracy ${testAcc}%`);
    if (Number(dm[1]) === torchRef.trainCount) {
      // the same data and initial values as the PyTorch reference run: the same numbers up to float32 rounding
      const ref = torchRef.batches[0]!;
      assert.ok(Math.abs(loss0 - ref.loss) < 1e-4, `batch 0 loss ${loss0}, PyTorch ${ref.loss}`);
      assert.equal(acc0, ref.correct, `batch 0 accuracy ${acc0}%, PyTorch ${ref.correct}%`);
      const refTest = torchRef.test[String(BATCHES)]!;
      assert.ok(Math.abs(testLoss - refTest.loss) < 1e-3, `test loss ${testLoss}, PyTorch ${refTest.loss}`);
      assert.ok(Math.abs(testAcc - refTest.accuracy) <= 0.2, `test accuracy ${testAcc}%, PyTorch ${refTest.accuracy.toFixed(2)}%`);
    } else {
      assert.ok(loss0 > 2.2 && loss0 < 2.45, `batch 0 loss ${loss0} is about ln 10`);
      assert.ok(testLoss > 1.4 && testLoss < 2.45 && testAcc >= 0 && testAcc <= 100);
    }

    // the graph: recorded over 28 steps, summarised, written to RNNKIT_OUTPUT_DIR
    const graph = outputsText(out('graph').outputs);
    assert.match(graph, /computational graph: 14 parameters, 704 operations, \d+ edges, output \(\)/);
    assert.match(graph, /operations: Add 253, BatchMatMul 225, Sigmoid 85, Multiply 84, Tanh 56, Mean 1/);
    assert.match(graph, /parameters: lstm\.W_ii \(28, 128\), lstm\.W_hi \(128, 128\), lstm\.b_i \(128\),[\s\S]*lstm_out\.weight \(10, 128\), lstm_out\.bias \(10\)/);
    const file = join(tmp, 'out', 'MNIST classification LSTM.svg');
    assert.ok(graph.includes(file), 'the cell shows the path render returned');
    const fileSvg = readFileSync(file, 'utf8');
    assert.match(fileSvg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*>MNIST classification LSTM<[\s\S]*<\/svg>$/);
    assert.equal((fileSvg.match(/>BatchMatMul</g) ?? []).length, 225);
    assert.match(readFileSync(join(tmp, 'out', 'MNIST classification LSTM.gv'), 'utf8'), /^digraph \{[\s\S]*"lstm\.W_ii\\n \(28, 128\)" fillcolor=lightblue/);

    // the short graph is displayed as SVG
    const shown = out('graph-short').outputs.filter((o) => o.output_type === 'display_data');
    assert.equal(shown.length, 1);
    const bundle = (shown[0] as { data: Record<string, unknown> }).data;
    const svg = String(bundle['image/svg+xml']);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
    for (const s of ['MNIST classification LSTM, first 3 of 28 time steps', 'lstm.W_ii', '(100, 128)', 'lstm_out.bias', 'output']) assert.ok(svg.includes(`>${s}<`), s);
    assert.equal((svg.match(/>BatchMatMul</g) ?? []).length, 3 * 8 + 1);
    assert.match(String(bundle['text/plain']), /14 parameters, 79 operations/);
    // no tensor left behind: the pass keeps only the parameters and Adam's two moments per parameter,
    // the graph cells only test_batch and first_rows
    assert.match(outputsText(out('leak-train-after').outputs), /^leak check: 0 tensors \(\d+ batches\)$/m);
    assert.match(outputsText(out('leak-graph-after').outputs), /^leak check: 0 tensors$/m);
    t.diagnostic(`ran in ${(r.duration / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
