/**
 * A failed cell as Jupyter's error triple (ename, evalue, traceback), made for students: the
 * error's own message first, TypeScript diagnostics as `line:column - text`, and no stack frames
 * from inside the kit, tslab, Node or other packages (they say nothing about the student's code).
 * RNNKIT_VERBOSE=1 (instructors, `npm run notebook -- --verbose`) keeps every frame.
 */
import { format } from 'node:util';
import { setting } from '../lib/settings.js';
import { KIT_ROOT } from './tslab.js';

export interface ErrorTriple {
  ename: string;
  evalue: string;
  traceback: string[];
}

export function verboseErrors(): boolean {
  return setting('RNNKIT_VERBOSE') ?? false;
}

/** Whether a stack line belongs to the kit, a package, Node or tslab's evaluation wrapper. */
function isInternalFrame(line: string): boolean {
  return line.includes(KIT_ROOT) || /node_modules[\\/]|\(node:|at node:|evalmachine\.<anonymous>|<anonymous>\)?$/.test(line);
}

/** The error triple of a value thrown by a cell. */
export function thrownError(thrown: unknown, verbose = verboseErrors()): ErrorTriple {
  if (!(thrown instanceof Error)) {
    const text = typeof thrown === 'string' ? thrown : format('%o', thrown);
    return { ename: 'Error', evalue: text, traceback: [`Error (a thrown ${thrown === null ? 'null' : typeof thrown}): ${text}`] };
  }
  const ename = thrown.name || thrown.constructor?.name || 'Error';
  const evalue = thrown.message;
  const frames = (thrown.stack ?? '').split('\n').filter((l) => /^\s+at\s/.test(l));
  const kept = verbose ? frames : frames.filter((l) => !isInternalFrame(l));
  const traceback = [`${ename}: ${evalue}`, ...kept];
  let cause = (thrown as { cause?: unknown }).cause;
  for (let depth = 0; cause !== undefined && depth < 3; depth++) {
    traceback.push(`Caused by ${cause instanceof Error ? `${cause.name}: ${cause.message}` : format('%o', cause)}`);
    cause = cause instanceof Error ? (cause as { cause?: unknown }).cause : undefined;
  }
  return { ename, evalue, traceback };
}

interface MessageChain {
  messageText: string;
  next?: MessageChain[];
}

function flatten(text: unknown, indent = ''): string {
  if (typeof text === 'string') return text;
  const chain = text as MessageChain;
  if (!chain || typeof chain.messageText !== 'string') return format('%s', text);
  return [chain.messageText, ...(chain.next ?? []).map((n) => `${indent}  ${flatten(n, `${indent}  `)}`)].join('\n');
}

/** One of tslab's `console.error` calls of a failed cell as text (TypeScript diagnostics are formatted by hand). */
export function errorText(args: unknown[]): string {
  // tslab: console.error("%s%d:%d - %s", fileName ? fileName + " " : "", line, character, messageText)
  if (args[0] === '%s%d:%d - %s' && args.length === 5) {
    return `${String(args[1])}${String(args[2])}:${String(args[3])} - ${flatten(args[4])}`;
  }
  return format(...args);
}

/**
 * The error triple of TypeScript diagnostics. `hint` rewrites a diagnostic into a one-line
 * explanation (the kit not being resolvable from the notebook's folder).
 */
export function diagnosticsError(lines: string[], hint?: (line: string) => string | undefined): ErrorTriple {
  for (const line of lines) {
    const explained = hint?.(line);
    if (explained) return { ename: 'KitNotFound', evalue: explained, traceback: [explained] };
  }
  return { ename: 'TypeScriptError', evalue: lines[0] ?? 'the cell does not compile', traceback: lines };
}
