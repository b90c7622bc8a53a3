/** The runner's result types, shared by both engines. */
import { joinText, type Notebook, type NotebookCell, type Output } from '../notebook/codec.js';

export type Engine = 'node' | 'nbclient';
export type CellStatus = 'ok' | 'error' | 'aborted' | 'timeout';

export interface CellError {
  ename: string;
  evalue: string;
  /** A readable account of the failure (the error text the kernel printed, or why it failed). */
  message: string;
}

export interface CellResult {
  /** Position of the cell in `notebook.cells` (0-based). */
  index: number;
  /** Position among the notebook's code cells (1-based), as people count cells. */
  codeCellNumber: number;
  status: CellStatus;
  outputs: Output[];
  /** Wall time of the cell in ms. */
  duration: number;
  executionCount: number | null;
  source: string;
  error?: CellError;
}

export interface RunOptions {
  /** Per-cell timeout in seconds (default 600; 0 disables it). */
  timeout?: number;
  /** Run every cell even after failures (failures are still reported and `ok` is false). */
  allowErrors?: boolean;
  /** Extra environment variables for the kernel. */
  env?: Record<string, string>;
  /** 'node' (default: this package's own client) or 'nbclient' (Jupyter's, through Python). */
  engine?: Engine;
  /** Write the executed notebook here. */
  output?: string;
  /** Write the executed notebook over the input. */
  inplace?: boolean;
  /** The kernel's working directory (default: the notebook's folder). */
  cwd?: string;
  /** Aborting interrupts the running cell, stops the run and shuts the kernel down. */
  signal?: AbortSignal;
  /** Progress: called before and after each code cell. */
  onCellStart?: (cell: { index: number; codeCellNumber: number; source: string }) => void;
  onCellDone?: (result: CellResult) => void;
  /** The Python that runs nbclient (engine 'nbclient'; default /usr/bin/python3, else python3). */
  python?: string;
  /** How long to wait for a new kernel (seconds, default 60). */
  startTimeout?: number;
}

export interface RunResult {
  /** True when every code cell ran and passed. */
  ok: boolean;
  path: string;
  engine: Engine;
  /** The cells that were run, in order (a run stops after the first failure). */
  cells: CellResult[];
  /** The first failing cell. */
  failed?: CellResult;
  /** Why the run failed outside any cell (the kernel did not start, the run was cancelled). */
  message?: string;
  cancelled: boolean;
  /** The executed notebook (cells that were not run have no outputs). */
  notebook: Notebook;
  /** Where the executed notebook was written. */
  outputPath?: string;
  /** Wall time of the run in ms. */
  duration: number;
  /** The kernel process (node engine): its pid, how it ended, whether it had to be killed. */
  kernel?: { pid: number; exitCode: number | null; exitSignal: string | null; killed: boolean };
}

const MAX_MESSAGE = 4000;

function tail(text: string, max = MAX_MESSAGE): string {
  const t = text.trim();
  return t.length > max ? `...${t.slice(-max)}` : t;
}

/** Drops the stack frames of tslab and node:vm from an error text (they say nothing about the cell). */
export function cleanStack(text: string): string {
  return text.split('\n')
    .filter((l) => !/^\s+at\s/.test(l) || !(/node_modules[\\/]tslab[\\/]/.test(l) || /\(node:vm:|^\s+at node:vm:/.test(l)))
    .join('\n');
}

/** The error of a failed cell, from its error outputs or else its stderr (where tslab prints). */
export function describeError(outputs: Output[], reply: Record<string, unknown> | undefined, fallback: string): CellError {
  const err = outputs.find((o) => o.output_type === 'error');
  if (err && err.output_type === 'error') {
    const tb = err.traceback.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
    return { ename: err.ename, evalue: err.evalue, message: tail(cleanStack(tb) || `${err.ename}: ${err.evalue}`) };
  }
  const stderr = outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr').map((o) => joinText((o as { text: string }).text)).join('');
  // tslab's reply has no ename/evalue: find them in what it printed.
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  let ename = 'Error';
  let evalue = lines[0] ?? '';
  for (const l of lines) {
    const thrown = /^((?:[A-Za-z_$][\w$]*)?(?:Error|Exception))(?::\s*(.*))?$/.exec(l);
    if (thrown) { ename = thrown[1]!; evalue = thrown[2] ?? ''; break; }
    if (/^\d+:\d+ - /.test(l)) { ename = 'TypeScriptError'; evalue = l; break; }
  }
  if (typeof reply?.ename === 'string') ename = reply.ename;
  if (typeof reply?.evalue === 'string') evalue = reply.evalue;
  return { ename, evalue, message: tail(cleanStack(stderr)) || fallback };
}

export function isCodeCellToRun(cell: NotebookCell): boolean {
  return cell.cell_type === 'code' && joinText(cell.source).trim() !== '';
}

