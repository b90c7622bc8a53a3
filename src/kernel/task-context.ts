/**
 * Errors a student can act on: the kernel remembers the task cells it ran (task-cells.ts finds them
 * from their code) and, when a cell fails, says which task the error belongs to and at which step,
 * e.g. "Task 2.1 (VanillaRNN constructor): ...". The task is the innermost stack frame of a task's
 * class or function (the check cell that calls `new VanillaRNN(...)` fails inside the task), else
 * the failing cell itself when it is a task cell, else the one task whose names the cell uses.
 * A few errors get a message in the task's own terms (a parameter not created, nothing to stack),
 * and a name that a failed cell declared says so (tslab forgets a failed cell's declarations).
 * Nothing here changes the student's code; every cell runs as it was sent.
 */
import type { ErrorTriple } from './errors.js';
import { declaredNames, findTask } from './task-cells.js';

interface SeenTask {
  /** "Task 2.1", or the title in quotes where the course numbers no tasks. */
  label: string;
  /** The class or function the student writes. */
  name: string;
  /** The task cell's code as last run. */
  code: string;
}

/** Every name declared by a task cell that ran, to its task (the task's class or function and the cell's other names). */
const byName = new Map<string, SeenTask>();
/** Names declared by cells that failed (and not declared since by a cell that ran), to that cell's execution count. */
const failedNames = new Map<string, number>();

/** The short name a student knows a task by: its number ("Task 2.1", "Exercise 3"), else its title. */
export function taskLabel(title: string): string {
  const numbered = /^((?:Task|Exercise) \d+(?:\.\d+)*)\b/.exec(title);
  return numbered ? numbered[1]! : `Task "${title}"`;
}

export interface CellOutcome {
  code: string;
  /** The cell's execution count (In [n]). */
  count: number;
  /** Undefined when the cell ran. */
  error?: ErrorTriple;
  /** The value the cell threw, if it threw one. */
  thrown?: unknown;
}

/** Records what a finished cell declared; for a failed cell returns its error explained for a student. */
export async function explainCell(cell: CellOutcome): Promise<ErrorTriple | undefined> {
  const found = await findTask(cell.code);
  const own: SeenTask | undefined = found && { label: taskLabel(found.title), name: found.name, code: cell.code };
  const names = declaredNames(cell.code);
  if (own) for (const n of new Set([found!.name, ...names])) byName.set(n, own);
  if (!cell.error) {
    for (const n of names) failedNames.delete(n);
    return undefined;
  }
  const explained = cell.thrown !== undefined ? explainThrown(cell.error, cell.thrown, own, cell.code) : explainDiagnostics(cell.error, own);
  for (const n of names) failedNames.set(n, cell.count);
  return explained;
}

/** A stack frame of the student's code (tslab runs cells as `evalmachine.<anonymous>`): `new X`, `X.method` or `f`. */
interface Frame { owner: string; method?: string; constructs: boolean }

function studentFrames(thrown: unknown): Frame[] {
  const stack = thrown instanceof Error ? thrown.stack ?? '' : '';
  const out: Frame[] = [];
  for (const line of stack.split('\n')) {
    const m = /^\s+at (new )?([\w$]+)(?:\.([\w$]+))? \(evalmachine\.<anonymous>/.exec(line);
    if (m) out.push({ owner: m[2]!, method: m[3], constructs: !!m[1] });
  }
  return out;
}

/** The task of a thrown error and the step it failed at. */
function taskOf(thrown: unknown, own: SeenTask | undefined, code: string): { task: SeenTask; frame?: Frame } | undefined {
  for (const frame of studentFrames(thrown)) {
    const task = byName.get(frame.owner);
    if (task && task.name === frame.owner) return { task, frame };
  }
  if (own) return { task: own };
  // the one task whose names the failing cell uses (not as a property: `nn.RNN` is the library's; not in strings or comments)
  const used = new Set<SeenTask>();
  for (const m of codeOnly(code).matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)) {
    const task = byName.get(m[0]);
    if (task) used.add(task);
  }
  return used.size === 1 ? { task: [...used][0]! } : undefined;
}

/** Code without its comments and the text of its string literals (template literals keep their `${...}` expressions). */
export function codeOnly(code: string): string {
  let out = '';
  const templates: number[] = []; // brace depth at which each open template literal's expression started
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    const inTemplateText = templates.length > 0 && templates[templates.length - 1] === -1;
    if (inTemplateText) {
      if (c === '\\') i++;
      else if (c === '`') { templates.pop(); out += ' '; }
      else if (c === '$' && code[i + 1] === '{') { templates[templates.length - 1] = depth; depth++; i++; out += ' '; }
      continue;
    }
    if (c === '/' && code[i + 1] === '/') { while (i < code.length && code[i] !== '\n') i++; out += '\n'; continue; }
    if (c === '/' && code[i + 1] === '*') { const end = code.indexOf('*/', i + 2); i = end < 0 ? code.length : end + 1; out += ' '; continue; }
    if (c === "'" || c === '"') {
      for (i++; i < code.length && code[i] !== c && code[i] !== '\n'; i++) if (code[i] === '\\') i++;
      out += ' ';
      continue;
    }
    if (c === '`') { templates.push(-1); continue; }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (templates.length > 0 && templates[templates.length - 1] === depth) { templates[templates.length - 1] = -1; out += ' '; continue; }
    }
    out += c;
  }
  return out;
}

