/**
 * Which task an executed cell's code belongs to. An execute_request carries only code, so the task
 * is found from the code itself: the code outside its START/END OF YOUR CODE regions is matched
 * against the task cells of the kit's source notebooks; if the author edited it, a declaration of
 * the task's class or function that only one task has decides. Used by the instructor toggle
 * (instructor-fill.ts) and by the task naming of students' errors (task-context.ts).
 */
import { existsSync } from 'node:fs';
import { findRegions, lines } from '../grading/markers.js';
import { cellTaskId } from '../grading/cell-metadata.js';
import { COURSES, loadCourse } from '../grading/tasks/index.js';
import type { Course } from '../grading/types.js';
import { cellText, readNotebook } from '../notebook/codec.js';

export interface KnownTask {
  course: Course;
  taskId: string;
  /** The class or function the student writes. */
  name: string;
  /** The task's title in the course ("Task 2.1: VanillaRNN"). */
  title: string;
  skeleton: string;
}

/** The code outside a cell's START/END regions, lines trimmed, blank lines dropped: what identifies a task cell. */
export function skeleton(code: string): string {
  const ls = lines(code);
  const inside = new Set<number>();
  for (const r of findRegions(ls, ['student'])) for (let i = r.start; i < r.end; i++) inside.add(i);
  return ls.filter((_, i) => !inside.has(i)).map((l) => l.trim()).filter((l) => l !== '').join('\n');
}

/**
 * The names a cell declares at its top level (classes, functions, const/let/var, also destructured):
 * what later cells use, and what tslab forgets when the cell fails.
 */
export function declaredNames(code: string): string[] {
  const out = new Set<string>();
  for (const m of code.matchAll(/^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(class|function\*?|const|let|var)\s+([\w$]+|[[{][^=]*?[\]}])/gm)) {
    const target = m[2]!;
    if (/^[\w$]+$/.test(target)) out.add(target);
    // destructuring: every identifier that is not a property key before a colon
    else for (const n of target.replace(/[\w$]+\s*:/g, '').matchAll(/[A-Za-z_$][\w$]*/g)) out.add(n[0]);
  }
  return [...out];
}

let known: Promise<KnownTask[]> | undefined;

/** The task cells of every course's source notebook (read once per kernel). */
function knownTasks(): Promise<KnownTask[]> {
  known ??= (async () => {
    const out: KnownTask[] = [];
    for (const id of Object.keys(COURSES)) {
      const course = await loadCourse(id);
      if (!existsSync(course.notebook)) continue;
      const tasks = [...course.tasks, ...(course.ungraded ?? [])];
      for (const cell of readNotebook(course.notebook).cells) {
        if (cell.cell_type !== 'code') continue;
        const code = cellText(cell);
        if (findRegions(lines(code), ['student']).length === 0) continue;
        const names = declaredNames(code);
        const taskId = cellTaskId(cell) ?? tasks.find((t) => names.includes(t.name))?.id;
        const task = tasks.find((t) => t.id === taskId);
        if (task) out.push({ course, taskId: task.id, name: task.name, title: task.title, skeleton: skeleton(code) });
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
  const names = declaredNames(code);
  const byName = tasks.filter((t) => names.includes(t.name));
  return byName.length === 1 ? byName[0] : undefined;
}
