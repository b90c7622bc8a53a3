/**
 * Immediate feedback in the notebook, like otter-grader's `grader.check("q1")`:
 *
 *   await check('lab8.vanilla', VanillaRNN);
 *
 * runs the same check definitions as the grader (src/grading/tasks/<lab>.ts) on the class or
 * function just written, in the notebook's own process, and prints one line per check: passed,
 * or what differs (shape, max abs difference and where, which parameter got no gradient). Never
 * the reference values. Checks whose reference needs the solutions (gradients, other sizes) are
 * compared with them when the package has them, else reduced or marked "not checked here".
 */
import { failedTask, judgedResult } from './scoring.js';
import { loadSolutions, referenceEnv } from './reference-env.js';
import { COURSES } from './tasks/index.js';
import { solutionsEnabled } from '../lib/settings.js';
import type { Course, TaskResult } from './types.js';

const registered = new Map<string, Course>();

/** Makes a course's tasks available to `check` (the built-in labs are found by their id prefix). */
export function registerCourse(course: Course): void {
  registered.set(course.id, course);
}

async function findCourse(taskId: string): Promise<Course | undefined> {
  const prefix = taskId.split('.')[0]!;
  if (registered.has(prefix)) return registered.get(prefix);
  const load = COURSES[prefix];
  return load ? (await load()).course : undefined;
}

/** Runs a task's checks on `impl` and returns the result (no printing). */
export async function checkResult(taskId: string, impl: unknown): Promise<TaskResult> {
  const t0 = Date.now();
  const course = await findCourse(taskId);
  const task = course?.tasks.find((t) => t.id === taskId);
  if (!course || !task) throw new Error(`unknown task '${taskId}'`);
  const refEnv = referenceEnv(course, false);
  let reference: unknown;
  try {
    reference = await task.reference(refEnv);
  } catch (e) {
    return failedTask(task, `the check could not run: ${(e as Error).message}`, Date.now() - t0, undefined, 'error');
  }
  // the exercise sees what it sees in the sandbox: tfjs and the library, not the solutions
  const observation = await task.exercise(impl, { tf: refEnv.tf, loadLib: refEnv.loadLib });
  try {
    return judgedResult(task, task.judge(observation, reference), Date.now() - t0);
  } catch (e) {
    return failedTask(task, `the result could not be checked (${(e as Error).message})`, Date.now() - t0);
  }
}

export function formatCheck(r: TaskResult): string {
  // marks every font has (emoji such as ✅ show as empty boxes without an emoji font)
  const head = r.points >= r.max ? `✓ ${r.task} passed: ${r.points}/${r.max}` : `✗ ${r.task}: ${r.points}/${r.max}`;
  const said = new Set<string>(); // each distinct reason once: a failure often fails every later check too
  const rows = r.checks.map((c) => {
    if (c.passed) return `  ✓ ${c.title}`;
    const again = said.has(c.reason);
    said.add(c.reason);
    return `  ${c.skipped ? '–' : '✗'} ${c.title}: ${again ? '(the same reason as above)' : c.reason}`;
  });
  return [head, ...rows].join('\n');
}

/**
 * The reference solution of a task (its class or function from the course's solution module), for
 * the instructor toggle; undefined when the solutions are not installed.
 */
export async function solutionOf(taskId: string): Promise<unknown> {
  const course = await findCourse(taskId);
  // graded tasks and the open-ended ones (whose solutions the instructor toggle hands over too)
  const task = course && [...course.tasks, ...(course.ungraded ?? [])].find((t) => t.id === taskId);
  if (!course || !task) return undefined;
  return (await loadSolutions(course))?.[task.name];
}

/**
 * Prints the checks of `taskId` for `impl` (a class or function). Returns nothing (tslab prints
 * values). With the instructor toggle RNNKIT_SOLUTIONS=1 it checks the reference solution instead,
 * as the notebook's other cells use it, and says so.
 */
export async function check(taskId: string, impl: unknown): Promise<void> {
  if (solutionsEnabled()) {
    const sol = await solutionOf(taskId);
    if (sol === undefined) throw new Error(`RNNKIT_SOLUTIONS=1 but the reference solution of '${taskId}' could not be loaded`);
    console.log(`(RNNKIT_SOLUTIONS=1: checking the reference solution)\n${formatCheck(await checkResult(taskId, sol))}`);
    return;
  }
  console.log(formatCheck(await checkResult(taskId, impl)));
}
