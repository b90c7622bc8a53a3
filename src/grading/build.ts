/**
 * Student and instructor notebooks from one source notebook per lab.
 *
 * - Cells marked `{"rnnkit": {"instructor": true}}` and lines between `// BEGIN INSTRUCTOR` and
 *   `// END INSTRUCTOR` (the RNNKIT_SOLUTIONS toggle) are dropped from both versions: the student
 *   version must not reveal it, the instructor version has the code in place.
 * - In task cells, each START/END OF YOUR CODE region is emptied (student; a placeholder made only
 *   of comments is kept) or filled with the matching region of the solution source (instructor):
 *   the k-th region of the task's class/function in the solution file (between BEGIN/END SOLUTION
 *   or START/END OF YOUR CODE) goes into the k-th region of the task cell.
 * - Inline `// BEGIN SOLUTION` ... `// END SOLUTION` regions in the source are removed (student)
 *   or unwrapped (instructor).
 * - Answer cells (`metadata.question`) hold the instructor answer (src/solutions/*-answers.ts) in
 *   the instructor version.
 * - Outputs are cleared and execution counts nulled; the text is written deterministically.
 * - The student version is checked for leaks (solution lines, solutions imports, the toggle);
 *   a leak fails the build.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { findRegions, isCodeFree, lines, regionBody, regionIsEmpty, replaceRegions } from './markers.js';
import { cellText, parseNotebook, serializeNotebook, storedText, type NotebookCell as Cell, type Notebook } from '../notebook/codec.js';
import { cellTaskId, isInstructorCell } from './cell-metadata.js';
import type { Course } from './types.js';
import { i2dlAnswers, lab8Answers, rnnlstmAnswers } from '../solutions/index.js';

/** The instructor answers of each lab's question cells (`metadata.question` = `<lab>.<key>`). */
const ANSWERS: Record<string, Readonly<Record<string, { answer: string }>>> = { lab8: lab8Answers, i2dl: i2dlAnswers, rnnlstm: rnnlstmAnswers };

/** An answer cell of the instructor version. */
export function answerCellText(questionId: string): string | undefined {
  const dot = questionId.indexOf('.');
  const answer = ANSWERS[questionId.slice(0, dot)]?.[questionId.slice(dot + 1)]?.answer;
  return answer === undefined ? undefined : `<font color='green'>**Answer.**</font>\n\n${answer}`;
}

export class BuildError extends Error {
  override name = 'BuildError';
}

const SOLUTION_MARKER = /^\s*\/\/\s*(BEGIN|END) SOLUTION\b/i;
const BEGIN_INSTRUCTOR = /^\s*(?:\/\/|<!--)\s*BEGIN INSTRUCTOR\b/i;
const END_INSTRUCTOR = /^\s*(?:\/\/|<!--)\s*END INSTRUCTOR\b/i;
/** Mentions of the instructor toggle: comment lines and markdown paragraphs with these go from the student version. */
const TOGGLE_TEXT = /RNNKIT_SOLUTIONS|rnn-course-kit\/solutions/;
export const LEAK_PATTERNS: RegExp[] = [
  /rnn-course-kit\/solutions/, /\b(src|dist)\/solutions\b/, /RNNKIT_SOLUTIONS/, /BEGIN SOLUTION/i, /BEGIN INSTRUCTOR/i, /\bsolutionsEnabled\b|\buseSolutions\b/,
];

/** The solution regions (bodies) of each declaration in a solution source file, by name. */
export function solutionRegions(file: string): Map<string, string[][]> {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out = new Map<string, string[][]>();
  for (const st of sf.statements) {
    let name: string | undefined;
    if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && st.name) name = st.name.text;
    else if (ts.isVariableStatement(st)) {
      const d = st.declarationList.declarations[0];
      if (d && ts.isIdentifier(d.name)) name = d.name.text;
    }
    if (!name) continue;
    const ls = lines(text.slice(st.getStart(sf), st.end));
    // START/END OF YOUR CODE regions when the solution has them (nested BEGIN/END SOLUTION marker
    // lines dropped), else BEGIN/END SOLUTION regions.
    const student = findRegions(ls, ['student']);
    const regions = student.length ? student : findRegions(ls, ['solution']);
    out.set(name, regions.map((r) => regionBody(ls, r).filter((l) => !SOLUTION_MARKER.test(l))));
  }
  return out;
}

function stripInstructorBlocks(text: string): string {
  const out: string[] = [];
  let inside = false;
  for (const l of lines(text)) {
    if (!inside && BEGIN_INSTRUCTOR.test(l)) { inside = true; continue; }
    if (inside) { if (END_INSTRUCTOR.test(l)) inside = false; continue; }
    out.push(l);
  }
  return out.join('\n');
}

