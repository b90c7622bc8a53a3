/**
 * Every committed notebook is stored exactly as Jupyter saves it (so open-and-save in JupyterLab or
 * the classic Notebook changes nothing), is valid nbformat 4, runs on the kernel `npm install`
 * registers, and shows only figures that exist beside it; and the project's one notebook codec
 * writes what `nbformat.write` writes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  joinText, parseNotebook, serializeNotebook, splitLines, storedText, type Notebook,
} from '../../src/notebook/codec.js';
import { loadNotebook, nbformatMissing, nbformatRoundTrip, notebookFiles, src } from '../helpers/notebooks.js';
import { notebooksDir, root } from '../helpers/paths.js';

const noNbformat = nbformatMissing();

/** The kernelspec `npm install` registers: scripts/postinstall.mjs run into a temporary Jupyter data folder. */
let registered: Record<string, string> | undefined;
function registeredKernelspec(): Record<string, string> {
  if (registered) return registered;
  const dataDir = mkdtempSync(join(tmpdir(), 'rnnkit-kernelspec-'));
  try {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'postinstall.mjs'), 'kernel'], { env: { ...process.env, JUPYTER_DATA_DIR: dataDir }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const spec = JSON.parse(readFileSync(join(dataDir, 'kernels', 'tslab', 'kernel.json'), 'utf8')) as { display_name: string; language: string };
    registered = { display_name: spec.display_name, language: spec.language, name: 'tslab' };
    return registered;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('committed notebooks', () => {
  const files = notebookFiles();
  it('there are notebooks', () => assert.ok(files.length >= 6, files.join(', ')));

  for (const file of files) {
    describe(file, () => {
      const text = readFileSync(join(notebooksDir, file), 'utf8');
      const nb = loadNotebook(file);

      it('is stored canonically (the TypeScript writer): outputs cleared, execution counts null', () => {
        assert.equal(text, storedText(nb), `${file} is not stored as Jupyter saves it: open and save it in Jupyter`);
        for (const c of nb.cells.filter((c) => c.cell_type === 'code')) {
          assert.deepEqual([c.outputs, c.execution_count], [[], null], `cell ${c.id}`);
        }
      });

      it('is byte for byte what nbformat.write saves, and valid against the nbformat schema', { skip: noNbformat }, () => {
        const { written, invalid } = nbformatRoundTrip(text);
        assert.equal(invalid, '', `nbformat.validate: ${invalid}`);
        assert.equal(written, text);
      });

      it("runs on the kernel npm install registers, and says so as the kernel's info does", () => {
        assert.equal(nb.nbformat, 4);
        assert.ok(nb.nbformat_minor >= 5, 'cell ids need nbformat 4.5');
        assert.deepEqual(nb.metadata.kernelspec, registeredKernelspec());
        // what tslab's kernel_info reply holds: JupyterLab copies it into the notebook on open
        assert.deepEqual(nb.metadata.language_info, {
          codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
          file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript', version: '3.7.2',
        });
        const ids = nb.cells.map((c) => c.id);
        assert.equal(new Set(ids).size, ids.length, 'cell ids are unique');
      });

      it('shows figures from files in notebooks/figures, never inline data', () => {
        for (const c of nb.cells) {
          const s = src(c);
          assert.ok(!/data:image\//.test(s), `cell ${c.id} inlines an image`);
          for (const m of s.matchAll(/(?:src="|\]\()(figures\/[^")]+)/g)) {
            const path = join(notebooksDir, m[1]!);
            assert.ok(existsSync(path), `cell ${c.id}: ${m[1]} does not exist`);
            assert.match(readFileSync(path, 'utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\s*$/, m[1]);
          }
        }
      });
    });
  }
});

/** A notebook with what trips up writers: non-ASCII, every line end Python splits at, floats, empty cells, outputs. */
function tricky(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { display_name: 'TypeScript (rnn-course-kit)', language: 'typescript', name: 'tslab' },
      zeta: { 'é': 1, e: 2, 'E': 3, '\u{1F600}': 4, '\uFF21': 5 },
      numbers: [0.1, 1e-5, 0.0001, 1.5e16, 2.5, -3, 123456789.125, 1e-7, -2.5e-10],
      flags: [true, false, null],
      empty: {}, none: [],
    },
    cells: [
      { cell_type: 'markdown', id: 'a', metadata: {}, source: 'Größe – ≈ 90 %, “quoted”, tab\there\nline two\r\nthree\rfour\u2028five\u000bsix\fseven\u0085eight' },
      { cell_type: 'code', id: 'b', metadata: { tags: ['x'] }, source: '', outputs: [], execution_count: null },
      { cell_type: 'raw', id: 'c', metadata: {}, source: 'ends with a newline\n' },
      {
        cell_type: 'code', id: 'd', metadata: {}, source: 'console.log("\\u001b")', execution_count: 3,
        outputs: [
          { output_type: 'stream', name: 'stdout', text: 'one\ntwo\n\u001b[0m' },
          { output_type: 'display_data', data: { 'text/plain': 'a\nb', 'image/svg+xml': '<svg>\n</svg>', 'application/json': { k: 'v\nw' } }, metadata: {} },
          { output_type: 'execute_result', execution_count: 3, data: { 'text/html': '<b>x</b>\n' }, metadata: {} },
          { output_type: 'error', ename: 'Error', evalue: 'bad', traceback: ['line 1', 'line 2'] },
        ],
      },
    ],
  };
}

