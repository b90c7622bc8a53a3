/**
 * The kit's environment settings (RNNKIT_*): every variable is declared here once (name, what it
 * accepts, default, one line of description, who reads it) and read through `setting()`. They exist
 * for tests, CI and instructors; notebooks never mention them: the library's loaders, loops,
 * progress bars and timings apply them (see docs/CONVENTIONS.md, "Shortened runs and the instructor
 * toggle"). The README's settings table is generated from these declarations (`npm run docs:settings`).
 *
 * Every read validates: a bad value throws a `SettingError` naming the variable and what it
 * accepts. The limits only ever shorten what the notebook asks for.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A setting's value is not one it accepts. */
export class SettingError extends RangeError {
  override name = 'SettingError';
}

/** Where a variable is read: the library (src/lib), the kit's Jupyter kernel (src/kernel), or `npm install`. */
export type SettingReader = 'library' | 'kernel' | 'install';

/** One environment variable. */
export interface SettingDeclaration<T = unknown> {
  readonly name: `RNNKIT_${string}`;
  /** What it accepts, as the error message and the README say it ("a positive whole number"). */
  readonly accepts: string;
  /** Its default, in words (the value used when it is unset or blank). */
  readonly default: string;
  /** What it does, in one line. */
  readonly description: string;
  readonly readBy: SettingReader;
  /** The value of a (trimmed, non-empty) text, or undefined when the text is not accepted. */
  parse(text: string): T | undefined;
}

const FLAG_ACCEPTS = '1 or 0 (also true/false, yes/no, on/off)';
function parseFlag(text: string): boolean | undefined {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  return undefined;
}

