/**
 * Just enough nbformat 4 for grading and building: tolerant reading with readable errors, and
 * deterministic writing (keys sorted, indent 1, lines as string arrays, a final newline — what
 * Jupyter itself writes), so that building twice gives byte-identical files.
 */
import { joinText, NotebookError, splitLines } from '../runner/notebook.js';

export interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  [key: string]: unknown;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

// One error class and one line splitter for every notebook the project reads or writes (the
// runner's module); this module adds the grader's tolerant reading and deterministic writing.
export { NotebookError, splitLines as splitSource };

export function cellText(cell: Cell): string {
  return joinText(cell.source);
}

/**
 * Where JSON.parse failed, as "line L, column C" (or "it ends too early"). Never the parser's
 * message itself: it quotes the text, which must not reach a report (a notebook symlinked to a
 * file the student cannot read would leak its first bytes).
 */
function jsonErrorWhere(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m) return /end of (JSON|data) input|Unterminated/i.test(message) ? 'it ends too early' : 'parse error';
  const pos = Math.min(Number(m[1]), text.length);
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) { line++; start = i + 1; }
  return `line ${line}, column ${pos - start + 1}`;
}

export function parseNotebook(text: string, where = 'the notebook'): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(`${where} is not valid notebook JSON (${jsonErrorWhere(text, (e as Error).message)})`);
  }
  if (typeof nb !== 'object' || nb === null || Array.isArray(nb)) throw new NotebookError(`${where} is not a notebook (not a JSON object)`);
  const o = nb as Record<string, unknown>;
  if (!Array.isArray(o.cells)) throw new NotebookError(`${where} has no "cells" list (not an nbformat 4 notebook)`);
  const cells: Cell[] = [];
  for (const [i, c] of (o.cells as unknown[]).entries()) {
    if (typeof c !== 'object' || c === null) throw new NotebookError(`${where}: cell ${i + 1} is not an object`);
    const cell = c as Cell;
    if (typeof cell.cell_type !== 'string') throw new NotebookError(`${where}: cell ${i + 1} has no cell_type`);
    if (typeof cell.source !== 'string' && !(Array.isArray(cell.source) && cell.source.every((s) => typeof s === 'string'))) {
      throw new NotebookError(`${where}: cell ${i + 1} has no readable source`);
    }
    if (typeof cell.metadata !== 'object' || cell.metadata === null) cell.metadata = {};
    cells.push(cell);
  }
  return {
    nbformat: typeof o.nbformat === 'number' ? o.nbformat : 4,
    nbformat_minor: typeof o.nbformat_minor === 'number' ? o.nbformat_minor : 5,
    metadata: typeof o.metadata === 'object' && o.metadata !== null ? (o.metadata as Record<string, unknown>) : {},
    cells,
  };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Deterministic text of a notebook (sources as line arrays, keys sorted, indent 1, final newline). */
export function serializeNotebook(nb: Notebook): string {
  const cells = nb.cells.map((c) => ({ ...c, source: splitLines(cellText(c)) }));
  return JSON.stringify(sortKeys({ ...nb, cells }), null, 1) + '\n';
}

/** The `rnnkit` metadata of a cell (`{"rnnkit": {"task": "lab8.vanilla"}}`), or {}. */
export function rnnkitMeta(cell: Cell): Record<string, unknown> {
  const m = cell.metadata?.rnnkit;
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
}

/** The task id of a cell: `metadata.rnnkit.task` or, as the Lab 8 generator writes it, `metadata.task`. */
export function cellTaskId(cell: Cell): string | undefined {
  const t = rnnkitMeta(cell).task ?? cell.metadata?.task;
  return typeof t === 'string' ? t : undefined;
}

/** True for instructor-only cells: `metadata.rnnkit.instructor` or `metadata.instructor`. */
export function isInstructorCell(cell: Cell): boolean {
  return rnnkitMeta(cell).instructor === true || cell.metadata?.instructor === true;
}
