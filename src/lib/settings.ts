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
 * The number of batches of a pass over a loader to run: `available` (all of them, the notebook's
 * default), shortened by RNNKIT_BATCHES=<n> (tests, CI) or RNNKIT_QUICK=1 (at most QUICK_BATCHES).
 * Training epochs use it; so do the test evaluations of notebooks that shorten them as well (seed
 * 001's). The settings only ever shorten.
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

function positiveIntEnv(name: string): number | undefined {
  const env = process.env[name];
  if (env === undefined || env.trim() === '') return undefined;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(env)}`);
  return n;
}

/**
 * An iteration budget (optimiser steps): `requested` (the notebook's value), capped by
 * RNNKIT_ITERS=<n> (tests, CI) or RNNKIT_QUICK=1 (at most QUICK_BATCHES). Seed 001's configuration
 * comparison and hyper-parameter search give their budgets through it. Only ever shortens.
 */
export function iterationsSetting(requested: number): number {
  if (!Number.isSafeInteger(requested) || requested < 0) throw new RangeError(`iterationsSetting: requested must be a non-negative integer, got ${requested}`);
  const n = positiveIntEnv('RNNKIT_ITERS');
  if (n !== undefined) return Math.min(requested, n);
  if (truthy(process.env['RNNKIT_QUICK'])) return Math.min(requested, QUICK_BATCHES);
  return requested;
}

/**
 * How often (in iterations) a training loop evaluates on the test set: `requested` (the notebook's
 * interval, seed 001's 500), replaced by RNNKIT_TEST_EVERY=<n> (tests, CI: so that a shortened run
 * still evaluates), or at most QUICK_BATCHES with RNNKIT_QUICK=1.
 */
export function testEverySetting(requested: number): number {
  if (!Number.isSafeInteger(requested) || requested < 1) throw new RangeError(`testEverySetting: requested must be a positive integer, got ${requested}`);
  const n = positiveIntEnv('RNNKIT_TEST_EVERY');
  if (n !== undefined) return n;
  if (truthy(process.env['RNNKIT_QUICK'])) return Math.min(requested, QUICK_BATCHES);
  return requested;
}
