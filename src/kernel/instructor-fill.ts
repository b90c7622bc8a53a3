/**
 * The instructor toggle inside the kernel: with RNNKIT_SOLUTIONS=1 every executed task cell runs
 * with its START/END OF YOUR CODE regions filled from src/solutions, by the same fill as the
 * instructor build (`fillTaskRegions`). An execute_request carries only code, so the task is found
 * from the code itself: the code outside the regions is matched against the kit's task cells (the
 * source notebooks); if the author edited it, a declaration of the task's class or function that
 * only one task has decides.
 */
import { existsSync } from 'node:fs';
import { buildTasks, cellTask, declares, fillTaskRegions } from '../grading/build.js';
import { findRegions, lines } from '../grading/markers.js';
import { COURSES, loadCourse } from '../grading/tasks/index.js';
import type { Course } from '../grading/types.js';
import { cellText, readNotebook } from '../notebook/codec.js';

interface KnownTask {
  course: Course;
  taskId: string;
  name: string;
  skeleton: string;
}

/** The code outside a cell's START/END regions, lines trimmed, blank lines dropped: what identifies a task cell. */
export function skeleton(code: string): string {
  const ls = lines(code);
  const inside = new Set<number>();
  for (const r of findRegions(ls, ['student'])) for (let i = r.start; i < r.end; i++) inside.add(i);
  return ls.filter((_, i) => !inside.has(i)).map((l) => l.trim()).filter((l) => l !== '').join('\n');
}

let known: Promise<KnownTask[]> | undefined;

/** The task cells of every course's source notebook (read once per kernel). */
function knownTasks(): Promise<KnownTask[]> {
  known ??= (async () => {
    const out: KnownTask[] = [];
    for (const id of Object.keys(COURSES)) {
      const course = await loadCourse(id);
      if (!existsSync(course.notebook)) continue;
      for (const cell of readNotebook(course.notebook).cells) {
        if (cell.cell_type !== 'code') continue;
        const taskId = cellTask(cell, course);
        const name = buildTasks(course).find((t) => t.id === taskId)?.name;
        if (taskId && name) out.push({ course, taskId, name, skeleton: skeleton(cellText(cell)) });
      }
    }
    return out;
  })();
  return known;
}

/** The task an executed cell's code belongs to, or undefined (not a task cell). */
export async function findTask(code: string): Promise<KnownTask | undefined> {
  if (findRegions(lines(code), ['student']).length === 0) return undefined;
  const tasks = await knownTasks();
  const sk = skeleton(code);
  const same = tasks.filter((t) => t.skeleton === sk);
  if (same.length >= 1) return same[0];
  const byName = tasks.filter((t) => declares(code, t.name));
  return byName.length === 1 ? byName[0] : undefined;
}

/** The code to run for an executed cell: a task cell with its regions filled from the solutions, any other cell as it is. */
export async function instructorCode(code: string): Promise<string> {
  const task = await findTask(code);
  if (!task) return code;
  return fillTaskRegions(lines(code), task.course, task.taskId).join('\n');
}
