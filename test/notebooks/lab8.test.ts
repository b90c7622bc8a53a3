import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNotebook, outputsText } from '../../src/runner/index.js';
import { notebookJson } from '../../scripts/notebooks/lab8.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const notebook = join(root, 'notebooks', 'lab8_rnn_mnist1d.ipynb');
const mirror = join(root, '..', 'shared', 'datasets');

interface Cell { cell_type: string; metadata: Record<string, unknown>; source: string[] }
const nb = JSON.parse(readFileSync(notebook, 'utf8')) as { cells: Cell[]; metadata: Record<string, any> };
const src = (c: Cell) => c.source.join('');


function env(tmp: string, solutions: boolean): Record<string, string> {
  const e: Record<string, string> = { RNNKIT_EPOCHS: '2', RNNKIT_RUNS_DIR: join(tmp, 'runs'), RNNKIT_DATA_DIR: join(tmp, 'data') };
  if (solutions) e['RNNKIT_SOLUTIONS'] = '1';
  if (existsSync(join(mirror, 'mnist1d'))) e['RNNKIT_DATA_MIRROR'] = mirror;
  return e;
}

test('the committed notebook is what scripts/notebooks/lab8.ts generates', () => {
  assert.equal(readFileSync(notebook, 'utf8'), notebookJson(false), 'run: npx tsx scripts/notebooks/lab8.ts');
});

test('the notebook follows the seed: kernelspec, sections, tasks, questions, checks, runs', () => {
  assert.deepEqual(nb.metadata['kernelspec'], { display_name: 'TypeScript', language: 'typescript', name: 'tslab' });
  assert.equal(nb.metadata['language_info'].name, 'typescript');
  const all = nb.cells.map(src).join('\n');
  const order = ['# **Lab 8**', '# Instructions', 'START OF YOUR CODE', '# 1 Sequential data', 'Question 1.1', '# 2 *Vanilla* RNN', 'Task 2.1',
    'Question 2.2', 'Question 2.3', 'Question 2.4', "useCell('vanilla'", 'getDataset(', 'Question 2.5', "run('vanilla')", 'plotRuns()', 'clearRuns()',
    '# 3 Gated Recurrent Units', 'Task 3.1', "useCell('gru'", "run('gru')", 'Question 3.2', '# 4 Long Short-Term Memories', 'Task 4.1',
    "useCell('lstm'", "run('lstm')", "That's all for this lab"];
  let at = -1;
  for (const s of order) {
    const i = all.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" missing or out of order`);
    at = i;
  }
  const tasks = nb.cells.filter((c) => c.metadata['task']).map((c) => c.metadata['task']);
  assert.deepEqual(tasks, ['lab8.vanilla', 'lab8.gru', 'lab8.lstm']);
  for (const c of nb.cells.filter((c) => c.metadata['task'])) {
    assert.equal(c.cell_type, 'code');
    assert.equal(src(c).split('START OF YOUR CODE').length - 1, 2, 'two marked regions per task cell');
    assert.ok(!src(c).includes('SOLUTION') && !src(c).includes('parameter(['), 'the student notebook holds no solution');
  }
  const questions = nb.cells.filter((c) => c.metadata['question']).map((c) => c.metadata['question']);
  assert.deepEqual(questions, ['lab8.1.1', 'lab8.2.2', 'lab8.2.3', 'lab8.2.4', 'lab8.2.5', 'lab8.3.2']);
  assert.equal(nb.cells.filter((c) => c.metadata['figure']).length, 3);
  for (const c of nb.cells.filter((c) => c.metadata['figure'])) {
    const m = /<img alt="[^"]+" src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"\/>/.exec(src(c));
    assert.ok(m, 'a figure is an SVG data-URL image');
    assert.match(Buffer.from(m[1]!, 'base64').toString('utf8'), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
  }
  // the reference values of the seed, e.g. the first and last of each y_expected
  for (const v of ['-0.1970', '-0.3371', '0.1931', '0.1394', '-0.0036', '0.0640']) assert.ok(all.includes(v), v);
  const instructor = JSON.parse(notebookJson(true)) as { cells: Cell[] };
  const taskSrc = instructor.cells.filter((c) => c.metadata['task']).map(src);
  assert.ok(taskSrc.every((s) => s.includes('this.weight_xh = parameter(') && !s.includes('BEGIN SOLUTION')));
});

