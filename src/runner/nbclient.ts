/**
 * The fallback engine: Jupyter's own nbclient (Debian's python3-nbclient) drives the same tslab
 * kernel through a temporary kernelspec. nbclient does not see tslab's failures by itself (its
 * error reply lacks `ename`, which makes nbclient raise KeyError; aborted cells come back with
 * status 'abort' and no output), so a small driver runs the cells one by one with
 * allow_errors and reports each execute_reply's status; the failure semantics are this runner's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { writeKernelSpec } from './kernel.js';
import { parseNotebook, type Notebook } from '../notebook/codec.js';
import { describeError, isCodeCellToRun, type CellResult, type RunOptions, type RunResult } from './run-results.js';

const DRIVER = String.raw`
import json, sys, time, traceback
args = json.loads(sys.argv[1])

def emit(obj):
    with open(args['result'], 'w') as f:
        json.dump(obj, f)

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
except Exception as e:
    emit({'fatal': 'nbclient is not available to %s: %s' % (sys.executable, e)})
    sys.exit(3)

nb = nbformat.read(args['input'], as_version=4)
for c in nb.cells:
    if c.cell_type == 'code':
        c.outputs = []
        c.execution_count = None
replies = {}
def on_executed(cell, cell_index, execute_reply):
    replies[cell_index] = (execute_reply or {}).get('content')

client = NotebookClient(nb, kernel_name=args['kernel'], timeout=args['timeout'] or None,
                        interrupt_on_timeout=False, allow_errors=True, record_timing=False,
                        startup_timeout=args['startup_timeout'],
                        resources={'metadata': {'path': args['cwd']}})
client.on_cell_executed = on_executed
cells = []
out = {'cells': cells}
try:
    with client.setup_kernel():
        for index in args['indices']:
            cell = nb.cells[index]
            if cells and cells[-1]['status'] != 'ok':
                time.sleep(0.3)  # tslab aborts requests arriving within 200 ms of an error
            t0 = time.monotonic()
            rec = {'index': index, 'status': 'ok', 'message': ''}
            try:
                client.execute_cell(cell, index)
                content = replies.get(index) or {}
                status = content.get('status')
                if status == 'error':
                    rec['status'] = 'error'
                    rec['ename'] = content.get('ename')
                    rec['evalue'] = content.get('evalue')
                elif status in ('abort', 'aborted'):
                    rec['status'] = 'aborted'
                elif status != 'ok':
                    rec['status'] = 'error'
                    rec['message'] = 'no execute_reply status (%r)' % (status,)
                rec['execution_count'] = content.get('execution_count')
                if cell.get('execution_count') is None and isinstance(content.get('execution_count'), int):
                    cell.execution_count = content['execution_count']  # tslab sends no execute_input
            except CellTimeoutError:
                rec['status'] = 'timeout'
                try:
                    from nbclient.util import run_sync
                    run_sync(client.km.interrupt_kernel)()
                    time.sleep(1.0)
                except Exception as e:
                    rec['message'] = 'interrupt failed: %s' % e
            except DeadKernelError:
                rec['status'] = 'error'
                rec['ename'] = 'KernelDied'
                rec['message'] = 'the kernel died while running this cell'
            except KeyError as e:
                # nbclient's error handling needs 'ename', which tslab's error reply lacks.
                rec['status'] = 'error'
                rec['message'] = 'the kernel reported an error (nbclient: KeyError %s on the error reply)' % e
            rec['duration'] = (time.monotonic() - t0) * 1000
            cells.append(rec)
            if rec['status'] != 'ok' and not args['allow_errors']:
                break
            if rec.get('ename') == 'KernelDied':
                break
except Exception as e:
    out['fatal'] = 'nbclient failed: %s: %s' % (type(e).__name__, e)
    out['traceback'] = traceback.format_exc()
nbformat.write(nb, args['output'])
emit(out)
`;

interface DriverCell {
  index: number;
  status: 'ok' | 'error' | 'aborted' | 'timeout';
  message: string;
  ename?: string | null;
  evalue?: string | null;
  execution_count?: number | null;
  duration: number;
}

interface DriverResult {
  cells?: DriverCell[];
  fatal?: string;
  traceback?: string;
}

export function defaultPython(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export async function runWithNbclient(path: string, original: Notebook, options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const timeoutS = options.timeout ?? 600;
  const dir = mkdtempSync(join(tmpdir(), 'rnnkit-nbclient-'));
  const kernelName = `rnnkit-tslab-${process.pid}-${Date.now()}`;
  writeKernelSpec(join(dir, 'jupyter'), kernelName, 'TypeScript (rnn-course-kit runner)');
  const outputFile = join(dir, 'executed.ipynb');
  const resultFile = join(dir, 'result.json');
  const indices = original.cells.flatMap((c, i) => (isCodeCellToRun(c) ? [i] : []));
  const args = {
    input: path, output: outputFile, result: resultFile, kernel: kernelName, timeout: timeoutS,
    allow_errors: !!options.allowErrors, cwd: options.cwd ?? dirname(path), indices,
    startup_timeout: options.startTimeout ?? 60,
  };
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.NODE_TEST_CONTEXT;
  env.JUPYTER_PATH = [join(dir, 'jupyter'), env.JUPYTER_PATH].filter(Boolean).join(delimiter);
  const base: RunResult = { ok: false, path, engine: 'nbclient', cells: [], cancelled: false, notebook: structuredClone(original), duration: 0 };
  try {
    const python = options.python ?? defaultPython();
    const child = spawn(python, ['-c', DRIVER, JSON.stringify(args)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (b: Buffer) => { log = (log + b.toString('utf8')).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const onAbort = () => child.kill('SIGINT');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const exit = await new Promise<{ code: number | null; error?: Error }>((res) => {
      child.once('error', (error) => res({ code: null, error }));
      child.once('exit', (code) => res({ code }));
    });
    options.signal?.removeEventListener('abort', onAbort);
    if (exit.error) return { ...base, message: `cannot run ${python}: ${exit.error.message}`, duration: Date.now() - started };
    let driver: DriverResult;
    try {
      driver = JSON.parse(readFileSync(resultFile, 'utf8')) as DriverResult;
    } catch {
      return { ...base, cancelled: !!options.signal?.aborted, message: `nbclient ended (exit code ${exit.code}) without a result:\n${log.trim()}`, duration: Date.now() - started };
    }
    const nb = existsSync(outputFile) ? parseNotebook(readFileSync(outputFile, 'utf8'), 'the executed notebook') : base.notebook;
    if (original.metadata.kernelspec) nb.metadata.kernelspec = original.metadata.kernelspec;
    const result: RunResult = { ...base, notebook: nb, cancelled: !!options.signal?.aborted };
    if (driver.fatal) result.message = `${driver.fatal}${driver.traceback ? `\n${driver.traceback}` : ''}`;
    let codeCellNumber = 0;
    const numbers = new Map<number, number>();
    nb.cells.forEach((c, i) => { if (c.cell_type === 'code') numbers.set(i, ++codeCellNumber); });
    for (const d of driver.cells ?? []) {
      const cell = nb.cells[d.index]!;
      const outputs = cell.outputs ?? [];
      const cr: CellResult = {
        index: d.index,
        codeCellNumber: numbers.get(d.index) ?? 0,
        status: d.status,
        outputs,
        duration: d.duration,
        executionCount: d.execution_count ?? (typeof cell.execution_count === 'number' ? cell.execution_count : null),
        source: Array.isArray(cell.source) ? cell.source.join('') : cell.source,
      };
      if (d.status === 'error') {
        cr.error = describeError(outputs, { ename: d.ename ?? undefined, evalue: d.evalue ?? undefined }, d.message || 'the kernel reported an error without any message');
      } else if (d.status === 'aborted') {
        cr.error = { ename: 'Aborted', evalue: 'the kernel aborted the request', message: 'the kernel aborted the cell without running it (tslab aborts requests that arrive within 200 ms of an error)' };
      } else if (d.status === 'timeout') {
        cr.error = { ename: 'Timeout', evalue: `timed out after ${timeoutS} s`, message: `timed out after ${timeoutS} s; the kernel was interrupted${d.message ? ` (${d.message})` : ''}` };
      }
      result.cells.push(cr);
      options.onCellDone?.(cr);
      if (cr.status !== 'ok') result.failed ??= cr;
    }
    if (result.cancelled) result.message ??= 'the run was cancelled';
    result.ok = !result.failed && !result.message && result.cells.length === indices.length;
    if (!result.ok && !result.failed && !result.message) result.message = 'nbclient did not run every cell';
    result.duration = Date.now() - started;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
