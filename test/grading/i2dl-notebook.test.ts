/**
 * The I2DL RNN exercise end to end: the builds of notebooks/i2dl_rnn_exercise.ipynb (no leak in the
 * student version, the solutions in place in the instructor version, the open-ended explorations
 * included), and grading them in the sandbox: the instructor version gets full marks, the student
 * version "not implemented", a half-done one partial credit. Grading needs the built library
 * (`npm run build`, with the I2DL exports in `rnn-course-kit`); without it those tests are skipped
 * with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildNotebooks, findLeaks } from '../../src/grading/build.js';
import { gradeMany } from '../../src/grading/grade.js';
import { sandboxAvailable } from '../../src/grading/sandbox.js';
import { findRegions, lines, regionIsEmpty } from '../../src/grading/markers.js';
import { cellText, serializeNotebook, type Notebook } from '../../src/notebook/codec.js';
import { course } from '../../src/grading/tasks/i2dl.js';
import { gradingRoot, halfDone, libraryReady } from '../helpers/grading.js';

const haveNotebook = existsSync(course.notebook);

describe('i2dl notebook: build and grade', { skip: haveNotebook ? false : 'notebooks/i2dl_rnn_exercise.ipynb does not exist yet' }, () => {
  const built = haveNotebook ? buildNotebooks(course) : undefined;
  const taskCells = (nb: Notebook) => nb.cells.filter((c) => (c.metadata as { task?: string }).task);

  it('the student version leaks no solution code, solutions import or toggle; every task region is empty', () => {
    const text = serializeNotebook(built!.student);
    assert.ok(built!.solutionLines.length > 40);
    // as lines (the build's own check) and, for the longer ones, anywhere in the text
    for (const l of built!.solutionLines.filter((x) => x.length > 24)) assert.ok(!text.includes(l), `leaks: ${l}`);
    assert.deepEqual(findLeaks(built!.student, built!.solutionLines), []);
    assert.doesNotMatch(text, /rnn-course-kit\/solutions|RNNKIT_SOLUTIONS|BEGIN SOLUTION/);
    const cells = taskCells(built!.student);
    assert.equal(cells.length, 7, 'five graded tasks and two open-ended explorations');
    for (const c of cells) {
      const ls = lines(cellText(c));
      for (const r of findRegions(ls, ['student'])) assert.ok(regionIsEmpty(ls, r), `${(c.metadata as { task: string }).task}: a region holds code`);
    }
  });

  it('the instructor version has every solution line in place, the explorations included', () => {
    const text = serializeNotebook(built!.instructor);
    for (const l of built!.solutionLines) assert.ok(text.includes(l), `missing: ${l}`);
    const byTask = Object.fromEntries(taskCells(built!.instructor).map((c) => [(c.metadata as { task: string }).task, cellText(c)]));
    assert.match(byTask['i2dl.gradients']!, /tf\.grad\(\(xs: tf\.Tensor\) => tf\.sum\(rnn\.call\(xs\)\[1\]\)\)\(x\)/);
    assert.match(byTask['i2dl.compare']!, /const lstmModel = new nn\.LSTM\(1, hiddenSize\);/);
    assert.match(byTask['i2dl.split']!, /trainSplit = 0\.8;/);
  });

  it('grades instructor (full), student (not implemented) and half-done (partial) versions', { timeout: 600_000 }, async (t) => {
    const why = await libraryReady(['manualSeed', 'randn', 'constant_', 'RNN', 'LSTM', 'Linear', 'saveModule']);
    if (why) { t.skip(why); return; }
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-i2dl-'));
    try {
      const files = { instructor: built!.instructor, student: built!.student, half: halfDone(built!.student, built!.instructor) };
      for (const [k, nb] of Object.entries(files)) writeFileSync(join(dir, `${k}.ipynb`), serializeNotebook(nb));
      const rs = await gradeMany(Object.keys(files).map((k) => ({ student: k, file: join(dir, `${k}.ipynb`) })), course, { root: gradingRoot, isolation: sandboxAvailable().ok ? 'bwrap' : 'none' });
      const by = Object.fromEntries(rs.map((r) => [r.student, r]));
      assert.equal(by.instructor!.max, 20);
      assert.equal(by.instructor!.points, 20, JSON.stringify(by.instructor!.tasks.map((x) => x.reason)));
      assert.deepEqual(by.instructor!.tasks.map((x) => x.task), course.tasks.map((x) => x.id), 'the open-ended explorations are not graded');
      assert.equal(by.student!.points, 0);
      for (const x of by.student!.tasks) assert.match(x.reason, /not implemented/);
      // half done: the constructors only (parameters), the split in full (one region), the classifiers' layers without forward
      const half = Object.fromEntries(by.half!.tasks.map((x) => [x.task, x]));
      assert.equal(half['i2dl.rnn']!.points, 1, half['i2dl.rnn']!.reason);
      assert.equal(half['i2dl.lstm']!.points, 1, half['i2dl.lstm']!.reason);
      assert.equal(half['i2dl.split']!.points, 2, half['i2dl.split']!.reason);
      assert.equal(half['i2dl.rnnClassifier']!.points, 0);
      assert.match(half['i2dl.rnn']!.checks.find((c) => c.id === 'constant')!.reason, /push the hidden state of every time step/);
      assert.match(half['i2dl.rnnClassifier']!.checks.find((c) => c.id === 'shape')!.reason, /set out to the class scores/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