test('headless with RNNKIT_SOLUTIONS=1 and 2 epochs the notebook runs end to end: "Output check: true" three times', { timeout: 600_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'lab8-nb-'));
  try {
    const r = await runNotebook(notebook, { env: env(tmp, true), timeout: 300 });
    assert.ok(r.ok, `failed: ${r.failed ? `cell ${r.failed.codeCellNumber}: ${r.failed.error?.message}` : r.message}`);
    const texts = r.cells.map((c) => outputsText(c.outputs));
    assert.equal(texts.filter((s) => s.includes('Output check: true')).length, 3, texts.join('\n---\n').slice(0, 3000));
    assert.ok(!texts.some((s) => s.includes('Output check: false')));
    // the utilities cell shows the library's own train / test / run code
    const utilities = r.cells.find((c) => c.source.includes('showSource(train, test, run'));
    assert.ok(utilities && ['export async function train(', 'export async function test(', 'export async function runExperiment('].every((d) => outputsText(utilities.outputs).includes(d)));
    // the feedback cells run the grader's checks (on the reference solution under the toggle)
    const feedback = r.cells.filter((c) => /await check\('lab8\./.test(c.source)).map((c) => outputsText(c.outputs));
    assert.equal(feedback.length, 3);
    for (const [i, id] of ['lab8.vanilla', 'lab8.gru', 'lab8.lstm'].entries()) {
      assert.match(feedback[i]!, new RegExp(`checking the reference solution[\\s\\S]*${id.replace('.', '\\.')} passed: 7/7`));
    }
    assert.equal(texts.filter((s) => /Finished\. (vanilla|gru|lstm), 2 epochs/.test(s)).length, 3);
    // every run logged its two epochs
    const logs = readdirSync(join(tmp, 'runs')).filter((f) => f.endsWith('.jsonl'));
    assert.equal(logs.length, 3);
    for (const f of logs) assert.equal(readFileSync(join(tmp, 'runs', f), 'utf8').trim().split('\n').length, 1 + 2);
    t.diagnostic(`ran in ${(r.duration / 1000).toFixed(1)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("the student notebook (task cells empty) fails clearly at each task's check", { timeout: 600_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lab8-nb-'));
  try {
    const r = await runNotebook(notebook, { env: env(tmp, false), timeout: 300, allowErrors: true });
    assert.equal(r.ok, false);
    const checks = r.cells.filter((c) => /Output check/.test(c.source));
    assert.equal(checks.length, 3);
    for (const c of checks) {
      assert.equal(c.status, 'error');
      assert.match(`${c.error?.message}`, /Task [234]\.1 \((VanillaRNN|GRU|LSTM) constructor\): this\.weight_xh, this\.weight_hh, this\.bias_xh, this\.bias_hh are still null\. Create them/);
    }
    assert.ok(!r.cells.some((c) => outputsText(c.outputs).includes('Output check: true')));
    // the feedback cells give every task 0 points and say why, without failing themselves
    const feedback = r.cells.filter((c) => /await check\('lab8\./.test(c.source));
    assert.equal(feedback.length, 3);
    for (const c of feedback) {
      assert.equal(c.status, 'ok', `${c.source}: ${c.error?.message}`);
      assert.match(outputsText(c.outputs), /✗ lab8\.(vanilla|gru|lstm): 0\/7[\s\S]*✗ parameters: error: new (VanillaRNN|GRU|LSTM)\(4, 10\) failed/);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
