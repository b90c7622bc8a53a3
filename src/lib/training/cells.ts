/**
 * Which recurrent cell classes `run` trains. The notebook defines the classes (the students' work)
 * and hands them over with `useCell('vanilla', VanillaRNN)`; with RNNKIT_SOLUTIONS=1 `useCell`
 * returns (and registers) the reference solution instead, so an instructor's notebook runs end to
 * end whatever the task cells hold.
 */
import type { Module } from '../nn/module.js';
import { solutionsEnabled } from './settings.js';
import { explainTaskErrors } from './task-errors.js';

export type RnnType = 'vanilla' | 'gru' | 'lstm';
export const RNN_TYPES: readonly RnnType[] = ['vanilla', 'gru', 'lstm'];

/** A recurrent cell class: `new Cell(inputSize, hiddenSize)`, forward [M, T, D] -> [M, T, H]. */
export type CellClass = new (inputSize: number, hiddenSize: number) => Module;

const registry = new Map<RnnType, CellClass>();
const NAMES: Record<RnnType, string> = { vanilla: 'VanillaRNN', gru: 'GRU', lstm: 'LSTM' };
/** Lab 8's task of each cell class (its errors name it). */
const TASKS: Record<RnnType, string> = { vanilla: 'Task 2.1', gru: 'Task 3.1', lstm: 'Task 4.1' };

export function assertRnnType(t: string): asserts t is RnnType {
  if (!(RNN_TYPES as readonly string[]).includes(t)) throw new Error(`Unknown RNN type: ${t} (use ${RNN_TYPES.join(', ')})`);
}

/** The reference solutions (`rnn-course-kit/solutions`), loaded on demand. */
export async function solutionCells(): Promise<Record<RnnType, CellClass>> {
  // A computed specifier: the library does not depend on the solutions unless they are asked for.
  const path = '../../solutions/index.js';
  try {
    const mod = (await import(path)) as { lab8Cells: Record<RnnType, CellClass> };
    return mod.lab8Cells;
  } catch (e) {
    throw new Error(`RNNKIT_SOLUTIONS=1 but the reference solutions could not be loaded (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * Registers the class `run(type)` will train and returns the class to use: `cls` (whose errors
 * name the task and say what to do), or the reference solution when RNNKIT_SOLUTIONS=1.
 */
export async function useCell(type: RnnType, cls: CellClass): Promise<CellClass> {
  assertRnnType(type);
  const chosen = solutionsEnabled() ? (await solutionCells())[type] : explainTaskErrors(cls, TASKS[type]);
  registry.set(type, chosen);
  return chosen;
}

/** The class registered for `type` (with RNNKIT_SOLUTIONS=1 the solution even if none was registered). */
export async function getCell(type: RnnType): Promise<CellClass> {
  assertRnnType(type);
  const cls = registry.get(type);
  if (cls) return cls;
  if (solutionsEnabled()) return (await solutionCells())[type];
  throw new Error(`No ${NAMES[type]} class yet: define it in its task cell and run the output check cell below it (it calls useCell('${type}', ${NAMES[type]})).`);
}

/** Forgets the registered classes (tests). */
export function clearCells(): void {
  registry.clear();
}