/** Inline BEGIN/END SOLUTION regions: removed with their markers (student) or unwrapped (instructor). */
function inlineSolutions(ls: string[], keep: boolean): string[] {
  const regions = findRegions(ls, ['solution']);
  const out = ls.slice();
  for (let k = regions.length - 1; k >= 0; k--) {
    const r = regions[k]!;
    if (keep) {
      out.splice(r.end, 1);
      out.splice(r.start - 1, 1);
    } else out.splice(r.start - 1, r.end - r.start + 2);
  }
  return out;
}

export function declares(text: string, name: string): boolean {
  return new RegExp(`(^|\\n)\\s*(export\\s+)?(default\\s+)?(abstract\\s+)?(class|function\\*?|const|let|var)\\s+${name}\\b`).test(text);
}

/** The task a source cell belongs to (metadata first, else markers plus the task's name). */
export function cellTask(cell: Cell, course: Course): string | undefined {
  const meta = cellTaskId(cell);
  if (meta) return meta;
  const text = cellText(cell);
  if (findRegions(lines(text), ['student']).length === 0) return undefined;
  return buildTasks(course).find((t) => declares(text, t.name))?.id;
}

/** The tasks whose cells the builds fill: the graded ones and the open-ended (ungraded) ones. */
export function buildTasks(course: Course): { id: string; name: string }[] {
  return [...course.tasks, ...(course.ungraded ?? [])];
}

/**
 * The instructor code of a task cell (the instructor build and the kernel's RNNKIT_SOLUTIONS=1
 * toggle both use it): the k-th START/END OF YOUR CODE region of `ls` holds the k-th solution
 * region of the task's declaration in the course's solution file.
 */
export function fillTaskRegions(ls: string[], course: Course, taskId: string, solutions = solutionRegions(course.solutionFile)): string[] {
  const task = buildTasks(course).find((t) => t.id === taskId);
  if (!task) throw new BuildError(`${basename(course.notebook)}: a cell is marked as task '${taskId}', which ${course.id} does not define`);
  const bodies = solutions.get(task.name);
  if (!bodies) throw new BuildError(`${basename(course.solutionFile)} has no top-level \`${task.name}\` for task ${task.id}`);
  const regions = findRegions(ls, ['student']);
  if (bodies.length !== regions.length) {
    throw new BuildError(`task ${task.id}: the task cell has ${regions.length} START/END region(s) but \`${task.name}\` in ${basename(course.solutionFile)} has ${bodies.length} BEGIN/END SOLUTION region(s)`);
  }
  return replaceRegions(ls, regions, bodies);
}

export interface BuiltNotebooks {
  student: Notebook;
  instructor: Notebook;
  /** Lines of solution code (trimmed) that must not appear in the student version. */
  solutionLines: string[];
}

export function buildNotebooks(course: Course): BuiltNotebooks {
  const source = parseNotebook(readFileSync(course.notebook, 'utf8'), basename(course.notebook));
  const solutions = solutionRegions(course.solutionFile);
  const student: Cell[] = [];
  const instructor: Cell[] = [];
  const scaffold = new Set<string>();
  const solutionLines = new Set<string>();
  for (const cell of source.cells) {
    if (isInstructorCell(cell)) continue;
    const base: Cell = { ...cell, metadata: JSON.parse(JSON.stringify(cell.metadata ?? {})) as Record<string, unknown> };
    if (cell.cell_type !== 'code') {
      const text = stripInstructorBlocks(cellText(cell));
      // Paragraphs telling instructors about the toggle are not for students.
      const studentText = text.split(/\n[ \t]*\n/).filter((p) => !TOGGLE_TEXT.test(p)).join('\n\n');
      if (studentText.trim() !== '') student.push({ ...base, source: studentText });
      const question = base.metadata.question;
      const answer = typeof question === 'string' ? answerCellText(question) : undefined;
      instructor.push({ ...base, source: answer ?? text });
      continue;
    }
    const text = stripInstructorBlocks(cellText(cell));
    const ls = lines(text);
    const taskId = cellTask(cell, course);
    let sLines = inlineSolutions(ls, false);
    let iLines = inlineSolutions(ls, true);
    for (const r of findRegions(ls, ['solution'])) for (const l of regionBody(ls, r)) solutionLines.add(l.trim());
    if (taskId) {
      iLines = fillTaskRegions(iLines, course, taskId, solutions);
      const name = buildTasks(course).find((t) => t.id === taskId)!.name;
      for (const b of solutions.get(name)!) for (const l of b) solutionLines.add(l.trim());
      const sRegions = findRegions(sLines, ['student']);
      const placeholders = sRegions.map((r) => (regionIsEmpty(sLines, r) ? regionBody(sLines, r).filter((l) => l.trim() !== '' && !/^\s*pass;?\s*$/.test(l)) : []));
      sLines = replaceRegions(sLines, sRegions, placeholders);
    }
    // Comments about the toggle are not for students (code mentioning it is a leak, caught below).
    sLines = sLines.filter((l) => !(TOGGLE_TEXT.test(l) && l.trim().startsWith('//')));
    for (const l of sLines) scaffold.add(l.trim());
    const clean = (c: Cell, body: string[]): Cell => ({ ...c, source: body.join('\n'), outputs: [], execution_count: null });
    student.push(clean(base, sLines));
    instructor.push(clean({ ...base, metadata: JSON.parse(JSON.stringify(base.metadata)) as Record<string, unknown> }, iLines));
  }
  const meta = (build: string): Record<string, unknown> => {
    const m: Record<string, unknown> = { ...source.metadata, rnnkit: { ...(source.metadata.rnnkit as object ?? {}), build, course: course.id } };
    // The Lab 8 generator's own flag, kept consistent.
    if (typeof m.lab === 'object' && m.lab !== null) m.lab = { ...(m.lab as object), instructor: build === 'instructor' };
    return m;
  };
  const nb = (cells: Cell[], build: string): Notebook => ({ nbformat: source.nbformat, nbformat_minor: source.nbformat_minor, metadata: meta(build), cells });
  // Lines that are scaffold anyway (in the student version) or trivial are not evidence of a leak.
  const significant = [...solutionLines].filter((l) => !isCodeFree(l) && l.replace(/\s/g, '').length >= 8 && !scaffold.has(l));
  const built = { student: nb(student, 'student'), instructor: nb(instructor, 'instructor'), solutionLines: significant };
  const leaks = findLeaks(built.student, significant);
  if (leaks.length) throw new BuildError(`the student version of ${basename(course.notebook)} would reveal the solutions:\n  ${leaks.join('\n  ')}`);
  return built;
}

