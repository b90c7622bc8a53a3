/** Shared paths and loaders for the MNIST-1D tests (not a test file itself). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const goldensPath = fileURLToPath(new URL('../../../shared/reference/rng_goldens.json', import.meta.url));
export const officialJsonPath = fileURLToPath(new URL('../../../shared/datasets/mnist1d/mnist1d_data.json', import.meta.url));
export const sharedDatasets = fileURLToPath(new URL('../../../shared/datasets', import.meta.url));
export const fixturesDir = fileURLToPath(new URL('../fixtures/mnist1d/', import.meta.url));

export function loadJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function goldens(): Record<string, unknown> | undefined {
  return existsSync(goldensPath) ? loadJson(goldensPath) : undefined;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbsDiff2(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  if (a.length !== b.length) throw new Error(`rows ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, maxAbsDiff(a[i]!, b[i]!));
  return m;
}

/** Fraction of values that are bit-identical. */
export function identicalFraction(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let same = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a[i]!.length; j++) {
      n++;
      if (Object.is(a[i]![j], b[i]![j])) same++;
    }
  }
  return same / n;
}
