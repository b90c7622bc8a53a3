/**
 * No submission stalls the class (issue 12 §3) and the smaller reading rules (§4): inputs that
 * used to take minutes or block forever complete with the right reason; a solution in a new cell
 * below the untouched stub counts; reasons never echo file contents. These tests assert that the
 * runs complete and what they say, never how long they took.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findSubmissions, gradeMany } from '../../src/grading/grade.js';
import { findRegions } from '../../src/grading/markers.js';
import { cellText, parseNotebook, serializeNotebook, splitLines as splitSource, type Notebook } from '../../src/notebook/codec.js';
import { Preparer, prepareSubmission } from '../../src/grading/prepare.js';
import { course } from '../fixtures/grading/demo-course.js';
import { root } from '../helpers/paths.js';

const fixtures = join(root, 'test', 'fixtures', 'grading', 'submissions');
const tasks = course.tasks.map((t) => ({ id: t.id, name: t.name }));
const SECRET = 'TOP-SECRET-CONTENT-1234';
let dir = '';

function notebook(name: string): Notebook {
  return parseNotebook(readFileSync(join(fixtures, `${name}.ipynb`), 'utf8'));
}

function write(name: string, nb: Notebook | string): string {
  const file = join(dir, `${name}.ipynb`);
  writeFileSync(file, typeof nb === 'string' ? nb : serializeNotebook(nb));
  return file;
}

/** `correct` with `text` appended to the cell that declares `name`. */
function withCode(name: string, text: string): Notebook {
  const nb = notebook('correct');
  const cell = nb.cells.find((c) => c.cell_type === 'code' && new RegExp(`function ${name}\\b`).test(cellText(c)))!;
  cell.source = splitSource(`${cellText(cell)}\n${text}`);
  return nb;
}

const prepare = (file: string) => prepareSubmission({ file, where: 'x.ipynb', tasks, root });

describe('no stalls', () => {
  before(() => { dir = mkdtempSync(join(tmpdir(), 'rnnkit-stalls-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('marker lines of `//` and hundreds of thousands of spaces parse (linear matching)', () => {
    const long = ' '.repeat(300_000);
    const lines = [`//${long}`, `//${long}#`, `// #${long}START OF YOUR CODEX`, `// ${long}/${long}`, `/*${long}`, `#${long}#${long}`, '// START OF YOUR CODE', 'x', '// END OF YOUR CODE'];
    assert.deepEqual(findRegions(lines, ['student']).map((r) => [r.start, r.end]), [[7, 8]]);
    const p = prepare(write('long-lines', withCode('square', lines.slice(0, 4).join('\n'))));
    assert.equal(p.error, undefined);
    assert.equal(p.tasks[0]!.assembled.problem, undefined);
    assert.ok(p.tasks[0]!.assembled.js);
  });

  it('thousands of duplicate declarations assemble only the last one', () => {
    const dups = Array.from({ length: 20_000 }, () => 'function times(a: tf.Tensor, b: tf.Tensor): tf.Tensor { return tf.mul(a, b); }').join('\n');
    const nb = notebook('correct');
    nb.cells.push({ cell_type: 'code', id: 'dups', metadata: {}, outputs: [], execution_count: null,
      source: splitSource(`${dups}\nfunction square(x: tf.Tensor): tf.Tensor { return times(x, x); }`) });
    const p = prepare(write('duplicates', nb));
    const a = p.tasks[0]!.assembled;
    assert.equal(a.problem, undefined, JSON.stringify(a.problem));
    assert.equal(a.source.match(/function times\b/g)?.length, 1);
    assert.equal(a.source.match(/function square\b/g)?.length, 1);
  });

  it('a notebook whose preparation outlives its time limit fails alone, with the reason', async () => {
    const dups = Array.from({ length: 20_000 }, (_, i) => `const v${i} = ${i};`).join('\n');
    const slow = write('slow', withCode('square', dups));
    const ok = join(fixtures, 'correct.ipynb');
    const preparer = new Preparer(1, 0.05);
    try {
      const r = await preparer.run({ file: slow, where: 'slow.ipynb', tasks, root });
      assert.match(r.error ?? '', /took longer than 0\.05 s \(stopped\)/);
    } finally {
      await preparer.close();
    }
    const generous = new Preparer(1);
    try {
      const r = await generous.run({ file: ok, where: 'correct.ipynb', tasks, root });
      assert.equal(r.error, undefined);
    } finally {
      await generous.close();
    }
  });

  it('a FIFO, a symlink to a root-only file, an oversized file and malformed JSON fail alone and echo nothing', async () => {
    const cls = join(dir, 'class');
    execFileSync('/usr/bin/mkdir', ['-p', cls]);
    execFileSync('/usr/bin/mkfifo', [join(cls, 'fifo.ipynb')]);
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, `${SECRET}\n`);
    chmodSync(secret, 0o600);
    symlinkSync(secret, join(cls, 'link.ipynb'));
    writeFileSync(join(cls, 'huge.ipynb'), '');
    truncateSync(join(cls, 'huge.ipynb'), 21 * 1024 * 1024);
    writeFileSync(join(cls, 'malformed.ipynb'), `{"cells": [${SECRET}`);
    writeFileSync(join(cls, 'forged\nline.ipynb'), `${SECRET}`);
    const subs = findSubmissions(cls);
    assert.equal(subs.length, 5);
    const results = await gradeMany(subs, course, { root, concurrency: 2 });
    const reason = (s: string): string => results.find((r) => r.student === s)!.tasks[0]!.reason;
    assert.match(reason('fifo'), /not a regular file/);
    assert.match(reason('link'), /symbolic link/);
    assert.match(reason('huge'), /larger than 20 MB/);
    assert.match(reason('malformed'), /not valid notebook JSON \((parse error|it ends too early|line \d+, column \d+)\)/);
    assert.match(reason('forged\nline'), /not valid notebook JSON/);
    for (const r of results) for (const t of r.tasks) assert.doesNotMatch(t.reason, new RegExp(SECRET));
  });
});

describe('last definition wins, as in a kernel run', () => {
  before(() => { dir = mkdtempSync(join(tmpdir(), 'rnnkit-last-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a solution in a new cell below the untouched stub counts', () => {
    const nb = notebook('blank');
    const stub = nb.cells.findIndex((c) => /function square\b/.test(cellText(c)));
    nb.cells.splice(stub + 2, 0, {
      cell_type: 'code', id: 'new-cell', metadata: {}, outputs: [], execution_count: null,
      source: splitSource('function square(x: tf.Tensor): tf.Tensor {\n  return tf.mul(x, x);\n}'),
    });
    const p = prepare(write('below', nb));
    const a = p.tasks.find((t) => t.assembled.taskId === 'demo.square')!.assembled;
    assert.equal(a.problem, undefined, JSON.stringify(a.problem));
    assert.equal(a.cell, stub + 2);
    assert.match(a.source, /return tf\.mul\(x, x\)/);
    assert.doesNotMatch(a.source, /not implemented/);
    // the other task's stub is still refused
    assert.equal(p.tasks.find((t) => t.assembled.taskId === 'demo.affine')!.assembled.problem?.status, 'stub');
  });
});
