/**
 * The project's one nbformat 4 codec: reading notebooks (with clear errors) and writing them
 * byte for byte as Jupyter saves them (`nbformat.write`: keys sorted, indent 1, non-ASCII kept,
 * multi-line strings split into lines as Python's `str.splitlines(True)` does, a final newline).
 * Our own JSON writer because `JSON.stringify` differs from Python's `json.dumps` in key order
 * (UTF-16 vs code points) and float notation (`1e-05`, not `0.00001`).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export type MultilineString = string | string[];
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput { output_type: 'stream'; name: 'stdout' | 'stderr'; text: MultilineString }
export interface DisplayDataOutput { output_type: 'display_data'; data: MimeBundle; metadata: Record<string, unknown> }
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput { output_type: 'error'; ename: string; evalue: string; traceback: string[] }
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: Record<string, MimeBundle>;
  [key: string]: unknown;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** A notebook that cannot be read: a missing file, malformed JSON, not nbformat 4. */
export class NotebookError extends Error {
  override name = 'NotebookError';
}

/** The text of a multi-line string field (a line list or one string). */
export function joinText(s: MultilineString | undefined): string {
  return Array.isArray(s) ? s.join('') : (s ?? '');
}

/** The text of a cell's source. */
export function cellText(cell: { source: MultilineString }): string {
  return joinText(cell.source);
}

/** Line ends of Python's `str.splitlines`: \r\n, \n, \r, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029. */
const LINE = /[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])|[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+$/gy;

/** Jupyter's on-disk form of a multi-line string: Python's `s.splitlines(True)` (lines keep their ends). */
export function splitLines(s: string): string[] {
  LINE.lastIndex = 0;
  return s.match(LINE) ?? [];
}

const SPLIT_MIMES = new Set(['application/javascript', 'image/svg+xml']);

function splitBundle(data: MimeBundle): MimeBundle {
  return Object.fromEntries(Object.entries(data).map(([k, v]) =>
    [k, typeof v === 'string' && (k.startsWith('text/') || SPLIT_MIMES.has(k)) ? splitLines(v) : v]));
}

function joinBundle(data: MimeBundle): MimeBundle {
  return Object.fromEntries(Object.entries(data).map(([k, v]) =>
    [k, Array.isArray(v) && (k.startsWith('text/') || SPLIT_MIMES.has(k)) && v.every((l) => typeof l === 'string') ? v.join('') : v]));
}

/** A number as Python's `json.dumps` writes a float (`repr`): `0.0001`, `1e-05`, `1e+16`, `2.5`. */
function pyNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const [mant, e] = n.toExponential().split('e') as [string, string];
  const exp = Number(e);
  const neg = mant.startsWith('-');
  const digits = mant.replace(/^-/, '').replace('.', '');
  let body: string;
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      body = `${int}.${frac || '0'}`;
    } else body = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return (neg ? '-' : '') + body;
}

