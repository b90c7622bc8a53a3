/**
 * The marker blocks that delimit a student's code:
 *
 *   // ########################################################################
 *   // #                          START OF YOUR CODE                          #
 *   // ########################################################################
 *   ...
 *   // ########################################################################
 *   // #                           END OF YOUR CODE                           #
 *   // ########################################################################
 *
 * and, in solution files, the same blocks or nbgrader's `// BEGIN SOLUTION` / `// END SOLUTION`.
 * A region's body is the lines strictly between the two blocks (rule lines excluded).
 */
export type MarkerKind = 'student' | 'solution';

// Student text is matched by hand, in one pass per line: no regular expression with nested or
// adjacent quantifiers (`// ` + 300,000 spaces made the former ones backtrack for minutes).

/** The text after a line's comment opener (`//`, `#`, and with `block` also `/*`, `/**`...), or undefined. */
function commentBody(line: string, block: boolean): string | undefined {
  const t = line.trim();
  if (t.startsWith('//')) return t.slice(2);
  if (t.startsWith('#')) return t.slice(1);
  if (block && t.startsWith('/*')) {
    let i = 1;
    while (t[i] === '*') i++;
    return t.slice(i);
  }
  return undefined;
}

/** `// ### START OF YOUR CODE ...`: the phrase after the opener, optional `#`s and spaces, as a word. */
function isMarkerLine(line: string, phrase: string, hashes: boolean): boolean {
  const body = commentBody(line, hashes);
  if (body === undefined) return false;
  let i = 0;
  const skipSpace = (): void => { while (i < body.length && body[i]!.trim() === '') i++; };
  skipSpace();
  if (hashes) {
    while (body[i] === '#') i++;
    skipSpace();
  }
  if (body.slice(i, i + phrase.length).toUpperCase() !== phrase) return false;
  const next = body[i + phrase.length];
  return next === undefined || !/\w/.test(next);
}

const isStart = (l: string): boolean => isMarkerLine(l, 'START OF YOUR CODE', true);
const isEnd = (l: string): boolean => isMarkerLine(l, 'END OF YOUR CODE', true);
const isBeginSolution = (l: string): boolean => isMarkerLine(l, 'BEGIN SOLUTION', false);
const isEndSolution = (l: string): boolean => isMarkerLine(l, 'END SOLUTION', false);

/** A rule line of a marker block: `// #####...` or `//////...` (also `# ====`, `// ----`). */
function isRule(line: string): boolean {
  const body = commentBody(line, false)?.trim();
  if (body === undefined || body.length < 8) return false;
  for (const ch of body) if (!'#/=*-'.includes(ch)) return false;
  return true;
}

export interface Region {
  /** Index of the first body line. */
  start: number;
  /** Index one past the last body line. */
  end: number;
  /** Indentation of the marker line (for re-indenting filled code). */
  indent: string;
  kind: MarkerKind;
}

/** Lines of a text, without their line ends. */
export function lines(text: string): string[] {
  return text.split('\n');
}

export function findRegions(ls: string[], kinds: MarkerKind[] = ['student', 'solution']): Region[] {
  const out: Region[] = [];
  for (let i = 0; i < ls.length; i++) {
    const kind: MarkerKind | undefined = kinds.includes('student') && isStart(ls[i]!) ? 'student'
      : kinds.includes('solution') && isBeginSolution(ls[i]!) ? 'solution' : undefined;
    if (!kind) continue;
    const isClose = kind === 'student' ? isEnd : isEndSolution;
    let j = i + 1;
    while (j < ls.length && !isClose(ls[j]!)) j++;
    if (j >= ls.length) break; // an unterminated block is no region
    let start = i + 1;
    if (kind === 'student' && start < j && isRule(ls[start]!)) start++;
    let end = j;
    if (kind === 'student' && end > start && isRule(ls[end - 1]!)) end--;
    out.push({ start, end, indent: leadingSpace(ls[i]!), kind });
    i = j;
  }
  return out;
}

function leadingSpace(line: string): string {
  return line.slice(0, line.length - line.trimStart().length);
}

/** True when a line holds no code (blank or a comment only). */
export function isCodeFree(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('//') || (t.startsWith('/*') && t.endsWith('*/')) || t.startsWith('*') || /^pass;?$/.test(t);
}

export function regionBody(ls: string[], r: Region): string[] {
  return ls.slice(r.start, r.end);
}

export function regionIsEmpty(ls: string[], r: Region): boolean {
  return regionBody(ls, r).every(isCodeFree);
}

/** Re-indents lines from their common indentation to `indent`. */
export function reindent(body: string[], indent: string): string[] {
  const nonBlank = body.filter((l) => l.trim() !== '');
  const common = nonBlank.reduce((m, l) => Math.min(m, leadingSpace(l).length), nonBlank.length === 0 ? 0 : Infinity);
  return body.map((l) => (l.trim() === '' ? '' : indent + l.slice(common)));
}

/** Replaces the body of each region (in order) by `bodies[i]` (re-indented to the marker). */
export function replaceRegions(ls: string[], regions: Region[], bodies: string[][]): string[] {
  const out = ls.slice();
  for (let k = regions.length - 1; k >= 0; k--) {
    const r = regions[k]!;
    out.splice(r.start, r.end - r.start, ...reindent(bodies[k] ?? [], r.indent));
  }
  return out;
}