/** Leaks in a student notebook: toggle/solutions references and solution lines, as "cell N: ...". */
export function findLeaks(nb: Notebook, solutionLines: string[]): string[] {
  const sol = new Set(solutionLines);
  const out: string[] = [];
  nb.cells.forEach((cell, i) => {
    const text = cellText(cell);
    for (const re of LEAK_PATTERNS) if (re.test(text)) out.push(`cell ${i + 1}: matches ${re}`);
    for (const l of lines(text)) if (sol.has(l.trim())) out.push(`cell ${i + 1}: solution line \`${l.trim()}\``);
    if (JSON.stringify(cell.outputs ?? []) !== '[]') out.push(`cell ${i + 1}: has outputs`);
  });
  return out;
}

export interface WrittenNotebooks {
  student: string;
  instructor: string;
}

export function writeBuilt(course: Course, outDir: string, built = buildNotebooks(course)): WrittenNotebooks {
  const name = basename(course.notebook);
  const paths = { student: join(outDir, 'student', name), instructor: join(outDir, 'instructor', name) };
  for (const k of ['student', 'instructor'] as const) {
    mkdirSync(join(outDir, k), { recursive: true });
    writeFileSync(paths[k], serializeNotebook(built[k]));
    copyFigures(built[k], dirname(course.notebook), join(outDir, k));
  }
  return paths;
}

/**
 * A notebook without tasks (a demonstration such as Lab 9) as both builds ship it: outputs cleared,
 * its figures beside it.
 */
export function writePlain(notebook: string, outDir: string): WrittenNotebooks {
  const nb = parseNotebook(readFileSync(notebook, 'utf8'), basename(notebook));
  const paths = { student: join(outDir, 'student', basename(notebook)), instructor: join(outDir, 'instructor', basename(notebook)) };
  for (const k of ['student', 'instructor'] as const) {
    mkdirSync(join(outDir, k), { recursive: true });
    writeFileSync(paths[k], storedText(nb));
    copyFigures(nb, dirname(notebook), join(outDir, k));
  }
  return paths;
}

/** The relative image files (`figures/x.svg`) a notebook's Markdown shows. */
export function figureFiles(nb: Notebook): string[] {
  const found = new Set<string>();
  for (const c of nb.cells) {
    if (c.cell_type !== 'markdown') continue;
    for (const m of cellText(c).matchAll(/(?:<img\b[^>]*\bsrc="|!\[[^\]]*\]\()([^"):]+\.(?:svg|png|jpe?g|gif))["\s)]/g)) found.add(m[1]!);
  }
  return [...found];
}

/** Copies the figures a built notebook shows next to it, so that the build folder is self-contained. */
function copyFigures(nb: Notebook, fromDir: string, toDir: string): void {
  for (const rel of figureFiles(nb)) {
    const clean = normalize(rel);
    if (clean.startsWith('..')) throw new BuildError(`a figure outside the notebooks folder cannot be shipped: ${rel}`);
    const from = join(fromDir, clean);
    if (!existsSync(from)) throw new BuildError(`${rel}, shown in ${nb.metadata.rnnkit ? String((nb.metadata.rnnkit as { course?: string }).course) : 'a notebook'}, does not exist in ${fromDir}`);
    mkdirSync(dirname(join(toDir, clean)), { recursive: true });
    copyFileSync(from, join(toDir, clean));
  }
}
