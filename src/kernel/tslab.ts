/**
 * Where the kernel's tslab lives, for the kernel-side patches: the tslab that this kit resolves
 * (its own node_modules, or a parent's when the kit is installed as a dependency). The launcher
 * (launch.ts) starts this same copy, so the patches apply to the code that serves the requests.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kit's root (the folder holding its package.json), from src/kernel or dist/kernel. */
export const KIT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The tslab package folder that `root` resolves (null when tslab is not installed there). */
export function tslabDirOf(root: string): string | null {
  try {
    return realpathSync(dirname(createRequire(join(root, 'package.json')).resolve('tslab/package.json')));
  } catch {
    return null;
  }
}

/** The tslab package folder of this kit (throws when tslab is not installed). */
export function tslabDir(): string {
  const dir = tslabDirOf(KIT_ROOT);
  if (!dir) throw new Error(`tslab is not installed for ${KIT_ROOT} (run npm install there)`);
  return dir;
}

/** One of tslab's compiled modules (dist/<name>.js), the instance the kernel runs. */
export function tslabModule<T>(name: 'jupyter' | 'executor' | 'main'): T {
  const dir = tslabDir();
  return createRequire(join(dir, 'package.json'))(join(dir, 'dist', `${name}.js`)) as T;
}

/** zeromq as tslab loads it (the module whose sockets the kernel uses). */
export function tslabZeromq<T>(): T {
  return createRequire(join(tslabDir(), 'dist', 'jupyter.js'))('zeromq') as T;
}

/** Marks a prototype as patched by `name`; false when it was already. */
export function markPatched(target: object, name: string): boolean {
  const key = Symbol.for(`rnn-course-kit.kernel.${name}`);
  if ((target as Record<symbol, unknown>)[key]) return false;
  Object.defineProperty(target, key, { value: true });
  return true;
}
