/**
 * The sandboxed side of grading: runs in a child process (as an unprivileged user when the grader
 * is root, cwd in a fresh temp dir). Reads its job from stdin, loads the student's task module,
 * lets the task exercise it, and writes the observation — plain data tagged with the run's nonce
 * — to file descriptor 3. It never judges anything: the grader compares in its own process.
 *
 * Everything it needs from the outside world (the writer, JSON.stringify, the nonce) is captured
 * before the student's code is loaded; loading the course's solutions is refused by a resolve hook.
 */
import { readFileSync, writeSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { harden, tfjsMeasuringObjects } from './harden.js';

interface Job {
  nonce: string;
  root: string;
  courseModule: string;
  taskId: string;
  studentModule: string;
  envModule: string;
}

const write = writeSync;
const stringify = JSON.stringify;
const exit = process.exit.bind(process);
const job = JSON.parse(readFileSync(0, 'utf8')) as Job;
const nonce = job.nonce;

function send(message: Record<string, unknown>): void {
  let text: string;
  try {
    text = stringify({ ...message, nonce }, replacer) + '\n';
  } catch (e) {
    text = stringify({ fatal: `the result could not be sent (${(e as Error).message})`, nonce }) + '\n';
  }
  let off = 0;
  const buf = Buffer.from(text);
  while (off < buf.length) off += write(3, buf, off);
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const text = `${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}`.slice(0, 500);
    const m = /[/\\]task\.ts:(\d+):\d+/.exec(e.stack ?? '');
    return m ? `${text} [at task.ts:${m[1]}]` : text;
  }
  return String(e).slice(0, 500);
}

const solutionsDirs = [`${job.root}/src/solutions/`, `${job.root}/dist/solutions/`].map((p) => pathToFileURL(p).href);
const hook = String.raw`
const blocked = ${stringify(solutionsDirs)};
const refuse = () => { throw new Error('importing the reference solutions is not allowed'); };
export async function resolve(specifier, context, next) {
  if (/^rnn-course-kit\/solutions(\/|$)/.test(specifier)) refuse();
  const r = await next(specifier, context);
  if (blocked.some((b) => r.url.startsWith(b)) || /\/node_modules\/rnn-course-kit\/(src|dist)\/solutions\//.test(r.url)) refuse();
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

/** The prototype of the library's random generator (the instance itself keeps its state). */
function generatorClass(lib: Record<string, unknown>): unknown {
  const g = lib.defaultGenerator;
  return typeof g === 'object' && g !== null ? Object.getPrototypeOf(g) : undefined;
}

/** JSON has no NaN or Infinity: numbers that are not finite travel as `{ $nonfinite: "NaN" }`. */
function replacer(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { $nonfinite: String(v) } : v;
}

try {
  const courseMod = (await import(pathToFileURL(job.courseModule).href)) as { course: { tasks: Array<{ id: string; exercise: (i: unknown, e: unknown) => Promise<unknown> }> } };
  const task = courseMod.course.tasks.find((t) => t.id === job.taskId);
  if (!task) throw new Error(`unknown task ${job.taskId}`);
  const exercise = task.exercise;
  const env = (await import(pathToFileURL(job.envModule).href)) as { tf: Parameters<typeof tfjsMeasuringObjects>[0]; loadLib: () => Promise<unknown> };
  // Everything the measurement uses is loaded (the library too: it registers its kernels and
  // fixes when it loads) and frozen before the student's module runs.
  const lib = (await env.loadLib()) as Record<string, unknown>;
  harden([courseMod.course, ...tfjsMeasuringObjects(env.tf), generatorClass(lib), exercise]);
  let student: Record<string, unknown>;
  try {
    student = (await import(pathToFileURL(job.studentModule).href)) as Record<string, unknown>;
  } catch (e) {
    send({ fatal: `error while loading the code: ${errorText(e)}` });
    exit(0);
  }
  const observation = await exercise(student!.__rnnkit_task__, { tf: env.tf, loadLib: async () => lib });
  send({ observation });
} catch (e) {
  send({ fatal: errorText(e) });
}
exit(0);