function parsePositiveInt(text: string): number | undefined {
  const n = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** A folder, relative ones taken from the working directory. */
const parseFolder = (text: string): string => resolve(text);

/** The backends `setupBackend()` knows, in the order it tries them. */
export const BACKEND_NAMES = ['tensorflow', 'blas', 'blas-wasm', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
const BACKEND_ALIASES: Readonly<Record<string, BackendName>> = { 'tfjs-node': 'tensorflow', 'tfjs-node-gpu': 'tensorflow', node: 'tensorflow', gpu: 'tensorflow', openblas: 'blas', blas_wasm: 'blas-wasm' };
function parseBackend(text: string): BackendName | undefined {
  const v = text.toLowerCase();
  const name = BACKEND_ALIASES[v] ?? v;
  return (BACKEND_NAMES as readonly string[]).includes(name) ? (name as BackendName) : undefined;
}

/** A mirror: an http(s) URL base (without trailing slash) or a folder (a path or a file:// URL). */
function parseMirror(text: string): string | undefined {
  if (/^https?:\/\//i.test(text)) return text.replace(/\/+$/, '');
  if (/^file:\/\//i.test(text)) {
    try {
      return fileURLToPath(text);
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  return isAbsolute(text) ? text : resolve(text);
}

const declare = <T>(d: SettingDeclaration<T>): SettingDeclaration<T> => d;
type Name = SettingDeclaration['name'];
/** A switch: 1 or 0 (`default` '0' or '1'). */
const flag = (name: Name, dflt: '0' | '1', description: string, readBy: SettingReader = 'library') =>
  declare({ name, readBy, parse: parseFlag, accepts: FLAG_ACCEPTS, default: dflt, description });
/** A limit of a kind of loop (see `limit`). */
const count = (name: Name, description: string) =>
  declare({ name, readBy: 'library', parse: parsePositiveInt, accepts: 'a positive whole number', default: 'no limit', description });
const folder = (name: Name, dflt: string, description: string) =>
  declare({ name, readBy: 'library', parse: parseFolder, accepts: 'a folder', default: dflt, description });

/** Every RNNKIT_* variable, in the order the README lists them. */
export const SETTINGS = {
  RNNKIT_BACKEND: declare({
    name: 'RNNKIT_BACKEND', readBy: 'library', parse: parseBackend, accepts: `one of ${BACKEND_NAMES.join(', ')}`,
    default: 'the first that works, in that order', description: 'force a TensorFlow.js backend (an error if it does not work here)',
  }),
  RNNKIT_BLAS_SIMD: flag('RNNKIT_BLAS_SIMD', '1', '0: the `blas` backend without its WebAssembly SIMD kernels (same results, slower; for comparisons)'),
  RNNKIT_BLAS_RELAXED: flag('RNNKIT_BLAS_RELAXED', '1', "0: `blas-wasm`'s sgemm in plain SIMD even where relaxed SIMD's fused multiply-add is available (for comparisons)"),
  RNNKIT_DATA_DIR: folder('RNNKIT_DATA_DIR', '`datasets/` in the project', 'the download cache of the datasets'),
  RNNKIT_DATA_MIRROR: declare({
    name: 'RNNKIT_DATA_MIRROR', readBy: 'library', parse: parseMirror, accepts: 'a folder, a file:// URL or an http(s) URL base',
    default: 'none', description: 'tried before the official download URLs, laid out as the cache (CI: `../shared/datasets`)',
  }),
  RNNKIT_SOLUTIONS: flag('RNNKIT_SOLUTIONS', '0', "1: the instructor toggle: the kernel fills every task cell's `START`/`END OF YOUR CODE` regions from `src/solutions` when the cell runs"),
  RNNKIT_EPOCHS: count('RNNKIT_EPOCHS', "at most this many epochs: `trange(numEpochs)` (the epoch loop), the I2DL `Solver`, Lab 8's runs"),
  RNNKIT_BATCHES: count('RNNKIT_BATCHES', 'every `DataLoader` pass yields at most this many batches, and `loader.length` says so'),
  RNNKIT_TIMEIT_RUNS: count('RNNKIT_TIMEIT_RUNS', '`timeit(f, n)` times at most this many runs and scales the time to `n`'),
  RNNKIT_QUICK: flag('RNNKIT_QUICK', '0', '1: the three limits above at once, where not set: 2 epochs, 10 batches, 20 timing runs'),
  RNNKIT_OUTPUT_DIR: folder('RNNKIT_OUTPUT_DIR', "the notebook's folder", 'where notebooks write files (saved models, graph drawings)'),
  RNNKIT_RUNS_DIR: folder('RNNKIT_RUNS_DIR', "`runs/` in the notebook's folder", "where Lab 8's `SummaryWriter` logs its runs (TensorBoard's `runs/`) and `plotRuns()` reads them"),
  RNNKIT_DISPLAY: declare({
    name: 'RNNKIT_DISPLAY', readBy: 'library', accepts: 'text or rich', default: 'rich',
    parse: (text: string): 'text' | 'rich' | undefined => (text === 'text' || text === 'rich' ? text : undefined),
    description: 'text: print text instead of rich output, even in a notebook',
  }),
  RNNKIT_VERBOSE: flag('RNNKIT_VERBOSE', '0', "1: a failed cell's error keeps every stack frame (kit, tslab, Node); `npm run notebook -- --verbose` sets it", 'kernel'),
  RNNKIT_SKIP_KERNEL: declare({
    name: 'RNNKIT_SKIP_KERNEL', readBy: 'install', parse: (text: string) => (text === '1' ? true : undefined), accepts: '1', default: 'unset',
    description: '1: `npm install` does not register the Jupyter kernel (scripts/postinstall.mjs reads it: it runs before the build)',
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N] extends SettingDeclaration<infer T> ? T : never;

/** The variable's text, trimmed; undefined when unset or blank. */
export function settingText(name: SettingName): string | undefined {
  const v = process.env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** A variable's value, read and validated now; undefined when unset or blank (its default applies). */
export function setting<N extends SettingName>(name: N): SettingValue<N> | undefined {
  const text = settingText(name);
  if (text === undefined) return undefined;
  const d = SETTINGS[name] as SettingDeclaration;
  const value = d.parse(text);
  if (value === undefined) throw new SettingError(`${name} must be ${d.accepts}, got ${JSON.stringify(process.env[name])}`);
  return value as SettingValue<N>;
}

/** Reads every variable `reader` reads, so that a bad value is an error now (setupBackend, the first cell). */
export function checkSettings(reader: SettingReader = 'library'): void {
  for (const d of Object.values(SETTINGS)) if (d.readBy === reader) setting(d.name as SettingName);
}

/** Variables the kit sets, not settings: code running in the kit's kernel may read them. */
export const SET_BY_THE_KIT = {
  RNNKIT_KERNEL_KIT: 'the kernel launcher (src/kernel/launch.ts) sets it to the folder of the kit the kernel runs from',
} as const;

/** What RNNKIT_QUICK=1 leaves of each kind of loop (when its own variable is not set). */
export const QUICK_LIMITS = { epochs: 2, batches: 10, timeitRuns: 20 } as const;

export type LimitKind = keyof typeof QUICK_LIMITS;

/** The variable of each limit. */
export const LIMIT_VARIABLES = {
  epochs: 'RNNKIT_EPOCHS',
  batches: 'RNNKIT_BATCHES',
  timeitRuns: 'RNNKIT_TIMEIT_RUNS',
} as const satisfies Record<LimitKind, SettingName>;

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

/** The settings of notebook runs, read (and validated) now from the environment. */
export function settings(): Settings {
  const limits: Partial<Record<LimitKind, number>> = {};
  for (const kind of Object.keys(LIMIT_VARIABLES) as LimitKind[]) {
    const n = setting(LIMIT_VARIABLES[kind]);
    if (n !== undefined) limits[kind] = n;
  }
  const out = setting('RNNKIT_OUTPUT_DIR');
  return { solutions: setting('RNNKIT_SOLUTIONS') ?? false, quick: setting('RNNKIT_QUICK') ?? false, limits, ...(out === undefined ? {} : { outputDir: out }) };
}

/** The instructor toggle RNNKIT_SOLUTIONS=1. */
export function solutionsEnabled(): boolean {
  return setting('RNNKIT_SOLUTIONS') ?? false;
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
