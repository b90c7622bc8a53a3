/**
 * Reports written by a root grader into places others can write to, and student-controlled text
 * in the console table (issue 12 §2 and §4).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { escapeControl, formatSubmission, writeClassReport } from '../../src/grading/report.js';
import type { SubmissionResult } from '../../src/grading/types.js';

const result = (student: string, reason: string): SubmissionResult => ({
  student, file: `${student}.ipynb`, points: 0, max: 3,
  tasks: [{ task: 'demo.square', title: 'square', points: 0, max: 3, status: 'failed', reason, checks: [], durationMs: 1 }],
});

describe('class report folders', () => {
  let dir = '';
  let victim = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rnnkit-report-'));
    victim = join(dir, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'lab8.csv'), 'original\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes into a folder it creates', () => {
    const w = writeClassReport(join(dir, 'new', 'reports', 'lab8'), [result('alice', 'ok')]);
    assert.match(readFileSync(w.csv, 'utf8'), /^student,task/);
  });

  it('replaces a planted symlink instead of writing through it', () => {
    const own = join(dir, 'own');
    mkdirSync(own);
    symlinkSync(join(victim, 'lab8.csv'), join(own, 'lab8.csv'));
    writeClassReport(join(own, 'lab8'), [result('alice', 'ok')]);
    assert.equal(readFileSync(join(victim, 'lab8.csv'), 'utf8'), 'original\n');
    assert.match(readFileSync(join(own, 'lab8.csv'), 'utf8'), /^student,task/);
  });

  it('refuses a report folder that is a symlink someone else planted', (t) => {
    if (process.getuid?.() !== 0) { t.skip('planting a symlink owned by another user needs root'); return; }
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    symlinkSync(victim, join(shared, 'reports'));
    lchownSync(join(shared, 'reports'), 12345, 12345);
    assert.throws(() => writeClassReport(join(shared, 'reports', 'lab8'), [result('alice', 'ok')]), /symbolic link owned by another user/);
    assert.equal(readFileSync(join(victim, 'lab8.csv'), 'utf8'), 'original\n');
  });

  it('refuses a folder another user owns, and writing straight into a world-writable folder', (t) => {
    const shared = join(dir, 'world');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    assert.throws(() => writeClassReport(join(shared, 'lab8'), [result('alice', 'ok')]), /everyone can write to/);
    assert.equal(existsSync(join(shared, 'lab8.csv')), false);
    if (process.getuid?.() !== 0) { t.skip('a folder owned by another user needs root'); return; }
    const theirs = join(shared, 'theirs');
    mkdirSync(theirs);
    lchownSync(theirs, 12345, 12345);
    assert.throws(() => writeClassReport(join(theirs, 'lab8'), [result('alice', 'ok')]), /belongs to another user/);
    assert.equal(existsSync(join(theirs, 'lab8.csv')), false);
  });
});

describe('console table', () => {
  it('escapes newlines, escape sequences and bidi overrides in names and reasons', () => {
    const forged = 'x\n  bob  3/3  pass  all checks passed\x1b[2K\r\u202e';
    const text = formatSubmission(result('mallory\nbob: 3 / 3 points', forged), true);
    assert.equal(text.split('\n').length, 3);
    assert.doesNotMatch(text, /[\x1b\r\u202e]/);
    assert.match(text, /mallory\\nbob/);
    assert.equal(escapeControl('a\tb\x00c\u2066'), 'a\\tb\\x00c\\u2066');
  });
});