/** Code-point order of keys, as Python's `sorted` of str. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** `json.dumps(v, indent=1, sort_keys=True, ensure_ascii=False, separators=(',', ': '))`. */
function pyJson(v: unknown, indent: string): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return JSON.stringify(v);
  const inner = `${indent} `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + pyJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort(byCodePoint);
    if (keys.length === 0) return '{}';
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${pyJson((v as Record<string, unknown>)[k], inner)}`).join(',\n')}\n${indent}}`;
  }
  throw new TypeError(`a notebook cannot hold a ${typeof v}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Where JSON.parse failed, as "line L, column C" (or "it ends too early"). Never the parser's
 * message itself: it quotes the text, which must not reach a report (a notebook symlinked to a
 * file the student cannot read would leak its first bytes into a grading reason).
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

/**
 * Reads a notebook's text. Multi-line fields are joined into one string each (as nbformat's
 * `reads` does), so that cells can be edited as text; `serializeNotebook` splits them again.
 */
export function parseNotebook(text: string, where = 'the notebook'): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(`${where} is not valid notebook JSON (${jsonErrorWhere(text, (e as Error).message)})`);
  }
  if (!isObject(nb)) throw new NotebookError(`${where} is not a notebook (a JSON object is expected)`);
  if (nb.nbformat !== 4) throw new NotebookError(`${where} is not an nbformat 4 notebook (its nbformat is ${typeof nb.nbformat === 'number' ? nb.nbformat : 'missing'})`);
  if (!Array.isArray(nb.cells)) throw new NotebookError(`${where} has no "cells" list`);
  const cells = nb.cells as unknown[];
  cells.forEach((c, i) => {
    if (!isObject(c) || !['code', 'markdown', 'raw'].includes(String(c.cell_type))) {
      throw new NotebookError(`${where}: cell ${i + 1} has no valid cell_type`);
    }
    const cell = c as NotebookCell;
    if (typeof cell.source !== 'string' && !(Array.isArray(cell.source) && cell.source.every((l) => typeof l === 'string'))) {
      throw new NotebookError(`${where}: cell ${i + 1} has no valid source`);
    }
    cell.source = joinText(cell.source);
    if (!isObject(cell.metadata)) cell.metadata = {};
    if (isObject(cell.attachments)) {
      for (const [k, a] of Object.entries(cell.attachments)) if (isObject(a)) cell.attachments[k] = joinBundle(a);
    }
    if (cell.cell_type === 'code' && Array.isArray(cell.outputs)) {
      for (const o of cell.outputs as Output[]) {
        if (!isObject(o)) continue;
        if (o.output_type === 'stream') o.text = joinText(o.text);
        else if ((o.output_type === 'display_data' || o.output_type === 'execute_result') && isObject(o.data)) o.data = joinBundle(o.data);
      }
    }
  });
  if (!isObject(nb.metadata)) nb.metadata = {};
  if (typeof nb.nbformat_minor !== 'number') nb.nbformat_minor = 0;
  return nb as unknown as Notebook;
}

export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new NotebookError(`cannot read notebook ${path}: ${why}`);
  }
  return parseNotebook(text, path);
}

/** The on-disk form: multi-line strings split into lines, transient fields dropped (nbformat's `split_lines`, `strip_transient`). */
function diskForm(nb: Notebook): unknown {
  const { orig_nbformat: _a, orig_nbformat_minor: _b, signature: _c, ...metadata } = nb.metadata;
  return {
    ...nb,
    metadata,
    cells: nb.cells.map((c) => {
      const { trusted: _t, ...cellMeta } = c.metadata ?? {};
      const out: NotebookCell = { ...c, metadata: cellMeta, source: splitLines(joinText(c.source)) };
      if (c.attachments) out.attachments = Object.fromEntries(Object.entries(c.attachments).map(([k, a]) => [k, splitBundle(a)]));
      if (c.cell_type === 'code' && c.outputs) {
        out.outputs = c.outputs.map((o): Output => {
          switch (o.output_type) {
            case 'stream': return { ...o, text: splitLines(joinText(o.text)) };
            case 'display_data':
            case 'execute_result': return { ...o, data: splitBundle(o.data) };
            default: return o;
          }
        });
      }
      return out;
    }),
  };
}

/** The notebook's text exactly as Jupyter (`nbformat.write`) saves it. Outputs are kept. */
export function serializeNotebook(nb: Notebook): string {
  return `${pyJson(diskForm(nb), '')}\n`;
}

export function writeNotebook(path: string, nb: Notebook): void {
  writeFileSync(path, serializeNotebook(nb));
}

/** The notebook with every code cell's outputs cleared and execution count nulled (how the kit stores notebooks). */
export function clearOutputs(nb: Notebook): Notebook {
  return {
    ...nb,
    cells: nb.cells.map((c) => (c.cell_type === 'code' ? { ...c, outputs: [], execution_count: null } : c)),
  };
}

/** The stored (canonical) text of a notebook: outputs cleared, written as Jupyter writes it. */
export function storedText(nb: Notebook): string {
  return serializeNotebook(clearOutputs(nb));
}
