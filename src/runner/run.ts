/**
 * Runs a notebook headless: every code cell in order on a fresh tslab kernel, stopping at the
 * first cell that fails (an error, an aborted request, a timeout, a dead kernel) unless
 * `allowErrors` is set. The kernel is always shut down.
 */
import { dirname, resolve } from 'node:path';
import { KernelError, TslabKernel } from './kernel.js';
import { runWithNbclient } from './nbclient.js';
import { joinText, readNotebook, writeNotebook, type Notebook } from '../notebook/codec.js';
import { OutputCollector, type DisplayRegistry } from './outputs.js';
import { describeError, isCodeCellToRun, type CellResult, type RunOptions, type RunResult } from './run-results.js';

export type { CellError, CellResult, CellStatus, Engine, RunOptions, RunResult } from './run-results.js';

/** Prepares the copy that will hold the outputs: code cells start with none. */
function freshCopy(nb: Notebook): Notebook {
  const copy = structuredClone(nb);
  for (const c of copy.cells) {
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
  }
  return copy;
}

export async function runNotebook(path: string, options: RunOptions = {}): Promise<RunResult> {
  const abs = resolve(path);
  const original = readNotebook(abs); // throws NotebookError
  const engine = options.engine ?? 'node';
  const result = engine === 'nbclient'
    ? await runWithNbclient(abs, original, options)
    : await runWithNode(abs, original, options);
  const outputPath = options.inplace ? abs : options.output ? resolve(options.output) : undefined;
  if (outputPath) {
    writeNotebook(outputPath, result.notebook);
    result.outputPath = outputPath;
  }
  return result;
}

async function runWithNode(path: string, original: Notebook, options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const nb = freshCopy(original);
  const cells: CellResult[] = [];
  const timeoutS = options.timeout ?? 600;
  const result: RunResult = { ok: false, path, engine: 'node', cells, cancelled: false, notebook: nb, duration: 0 };
  if (options.signal?.aborted) {
    return { ...result, cancelled: true, message: 'cancelled before start' };
  }
  let kernel: TslabKernel;
  try {
    kernel = await TslabKernel.start({
      cwd: options.cwd ?? dirname(path),
      env: options.env,
      startTimeoutMs: (options.startTimeout ?? 60) * 1000,
    });
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return { ...result, message: e.message, duration: Date.now() - started };
  }
  const displays: DisplayRegistry = new Map();
  let kernelGone = false;
  try {
    const info = kernel.kernelInfo?.language_info;
    if (info && typeof info === 'object') nb.metadata.language_info = info;
    let codeCellNumber = 0;
    let lastFailed = false;
    for (let index = 0; index < nb.cells.length; index++) {
      const cell = nb.cells[index]!;
      if (cell.cell_type !== 'code') continue;
      codeCellNumber++;
      if (!isCodeCellToRun(cell)) continue;
      if (kernelGone || options.signal?.aborted) break;
      const source = joinText(cell.source);
      // tslab aborts requests that arrive within 200 ms of an error: wait it out, so that with
      // allowErrors the next cell really runs.
      if (lastFailed) await new Promise((r) => setTimeout(r, 300));
      options.onCellStart?.({ index, codeCellNumber, source });
      const collector = new OutputCollector(displays);
      cell.outputs = collector.outputs;
      const t0 = Date.now();
      const outcome = await kernel.execute(source, {
        timeoutMs: timeoutS > 0 ? timeoutS * 1000 : 0,
        onIopub: (m) => collector.handle(m),
        signal: options.signal,
      });
      const duration = Date.now() - t0;
      cell.execution_count = outcome.executionCount;
      const cr: CellResult = {
        index, codeCellNumber, status: 'ok', outputs: collector.outputs, duration, executionCount: outcome.executionCount, source,
      };
      switch (outcome.status) {
        case 'ok':
          break;
        case 'error':
          cr.status = 'error';
          cr.error = describeError(collector.outputs, outcome.reply, 'the kernel reported an error without any message');
          break;
        case 'aborted':
          cr.status = 'aborted';
          cr.error = { ename: 'Aborted', evalue: 'the kernel aborted the request', message: 'the kernel aborted the cell without running it (tslab aborts requests that arrive within 200 ms of an error)' };
          break;
        case 'timeout': {
          cr.status = 'timeout';
          const printed = describeError(collector.outputs, outcome.reply, '').message;
          cr.error = {
            ename: 'Timeout',
            evalue: `timed out after ${timeoutS} s`,
            message: `timed out after ${timeoutS} s; ${outcome.interrupted ? 'the kernel was interrupted' : 'the kernel did not respond to the interrupt and was stopped'}${printed ? `\n${printed}` : ''}`,
          };
          if (!outcome.interrupted) kernelGone = true;
          break;
        }
        case 'died':
          cr.status = 'error';
          cr.error = { ename: 'KernelDied', evalue: 'the kernel died', message: kernel.diedMessage('while running this cell') };
          kernelGone = true;
          break;
        case 'cancelled':
          cr.status = 'error';
          cr.error = { ename: 'Cancelled', evalue: 'the run was cancelled', message: 'the run was cancelled (interrupted) while this cell ran' };
          result.cancelled = true;
          break;
      }
      cells.push(cr);
      options.onCellDone?.(cr);
      lastFailed = cr.status !== 'ok';
      if (lastFailed) {
        result.failed ??= cr;
        if (!options.allowErrors || result.cancelled) break;
      }
    }
    if (options.signal?.aborted && !result.cancelled) {
      result.cancelled = true;
      result.message = 'the run was cancelled';
    }
  } finally {
    const exit = await kernel.shutdown(kernelGone ? 0 : 3000);
    result.kernel = { pid: kernel.pid, exitCode: exit.code, exitSignal: exit.signal, killed: kernel.wasKilled };
  }
  result.ok = !result.failed && !result.cancelled && !result.message;
  result.duration = Date.now() - started;
  return result;
}
