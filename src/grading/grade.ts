/**
 * Grading: one submission (a notebook) or many (in parallel, each task in its own sandboxed
 * child). The student's notebook is only read; in a worker thread under a time limit the code each
 * task needs is assembled, refused (not found, not implemented, solutions import, syntax error,
 * too large), type-checked and transpiled (prepare.ts); it runs in the sandbox, and the validated
 * plain-data observation is judged here, in the grader's process, against the reference.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { mapLine, type Assembled } from './assemble.js';
import { Pool } from './pool.js';
import { Preparer, type Prepared } from './prepare.js';
import { TASK_LINE } from './plain.js';
import { referenceEnv } from './reference-env.js';
import { failedTask, judgedResult, round } from './scoring.js';
import { DEFAULT_LIMITS, runInSandbox, type Isolation, type Limits, type Outcome } from './sandbox.js';
import { transpile } from './typecheck.js';
import type { Course, SubmissionResult, TaskDef, TaskResult, Verdict } from './types.js';

export interface GradeOptions {
  root: string;
  limits?: Partial<Limits>;
  /** Parallel children (default: the number of cores). */
  concurrency?: number;
  /** `bwrap` (default): every task in its own bubblewrap sandbox; `none` only for trusted work (`--no-sandbox`). */
  isolation?: Isolation;
  /** Time limit for reading, assembling and type-checking one notebook (seconds, default 120). */
  prepareSeconds?: number;
}

const references = new Map<string, Promise<unknown>>();

function referenceFor(course: Course, task: TaskDef): Promise<unknown> {
  const key = `${course.module}#${task.id}`;
  if (!references.has(key)) {
    const p = task.reference(referenceEnv(course));
    p.catch(() => references.delete(key));
    references.set(key, p);
  }
  return references.get(key)!;
}

function outcomeReason(o: Outcome): string | undefined {
  switch (o.kind) {
    case 'ok': return undefined;
    case 'fatal': return `error: ${o.error}`;
    case 'timeout': return `timed out after ${o.seconds} s`;
    case 'memory': return `used more than ${o.mb} MB of memory (stopped)`;
    case 'crash': return o.error;
    case 'unsafe': return `not graded: no sandbox (${o.error}); grade untrusted work only in a sandbox, or pass --no-sandbox for trusted work`;
  }
}

async function gradeTask(course: Course, task: TaskDef, a: Assembled, typeErrors: string[] | undefined, opts: GradeOptions, pool: Pool): Promise<TaskResult> {
  const location = a.cell >= 0 ? `cell ${a.cell + 1}${a.foundBy === 'metadata' ? '' : ` (found by ${a.foundBy === 'markers' ? 'markers' : 'name'})`}` : undefined;
  if (a.problem) return failedTask(task, a.problem.reason, 0, location);
  if (typeErrors?.length) return failedTask(task, `type error: ${typeErrors.join('; ')}`, 0, location);
  const limits: Limits = { ...DEFAULT_LIMITS, ...(task.timeoutSeconds ? { timeoutSeconds: task.timeoutSeconds } : {}), ...opts.limits };
  let reference: unknown;
  try {
    reference = await referenceFor(course, task);
  } catch (e) {
    return failedTask(task, `grader error: the reference could not be computed (${(e as Error).message})`, 0, location, 'error');
  }
  // The task's own time: from when its child starts (not while it waits for a free slot).
  let t0 = Date.now();
  const outcome = await pool.run(() => {
    t0 = Date.now();
    return runInSandbox({ root: opts.root, courseModule: course.module, taskId: task.id, js: a.js ?? transpile(a.source), limits, isolation: opts.isolation });
  });
  const why = outcomeReason(outcome);
  if (why || outcome.kind !== 'ok') {
    return withCellLines(failedTask(task, why ?? 'no result', Date.now() - t0, location, outcome.kind === 'unsafe' ? 'error' : 'failed'), a);
  }
  let verdicts: Verdict[];
  try {
    verdicts = task.judge(outcome.observation, reference);
  } catch (e) {
    return failedTask(task, `the result could not be checked (${(e as Error).message})`, Date.now() - t0, location);
  }
  return withCellLines(judgedResult(task, verdicts, Date.now() - t0, location), a);
}

