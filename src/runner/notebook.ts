/**
 * nbformat v4 notebooks: reading (with clear errors), writing (as Jupyter does: indent 1, lines
 * as string arrays), and turning iopub messages into cell outputs the way Jupyter does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { JupyterMessage } from './protocol.js';

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

export function joinText(s: MultilineString | undefined): string {
  return Array.isArray(s) ? s.join('') : (s ?? '');
}

/**
 * The text a reader sees in a cell's outputs: streams as printed, rich outputs by their
 * `text/plain`, errors as `name: message`; one output per line.
 */
export function outputsText(outputs: readonly Output[]): string {
  return outputs
    .map((o) => {
      if (o.output_type === 'stream') return joinText(o.text);
      if (o.output_type === 'error') return `${o.ename}: ${o.evalue}`;
      const plain = o.data['text/plain'];
      return typeof plain === 'string' || Array.isArray(plain) ? joinText(plain as MultilineString) : '';
    })
    .join('\n');
}

/** Jupyter's on-disk form of a multiline string: lines keeping their '\n'. */
export function splitLines(s: string): string[] {
  return s.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function parseNotebook(text: string, where = 'notebook'): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookError(`${where} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof nb !== 'object' || nb === null || Array.isArray(nb)) {
    throw new NotebookError(`${where} is not a notebook (a JSON object is expected)`);
  }
  const o = nb as Partial<Notebook>;
  if (o.nbformat !== 4) throw new NotebookError(`${where} is not an nbformat 4 notebook (nbformat: ${JSON.stringify(o.nbformat)})`);
  if (!Array.isArray(o.cells)) throw new NotebookError(`${where} has no "cells" array`);
  o.cells.forEach((c, i) => {
    if (typeof c !== 'object' || c === null || !['code', 'markdown', 'raw'].includes(String(c.cell_type))) {
      throw new NotebookError(`${where}: cell ${i + 1} has no valid cell_type`);
    }
    if (typeof c.source !== 'string' && !(Array.isArray(c.source) && c.source.every((l) => typeof l === 'string'))) {
      throw new NotebookError(`${where}: cell ${i + 1} has no valid source`);
    }
    c.metadata ??= {};
  });
  o.metadata ??= {};
  return o as Notebook;
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

function diskForm(nb: Notebook): Notebook {
  const textData = (data: MimeBundle): MimeBundle => Object.fromEntries(Object.entries(data).map(([k, v]) =>
    [k, typeof v === 'string' && (k.startsWith('text/') || k === 'image/svg+xml') ? splitLines(v) : v]));
  return {
    ...nb,
    cells: nb.cells.map((c) => ({
      ...c,
      source: splitLines(joinText(c.source)),
      ...(c.outputs ? {
        outputs: c.outputs.map((o): Output => {
          switch (o.output_type) {
            case 'stream': return { ...o, text: splitLines(joinText(o.text)) };
            case 'display_data':
            case 'execute_result': return { ...o, data: textData(o.data) };
            default: return o;
          }
        }),
      } : {}),
    })),
  };
}

/** The in-memory form of outputs (as the node engine builds them): text as one string. */
export function joinOutputText(nb: Notebook): Notebook {
  for (const c of nb.cells) {
    for (const o of c.outputs ?? []) {
      if (o.output_type === 'stream') o.text = joinText(o.text);
      if (o.output_type === 'display_data' || o.output_type === 'execute_result') {
        for (const [k, v] of Object.entries(o.data)) {
          if (Array.isArray(v) && (k.startsWith('text/') || k === 'image/svg+xml')) o.data[k] = v.join('');
        }
      }
    }
  }
  return nb;
}

export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(diskForm(nb), null, 1) + '\n';
}

export function writeNotebook(path: string, nb: Notebook): void {
  writeFileSync(path, serializeNotebook(nb));
}

/** Shared by all cells of a run: outputs by display_id, for update_display_data. */
export type DisplayRegistry = Map<string, (DisplayDataOutput | ExecuteResultOutput)[]>;

/** Collects one cell's iopub messages into nbformat outputs (as Jupyter front ends do). */
export class OutputCollector {
  readonly outputs: Output[] = [];
  private clearPending = false;

  constructor(private readonly displays: DisplayRegistry) {}

  private push(out: Output): void {
    if (this.clearPending) {
      this.outputs.length = 0;
      this.clearPending = false;
    }
    const last = this.outputs[this.outputs.length - 1];
    if (out.output_type === 'stream' && last?.output_type === 'stream' && last.name === out.name) {
      last.text = joinText(last.text) + joinText(out.text);
      return;
    }
    this.outputs.push(out);
  }

  handle(msg: JupyterMessage): void {
    const c = msg.content as Record<string, unknown>;
    const data = (c.data ?? {}) as MimeBundle;
    const metadata = (c.metadata ?? {}) as Record<string, unknown>;
    const displayId = (c.transient as { display_id?: unknown } | undefined)?.display_id;
    switch (msg.header.msg_type) {
      case 'stream':
        this.push({ output_type: 'stream', name: c.name === 'stderr' ? 'stderr' : 'stdout', text: String(c.text ?? '') });
        break;
      case 'display_data':
      case 'execute_result': {
        const out: DisplayDataOutput | ExecuteResultOutput = msg.header.msg_type === 'display_data'
          ? { output_type: 'display_data', data, metadata }
          : { output_type: 'execute_result', execution_count: typeof c.execution_count === 'number' ? c.execution_count : null, data, metadata };
        this.push(out);
        if (typeof displayId === 'string') {
          const list = this.displays.get(displayId) ?? [];
          list.push(out);
          this.displays.set(displayId, list);
        }
        break;
      }
      case 'update_display_data':
        if (typeof displayId === 'string') {
          for (const out of this.displays.get(displayId) ?? []) {
            out.data = data;
            out.metadata = metadata;
          }
        }
        break;
      case 'error':
        this.push({
          output_type: 'error',
          ename: String(c.ename ?? 'Error'),
          evalue: String(c.evalue ?? ''),
          traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        });
        break;
      case 'clear_output':
        if (c.wait) this.clearPending = true;
        else this.outputs.length = 0;
        break;
      default:
        break; // execute_input, comm messages...
    }
  }
}
