/**
 * Finding a task in a student's notebook and cutting out exactly the code it needs.
 *
 * - Locating: the last top-level declaration of the task's class/function in the notebook, as in
 *   a kernel run top to bottom (a copied cell, or a solution written in a new cell below the
 *   untouched stub, counts); the cell's task metadata or START/END markers only say how it was
 *   found. Likewise every name the task uses resolves to its last definition (at or above the
 *   task cell, else the first cell below that defines it).
 * - Assembling: the task's declaration plus, transitively, the top-level declarations and imports
 *   it refers to, from any code cell (helpers the student moved to other cells, setup imports),
 *   in notebook order. Statements that do things (training runs, prints, checks) are left out.
 *   Imports are re-emitted one binding per line so copies of an import never collide.
 * - A segment map turns positions in the assembled file back into "cell N, line L".
 */
import ts from 'typescript';
import { cellText, type Notebook } from '../notebook/codec.js';
import { cellTaskId } from './cell-metadata.js';
import { findRegions, lines, regionIsEmpty } from './markers.js';
import type { TaskDef } from './types.js';

interface Decl {
  cell: number;
  pos: number;
  names: string[];
  node: ts.Statement;
  text: string;
  sf: ts.SourceFile;
  checker: ts.TypeChecker;
}

interface ImportBinding {
  cell: number;
  pos: number;
  name: string;
  /** The import line for this binding alone. */
  text: string;
  module: string;
}

export interface ParsedCell {
  index: number;
  text: string;
  sf: ts.SourceFile;
  decls: Decl[];
  imports: ImportBinding[];
  syntaxErrors: ts.DiagnosticWithLocation[];
  taskMeta?: string;
}

export interface Segment {
  /** First line of the segment in the assembled file (0-based). */
  line: number;
  lineCount: number;
  /** Notebook cell index (0-based) and the line in that cell where the segment starts (0-based). */
  cell: number;
  cellLine: number;
}

export interface Assembled {
  taskId: string;
  /** The cell the task was found in (0-based) and how. */
  cell: number;
  foundBy: 'metadata' | 'markers' | 'name';
  source: string;
  segments: Segment[];
  /** The exported name the child picks up. */
  exportName: string;
  /** `source` transpiled to JavaScript (set when the submission is prepared off the main thread). */
  js?: string;
  /** Set when the task cannot run: the reason (not found, not implemented, solutions import, syntax error). */
  problem?: { status: 'missing' | 'stub' | 'forbidden' | 'syntax' | 'size'; reason: string };
}

export const EXPORT_NAME = '__rnnkit_task__';
const SOLUTIONS_RE = /(^|\/)rnn-course-kit\/solutions\b|(^|[/\\])(src|dist)[/\\]solutions\b|(^|\/)solutions(\/index)?(\.[jt]s)?$/;

function declNames(st: ts.Statement): string[] {
  if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)
    || ts.isEnumDeclaration(st)) && st.name) return [st.name.text];
  if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) return [st.name.text];
  if (ts.isVariableStatement(st)) {
    const out: string[] = [];
    const visit = (b: ts.BindingName): void => {
      if (ts.isIdentifier(b)) out.push(b.text);
      else for (const e of b.elements) if (!ts.isOmittedExpression(e)) visit(e.name);
    };
    for (const d of st.declarationList.declarations) visit(d.name);
    return out;
  }
  return [];
}

function importBindings(st: ts.ImportDeclaration, cell: number): ImportBinding[] {
  const mod = (st.moduleSpecifier as ts.StringLiteral).text;
  const q = JSON.stringify(mod);
  const clause = st.importClause;
  if (!clause) return [];
  const typeOnly = clause.isTypeOnly ? 'type ' : '';
  const out: ImportBinding[] = [];
  const add = (name: string, text: string): void => { out.push({ cell, pos: st.pos, name, text, module: mod }); };
  if (clause.name) add(clause.name.text, `import ${typeOnly}${clause.name.text} from ${q};`);
  const nb = clause.namedBindings;
  if (nb && ts.isNamespaceImport(nb)) add(nb.name.text, `import ${typeOnly}* as ${nb.name.text} from ${q};`);
  if (nb && ts.isNamedImports(nb)) {
    for (const el of nb.elements) {
      const orig = el.propertyName ? el.propertyName.text : el.name.text;
      const t = el.isTypeOnly ? 'type ' : typeOnly;
      add(el.name.text, `import ${t === 'type ' ? 'type ' : ''}{ ${orig === el.name.text ? orig : `${orig} as ${el.name.text}`} } from ${q};`);
    }
  }
  return out;
}

