/**
 * The notebook kernel's Node options, in a module of their own (no native imports) so that the
 * bench can read them too.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (the folder holding package.json and node_modules/tslab), from src/runner or dist/runner. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Node options of the notebook kernel (package.json "rnnCourseKit".kernelNodeFlags, which the
 * kernelspec of scripts/postinstall.mjs also uses): a 128 MB young generation. With V8's default
 * (16 MB) the scavenger keeps copying the thousand tensors a recurrent cell's gradient tape holds
 * alive per batch, and Lab 8's training ran 1.8x slower; 64 MB was not enough once the kernel's
 * heap held tslab's compiler state of a whole lab (see the README, "Speed against PyTorch").
 */
export function kernelNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { rnnCourseKit?: { kernelNodeFlags?: unknown } };
  const flags = pkg.rnnCourseKit?.kernelNodeFlags;
  return Array.isArray(flags) ? flags.filter((f): f is string => typeof f === 'string') : [];
}

