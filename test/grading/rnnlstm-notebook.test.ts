/**
 * The RNN / LSTM sheet end to end: the builds of notebooks/ex_rnn_lstm_mnist.ipynb (no leak in the
 * student version; the solutions of the graded and of the open-ended task in place in the
 * instructor version), and grading them in the sandbox: the instructor version gets full marks,
 * the student version "not implemented", a half-done one (only the model) partial credit. Grading
 * needs the built library (`npm run build`); without it those tests are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildNotebooks, findLeaks, solutionRegions } from '../../src/grading/build.js';
import { gradeMany } from '../../src/grading/grade.js';
import { sandboxAvailable } from '../../src/grading/sandbox.js';
import { cellText, serializeNotebook, type Notebook } from '../../src/grading/notebook.js';
import { course } from '../../src/grading/tasks/rnnlstm.js';

const root = process.env.RNNKIT_GRADING_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));

async function libraryReady(): Promise<string | undefined> {
  try {
    const lib = (await import(join(root, 'dist', 'lib', 'index.js'))) as Record<string, unknown>;
    const missing = ['manualSeed', 'RNN', 'LSTM', 'Adam', 'takeBatches', 'modelConfig', 'useTask'].filter((n) => typeof lib[n] !== 'function');
    return missing.length ? `the built library lacks ${missing.join(', ')} (npm run build)` : undefined;
  } catch (e) {
    return `the library is not built (${(e as Error).message})`;
  }
}

/** The student version with the instructor's model task cell: the comparison is still empty. */
function modelOnly(student: Notebook, instructor: Notebook): Notebook {
  return { ...student, cells: student.cells.map((c, i) => ((c.metadata as { task?: string }).task === 'rnnlstm.model' ? instructor.cells[i]! : c)) };
}

describe('rnnlstm notebook: build and grade', () => {
  const built = buildNotebooks(course);

  it('the student version leaks no solution code, solutions import, toggle or answer', () => {
    const text = serializeNotebook(built.student);
    assert.ok(built.solutionLines.length > 30);
    for (const l of built.solutionLines) assert.ok(!text.includes(l), `leaks: ${l}`);
    assert.deepEqual(findLeaks(built.student, built.solutionLines), []);
    assert.doesNotMatch(text, /rnn-course-kit\/solutions|RNNKIT_SOLUTIONS|BEGIN SOLUTION|\*\*Answer\.\*\*/);
  });

  it('the instructor version has the solution lines of every task cell in place, the open-ended one included', () => {
    const text = serializeNotebook(built.instructor);
    for (const l of built.solutionLines) assert.ok(text.includes(l), `missing: ${l}`);
    const regions = solutionRegions(course.solutionFile);
    const search = built.instructor.cells.find((c) => (c.metadata as { task?: string }).task === 'rnnlstm.search')!;
    for (const l of regions.get('searchHyperparameters')!.flat().filter((x) => x.trim().length > 8)) assert.ok(cellText(search).includes(l.trim()), l);
  });

  it('grades instructor (full), student (not implemented) and model-only (partial) versions; the open-ended task is not graded', { timeout: 600_000 }, async (t) => {
    const why = await libraryReady();
    if (why) { t.skip(why); return; }
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-rnnlstm-'));
    try {
      const files = { instructor: built.instructor, student: built.student, model: modelOnly(built.student, built.instructor) };
      for (const [k, nb] of Object.entries(files)) writeFileSync(join(dir, `${k}.ipynb`), serializeNotebook(nb));
      const rs = await gradeMany(Object.keys(files).map((k) => ({ student: k, file: join(dir, `${k}.ipynb`) })), course, { root, concurrency: 2, isolation: sandboxAvailable().ok ? 'bwrap' : 'none' });
      const by = Object.fromEntries(rs.map((r) => [r.student, r]));
      assert.equal(by.instructor!.max, 11);
      assert.deepEqual(by.instructor!.tasks.map((x) => x.task), ['rnnlstm.model', 'rnnlstm.compare']);
      assert.equal(by.instructor!.points, 11, JSON.stringify(by.instructor!.tasks.map((x) => x.reason)));
      assert.equal(by.student!.points, 0);
      for (const x of by.student!.tasks) assert.match(x.reason, /not implemented/);
      const [model, compare] = by.model!.tasks;
      assert.equal(model!.points, 7, model!.reason);
      assert.equal(compare!.points, 0);
      assert.match(compare!.reason, /not implemented/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
