/**
 * Lab 8 end to end: the builds of notebooks/lab8_rnn_mnist1d.ipynb (no leak in the student
 * version, solutions in place in the instructor version), and grading them in the sandbox: the
 * instructor version gets full marks, the student version "not implemented", a half-done one
 * partial credit. Grading needs the built library (`npm run build`, with the Lab 8 exports in
 * `rnn-course-kit`); without it those tests are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildNotebooks, findLeaks } from '../../src/grading/build.js';
import { gradeMany } from '../../src/grading/grade.js';
import { sandboxAvailable } from '../../src/grading/sandbox.js';
import { serializeNotebook } from '../../src/notebook/codec.js';
import { course } from '../../src/grading/tasks/lab8.js';
import { gradingRoot, halfDone, libraryReady } from '../helpers/grading.js';

const haveNotebook = existsSync(course.notebook);

describe('lab8 notebook: build and grade', { skip: haveNotebook ? false : 'notebooks/lab8_rnn_mnist1d.ipynb does not exist yet' }, () => {
  const built = haveNotebook ? buildNotebooks(course) : undefined;

  it('the student version leaks no solution code, solutions import or toggle', () => {
    const text = serializeNotebook(built!.student);
    assert.ok(built!.solutionLines.length > 20);
    for (const l of built!.solutionLines) assert.ok(!text.includes(l), `leaks: ${l}`);
    assert.deepEqual(findLeaks(built!.student, built!.solutionLines), []);
    assert.doesNotMatch(text, /rnn-course-kit\/solutions|RNNKIT_SOLUTIONS|BEGIN SOLUTION/);
  });

  it('the instructor version has every solution line in place', () => {
    const text = serializeNotebook(built!.instructor);
    for (const l of built!.solutionLines) assert.ok(text.includes(l), `missing: ${l}`);
  });

  it('grades instructor (full), student (not implemented) and half-done (partial) versions', async (t) => {
    const why = await libraryReady(['manualSeed', 'uniform_', 'Module']);
    if (why) { t.skip(why); return; }
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-lab8-'));
    try {
      const files = {
        instructor: built!.instructor,
        student: built!.student,
        half: halfDone(built!.student, built!.instructor),
      };
      for (const [k, nb] of Object.entries(files)) writeFileSync(join(dir, `${k}.ipynb`), serializeNotebook(nb));
      const rs = await gradeMany(Object.keys(files).map((k) => ({ student: k, file: join(dir, `${k}.ipynb`) })), course, { root: gradingRoot, isolation: sandboxAvailable().ok ? 'bwrap' : 'none' });
      const by = Object.fromEntries(rs.map((r) => [r.student, r]));
      assert.equal(by.instructor!.points, 21, JSON.stringify(by.instructor!.tasks.map((x) => x.reason)));
      assert.equal(by.student!.points, 0);
      for (const x of by.student!.tasks) assert.match(x.reason, /not implemented/);
      for (const x of by.half!.tasks) {
        assert.equal(x.points, 2, `${x.task}: ${x.reason}`); // parameters and initial values only
        assert.match(x.checks.find((c) => c.id === 'values')!.reason, /error/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
