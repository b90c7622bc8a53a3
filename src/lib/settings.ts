/**
 * The kit's environment settings (RNNKIT_*), read in one place. They exist for tests, CI and
 * instructors; notebooks never mention them: the library's loaders, loops, progress bars and
 * timings apply them (see docs/CONVENTIONS.md, "Shortened runs and the instructor toggle").
 *
 * Every read validates: a bad value throws an error naming the variable and what it accepts. The
 * limits only ever shorten what the notebook asks for.
 */
import { resolve } from 'node:path';

/** What RNNKIT_QUICK=1 leaves of each kind of loop (when its own variable is not set). */
export const QUICK_LIMITS = { epochs: 2, batches: 10, timeitRuns: 20 } as const;

export type LimitKind = keyof typeof QUICK_LIMITS;

/** The variable of each limit. */
export const LIMIT_VARIABLES: Readonly<Record<LimitKind, string>> = {
  epochs: 'RNNKIT_EPOCHS',
  batches: 'RNNKIT_BATCHES',
  timeitRuns: 'RNNKIT_TIMEIT_RUNS',
};

export interface Settings {
  /** RNNKIT_SOLUTIONS=1: the kernel fills every task region from the reference solutions. */
  solutions: boolean;
  /** RNNKIT_QUICK=1: every loop shortened to QUICK_LIMITS unless its own variable says otherwise. */
  quick: boolean;
  /** The limits set (RNNKIT_EPOCHS, ...); absent = not limited (apart from `quick`). */
  limits: Partial<Record<LimitKind, number>>;
  /** RNNKIT_OUTPUT_DIR: where notebooks write files (saved models, graph drawings); absent = the working directory. */
  outputDir?: string;
}

/** A setting's value is not one it accepts. */
export class SettingError extends RangeError {
  override name = 'SettingError';
}

function raw(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function flag(name: string): boolean {
  const v = raw(name);
  if (v === undefined) return false;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new SettingError(`${name} must be 1 or 0 (also true/false, yes/no, on/off), got ${JSON.stringify(process.env[name])}`);
}

function positiveInt(name: string): number | undefined {
  const v = raw(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new SettingError(`${name} must be a positive whole number, got ${JSON.stringify(process.env[name])}`);
  return n;
}

/** All settings, read (and validated) now from the environment. */
export function settings(): Settings {
  const limits: Partial<Record<LimitKind, number>> = {};
  for (const kind of Object.keys(LIMIT_VARIABLES) as LimitKind[]) {
    const n = positiveInt(LIMIT_VARIABLES[kind]);
    if (n !== undefined) limits[kind] = n;
  }
  const out = raw('RNNKIT_OUTPUT_DIR');
  return { solutions: flag('RNNKIT_SOLUTIONS'), quick: flag('RNNKIT_QUICK'), limits, ...(out === undefined ? {} : { outputDir: resolve(out) }) };
}

/** The instructor toggle RNNKIT_SOLUTIONS=1. */
export function solutionsEnabled(): boolean {
  return flag('RNNKIT_SOLUTIONS');
}

/**
 * How much of a loop of `requested` rounds to run: all of it, or fewer when a limit is set
 * (`kind`'s variable, else RNNKIT_QUICK=1). The library calls it where a loop starts: the epochs
 * of `trange` and of the training loops, the batches of a `DataLoader` pass, timing runs.
 */
export function limit(kind: LimitKind, requested: number): number {
  if (!Number.isSafeInteger(requested) || requested < 0) throw new RangeError(`the number of ${kind} must be a non-negative whole number, got ${requested}`);
  const s = settings();
  const cap = s.limits[kind] ?? (s.quick ? QUICK_LIMITS[kind] : undefined);
  return cap === undefined ? requested : Math.min(requested, cap);
}

/** The folder notebooks write files to: `dir` if given, else RNNKIT_OUTPUT_DIR, else the working directory. */
export function outputDir(dir?: string): string {
  return resolve(dir ?? settings().outputDir ?? process.cwd());
}
