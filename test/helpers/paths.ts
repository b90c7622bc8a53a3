/**
 * Where the tests find things: the project root, its notebooks, the test fixtures, and the shared
 * test data beside the project (../shared: the MNIST-1D and MNIST mirror CI points
 * RNNKIT_DATA_MIRROR at, and the PyTorch/NumPy/SciPy goldens). Not a test file itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, without a trailing slash. */
export const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const notebooksDir = join(root, 'notebooks');
export const fixturesDir = join(root, 'test', 'fixtures');
/** The shared test data of this machine (tests and CI only, never a student's data). */
export const sharedDir = join(root, '..', 'shared');
/** The data mirror (RNNKIT_DATA_MIRROR layout: mnist1d/, mnist/*.gz). */
export const mirror = join(sharedDir, 'datasets');
/** PyTorch/NumPy/SciPy reference values of the random generators and signal functions. */
export const goldensPath = join(sharedDir, 'reference', 'rng_goldens.json');
/** The official MNIST-1D data set as JSON, beside the pickle in the mirror. */
export const mnist1dJsonPath = join(mirror, 'mnist1d', 'mnist1d_data.json');

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The path of a file under test/fixtures. */
export function fixturePath(...parts: string[]): string {
  return join(fixturesDir, ...parts);
}

/** A JSON file under test/fixtures, parsed. */
export function fixture<T = any>(...parts: string[]): T {
  return readJson<T>(fixturePath(...parts));
}

/** The goldens, or undefined where ../shared/reference is not there (the tests using them skip). */
export function goldens(): Record<string, unknown> | undefined {
  return existsSync(goldensPath) ? readJson(goldensPath) : undefined;
}

/** Whether the data mirror holds `parts` (e.g. 'mnist', or 'mnist', 'train-images-idx3-ubyte.gz'). */
export function mirrorHas(...parts: string[]): boolean {
  return existsSync(join(mirror, ...parts));
}
