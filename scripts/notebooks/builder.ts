/**
 * What every notebook generator in scripts/notebooks shares: cells in Jupyter's on-disk form, task
 * cells cut from a solutions file, the START/END marker block shown in the instructions, figures as
 * data-URL images, the notebook JSON as Jupyter writes it, and the command line
 * (`npx tsx scripts/notebooks/<lab>.ts [--check | --instructor <file>]`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The project root (with a trailing slash). */
export const root = fileURLToPath(new URL('../../', import.meta.url));

export type Meta = Record<string, unknown>;

export interface Cell {
  cell_type: 'markdown' | 'code';
  id: string;
  metadata: Meta;
  source: string[];
  execution_count?: null;
  outputs?: unknown[];
}

/** A cell's text as Jupyter stores it: one string per line, each but the last ending in a newline. */
export function lines(text: string): string[] {
  const parts = text.split('\n');
  return parts.map((l, i) => (i < parts.length - 1 ? `${l}\n` : l)).filter((l, i, a) => !(i === a.length - 1 && l === ''));
}

/** Collects a notebook's cells in order; `finish` numbers their ids (`<prefix>-00`, ...). */
export class CellList {
  readonly cells: Cell[] = [];

  md(text: string, metadata: Meta = {}): void {
    this.cells.push({ cell_type: 'markdown', id: '', metadata, source: lines(text) });
  }

  code(text: string, metadata: Meta = {}): void {
    this.cells.push({ cell_type: 'code', id: '', metadata, source: lines(text), execution_count: null, outputs: [] });
  }

  finish(prefix: string): { cells: Cell[] } {
    this.cells.forEach((c, i) => (c.id = `${prefix}-${String(i).padStart(2, '0')}`));
    return { cells: this.cells };
  }
}

/** The marker block the instructions show (students write between START and END). */
export const MARKERS = [
  '```typescript',
  '//////////////////////////////////////////////////////////////////////////',
  '//                          START OF YOUR CODE                          //',
  '//////////////////////////////////////////////////////////////////////////',
  '',
  '',
  '//////////////////////////////////////////////////////////////////////////',
  '//                           END OF YOUR CODE                           //',
  '//////////////////////////////////////////////////////////////////////////',
  '```',
].join('\n');

/** The placeholder of a student's answer cell. */
export const ANSWER = "<font color='green'>Write your answer here</font>";

/** An instructor's answer cell. */
export function answerText(answer: string): string {
  return `<font color='green'>**Answer.**</font>\n\n${answer}`;
}

/**
 * A diagram for a markdown cell: the SVG as a data URL in an <img>. JupyterLab's sanitiser strips
 * raw <svg> elements (and SVG attachments) from markdown but shows data-URL images
 * (jupyterlab/jupyterlab#10464); an image also cannot run scripts.
 */
export function figureImg(svg: string, alt: string, width?: number): string {
  const w = width === undefined ? '' : ` width="${width}"`;
  return `<p align="center"><img alt="${alt}"${w} src="data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}"/></p>`;
}

/**
 * The task cells of a lab, cut from its solutions file (`src/solutions/<lab>.ts`): a declaration
 * with its doc comment, `export` dropped; the student version replaces each region between
 * `// BEGIN SOLUTION` and `// END SOLUTION` with one empty line, the instructor version keeps the
 * region without the marker lines.
 */
export class SolutionSource {
  readonly text: string;

  constructor(readonly file: string) {
    this.text = readFileSync(`${root}${file}`, 'utf8');
  }

  /** `export class|function|async function <name>` with its doc comment, as it stands in the file. */
  declaration(name: string): string {
    const m = new RegExp(`^export ((?:async )?function|class) ${name}\\b`, 'm').exec(this.text);
    if (!m) throw new Error(`${name} not found in ${this.file}`);
    const start = m.index;
    // the doc comment right above the declaration, if there is one
    const docStart = this.text.lastIndexOf('/**', start);
    const between = docStart < 0 ? '' : this.text.slice(docStart, start);
    const close = between.indexOf('*/');
    const from = docStart >= 0 && close >= 0 && !between.slice(close + 2).trim() ? docStart : start;
    const end = this.text.indexOf('\n}\n', start);
    if (end < 0) throw new Error(`${name} in ${this.file} does not end with a closing brace at column 0`);
    return this.text.slice(from, end + 2).replace(`export ${m[1]} ${name}`, `${m[1]} ${name}`);
  }

  /** The task cell's code: student version (regions emptied) or instructor version (markers dropped). */
  taskCode(name: string, withSolution: boolean): string {
    const out: string[] = [];
    let inside = false;
    for (const line of this.declaration(name).split('\n')) {
      if (line.trim() === '// BEGIN SOLUTION') {
        if (inside) throw new Error(`nested solution regions in ${name} (${this.file})`);
        inside = true;
        if (!withSolution) out.push('');
        continue;
      }
      if (line.trim() === '// END SOLUTION') {
        if (!inside) throw new Error(`END SOLUTION without BEGIN SOLUTION in ${name} (${this.file})`);
        inside = false;
        continue;
      }
      if (inside && !withSolution) continue;
      out.push(line);
    }
    if (inside) throw new Error(`unterminated solution region in ${name} (${this.file})`);
    return out.join('\n');
  }
}

export interface LabMetadata {
  id: string;
  title: string;
  /** Present for labs with an instructor version (false in the student notebook). */
  instructor?: boolean;
}

/** The notebook file's text as Jupyter writes it (indent 1, final newline), kernel tslab. */
export function notebookText(cells: Cell[], lab: LabMetadata): string {
  const nb = {
    cells,
    metadata: {
      kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
      language_info: { file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript' },
      lab,
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(nb, null, 1)}\n`;
}

export interface GeneratorSpec {
  /** The committed notebook, relative to the project root (`notebooks/<file>.ipynb`). */
  notebook: string;
  /** The generator script, relative to the project root (for the "out of date" hint). */
  script: string;
  /** The notebook's text: the student version, or the instructor version when asked. */
  json: (withSolutions: boolean) => string;
  /** Whether the lab has an instructor version (`--instructor <file>`). */
  instructor: boolean;
}

/**
 * The command line of a generator: no argument writes the committed (student) notebook, `--check`
 * fails when it is stale, `--instructor <file>` writes the instructor version elsewhere.
 */
export function generatorMain(spec: GeneratorSpec, argv: string[]): void {
  const path = `${root}${spec.notebook}`;
  if (argv.includes('--check')) {
    if (readFileSync(path, 'utf8') !== spec.json(false)) {
      console.error(`${path} is out of date: run npx tsx ${spec.script}`);
      process.exit(1);
    }
    console.log(`${path} is up to date`);
    return;
  }
  const i = argv.indexOf('--instructor');
  if (i >= 0) {
    if (!spec.instructor) throw new Error(`${spec.notebook} has no tasks, hence no instructor version`);
    const out = argv[i + 1];
    if (!out) throw new Error('--instructor needs an output path');
    writeFileSync(out, spec.json(true));
    console.log(`wrote ${out}`);
    return;
  }
  writeFileSync(path, spec.json(false));
  console.log(`wrote ${path}`);
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  return Boolean(process.argv[1]) && fileURLToPath(url) === process.argv[1];
}
