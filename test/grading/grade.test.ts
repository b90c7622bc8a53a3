/**
 * The grader against the fixture course: every submission in test/fixtures/grading/submissions
 * gets the points and the reason recorded in expected.json, graded as a folder in parallel (in
 * the bubblewrap sandbox where it runs, else declared trusted, with the reason printed).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findSubmissions, gradeMany } from '../../src/grading/grade.js';
import { sandboxAvailable } from '../../src/grading/sandbox.js';
import { classCsv, writeClassReport } from '../../src/grading/report.js';
import type { SubmissionResult, TaskResult } from '../../src/grading/types.js';
import { course } from '../fixtures/grading/demo-course.js';
import { root } from '../helpers/paths.js';

const fixtures = join(root, 'test', 'fixtures', 'grading');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, Record<string, { points: number; reason: string }>>;
const pwned = join(root, 'src', 'grading', 'PWNED.txt');
const JOBS = 2;

describe('grading the fixture submissions (folder, parallel)', () => {
  let results: SubmissionResult[] = [];
  const mtimes = new Map<string, number>();
  let seconds = 0;

  before(async () => {
    const subs = findSubmissions(join(fixtures, 'submissions'));
    for (const s of subs) mtimes.set(s.file, statSync(s.file).mtimeMs);
    const t0 = Date.now();
    // The time limit is CPU time (a loaded machine does not advance it), far above the CPU the
    // huge allocation takes to pass 700 MB: the memory limit always ends that run first.
    const avail = sandboxAvailable();
    if (!avail.ok) console.log(`  no bubblewrap here (${avail.reason}): grading the fixtures as trusted work`);
    results = await gradeMany(subs, course, { root, limits: { timeoutSeconds: 8, memoryMB: 700 }, isolation: avail.ok ? 'bwrap' : 'none', concurrency: JOBS });
    seconds = (Date.now() - t0) / 1000;
  });
  after(() => rmSync(pwned, { force: true }));

  it('grades every submission', () => {
    assert.deepEqual(results.map((r) => r.student).sort(), Object.keys(expected).sort());
    console.log(`  graded ${results.length} submissions in ${seconds.toFixed(1)} s`);
  });

  for (const [student, tasks] of Object.entries(expected)) {
    it(`${student}: expected points and reasons`, () => {
      const r = results.find((x) => x.student === student);
      assert.ok(r, `no result for ${student}`);
      for (const [task, exp] of Object.entries(tasks)) {
        const t: TaskResult | undefined = r.tasks.find((x) => x.task === task);
        assert.ok(t, `${student}: no result for ${task}`);
        assert.equal(t.points, exp.points, `${student} ${task}: ${t.points} points (${t.reason}), expected ${exp.points}`);
        assert.ok(t.reason.includes(exp.reason), `${student} ${task}: reason "${t.reason}" should mention "${exp.reason}"`);
      }
      assert.equal(r.max, 6);
    });
  }

  it("durationMs is each task's own time, not its wait for a free slot", () => {
    // With JOBS children at a time, the tasks' own times add up to at most JOBS times the run's.
    const total = results.flatMap((r) => r.tasks).reduce((s, t) => s + t.durationMs, 0);
    assert.ok(total <= JOBS * seconds * 1000, `${total} ms of task time in ${seconds} s with ${JOBS} jobs`);
  });

  it('never modifies the submissions', () => {
    for (const [file, m] of mtimes) assert.equal(statSync(file).mtimeMs, m, file);
  });

  const notRoot = process.getuid?.() === 0 ? false
    : 'the grader drops to an unprivileged user only when it runs as root; as a normal user only the temporary working directory keeps student code away from the grader';
  it('student code cannot write next to the grader (runs unprivileged when the grader is root)', { skip: notRoot }, () => {
    assert.equal(existsSync(pwned), false);
  });

  it('a forged result on the result channel does not count (nonce), printed verdicts are ignored', () => {
    const t = results.find((x) => x.student === 'cheater')!.tasks.find((x) => x.task === 'demo.square')!;
    assert.equal(t.points, 0);
  });

  it('reasons never reveal reference values', () => {
    const partial = results.find((x) => x.student === 'partial')!.tasks.find((x) => x.task === 'demo.affine')!;
    assert.match(partial.reason, /max abs difference/);
    assert.doesNotMatch(partial.reason, /expected \d|expected -?\d*\.\d/);
  });

  it('writes the class report as CSV and JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-report-'));
    try {
      const w = writeClassReport(join(dir, 'class.json'), results, { course: 'demo' });
      const csv = readFileSync(w.csv, 'utf8').trim().split('\n');
      assert.equal(csv[0], 'student,task,points,max,status,reason');
      assert.equal(csv.length, 1 + results.length * 3);
      assert.ok(csv.includes('correct,demo.square,3,3,passed,all checks passed'));
      const json = JSON.parse(readFileSync(w.json, 'utf8'));
      assert.equal(json.submissions.length, results.length);
      assert.equal(classCsv(results), readFileSync(w.csv, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
