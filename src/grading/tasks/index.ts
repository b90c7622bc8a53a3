/**
 * The courses the grader knows by id; any other course is loaded from a module path that exports
 * `course` (the fixture course in test/fixtures/grading is one).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Course } from '../types.js';

export const COURSES: Record<string, () => Promise<{ course: Course }>> = {
  lab8: () => import('./lab8.js'),
  i2dl: () => import('./i2dl.js'),
  rnnlstm: () => import('./rnnlstm.js'),
};

export async function loadCourse(spec: string): Promise<Course> {
  const known = COURSES[spec];
  if (known) return (await known()).course;
  const path = resolve(spec);
  if (!existsSync(path)) throw new Error(`unknown course '${spec}' (known: ${Object.keys(COURSES).join(', ')}, or a path to a module exporting \`course\`)`);
  const mod = (await import(pathToFileURL(path).href)) as { course?: Course };
  if (!mod.course) throw new Error(`${spec} does not export \`course\``);
  return mod.course;
}
