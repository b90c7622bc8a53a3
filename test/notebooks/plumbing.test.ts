/**
 * Student cells hold the course, nothing else: no code cell carries test, CI or instructor
 * plumbing, and no cell speaks of the test data (a mirror, a subset, 24,000 images) or of the
 * machines the kit is tested on. Shortened runs and the instructor toggle work without them
 * (docs/CONVENTIONS.md).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadNotebook, notebookFiles, src } from '../helpers/notebooks.js';

/** Plumbing in code: settings, toggles and helpers that exist for tests, CI or the instructor. */
const CODE_PLUMBING: [RegExp, string][] = [
  [/RNNKIT_/, 'an RNNKIT_* setting'],
  [/\b\w*Setting\s*\(/, 'a *Setting helper'],
  [/\buse(Cell|Task)\b/, 'useCell/useTask'],
  [/\btakeBatches\b/, 'takeBatches'],
  [/\b(solutionsEnabled|outputDir|settings)\s*\(|\blimit\s*\(\s*'|QUICK_LIMITS|\btimeitRuns\b/, 'a settings function'],
  [/process\.env/, 'process.env'],
  [/===?\s*num_?[bB]atches\)\s*break/, 'a loop cut short for tests'],
  [/rnn-course-kit\/solutions|BEGIN SOLUTION|BEGIN INSTRUCTOR/, 'instructor material'],
];

/** What no cell may say: the tests' data and machines, the instructor's and CI's settings. */
const TEXT_PLUMBING: [RegExp, string][] = [
  [/\bmirror(s|ed|ing)?\b/i, 'a mirror'],
  [/\bsubset\b/i, 'a subset'],
  [/\b24[,.\u202f\u00a0 ]?000\b|\b24k\b/i, 'the 24,000-image test data'],
  [/this (machine|computer)|\bour machines?|shared cores|\b2 cores\b|course's (offline )?data|offline data/i, "this project's machines or data"],
  [/RNNKIT_(?!BACKEND\b|DATA_DIR\b)/, 'a test, CI or instructor setting'],
  [/\bCI\b|headless|autograder's tests/, 'tests or CI'],
];

describe('no plumbing in any notebook', () => {
  for (const file of notebookFiles()) {
    it(file, () => {
      const found: string[] = [];
      for (const cell of loadNotebook(file).cells) {
        const text = src(cell);
        const rules = cell.cell_type === 'code' ? [...CODE_PLUMBING, ...TEXT_PLUMBING] : TEXT_PLUMBING;
        for (const [re, what] of rules) {
          const m = re.exec(text);
          if (m) {
            const line = text.split('\n').find((l) => re.test(l)) ?? m[0];
            found.push(`cell ${cell.id}: ${what}: ${line.trim().slice(0, 120)}`);
          }
        }
      }
      assert.deepEqual(found, [], `${file} shows students plumbing:\n  ${found.join('\n  ')}`);
    });
  }
});