export function parseCells(nb: Notebook): ParsedCell[] {
  // All cells in one program (no lib, no module resolution): only to let the checker tell a
  // declaration's local names from the names it takes from elsewhere in the notebook.
  const texts = new Map<string, { index: number; text: string }>();
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== 'code') return;
    // tslab magics (%%...) are not TypeScript; blank them so positions stay put.
    texts.set(`/cells/cell${index + 1}.ts`, { index, text: cellText(cell).replace(/^%.*$/gm, (m) => ' '.repeat(m.length)) });
  });
  const options: ts.CompilerOptions = { noLib: true, noResolve: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, types: [] };
  const host: ts.CompilerHost = {
    getSourceFile: (f, lang) => { const t = texts.get(f); return t ? ts.createSourceFile(f, t.text, lang, true, ts.ScriptKind.TS) : undefined; },
    getDefaultLibFileName: () => '/lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/cells',
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => texts.has(f),
    readFile: (f) => texts.get(f)?.text,
  };
  const program = ts.createProgram({ rootNames: [...texts.keys()], options, host });
  const checker = program.getTypeChecker();
  const out: ParsedCell[] = [];
  for (const [file, { index, text }] of texts) {
    const sf = program.getSourceFile(file)!;
    const decls: Decl[] = [];
    const imports: ImportBinding[] = [];
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) imports.push(...importBindings(st, index));
      else {
        const names = declNames(st);
        if (names.length) decls.push({ cell: index, pos: st.getStart(sf), names, node: st, text: text.slice(st.getStart(sf), st.end), sf, checker });
      }
    }
    out.push({
      index, text, sf, decls, imports,
      syntaxErrors: (sf as unknown as { parseDiagnostics: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [],
      taskMeta: cellTaskId(nb.cells[index]!),
    });
  }
  return out;
}