describe('the notebook codec', () => {
  it("splits lines as Python's str.splitlines(True)", () => {
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('a'), ['a']);
    assert.deepEqual(splitLines('a\n'), ['a\n']);
    assert.deepEqual(splitLines('a\r\nb\rc\u2028d\n\ne'), ['a\r\n', 'b\r', 'c\u2028', 'd\n', '\n', 'e']);
  });

  it('round-trips: parse(serialize(nb)) is nb, serialize(parse(text)) is text', () => {
    const nb = tricky();
    const text = serializeNotebook(nb);
    const back = parseNotebook(text);
    assert.deepEqual(back, nb);
    assert.equal(serializeNotebook(back), text);
    assert.ok(text.endsWith('}\n') && text.includes('Größe') && text.includes('"\\u001b[0m"'));
    for (const c of back.cells) assert.equal(typeof c.source, 'string', 'sources are read as text');
  });

  it('every committed notebook round-trips through the codec unchanged', () => {
    for (const file of notebookFiles()) {
      const text = readFileSync(join(notebooksDir, file), 'utf8');
      assert.equal(serializeNotebook(parseNotebook(text, file)), text, file);
    }
  });

  it('writes what nbformat.write writes, byte for byte', { skip: noNbformat }, () => {
    const text = serializeNotebook(tricky());
    const { written, invalid } = nbformatRoundTrip(text);
    assert.equal(invalid, '');
    assert.equal(written, text);
  });

  it('reads a line list and one string alike, and says what is wrong with a file that is no notebook', () => {
    const one = parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'x', metadata: {}, source: ['a\n', 'b'], outputs: [], execution_count: null }] }));
    assert.equal(joinText(one.cells[0]!.source), 'a\nb');
    assert.throws(() => parseNotebook('{', 'x.ipynb'), /x\.ipynb is not valid notebook JSON/);
    assert.throws(() => parseNotebook('[]', 'x.ipynb'), /x\.ipynb is not a notebook/);
    assert.throws(() => parseNotebook('{"nbformat": 3, "cells": []}', 'x.ipynb'), /not an nbformat 4 notebook/);
    assert.throws(() => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "x", "source": ""}]}', 'x.ipynb'), /cell 1 has no valid cell_type/);
  });

  it('clears outputs for storage and keeps them otherwise', () => {
    const nb = tricky();
    assert.ok(serializeNotebook(nb).includes('"output_type": "stream"'));
    const stored = parseNotebook(storedText(nb));
    assert.deepEqual(stored.cells[3]!.outputs, []);
    assert.equal(stored.cells[3]!.execution_count, null);
  });
});

describe('the student and instructor builds', () => {
  it('ship the figures their notebooks show, beside them', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { writeBuilt, figureFiles } = await import('../../src/grading/build.js');
    const { course } = await import('../../src/grading/tasks/i2dl.js');
    const out = mkdtempSync(join(tmpdir(), 'nb-build-'));
    try {
      const paths = writeBuilt(course, out);
      for (const k of ['student', 'instructor'] as const) {
        const built = parseNotebook(readFileSync(paths[k], 'utf8'));
        const figures = figureFiles(built);
        assert.equal(figures.length, 4, k);
        for (const f of figures) assert.equal(readFileSync(join(out, k, f), 'utf8'), readFileSync(join(notebooksDir, f), 'utf8'), `${k}: ${f}`);
        assert.equal(readFileSync(paths[k], 'utf8'), storedText(built), `${k} is stored as Jupyter saves it`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('ship the notebooks without tasks to both versions as they are, with their figures', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { writePlain } = await import('../../src/grading/build.js');
    const out = mkdtempSync(join(tmpdir(), 'nb-build-'));
    try {
      const paths = writePlain(join(notebooksDir, '02_lstm_mnist.ipynb'), out);
      for (const k of ['student', 'instructor'] as const) {
        assert.equal(readFileSync(paths[k], 'utf8'), readFileSync(join(notebooksDir, '02_lstm_mnist.ipynb'), 'utf8'));
        assert.ok(existsSync(join(out, k, 'figures', 'lstm-mnist-lstm-cell.svg')), k);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
