/**
 * What the grading tests of the course notebooks share: the project they grade with, whether its
 * built library is ready, and a half-done submission. Not a test file itself.
 */
import { join } from 'node:path';
import { findRegions, lines } from '../../src/grading/markers.js';
import { cellText, type Notebook } from '../../src/notebook/codec.js';
import { root } from './paths.js';

/** The built project the grader runs submissions against: this one. */
export const gradingRoot = root;

/** Why grading cannot run (the built library lacks one of `names`), or undefined when it can. */
export async function libraryReady(names: string[]): Promise<string | undefined> {
  try {
    // What a submission sees: the package's root entry and its nn and random subpaths, as built.
    const lib: Record<string, unknown> = {};
    for (const entry of ['index', 'nn', 'random']) Object.assign(lib, await import(join(gradingRoot, 'dist', 'api', `${entry}.js`)));
    const missing = names.filter((n) => typeof lib[n] !== 'function');
    return missing.length ? `the built library lacks ${missing.join(', ')} (npm run build)` : undefined;
  } catch (e) {
    return `the library is not built (${(e as Error).message})`;
  }
}

/** The student version with only the first region of each task cell filled from the instructor version. */
export function halfDone(student: Notebook, instructor: Notebook): Notebook {
  const cells = student.cells.map((c, i) => {
    if (!(c.metadata as { task?: string }).task) return c;
    const s = lines(cellText(c));
    const ins = lines(cellText(instructor.cells[i]!));
    const rs = findRegions(s, ['student']);
    const ri = findRegions(ins, ['student']);
    const out = s.slice();
    out.splice(rs[0]!.start, rs[0]!.end - rs[0]!.start, ...ins.slice(ri[0]!.start, ri[0]!.end));
    return { ...c, source: out.join('\n') };
  });
  return { ...student, cells };
}
