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

const START = /^\s*(?:\/\/|#|\/\*+)\s*#*\s*START OF YOUR CODE\b.*$/i;
const END = /^\s*(?:\/\/|#|\/\*+)\s*#*\s*END OF YOUR CODE\b.*$/i;
const BEGIN_SOL = /^\s*(?:\/\/|#)\s*BEGIN SOLUTION\b.*$/i;
const END_SOL = /^\s*(?:\/\/|#)\s*END SOLUTION\b.*$/i;
/** A rule line of a marker block: `// #####...` or `//////...` (also `# ====`, `// ----`). */
const RULE = /^\s*(?:\/\/|#)\s*[#/=*-]{8,}\s*$/;

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
    const kind: MarkerKind | undefined = kinds.includes('student') && START.test(ls[i]!) ? 'student'
      : kinds.includes('solution') && BEGIN_SOL.test(ls[i]!) ? 'solution' : undefined;
    if (!kind) continue;
    const endRe = kind === 'student' ? END : END_SOL;
    let j = i + 1;
    while (j < ls.length && !endRe.test(ls[j]!)) j++;
    if (j >= ls.length) break; // an unterminated block is no region
    let start = i + 1;
    if (kind === 'student' && start < j && RULE.test(ls[start]!)) start++;
    let end = j;
    if (kind === 'student' && end > start && RULE.test(ls[end - 1]!)) end--;
    out.push({ start, end, indent: /^\s*/.exec(ls[i]!)![0], kind });
    i = j;
  }
  return out;
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
  const common = nonBlank.length === 0 ? 0 : Math.min(...nonBlank.map((l) => /^\s*/.exec(l)![0].length));
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
