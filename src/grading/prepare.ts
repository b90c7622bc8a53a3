/**
 * Preparing a submission for its tasks' sandboxes: read the notebook (a regular file only, size
 * capped), parse it, assemble each task's code, refuse what cannot run, type-check, transpile.
 * All of it works on student text, so it runs in worker threads under a time and memory limit
 * (`Preparer`): a notebook that makes any step slow or huge fails itself, never the class.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assembleTask, parseCells, type Assembled, type TaskRef } from './assemble.js';
import { NotebookError, parseNotebook } from '../notebook/codec.js';
import { Pool } from './pool.js';
import { transpile, typecheck, type TypeErrors } from './typecheck.js';

/** The largest notebook read (bytes). */
export const MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024;
/** The largest assembled task (characters of TypeScript). */
export const MAX_TASK_CHARS = 1024 * 1024;
/** Memory of one preparing worker's V8 heap (MB). */
const WORKER_HEAP_MB = 2048;

export interface PrepareJob {
  file: string;
  /** How reasons name the file ("alice.ipynb"). */
  where: string;
  tasks: TaskRef[];
  root: string;
}

export interface Prepared {
  /** Set when the notebook cannot be graded at all: the reason for every task. */
  error?: string;
  /** `error` (the grader failed, regrade) rather than `failed` (the submission's fault). */
  errorStatus?: 'failed' | 'error';
  tasks: Array<{ assembled: Assembled; typeErrors?: string[] }>;
}

/** Reads a submission: a regular file (never a FIFO, device or symlink), at most MAX_NOTEBOOK_BYTES. */
export function readSubmission(file: string, where: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NotebookError(code === 'ELOOP' ? `${where} is a symbolic link: not graded (copy the notebook itself into the folder)`
      : `${where} could not be read (${code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotebookError(`${where} is not a regular file: not graded`);
    if (st.size > MAX_NOTEBOOK_BYTES) throw new NotebookError(`${where} is larger than ${MAX_NOTEBOOK_BYTES / 1024 / 1024} MB: not graded (clear the outputs and submit again)`);
    const buf = Buffer.alloc(st.size + 1);
    let n = 0;
    for (;;) {
      const k = readSync(fd, buf, n, buf.length - n, null);
      if (k === 0) break;
      n += k;
      if (n > st.size) throw new NotebookError(`${where} changed while it was read: not graded`);
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Everything up to the sandbox, for one submission (runs in a worker thread). */
export function prepareSubmission(job: PrepareJob): Prepared {
  let cells: ReturnType<typeof parseCells>;
  try {
    cells = parseCells(parseNotebook(readSubmission(job.file, job.where), job.where));
  } catch (e) {
    if (e instanceof NotebookError) return { error: e.message, tasks: [] };
    return { error: `the notebook could not be read (${(e as Error).name})`, tasks: [] };
  }
  const assembled = job.tasks.map((t) => assembleTask(cells, t));
  for (const a of assembled) {
    if (!a.problem && a.source.length > MAX_TASK_CHARS) {
      a.problem = { status: 'size', reason: `the code this task needs is larger than ${MAX_TASK_CHARS / 1024} KB: not graded` };
    }
  }
  let typeErrors: Map<string, TypeErrors>;
  try {
    typeErrors = typecheck(job.root, assembled.filter((a) => !a.problem));
  } catch (e) {
    return { error: `grader error: type check failed (${(e as Error).message})`, errorStatus: 'error', tasks: [] };
  }
  return {
    tasks: assembled.map((a) => {
      const errs = typeErrors.get(a.taskId)?.messages;
      if (!a.problem && !errs) a.js = transpile(a.source);
      return { assembled: a, ...(errs ? { typeErrors: errs } : {}) };
    }),
  };
}

const here = fileURLToPath(import.meta.url);
const workerPath = here.replace(/prepare\.(ts|js)$/, 'prepare-worker.$1');

/**
 * Worker threads that prepare submissions, at most `size` at once, each job under a time limit:
 * a worker past it (or out of memory) is ended and replaced; a worker that finished is reused (its
 * parsed library declarations stay cached).
 */
export class Preparer {
  private idle: Worker[] = [];
  private all = new Set<Worker>();
  private pool: Pool;
  constructor(size: number, readonly seconds = 120) {
    this.pool = new Pool(size);
  }

  run(job: PrepareJob): Promise<Prepared> {
    return this.pool.run(() => this.runOne(job));
  }

  private runOne(job: PrepareJob): Promise<Prepared> {
    const w = this.idle.pop() ?? this.spawn();
    return new Promise<Prepared>((resolve) => {
      let settled = false;
      const finish = (r: Prepared, reusable: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        w.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
        if (reusable) { w.unref(); this.idle.push(w); } else { this.all.delete(w); void w.terminate(); }
        resolve(r);
      };
      const timer = setTimeout(() => finish({ error: `reading and checking the notebook took longer than ${this.seconds} s (stopped)`, tasks: [] }, false), this.seconds * 1000);
      w.on('message', (r: Prepared) => finish(r, true));
      w.on('error', (e: Error & { code?: string }) => finish(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? { error: `reading and checking the notebook needed more than ${WORKER_HEAP_MB} MB of memory (stopped)`, tasks: [] }
        : { error: `grader error: ${e.message}`, errorStatus: 'error', tasks: [] }, false));
      w.on('exit', (code) => finish({ error: `grader error: the preparing worker exited (${code})`, errorStatus: 'error', tasks: [] }, false));
      w.ref();
      w.postMessage(job);
    });
  }

  private spawn(): Worker {
    const resourceLimits = { maxOldGenerationSizeMb: WORKER_HEAP_MB };
    // From the sources (tests), the worker registers tsx itself before loading the TypeScript entry.
    const w = workerPath.endsWith('.ts')
      ? new Worker(`(async () => { (await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).register();
          await import(${JSON.stringify(pathToFileURL(workerPath).href)}); })();`, { eval: true, resourceLimits })
      : new Worker(workerPath, { resourceLimits });
    this.all.add(w);
    return w;
  }

  /** Ends the workers (idle ones would otherwise keep nothing alive, but free their memory). */
  async close(): Promise<void> {
    const ws = [...this.all];
    this.all.clear();
    this.idle = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
