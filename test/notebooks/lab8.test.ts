/**
 * Lab 8 (notebooks/lab8_rnn_mnist1d.ipynb): the notebook follows the original lab; the instructor run
 * (RNNKIT_SOLUTIONS=1, the kernel fills the task regions; RNNKIT_EPOCHS=2 shortens every `run`)
 * passes the three output checks, trains with the notebook's own train/test/run, logs the runs and
 * leaks no tensors; the student copy fails clearly at each check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNotebook, outputsText } from '../../src/runner/index.js';
import { buildNotebooks } from '../../src/grading/build.js';
import { course } from '../../src/grading/tasks/lab8.js';
import { findRegions, lines, regionBody, replaceRegions } from '../../src/grading/markers.js';
import { serializeNotebook, type NotebookCell } from '../../src/notebook/codec.js';
import { dataEnv, loadNotebook, meta, src } from '../helpers/notebooks.js';
import { notebooksDir } from '../helpers/paths.js';

const file = 'lab8_rnn_mnist1d.ipynb';
const notebook = join(notebooksDir, file);
const nb = loadNotebook(file);

function env(tmp: string, solutions: boolean): Record<string, string> {
  const e: Record<string, string> = { RNNKIT_EPOCHS: '2', RNNKIT_RUNS_DIR: join(tmp, 'runs'), ...dataEnv(tmp, 'mnist1d') };
  if (solutions) e['RNNKIT_SOLUTIONS'] = '1';
  return e;
}

test('the notebook follows the original lab: sections, tasks, questions, checks, the utilities in a cell, the runs', () => {
  const all = nb.cells.map(src).join('\n');
  const order = ['# **Lab 8**', '# Instructions', 'npm start', 'START OF YOUR CODE', '# 1 Sequential data', 'Question 1.1', '# 2 *Vanilla* RNN', 'Task 2.1',
    'class VanillaRNN extends Module', 'let y = tf.stack(outputs);', 'Question 2.2', 'Question 2.3', 'Question 2.4', 'new VanillaRNN(D, 10)', "console.log('Output check:'",
    'getDataset(', 'const bSize = 100;', 'new DataLoader(trainSet, { batchSize: bSize })', 'Question 2.5',
    'function train(', 'optimizer.minimize(', 'function test(', 'async function run(', 'new SummaryWriter()', 'new Unflatten(1, [40, 1])', 'new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 })',
    'for (const epoch of trange(epochs))', 'train(trainLoader, model, optimizer, criterion)', 'test(testLoader, model, criterion)', "writer.addScalars('Loss'", "writer.addScalars('Accuracy'",
    "console.log('\\nFinished.')", 'await run(VanillaRNN);', 'plotRuns()', 'clearRuns()',
    '# 3 Gated Recurrent Units', 'Task 3.1', 'class GRU extends Module', 'new GRU(D, 10)', 'await run(GRU);', 'Question 3.2', '# 4 Long Short-Term Memories', 'Task 4.1',
    'class LSTM extends Module', 'new LSTM(D, 10)', 'await run(LSTM);', "That's all for this lab"];
  let at = -1;
  for (const s of order) {
    const i = all.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" missing or out of order`);
    at = i;
  }
  const tasks = nb.cells.filter((c) => meta(c, 'task'));
  assert.deepEqual(tasks.map((c) => meta(c, 'task')), ['lab8.vanilla', 'lab8.gru', 'lab8.lstm']);
  for (const c of tasks) {
    assert.equal(c.cell_type, 'code');
    assert.equal(src(c).split('START OF YOUR CODE').length - 1, 2, 'two marked regions per task cell');
    assert.ok(!src(c).includes('SOLUTION') && !src(c).includes('parameter(['), 'the student notebook holds no solution');
    assert.match(src(c), /weight_xh!: tf\.Variable;/, 'definite-assignment parameters');
  }
  // the check cells use the student's classes directly
  assert.equal(nb.cells.filter((c) => /const model = new (VanillaRNN|GRU|LSTM)\(D, 10\);\nconst y = model\.apply\(x\);/.test(src(c))).length, 3);
  const questions = nb.cells.filter((c) => meta(c, 'question')).map((c) => meta(c, 'question'));
  assert.deepEqual(questions, ['lab8.1.1', 'lab8.2.2', 'lab8.2.3', 'lab8.2.4', 'lab8.2.5', 'lab8.3.2']);
  assert.equal(nb.cells.filter((c) => meta(c, 'figure')).length, 3);
  for (const c of nb.cells.filter((c) => meta(c, 'figure'))) {
    const m = /<img alt="[^"]+" src="(figures\/lab8-[a-z-]+\.svg)"\/>/.exec(src(c));
    assert.ok(m, 'a figure is an SVG file beside the notebook');
    assert.ok(existsSync(join(notebooksDir, m[1]!)), m[1]);
  }
  // the reference values of the original, e.g. the first and last of each y_expected
  for (const v of ['-0.1970', '-0.3371', '0.1931', '0.1394', '-0.0036', '0.0640']) assert.ok(all.includes(v), v);
  // train, test and run are the notebook's own: nothing of them comes from the library
  const setup = src(nb.cells.find((c) => src(c).startsWith('// Setup'))!);
  for (const name of ['train', 'test', 'run', 'useCell', 'runExperiment']) assert.doesNotMatch(setup, new RegExp(`[{,\\s]${name}[,\\s]`), name);
  const instructor = buildNotebooks(course).instructor;
  const taskSrc = instructor.cells.filter((c) => meta(c, 'task')).map(src);
  assert.ok(taskSrc.every((s) => s.includes('this.weight_xh = parameter(') && !s.includes('BEGIN SOLUTION')));
});

/**
 * A copy of the notebook with a count of the tensors around the vanilla RNN's run, and then a new
 * `trainLoader` of 7 training signals, as a student would load other data: the GRU's and the LSTM's
 * runs must train on it (their training accuracies are multiples of 100/7).
 */
