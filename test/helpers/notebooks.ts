/**
 * What the notebook tests share: the committed notebooks, reading one, a cell's text, the data
 * settings of a headless run, a small MNIST mirror, and Jupyter's own nbformat. Not a test file.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { cellText, parseNotebook, type Notebook, type NotebookCell } from '../../src/notebook/codec.js';
import { mirror, mirrorHas, notebooksDir } from './paths.js';

/** Every committed notebook's file name. */
export function notebookFiles(): string[] {
  return readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort();
}

export function loadNotebook(file: string): Notebook {
  return parseNotebook(readFileSync(join(notebooksDir, file), 'utf8'), file);
}

export const src = (c: NotebookCell): string => cellText(c);

/** A cell's metadata entry `key` (step, task, question, figure, reference, ...). */
export const meta = (c: NotebookCell, key: string): unknown => (c.metadata as Record<string, unknown> | undefined)?.[key];

/**
 * The data settings of a headless run in `tmp`: RNNKIT_DATA_DIR in it, and RNNKIT_DATA_MIRROR at
 * the shared data where it holds `dataset` (else the notebook downloads, as a student's does).
 */
export function dataEnv(tmp: string, dataset: 'mnist' | 'mnist1d'): Record<string, string> {
  const e: Record<string, string> = { RNNKIT_DATA_DIR: join(tmp, 'data') };
  if (mirrorHas(dataset)) e['RNNKIT_DATA_MIRROR'] = mirror;
  return e;
}

/** Jupyter's Python (Debian's /usr/bin/python3 with nbformat); the first python3 on PATH may lack it. */
const PYTHON = '/usr/bin/python3';

/** Why Python's nbformat cannot be used here, or undefined when it can. */
export function nbformatMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  const r = spawnSync(PYTHON, ['-c', 'import nbformat'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${PYTHON} cannot import nbformat (apt-get install python3-nbformat): ${r.stderr.trim().split('\n').pop()}`;
}

/**
 * Runs nbformat on a notebook's text: what `nbformat.write` saves after `nbformat.read`
 * (`written`), and `nbformat.validate`'s complaint (`invalid`, empty when valid).
 */
export function nbformatRoundTrip(text: string): { written: string; invalid: string } {
  const script = [
    'import io, sys, nbformat',
    "nb = nbformat.reads(sys.stdin.buffer.read().decode('utf-8'), as_version=nbformat.NO_CONVERT)",
    "err = ''",
    'try:',
    '    nbformat.validate(nb)',
    'except nbformat.ValidationError as e:',
    "    err = str(e).split('\\n')[0] or 'invalid'",
    'out = io.StringIO()',
    'nbformat.write(nb, out)',
    "sys.stdout.buffer.write(out.getvalue().encode('utf-8'))",
    "sys.stderr.buffer.write(err.encode('utf-8'))",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { input: Buffer.from(text, 'utf8'), maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`nbformat failed: ${r.stderr.toString('utf8')}`);
  return { written: r.stdout.toString('utf8'), invalid: r.stderr.toString('utf8') };
}

/**
 * A MNIST mirror (RNNKIT_DATA_MIRROR layout, `mnist/*.gz`) made from the test data with only the
 * first `trainImages` training images: a notebook that trains on all the images it loads, as the
 * original does, then runs a few batches.
 */
export function writeSmallMnistMirror(dir: string, trainImages: number): string {
  mkdirSync(join(dir, 'mnist'), { recursive: true });
  const truncate = (name: string, itemBytes: number, headerBytes: number) => {
    const b = gunzipSync(readFileSync(join(mirror, 'mnist', name)));
    const out = Buffer.from(b.subarray(0, headerBytes + trainImages * itemBytes));
    out.writeUInt32BE(trainImages, 4);
    writeFileSync(join(dir, 'mnist', name), gzipSync(out));
  };
  truncate('train-images-idx3-ubyte.gz', 28 * 28, 16);
  truncate('train-labels-idx1-ubyte.gz', 1, 8);
  for (const f of ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) copyFileSync(join(mirror, 'mnist', f), join(dir, 'mnist', f));
  return dir;
}
