/**
 * Type-checks the assembled task files of one submission with the TypeScript compiler API, using
 * tslab's options (module ESNext, Node10 resolution, ES2022, not strict, skipLibCheck): code
 * that tslab would refuse is refused here, with the first errors mapped back to cell and line.
 *
 * All tasks of a submission share one program; parsed library files (lib.*.d.ts, tfjs and the
 * course library's .d.ts) are cached across programs, so after the first submission a check
 * costs a few hundred milliseconds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { mapLine, type Assembled } from './assemble.js';

export const TSLAB_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  esModuleInterop: true,
  experimentalDecorators: true,
  resolveJsonModule: true,
  jsx: ts.JsxEmit.React,
  skipLibCheck: true,
  noEmit: true,
};

const sourceCache = new Map<string, ts.SourceFile | undefined>();
let previous: ts.Program | undefined;
let counter = 0;

export interface TypeErrors {
  /** The first errors, "cell 5, line 3: Type 'string' is not assignable to type 'number'." */
  messages: string[];
}

/** Type-checks every assembled task; returns the errors per task id (absent when clean). */
export function typecheck(root: string, tasks: Assembled[]): Map<string, TypeErrors> {
  const dir = join(root, '.rnnkit-grading', `s${++counter}`);
  const files = new Map<string, Assembled>();
  for (const a of tasks) files.set(join(dir, `${a.taskId.replace(/[^\w.-]/g, '_')}.ts`), a);
  const options: ts.CompilerOptions = { ...TSLAB_OPTIONS, typeRoots: [join(root, 'node_modules', '@types')] };
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getCurrentDirectory = () => root;
  host.getSourceFile = (f, lang, onError) => {
    const a = files.get(f);
    if (a) return ts.createSourceFile(f, a.source, lang, true);
    if (!sourceCache.has(f)) sourceCache.set(f, getSourceFile(f, lang, onError));
    return sourceCache.get(f);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => files.get(f)?.source ?? readFile(f);
  const program = ts.createProgram({ rootNames: [...files.keys()], options, host, oldProgram: previous });
  previous = program;
  const out = new Map<string, TypeErrors>();
  for (const [f, a] of files) {
    const sf = program.getSourceFile(f)!;
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]
      .filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (!diags.length) continue;
    const messages = diags.slice(0, 3).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, ' ').split(`${root}/node_modules/`).join('');
      if (d.start === undefined) return text;
      const { line } = sf.getLineAndCharacterOfPosition(d.start);
      const where = mapLine(a, line);
      return where ? `cell ${where.cell + 1}, line ${where.line + 1}: ${text}` : text;
    });
    out.set(a.taskId, { messages });
  }
  return out;
}

/** Transpiles an assembled task to an ES module (no type check; `typecheck` did that). */
export function transpile(source: string): string {
  return ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true,
      inlineSourceMap: true, inlineSources: false,
    },
    fileName: 'task.ts',
    reportDiagnostics: false,
  }).outputText;
}

/** The project root: the folder with package.json named rnn-course-kit above this file. */
export function findProjectRoot(from: string): string {
  let dir = from;
  for (let i = 0; i < 10; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        if (JSON.parse(readFileSync(p, 'utf8')).name === 'rnn-course-kit') return dir;
      } catch { /* keep looking */ }
    }
    dir = join(dir, '..');
  }
  throw new Error(`cannot find the rnn-course-kit project above ${from}`);
}