function withLeakCheck(): string {
  const copy = structuredClone(nb);
  const at = copy.cells.findIndex((c) => src(c).trim() === 'await run(VanillaRNN);');
  assert.ok(at > 0);
  const cell = (id: string, source: string): NotebookCell => ({ cell_type: 'code', id, metadata: {}, execution_count: null, outputs: [], source });
  copy.cells.splice(at + 1, 0, cell('leak-before', 'const tensorsBefore = tf.memory().numTensors;'), cell('leak-run', 'await run(VanillaRNN);'),
    cell('leak-after', 'console.log(`tensors left behind by run: ${tf.memory().numTensors - tensorsBefore}`);'),
    cell('other-data', 'const trainLoader = new DataLoader(new TensorDataset(tensorsTrain[0].slice(0, 7), tensorsTrain[1].slice(0, 7)), { batchSize: bSize });'));
  return serializeNotebook(copy);
}

test('headless with RNNKIT_SOLUTIONS=1 and 2 epochs the notebook runs end to end: three output checks, four logged runs on the notebook loaders, no leaks', { timeout: 600_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'lab8-nb-'));
  try {
    const copy = join(tmp, file);
    writeFileSync(copy, withLeakCheck());
    const r = await runNotebook(copy, { env: env(tmp, true), timeout: 300, cwd: notebooksDir });
    assert.ok(r.ok, `failed: ${r.failed ? `cell ${r.failed.codeCellNumber}: ${r.failed.error?.message}` : r.message}`);
    const texts = r.cells.map((c) => outputsText(c.outputs));
    assert.equal(texts.filter((s) => s.includes('Output check: true')).length, 3, texts.join('\n---\n').slice(0, 3000));
    assert.ok(!texts.some((s) => s.includes('Output check: false')));
    // the feedback cells run the grader's checks (on the reference solution under the toggle)
    const feedback = r.cells.filter((c) => /await check\('lab8\./.test(c.source)).map((c) => outputsText(c.outputs));
    assert.equal(feedback.length, 3);
    for (const [i, id] of ['lab8.vanilla', 'lab8.gru', 'lab8.lstm'].entries()) assert.match(feedback[i]!, new RegExp(`${id.replace('.', '\\.')} passed: 7/7`));
    // four runs (the vanilla RNN twice), each printing "Finished." after its 2 epochs
    assert.equal(texts.filter((s) => /^Finished\.$/m.test(s)).length, 4);
    assert.match(texts.find((s) => s.includes('tensors left behind by run'))!, /tensors left behind by run: 0$/m);
    const logs = readdirSync(join(tmp, 'runs')).filter((f) => f.endsWith('.jsonl')).sort();
    assert.equal(logs.length, 4);
    const sevenths = (v: number) => Math.abs((v * 7) / 100 - Math.round((v * 7) / 100)) < 1e-6;
    const names = logs.map((f, i) => {
      const lines = readFileSync(join(tmp, 'runs', f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; tag?: string; name?: string; step?: number; value?: number });
      const scalars = lines.filter((l) => l.kind === 'scalar');
      // 2 epochs x (Loss, Accuracy) x (Train, Test)
      assert.equal(scalars.length, 8, f);
      assert.deepEqual([...new Set(scalars.map((s) => s.step))], [0, 1]);
      // the runs after the new trainLoader trained on its 7 signals, the ones before on all of MNIST-1D
      const trainAcc = scalars.filter((s) => s.tag === 'Accuracy' && s.name!.startsWith('Train_')).map((s) => s.value!);
      assert.equal(trainAcc.every(sevenths), i >= 2, `${f}: training accuracies ${trainAcc}`);
      return [...new Set(scalars.map((s) => s.name))].join(' ');
    });
    assert.deepEqual(names, ['Train_VanillaRNN Test_VanillaRNN', 'Train_VanillaRNN Test_VanillaRNN', 'Train_GRU Test_GRU', 'Train_LSTM Test_LSTM']);
    t.diagnostic(`ran in ${(r.duration / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

/**
 * A student copy as a student leaves it midway: Task 2.1 with its parameters written and its loop
 * not yet, Task 3.1 with one parameter of four, Task 4.1 untouched.
 */
function studentMidway(): string {
  const copy = structuredClone(nb);
  const fill = (task: string, body: string[]) => {
    const cell = copy.cells.find((c) => meta(c, 'task') === task)!;
    const ls = lines(src(cell));
    const first = findRegions(ls, ['student'])[0]!;
    cell.source = replaceRegions(ls, [first], [[...regionBody(ls, first), ...body]]).join('\n');
  };
  fill('lab8.vanilla', ['this.weight_xh = parameter([inputSize, hiddenSize]);', 'this.weight_hh = parameter([hiddenSize, hiddenSize]);',
    'this.bias_xh = parameter([hiddenSize]);', 'this.bias_hh = parameter([hiddenSize]);']);
  fill('lab8.gru', ['this.weight_xh = parameter([inputSize, 3 * hiddenSize]);']);
  return serializeNotebook(copy);
}

test("a student copy: the first error of each task names the task, the step and what to do, in one line; the feedback says each reason once", { timeout: 600_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lab8-nb-'));
  try {
    const copy = join(tmp, file);
    writeFileSync(copy, studentMidway());
    const r = await runNotebook(copy, { env: env(tmp, false), timeout: 300, allowErrors: true, cwd: notebooksDir });
    assert.equal(r.ok, false);
    const checks = r.cells.filter((c) => /Output check/.test(c.source));
    const runs = r.cells.filter((c) => /^await run\((VanillaRNN|GRU|LSTM)\);$/.test(c.source.trim()));
    assert.equal(checks.length, 3);
    assert.equal(runs.length, 3);
    const expected = [
      // parameters written, loop empty: tf.stack's own error gets the task's terms
      /^Task 2\.1 \(VanillaRNN\.forward\): outputs is empty when tf\.stack\(outputs\) runs\. Between START and END OF YOUR CODE in forward, loop over the time steps and push each step's hidden state onto outputs, then run the VanillaRNN cell and this cell again\.$/,
      // one parameter of four written: the first missing one is named, and the rest
      /^Task 3\.1 \(GRU constructor\): this\.weight_hh has not been created yet \(nor bias_xh, bias_hh\)\. Create each between START and END OF YOUR CODE in the constructor, e\.g\. this\.weight_hh = parameter\(\[rows, columns\]\), then run the GRU cell and this cell again\.$/,
      /^Task 4\.1 \(LSTM constructor\): this\.weight_xh has not been created yet \(nor weight_hh, bias_xh, bias_hh\)\./,
    ];
    for (const [i, re] of expected.entries()) {
      for (const c of [checks[i]!, runs[i]!]) {
        assert.equal(c.status, 'error', c.source);
        const out = c.outputs.find((o) => o.output_type === 'error') as { evalue: string; traceback: string[] } | undefined;
        assert.ok(out, `${c.source.slice(0, 40)}: an error output`);
        assert.match(out.evalue, re);
        // one line, no frames of the kit, tslab or Node (RNNKIT_VERBOSE=1 shows them)
        assert.deepEqual(out.traceback.length, 1, out.traceback.join('\n'));
        assert.doesNotMatch(out.traceback.join('\n'), /evalmachine|node_modules|dist\/|node:/);
      }
    }
    assert.ok(!r.cells.some((c) => outputsText(c.outputs).includes('Output check: true')));
    // the feedback cells give the tasks 0 points (Task 2.1 its parameter points) and say each distinct reason once
    const feedback = r.cells.filter((c) => /await check\('lab8\./.test(c.source));
    assert.equal(feedback.length, 3);
    for (const c of feedback) {
      assert.equal(c.status, 'ok', `${c.source}: ${c.error?.message}`);
      const text = outputsText(c.outputs);
      const reasons = [...text.matchAll(/^ {2}✗ [^:]+: (.*)$/gm)].map((m) => m[1]!).filter((x) => x !== '(the same reason as above)');
      assert.equal(new Set(reasons).size, reasons.length, text);
      assert.ok(reasons.length >= 1, text);
    }
    assert.match(outputsText(feedback[0]!.outputs), /✗ lab8\.vanilla: [1-6]\/7\n {2}✓ parameters/);
    assert.match(outputsText(feedback[1]!.outputs), /✗ lab8\.gru: 0\/7[\s\S]*✗ parameters: error: new GRU\(4, 10\) failed/);
    assert.match(outputsText(feedback[2]!.outputs), /✗ lab8\.lstm: 0\/7[\s\S]*✗ parameters: error: new LSTM\(4, 10\) failed/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
