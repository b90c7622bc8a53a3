/**
 * The kit's cell metadata (`metadata.rnnkit`): what the grader and the builds read from a notebook
 * beyond nbformat. Reading and writing notebooks is the project's one codec, src/notebook/codec.ts.
 */
import type { NotebookCell as Cell } from '../notebook/codec.js';

/** The `rnnkit` metadata of a cell (`{"rnnkit": {"task": "lab8.vanilla"}}`), or {}. */
export function rnnkitMeta(cell: Cell): Record<string, unknown> {
  const m = cell.metadata?.rnnkit;
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
}

/** The task id of a cell: `metadata.rnnkit.task` or, as the Lab 8 generator writes it, `metadata.task`. */
export function cellTaskId(cell: Cell): string | undefined {
  const t = rnnkitMeta(cell).task ?? cell.metadata?.task;
  return typeof t === 'string' ? t : undefined;
}

/** True for instructor-only cells: `metadata.rnnkit.instructor` or `metadata.instructor`. */
export function isInstructorCell(cell: Cell): boolean {
  return rnnkitMeta(cell).instructor === true || cell.metadata?.instructor === true;
}
