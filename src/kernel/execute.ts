/**
 * Makes tslab's execute replies speak the Jupyter protocol as clients expect (jupyter_kernel_test,
 * nbclient, nbgrader, JupyterLab):
 * - `execute_input` with the execution count when a cell starts;
 * - the value of a cell's last expression as an `execute_result` (Out[n]), not stdout text;
 * - a failed cell as one `error` message and an error `execute_reply` carrying ename, evalue and
 *   traceback (tslab printed the error to stderr and replied without them: nbclient raised
 *   KeyError 'ename', nbconvert showed `<Error>:` with no text);
 * - an aborted request (tslab aborts the requests arriving within 200 ms of an error) with the
 *   fields an abort reply has.
 * It wraps tslab's executor console (the executor reports the last value with `log` and every
 * failure with `error`) and `ZmqServer.handleExecute`.
 */
import { format } from 'node:util';
import { diagnosticsError, errorText, thrownError, type ErrorTriple } from './errors.js';
import { markPatched } from './tslab.js';

interface ZmqMessage {
  header: { msg_type: string };
  content: Record<string, unknown>;
  createReply(): ZmqMessage;
  signAndSend(key: string, sock: unknown): void;
}
interface ZmqServerLike {
  connInfo: { key: string };
  iopub: unknown;
  handler: { handleExecute(req: unknown, writeStream: unknown, writeDisplayData: unknown): Promise<Record<string, unknown>> };
}
interface HandlerLike {
  execCount: number;
  handleExecuteImpl(req: object, writeStream: unknown, writeDisplayData: unknown): Promise<unknown>;
}
interface ExecutorConsole {
  log: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
}
type CreateExecutor = (rootDir: string, convs: unknown, console: ExecutorConsole) => unknown;

/** One execute request while it runs. */
interface Run {
  send(msgType: string, content: Record<string, unknown>): void;
  count: number;
  thrown: unknown[];
  diagnostics: string[];
  printed: string[];
}

const runs = new WeakMap<object, Run>();
let current: Run | null = null;

/** Explains a diagnostic in one line (the kit not found from the notebook's folder), if it can. */
export type DiagnosticHint = (line: string) => string | undefined;
let diagnosticHint: DiagnosticHint | undefined;
export function setDiagnosticHint(hint: DiagnosticHint | undefined): void {
  diagnosticHint = hint;
}

/**
 * Told of every finished cell (its code, execution count, and error and thrown value when it
 * failed); may return the error rewritten for a student (task-context.ts). A hook that throws
 * leaves the error as it was.
 */
export type CellHook = (cell: { code: string; count: number; error?: ErrorTriple; thrown?: unknown }) => Promise<ErrorTriple | undefined>;
let cellHook: CellHook | undefined;
export function setCellHook(hook: CellHook | undefined): void {
  cellHook = hook;
}

async function afterCell(code: string, run: Run, error?: ErrorTriple): Promise<ErrorTriple | undefined> {
  if (!cellHook) return error;
  const thrown = error && run.thrown.length ? run.thrown[run.thrown.length - 1] : undefined;
  try {
    return (await cellHook({ code, count: run.count, error, ...(thrown !== undefined ? { thrown } : {}) })) ?? error;
  } catch {
    return error;
  }
}

function errorOf(run: Run | undefined): ErrorTriple {
  if (run?.thrown.length) return thrownError(run.thrown[run.thrown.length - 1]);
  if (run?.diagnostics.length) return diagnosticsError(run.diagnostics, diagnosticHint);
  const text = run?.printed.join('\n').trim();
  return { ename: 'Error', evalue: text || 'the cell failed', traceback: text ? text.split('\n') : [] };
}

export function patchExecute(jupyter: { ZmqServer: { prototype: object }; JupyterHandlerImpl: { prototype: object } }, executor: { createExecutor: CreateExecutor }): void {
  if (markPatched(executor, 'execute-console')) {
    const create = executor.createExecutor;
    executor.createExecutor = (rootDir, convs, fallback) => create(rootDir, convs, {
      log: (...args) => {
        if (!current) return fallback.log(...args);
        current.send('execute_result', { execution_count: current.count, data: { 'text/plain': format(...args) }, metadata: {} });
      },
      error: (...args) => {
        if (!current) return fallback.error(...args);
        if (args.length === 1) current.thrown.push(args[0]);
        else if (args[0] === '%s%d:%d - %s') current.diagnostics.push(errorText(args));
        else current.printed.push(errorText(args));
      },
    });
  }

  const handler = jupyter.JupyterHandlerImpl.prototype as HandlerLike;
  if (markPatched(handler, 'execute-input')) {
    const impl = handler.handleExecuteImpl;
    handler.handleExecuteImpl = async function (this: HandlerLike, req, writeStream, writeDisplayData) {
      const run = runs.get(req);
      if (!run) return impl.call(this, req, writeStream, writeDisplayData);
      run.count = this.execCount + 1; // tslab counts when the cell starts
      run.send('execute_input', { code: String((req as { code?: unknown }).code ?? ''), execution_count: run.count });
      current = run;
      try {
        return await impl.call(this, req, writeStream, writeDisplayData);
      } finally {
        if (current === run) current = null;
      }
    };
  }

  const server = jupyter.ZmqServer.prototype as { handleExecute(this: ZmqServerLike, sock: unknown, msg: ZmqMessage): Promise<void> };
  if (!markPatched(server, 'execute-reply')) return;
  server.handleExecute = async function (this: ZmqServerLike, sock, msg) {
    const key = this.connInfo.key;
    const publish = (msgType: string, content: Record<string, unknown>): void => {
      const out = msg.createReply();
      out.header.msg_type = msgType;
      out.content = content;
      out.signAndSend(key, this.iopub);
    };
    const run: Run = { send: publish, count: 0, thrown: [], diagnostics: [], printed: [] };
    runs.set(msg.content, run);
    const writeStream = (name: string, text: string) => publish('stream', { name, text });
    const writeDisplayData = (data: Record<string, unknown>, update: boolean) => publish(update ? 'update_display_data' : 'display_data', data);
    const content = await this.handler.handleExecute(msg.content, writeStream, writeDisplayData);
    runs.delete(msg.content);
    const code = String(msg.content['code'] ?? '');
    if (content.status === 'error') {
      const error = (await afterCell(code, run, errorOf(run)))!;
      publish('error', { ...error });
      Object.assign(content, error);
    } else if (content.status === 'ok') {
      await afterCell(code, run);
    }
    if (content.status !== 'error' && (run.diagnostics.length || run.printed.length)) {
      // diagnostics of a cell that still ran (a `//%module` cell): shown, not lost
      publish('stream', { name: 'stderr', text: `${[...run.diagnostics, ...run.printed].join('\n')}\n` });
    }
    if (content.status === 'abort') {
      Object.assign(content, {
        ename: 'Aborted',
        evalue: 'not run: the kernel skips requests that arrive within 200 ms of a failed cell',
        traceback: [],
      });
    }
    const reply = msg.createReply();
    reply.header.msg_type = 'execute_reply';
    reply.content = content;
    reply.signAndSend(key, sock);
  };
}
