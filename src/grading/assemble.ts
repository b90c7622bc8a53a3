/**
 * Finding a task in a student's notebook and cutting out exactly the code it needs.
 *
 * - Locating: a code cell whose metadata says `{"rnnkit": {"task": id}}` and that declares the
 *   task's class/function; else a cell with START/END markers that declares it; else any cell
 *   that declares it at top level. When several do (a copied cell), the last one wins, as in a
 *   kernel run top to bottom.
 * - Assembling: the task's declaration plus, transitively, the top-level declarations and imports
 *   it refers to, from any code cell (helpers the student moved to other cells, setup imports),
 *   in notebook order. Statements that do things (training runs, prints, checks) are left out.
 *   Imports are re-emitted one binding per line so copies of an import never collide.
 * - A segment map turns positions in the assembled file back into "cell N, line L".
 */
import ts from 'typescript';
import { cellTaskId, cellText, type Notebook } from './notebook.js';
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
  /** Set when the task cannot run: the reason (not found, not implemented, solutions import, syntax error). */
  problem?: { status: 'missing' | 'stub' | 'forbidden' | 'syntax'; reason: string };
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

/** The cell and declaration of a task (see the module comment for the rules). */
export function locateTask(cells: ParsedCell[], task: TaskDef): { cell: ParsedCell; decls: Decl[]; foundBy: Assembled['foundBy'] } | undefined {
  const declaring = cells.filter((c) => c.decls.some((d) => d.names.includes(task.name)));
  const pick = (cs: ParsedCell[]): ParsedCell | undefined => cs[cs.length - 1];
  const byMeta = pick(declaring.filter((c) => c.taskMeta === task.id));
  const byMarkers = pick(declaring.filter((c) => hasMarkers(c.text)));
  const byName = pick(declaring);
  const cell = byMeta ?? byMarkers ?? byName;
  if (!cell) return undefined;
  return { cell, decls: cell.decls.filter((d) => d.names.includes(task.name)), foundBy: byMeta ? 'metadata' : byMarkers ? 'markers' : 'name' };
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

export function assembleTask(cells: ParsedCell[], task: TaskDef): Assembled {
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
  for (const c of cells) {
    for (const d of c.decls) for (const n of d.names) declsByName.set(n, [...(declsByName.get(n) ?? []), d]);
    for (const b of c.imports) importsByName.set(b.name, [...(importsByName.get(b.name) ?? []), b]);
  }
  const chooseCell = <T extends { cell: number }>(xs: T[]): number => {
    const before = xs.filter((x) => x.cell <= cell.index);
    return before.length ? before[before.length - 1]!.cell : xs[0]!.cell;
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
        for (const x of ds.filter((x) => x.cell === dCell)) if (!chosenDecls.has(x)) { chosenDecls.add(x); queue.push(x); }
      } else if (is) {
        chosenImports.set(name, is.filter((x) => x.cell === iCell)[0]!);
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
  for (const c of cells) {
    if (![...chosenDecls].some((d) => d.cell === c.index) && ![...chosenImports.values()].some((b) => b.cell === c.index)) continue;
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
  for (const b of imports) {
    const c = cells.find((x) => x.index === b.cell)!;
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
