/**
 * The student/instructor builds of the fixture course: solutions absent (no solution line, no
 * solutions import, no toggle) from the student version, in place in the instructor version,
 * outputs cleared, byte-identical on a second run; the fixtures are up to date.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BuildError, buildNotebooks, findLeaks, solutionRegions, writeBuilt } from '../../src/grading/build.js';
import { findRegions, lines, regionIsEmpty } from '../../src/grading/markers.js';
import { cellText, parseNotebook, serializeNotebook } from '../../src/notebook/codec.js';
import { course } from '../fixtures/grading/demo-course.js';
import { sourceNotebook, submissions } from '../fixtures/grading/make-fixtures.js';
import { fixturePath } from '../helpers/paths.js';

const fixtures = fixturePath('grading');

describe('build-notebooks (fixture course)', () => {
  const built = buildNotebooks(course);
  const studentText = serializeNotebook(built.student);
  const instructorText = serializeNotebook(built.instructor);
  const bodies = [...solutionRegions(course.solutionFile).values()].flat(2).map((l) => l.trim()).filter((l) => l.length > 3);

  it('the source notebook fixture is up to date', () => {
    assert.equal(readFileSync(join(fixtures, 'demo.ipynb'), 'utf8'), serializeNotebook(sourceNotebook()));
  });

  it('the graded submissions are up to date (derived from this student version)', () => {
    for (const s of submissions(built.student)) {
      const text = typeof s.nb === 'string' ? s.nb : serializeNotebook(s.nb);
      assert.equal(readFileSync(join(fixtures, 'submissions', `${s.name}.ipynb`), 'utf8'), text, s.name);
    }
  });

  it('student version: no solution line, no solutions import, no toggle', () => {
    assert.ok(bodies.length >= 4);
    for (const l of bodies) assert.ok(!studentText.includes(l), `leaks ${l}`);
    assert.doesNotMatch(studentText, /rnn-course-kit\/solutions|src\/solutions|RNNKIT_SOLUTIONS|useSolutions|BEGIN INSTRUCTOR|BEGIN SOLUTION/);
    assert.deepEqual(findLeaks(built.student, built.solutionLines), []);
  });

  it('student version: task regions empty (placeholders only), outputs cleared, counts null', () => {
    const tasks = built.student.cells.filter((c) => (c.metadata.rnnkit as { task?: string } | undefined)?.task);
    assert.equal(tasks.length, 2);
    for (const c of tasks) {
      const ls = lines(cellText(c));
      const rs = findRegions(ls, ['student']);
      assert.equal(rs.length, 1);
      assert.ok(rs.every((r) => regionIsEmpty(ls, r)));
    }
    for (const c of built.student.cells.filter((x) => x.cell_type === 'code')) {
      assert.deepEqual(c.outputs, []);
      assert.equal(c.execution_count, null);
    }
  });

  it('instructor version: the solution code is in place between the markers, toggle gone', () => {
    for (const l of bodies) assert.ok(instructorText.includes(l), `missing ${l}`);
    assert.doesNotMatch(instructorText, /rnn-course-kit\/solutions|RNNKIT_SOLUTIONS|useSolutions|BEGIN SOLUTION/);
    assert.equal(built.instructor.cells.length, built.student.cells.length);
    // The two versions differ only inside the regions.
    built.student.cells.forEach((c, i) => {
      const a = lines(cellText(c)).filter((l) => !l.includes('//'));
      const b = lines(cellText(built.instructor.cells[i]!));
      for (const l of a) assert.ok(b.includes(l), `cell ${i + 1}: ${l}`);
    });
  });

  it('is deterministic: writing twice gives byte-identical files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-build-'));
    try {
      const p1 = writeBuilt(course, dir);
      const first = [readFileSync(p1.student), readFileSync(p1.instructor)];
      const p2 = writeBuilt(course, dir);
      assert.ok(first[0]!.equals(readFileSync(p2.student)));
      assert.ok(first[1]!.equals(readFileSync(p2.instructor)));
      assert.equal(readFileSync(p1.student, 'utf8'), studentText);
      parseNotebook(readFileSync(p1.instructor, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to build a student version that would leak (a toggle outside the instructor blocks)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-leak-'));
    try {
      const nb = sourceNotebook();
      nb.cells.push({ cell_type: 'code', metadata: {}, source: "const s = await import('rnn-course-kit/solutions');", outputs: [], execution_count: null });
      const p = join(dir, 'leaky.ipynb');
      writeFileSync(p, serializeNotebook(nb));
      assert.throws(() => buildNotebooks({ ...course, notebook: p }), (e: unknown) => e instanceof BuildError && /would reveal the solutions/.test((e as Error).message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a task cell whose regions do not match the solution', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-mismatch-'));
    try {
      const sol = join(dir, 'sol.ts');
      writeFileSync(sol, 'export function square(x: number) { return x * x; }\nexport function affine() { // BEGIN SOLUTION\n}\n');
      assert.throws(() => buildNotebooks({ ...course, solutionFile: sol }), /has 1 START\/END region\(s\) but `square`.*has 0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
