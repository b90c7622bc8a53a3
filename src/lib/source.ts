/**
 * The TypeScript source of the library's own functions and classes, for notebooks: where a PyTorch
 * original notebook defined its utilities in a code cell (Lab 8's `train`, `test`, `run`), the port keeps them in
 * the library and shows their source in that place, so students can still read every step.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from './data/cache.js';
import { display } from './display.js';

export interface SourceSnippet {
  /** The declared name. */
  name: string;
  /** The file, relative to the project root (e.g. `src/lib/training/loop.ts`). */
  file: string;
  /** 1-based line of the declaration's first line (its doc comment, when it has one). */
  line: number;
  /** The declaration with its doc comment, as written. */
  code: string;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

let index: Map<string, SourceSnippet> | undefined;

/** Top-level `export function|class|const NAME` declarations of src/lib, with their doc comments. */
function declarations(): Map<string, SourceSnippet> {
  if (index) return index;
  const root = projectRoot();
  const lib = join(root, 'src', 'lib');
  let files: string[];
  try {
    files = tsFiles(lib);
  } catch {
    throw new Error(`The library's TypeScript sources are not installed (no ${lib}); read them in the course kit's repository.`);
  }
  index = new Map();
  const decl = /^export (?:async )?(?:abstract )?(?:function\*?|class|const) ([A-Za-z_$][\w$]*)/;
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = decl.exec(lines[i]!);
      if (!m || index.has(m[1]!)) continue;
      // the declaration ends at the first line that closes it at column 0
      let end = i;
      if (!/;\s*$/.test(lines[i]!)) {
        while (end < lines.length && !/^[}\]]/.test(lines[end]!)) end++;
      }
      // its doc comment: the /** ... */ block right above it
      let start = i;
      if (i > 0 && /\*\/\s*$/.test(lines[i - 1]!)) {
        let j = i - 1;
        while (j >= 0 && !lines[j]!.trimStart().startsWith('/**')) j--;
        if (j >= 0) start = j;
      }
      index.set(m[1]!, { name: m[1]!, file: relative(root, file), line: start + 1, code: lines.slice(start, end + 1).join('\n') });
    }
  }
  return index;
}

/** The source of a library function or class, by name or by the value itself. */
export function librarySource(item: string | { name: string }): SourceSnippet {
  const name = typeof item === 'string' ? item : item.name;
  const hit = declarations().get(name);
  if (!hit) throw new Error(`'${name}' is not a function or class of the course library (src/lib)`);
  return hit;
}

/**
 * Shows the source of library functions or classes in the notebook (a highlighted code block each,
 * headed by its file), or prints it in plain Node: `showSource(train, test, run)`.
 */
export function showSource(...items: (string | { name: string })[]): void {
  if (items.length === 0) throw new Error('showSource: name at least one function or class');
  const snippets = items.map(librarySource);
  const md = snippets.map((s) => `**\`${s.name}\`** — \`${s.file}\`, line ${s.line}\n\n\`\`\`typescript\n${s.code}\n\`\`\``).join('\n\n');
  const text = snippets.map((s) => `// ${s.file}:${s.line}\n${s.code}`).join('\n\n');
  display({ 'text/markdown': md, 'text/plain': text });
}
