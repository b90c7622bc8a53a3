/**
 * Settings of the notebooks that are not about epochs (those are in training/settings.ts):
 * environment variables prefixed RNNKIT_, documented in the README and docs/CONVENTIONS.md.
 */
import { resolve } from 'node:path';

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** How many batches RNNKIT_QUICK=1 leaves of a training pass (when RNNKIT_BATCHES is not set). */
export const QUICK_BATCHES = 10;

/**
 * The number of training batches to run: `available` (all of them, the notebook's default),
 * shortened by RNNKIT_BATCHES=<n> (tests, CI) or RNNKIT_QUICK=1 (at most QUICK_BATCHES). The
 * settings only ever shorten.
 */
export function batchesSetting(available: number): number {
  if (!Number.isSafeInteger(available) || available < 0) throw new RangeError(`batchesSetting: available must be a non-negative integer, got ${available}`);
  const env = process.env['RNNKIT_BATCHES'];
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`RNNKIT_BATCHES must be a positive integer, got ${JSON.stringify(env)}`);
    return Math.min(available, n);
  }
  if (truthy(process.env['RNNKIT_QUICK'])) return Math.min(available, QUICK_BATCHES);
  return available;
}

/**
 * The folder notebooks write rendered files to (graph drawings): `dir` if given, else
 * RNNKIT_OUTPUT_DIR (tests, CI), else the working directory (the notebook's folder).
 */
export function outputDir(dir?: string): string {
  const env = process.env['RNNKIT_OUTPUT_DIR'];
  return resolve(dir ?? (env && env.trim() !== '' ? env : process.cwd()));
}
