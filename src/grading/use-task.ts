/**
 * The instructor toggle for any task of any lab, as `useCell` is for Lab 8's recurrent cells:
 *
 *   const RNNImpl = await useTask('i2dl.rnn', RNN);
 *
 * returns what the notebook's later cells should use: the student's `impl` (the class or function
 * just written in the task cell), or, with RNNKIT_SOLUTIONS=1, the reference solution of that task
 * (the export named like the task's class/function in the course's solution module), so that an
 * instructor's copy runs from top to bottom whatever the task cells hold.
 */
import { solutionOf } from './check.js';
import { COURSES } from './tasks/index.js';
import { solutionsEnabled } from '../lib/settings.js';

export async function useTask<T>(taskId: string, impl: T): Promise<T> {
  if (typeof taskId !== 'string' || !taskId.includes('.')) throw new TypeError(`useTask: the first argument is a task id like 'i2dl.rnn', got ${JSON.stringify(taskId)}`);
  if (!solutionsEnabled()) return impl;
  const prefix = taskId.split('.')[0]!;
  if (!COURSES[prefix]) throw new Error(`useTask: unknown lab '${prefix}' (known: ${Object.keys(COURSES).join(', ')})`);
  const sol = await solutionOf(taskId);
  if (sol === undefined) throw new Error(`RNNKIT_SOLUTIONS=1 but the reference solution of '${taskId}' could not be loaded (is the task id right, and are the solutions built?)`);
  return sol as T;
}