/** Names a declaration takes from outside itself (not its own locals, parameters or members). */
function referencedNames(d: Decl): Set<string> {
  const out = new Set<string>();
  const node = d.node;
  const inside = (decl: ts.Declaration): boolean => decl.getSourceFile() === d.sf && decl.pos >= node.pos && decl.end <= node.end;
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const isMemberName = p && ((ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isQualifiedName(p) && p.right === n)
        || ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p)
          || ts.isMethodSignature(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isEnumMember(p)) && p.name === n));
      if (!isMemberName) {
        let sym: ts.Symbol | undefined;
        try {
          sym = p && ts.isShorthandPropertyAssignment(p) ? d.checker.getShorthandAssignmentValueSymbol(p) : d.checker.getSymbolAtLocation(n);
        } catch { sym = undefined; }
        const local = !!sym?.declarations?.length && sym.declarations.every(inside);
        if (!local) out.add(n.text);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

function hasMarkers(text: string): boolean {
  return findRegions(lines(text), ['student']).length > 0;
}

/**
 * The declarations that define `name` in a run of the notebook from top to bottom: the last one
 * of `decls` (all in one cell), with the overload signatures just before a function and every
 * part of a merged interface, enum or namespace.
 */
function lastDefinition(decls: Decl[], name: string): Decl[] {
  const mine = decls.filter((d) => d.names.includes(name));
  const last = mine[mine.length - 1];
  if (!last) return [];
  const n = last.node;
  if (ts.isInterfaceDeclaration(n) || ts.isModuleDeclaration(n) || ts.isEnumDeclaration(n)) return mine.filter((d) => d.node.kind === n.kind);
  if (ts.isFunctionDeclaration(n)) {
    const out = [last];
    for (let k = mine.length - 2; k >= 0; k--) {
      const f = mine[k]!.node;
      if (!ts.isFunctionDeclaration(f) || f.body) break;
      out.unshift(mine[k]!);
    }
    return out;
  }
  return [last];
}

/**
 * The cell and declaration of a task: the last top-level declaration of its name in the notebook,
 * as in a kernel run top to bottom (a solution in a new cell below the untouched stub counts).
 */
export function locateTask(cells: ParsedCell[], task: TaskDef | TaskRef): { cell: ParsedCell; decls: Decl[]; foundBy: Assembled['foundBy'] } | undefined {
  let cell: ParsedCell | undefined;
  for (const c of cells) if (c.decls.some((d) => d.names.includes(task.name))) cell = c;
  if (!cell) return undefined;
  const foundBy = cell.taskMeta === task.id ? 'metadata' : hasMarkers(cell.text) ? 'markers' : 'name';
  return { cell, decls: lastDefinition(cell.decls, task.name), foundBy };
}

function stringLiterals(node: ts.Node): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push(n.text);
    else if (ts.isTemplateExpression(n)) out.push(n.head.text + n.templateSpans.map((s) => s.literal.text).join(''));
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

function cellLabel(cell: number): string {
  return `cell ${cell + 1}`;
}

/** What assembling needs of a task: its id and the name of its class or function. */
export type TaskRef = Pick<TaskDef, 'id' | 'name'>;

export function assembleTask(cells: ParsedCell[], task: TaskRef): Assembled {
  const base = { taskId: task.id, source: '', segments: [], exportName: EXPORT_NAME };
  const found = locateTask(cells, task);
  if (!found) {
    const metaCell = cells.find((c) => c.taskMeta === task.id);
    const reason = metaCell
      ? `${cellLabel(metaCell.index)} is the task cell but no longer declares \`${task.name}\` (was it renamed?)`
      : `no cell declares \`${task.name}\` (the task cell was deleted or the ${task.name} was renamed)`;
    return { ...base, cell: -1, foundBy: 'name', problem: { status: 'missing', reason: `task not found: ${reason}` } };
  }
  const { cell, decls, foundBy } = found;
  const out: Assembled = { ...base, cell: cell.index, foundBy };

  // A stub left untouched: every marker region in the task's declaration holds no code.
  const declLines = decls.flatMap((d) => lines(d.text));
  const regions = findRegions(declLines, ['student']);
  if (regions.length > 0 && regions.every((r) => regionIsEmpty(declLines, r))) {
    out.problem = { status: 'stub', reason: `not implemented (the code between START and END OF YOUR CODE in ${cellLabel(cell.index)} is empty)` };
    return out;
  }

  // Collect the declarations and imports the task needs, transitively.
  const declsByName = new Map<string, Decl[]>();
  const importsByName = new Map<string, ImportBinding[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T): void => { const l = m.get(k); if (l) l.push(v); else m.set(k, [v]); };
  for (const c of cells) {
    for (const d of c.decls) for (const n of d.names) push(declsByName, n, d);
    for (const b of c.imports) push(importsByName, b.name, b);
  }
  // The cell a name comes from: the last one at or above the task cell, else the first below.
  const chooseCell = <T extends { cell: number }>(xs: T[]): number => {
    let best = -1;
    for (const x of xs) if (x.cell <= cell.index) best = x.cell;
    return best >= 0 ? best : xs[0]!.cell;
  };
  const chosenDecls = new Set<Decl>(decls);
  const chosenImports = new Map<string, ImportBinding>();
  const queue: Decl[] = [...decls];
  const done = new Set<string>([task.name]);
  while (queue.length) {
    const d = queue.pop()!;
    for (const name of referencedNames(d)) {
      if (done.has(name)) continue;
      done.add(name);
      const ds = declsByName.get(name);
      const is = importsByName.get(name);
      const dCell = ds ? chooseCell(ds) : -1;
      const iCell = is ? chooseCell(is) : -1;
      if (ds && (!is || dCell >= iCell)) {
        for (const x of lastDefinition(ds.filter((x) => x.cell === dCell), name)) if (!chosenDecls.has(x)) { chosenDecls.add(x); queue.push(x); }
      } else if (is) {
        let last: ImportBinding | undefined;
        for (const x of is) if (x.cell === iCell) last = x;
        chosenImports.set(name, last!);
      }
    }
  }

  // The solutions are off limits, whether imported statically or named in a string.
  for (const b of chosenImports.values()) {
    if (SOLUTIONS_RE.test(b.module)) {
      out.problem = { status: 'forbidden', reason: `imports the reference solutions ('${b.module}', ${cellLabel(b.cell)}): not allowed` };
      return out;
    }
  }
  for (const d of chosenDecls) {
    const bad = stringLiterals(d.node).find((s) => SOLUTIONS_RE.test(s));
    if (bad !== undefined) {
      out.problem = { status: 'forbidden', reason: `refers to the reference solutions ('${bad}', ${cellLabel(d.cell)}): not allowed` };
      return out;
    }
  }

  // Syntax errors in the cells we use.
  const usedCells = new Set<number>([...[...chosenDecls].map((d) => d.cell), ...[...chosenImports.values()].map((b) => b.cell)]);
  for (const c of cells) {
    if (!usedCells.has(c.index)) continue;
    const e = c.syntaxErrors[0];
    if (e) {
      const { line } = c.sf.getLineAndCharacterOfPosition(e.start);
      const msg = ts.flattenDiagnosticMessageText(e.messageText, ' ');
      out.problem = { status: 'syntax', reason: `syntax error in ${cellLabel(c.index)}, line ${line + 1}: ${msg}` };
      return out;
    }
  }

  // Emit: imports first (one binding per line), then declarations in notebook order.
  const parts: Array<{ text: string; cell: number; cellLine: number }> = [];
  const imports = [...chosenImports.values()].sort((a, b) => a.cell - b.cell || a.pos - b.pos);
  const byIndex = new Map(cells.map((c) => [c.index, c]));
  for (const b of imports) {
    const c = byIndex.get(b.cell)!;
    parts.push({ text: b.text, cell: b.cell, cellLine: c.sf.getLineAndCharacterOfPosition(b.pos).line });
  }
  const ordered = [...chosenDecls].sort((a, b) => a.cell - b.cell || a.pos - b.pos);
  for (const d of ordered) parts.push({ text: d.text, cell: d.cell, cellLine: d.sf.getLineAndCharacterOfPosition(d.pos).line });
  let line = 0;
  const texts: string[] = [];
  for (const p of parts) {
    const n = lines(p.text).length;
    out.segments.push({ line, lineCount: n, cell: p.cell, cellLine: p.cellLine });
    texts.push(p.text);
    line += n;
  }
  texts.push(`export { ${task.name} as ${EXPORT_NAME} };`);
  out.source = texts.join('\n') + '\n';
  return out;
}

/** "cell 5, line 3" for a 0-based line of the assembled file. */
export function mapLine(a: Assembled, line: number): { cell: number; line: number } | undefined {
  for (const s of a.segments) {
    if (line >= s.line && line < s.line + s.lineCount) return { cell: s.cell, line: s.cellLine + (line - s.line) };
  }
  return undefined;
}
