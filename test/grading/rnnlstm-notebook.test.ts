/**
 * The RNN / LSTM sheet's builds of notebooks/ex_rnn_lstm_mnist.ipynb: no leak in the student
 * version; the solutions of the two open-ended tasks in place in the instructor version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildNotebooks, findLeaks, solutionRegions } from '../../src/grading/build.js';
import { cellText, serializeNotebook } from '../../src/notebook/codec.js';
import { course } from '../../src/grading/tasks/rnnlstm.js';

describe('rnnlstm notebook: builds', () => {
  const built = buildNotebooks(course);

  it('the student version leaks no solution code, solutions import, toggle or answer', () => {
    const text = serializeNotebook(built.student);
    assert.ok(built.solutionLines.length > 30);
    for (const l of built.solutionLines) assert.ok(!text.includes(l), `leaks: ${l}`);
    assert.deepEqual(findLeaks(built.student, built.solutionLines), []);
    assert.doesNotMatch(text, /rnn-course-kit\/solutions|RNNKIT_SOLUTIONS|BEGIN SOLUTION|\*\*Answer\.\*\*/);
  });

  it('the instructor version has the solution lines of every task cell in place, both open-ended', () => {
    const text = serializeNotebook(built.instructor);
    for (const l of built.solutionLines) assert.ok(text.includes(l), `missing: ${l}`);
    const regions = solutionRegions(course.solutionFile);
    for (const [id, name] of [['rnnlstm.compare', 'compareConfigurations'], ['rnnlstm.search', 'searchHyperparameters']]) {
      const cell = built.instructor.cells.find((c) => (c.metadata as { task?: string }).task === id)!;
      for (const l of regions.get(name)!.flat().filter((x) => x.trim().length > 8)) assert.ok(cellText(cell).includes(l.trim()), l);
    }
  });

  it('has no graded task: both exercises are open-ended, so the grader scores nothing', () => {
    assert.deepEqual(course.tasks, []);
    assert.deepEqual(course.ungraded?.map((t) => t.id), ['rnnlstm.compare', 'rnnlstm.search']);
  });
});