/** "[at task.ts:N]" in reasons (errors thrown by the code) becomes "(cell C, line L)". */
function withCellLines(r: TaskResult, a: Assembled): TaskResult {
  const fix = (s: string): string => s.replace(TASK_LINE, (_m, n: string) => {
    const where = mapLine(a, Number(n) - 1);
    return where ? ` (cell ${where.cell + 1}, line ${where.line + 1})` : '';
  });
  return { ...r, reason: fix(r.reason), checks: r.checks.map((c) => ({ ...c, reason: fix(c.reason) })) };
}

export async function gradeNotebook(file: string, course: Course, opts: GradeOptions, pool = new Pool(opts.concurrency ?? defaultConcurrency()), student?: string,
  preparer?: Preparer): Promise<SubmissionResult> {
  const name = student ?? basename(file).replace(/\.ipynb$/, '');
  const max = course.tasks.reduce((s, t) => s + t.checks.reduce((a, c) => a + c.points, 0), 0);
  const result = (tasks: TaskResult[]): SubmissionResult => ({ student: name, file, points: round(tasks.reduce((s, t) => s + t.points, 0)), max, tasks });
  const own = preparer ? undefined : new Preparer(1, opts.prepareSeconds);
  let prepared: Prepared;
  try {
    prepared = await (preparer ?? own!).run({ file, where: basename(file), tasks: course.tasks.map((t) => ({ id: t.id, name: t.name })), root: opts.root });
  } finally {
    await own?.close();
  }
  if (prepared.error !== undefined) {
    const reason = prepared.error;
    return result(course.tasks.map((t) => failedTask(t, reason, 0, undefined, prepared.errorStatus ?? 'failed')));
  }
  const tasks = await Promise.all(course.tasks.map((t, i) => gradeTask(course, t, prepared.tasks[i]!.assembled, prepared.tasks[i]!.typeErrors, opts, pool)
    .catch((e: Error) => failedTask(t, `grader error: ${e.message}`, 0, undefined, 'error'))));
  return result(tasks);
}

export function defaultConcurrency(): number {
  return Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2);
}

/** The notebooks under a folder (recursively, checkpoints skipped), with a student name each. */
export function findSubmissions(path: string): Array<{ student: string; file: string }> {
  const abs = resolve(path);
  if (!statSync(abs).isDirectory()) return [{ student: basename(abs).replace(/\.ipynb$/, ''), file: abs }];
  const out: Array<{ student: string; file: string }> = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ipynb')) out.push({ student: relative(abs, p).replace(/\.ipynb$/, ''), file: p });
    }
  };
  walk(abs);
  return out;
}

/** Grades many submissions; one failing never stops the others. */
export async function gradeMany(subs: Array<{ student: string; file: string }>, course: Course, opts: GradeOptions,
  onDone?: (r: SubmissionResult) => void): Promise<SubmissionResult[]> {
  const pool = new Pool(opts.concurrency ?? defaultConcurrency());
  const preparer = new Preparer(opts.concurrency ?? defaultConcurrency(), opts.prepareSeconds);
  try {
    return await gradeAll(subs, course, opts, pool, preparer, onDone);
  } finally {
    await preparer.close();
  }
}

function gradeAll(subs: Array<{ student: string; file: string }>, course: Course, opts: GradeOptions, pool: Pool, preparer: Preparer,
  onDone?: (r: SubmissionResult) => void): Promise<SubmissionResult[]> {
  return Promise.all(subs.map(async (s) => {
    const r = await gradeNotebook(s.file, course, opts, pool, s.student, preparer).catch((e: Error) => ({
      student: s.student, file: s.file, points: 0, max: 0,
      tasks: course.tasks.map((t) => failedTask(t, `grader error: ${e.message}`, 0, undefined, 'error')),
    }));
    onDone?.(r);
    return r;
  }));
}
