/**
 * The instructor toggle inside the kernel: with RNNKIT_SOLUTIONS=1 every executed task cell runs
 * with its START/END OF YOUR CODE regions filled from src/solutions, by the same fill as the
 * instructor build (`fillTaskRegions`); task-cells.ts finds the task from the cell's code.
 */
import { fillTaskRegions } from '../grading/build.js';
import { lines } from '../grading/markers.js';
import { findTask } from './task-cells.js';

/** The code to run for an executed cell: a task cell with its regions filled from the solutions, any other cell as it is. */
export async function instructorCode(code: string): Promise<string> {
  const task = await findTask(code);
  if (!task) return code;
  return fillTaskRegions(lines(code), task.course, task.taskId).join('\n');
}