function stepOf(frame: Frame | undefined): string | undefined {
  if (!frame) return undefined;
  if (frame.constructs) return `${frame.owner} constructor`;
  return frame.method ? `${frame.owner}.${frame.method}` : frame.owner;
}

/** The task cell's class body (from `class Name` to the next top-level closing brace), or the whole code. */
function classBody(code: string, name: string): string {
  const at = code.search(new RegExp(`^(?:export\\s+)?class\\s+${name}\\b`, 'm'));
  if (at < 0) return code;
  const end = code.indexOf('\n}', at);
  return code.slice(at, end < 0 ? undefined : end);
}

/**
 * A parameter or layer used before it was created: which of the class's fields declared to be
 * assigned later (`weight_xh!: tf.Variable`, `W!: Linear`) its code never assigns.
 */
function missingParameter(message: string, task: SeenTask): { step: string; text: string } | undefined {
  const parameter = /^\w+: got (undefined|null) instead of a tf\.Variable/.test(message);
  if (!parameter && !/^Cannot read properties of (undefined|null)/.test(message)) return undefined;
  const body = classBody(task.code, task.name);
  const declared = [...body.matchAll(/^\s*([\w$]+)!\s*:\s*([\w$.]+)/gm)].filter((m) => !parameter || m[2] === 'tf.Variable').map((m) => m[1]!);
  const assigned = new Set([...body.matchAll(/\bthis\.([\w$]+)\s*=[^=]/g)].map((m) => m[1]!));
  const missing = declared.filter((d) => !assigned.has(d));
  if (missing.length === 0) return undefined;
  const rest = missing.length > 1 ? ` (nor ${missing.slice(1).join(', ')})` : '';
  return {
    step: `${task.name} constructor`,
    text: `this.${missing[0]} has not been created yet${rest}. Create ${missing.length > 1 ? 'each' : 'it'} between START and END OF YOUR CODE in the constructor, e.g. this.${missing[0]} = ${parameter ? 'parameter([rows, columns])' : 'new ...(...)'}, then run the ${task.name} cell and this cell again.`,
  };
}

/** tf.stack of an empty list: the task's loop over the time steps is not written yet. */
function nothingStacked(message: string, task: SeenTask, frame: Frame | undefined): { step: string; text: string } | undefined {
  const where = frame?.owner === task.name ? frame.method : undefined;
  if (!where || !/Pass at least one tensor to tf\.stack/.test(message)) return undefined;
  const list = /tf\.stack\(\s*([\w$]+)\s*\)/.exec(classBody(task.code, task.name))?.[1] ?? 'the list';
  return {
    step: `${task.name}.${where}`,
    text: `${list} is empty when tf.stack(${list}) runs. Between START and END OF YOUR CODE in ${where}, loop over the time steps and push each step's hidden state onto ${list}, then run the ${task.name} cell and this cell again.`,
  };
}

function withText(error: ErrorTriple, evalue: string): ErrorTriple {
  const [, ...frames] = error.traceback;
  return { ename: error.ename, evalue, traceback: [`${error.ename}: ${evalue}`, ...frames] };
}

function explainThrown(error: ErrorTriple, thrown: unknown, own: SeenTask | undefined, code: string): ErrorTriple {
  const found = taskOf(thrown, own, code);
  if (!found) return error;
  const { task, frame } = found;
  const specific = missingParameter(error.evalue, task) ?? nothingStacked(error.evalue, task, frame);
  const step = specific?.step ?? stepOf(frame);
  let text = specific?.text ?? error.evalue;
  if (step && text.startsWith(`${step}: `)) text = text.slice(step.length + 2); // "RNN.call: ..." said once
  return withText(error, `${task.label}${step ? ` (${step})` : ''}: ${text}`);
}

/** TypeScript diagnostics: the task of a task cell, and a name missing because the cell declaring it failed. */
function explainDiagnostics(error: ErrorTriple, own: SeenTask | undefined): ErrorTriple {
  if (error.ename !== 'TypeScriptError') return error;
  const traceback = [...error.traceback];
  const lost = new Map<number, Set<string>>(); // failed cell's count -> the names it would have declared
  for (const line of traceback) {
    const name = /Cannot find name '([\w$]+)'/.exec(line)?.[1];
    const count = name === undefined ? undefined : failedNames.get(name);
    if (count !== undefined) lost.set(count, (lost.get(count) ?? new Set()).add(name!));
  }
  for (const [count, names] of lost) {
    const list = [...names].join(', ');
    traceback.push(`${list} ${names.size > 1 ? 'are' : 'is'} declared in a cell that failed (In [${count}]): fix that cell and run it again, then this one.`);
  }
  if (own) traceback[0] = `${own.label}: ${traceback[0]}`;
  return { ename: error.ename, evalue: traceback[0] ?? error.evalue, traceback };
}
