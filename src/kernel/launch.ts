#!/usr/bin/env node
/**
 * The kit's Jupyter kernel: the program of the registered `tslab` kernelspec
 * (`node <kit>/dist/kernel/launch.js kernel --config-path <connection file>`).
 *
 * Jupyter starts it in the notebook's folder. It runs the kit that folder belongs to (the nearest
 * folder upwards holding the rnn-course-kit package, or a node_modules/rnn-course-kit), whichever
 * checkout registered the kernel last, and falls back to the kit it was registered from (a notebook
 * saved outside any kit: its first import of the kit then says what to do). It loads that kit's
 * kernel patches (dist/kernel/preload.js) and starts that kit's tslab, never another copy.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KIT_ROOT, tslabDirOf } from './tslab.js';

const PACKAGE = 'rnn-course-kit';

function isKit(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === PACKAGE;
  } catch {
    return false;
  }
}

/** The kit that `dir` belongs to (with tslab installed), or null. */
export function findKit(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    const linked = join(d, 'node_modules', PACKAGE);
    for (const candidate of [d, linked]) {
      if (existsSync(candidate) && isKit(candidate)) {
        const root = realpathSync(candidate);
        if (tslabDirOf(root)) return root;
      }
    }
    if (dirname(d) === d) return null;
  }
}

interface KernelInfo {
  /** The kit whose tslab and library this kernel runs. */
  root: string;
  /** The kit that registered the kernel (this launcher's). */
  registered: string;
}

export async function launch(argv: string[]): Promise<void> {
  const configAt = argv.indexOf('--config-path');
  const configPath = configAt >= 0 ? argv[configAt + 1] : undefined;
  if (argv[0] !== 'kernel' || !configPath) {
    console.error('usage: node dist/kernel/launch.js kernel --config-path <connection file> (Jupyter starts this)');
    process.exit(2);
  }
  const root = findKit(process.cwd()) ?? KIT_ROOT;
  const tslab = tslabDirOf(root) ?? tslabDirOf(KIT_ROOT);
  if (!tslab) {
    console.error(`[rnn-course-kit] tslab is not installed in ${root}: run npm install there.`);
    process.exit(1);
  }
  const info: KernelInfo = { root, registered: KIT_ROOT };
  (globalThis as Record<symbol, unknown>)[Symbol.for('rnn-course-kit.kernel')] = info;
  process.env['RNNKIT_KERNEL_KIT'] = root;
  const preload = join(root, 'dist', 'kernel', 'preload.js');
  if (existsSync(preload)) await import(pathToFileURL(preload).href);
  // Code that recognises a tslab kernel by its program (the kit's display module) sees tslab's.
  process.argv[1] = join(tslab, 'bin', 'tslab');
  const main = createRequire(join(tslab, 'package.json'))(join(tslab, 'dist', 'main.js')) as {
    startKernel(o: { configPath: string; enableFindLocal: boolean; jsKernel: boolean; globalVersion: string }): void;
  };
  const version = (JSON.parse(readFileSync(join(tslab, 'package.json'), 'utf8')) as { version: string }).version;
  main.startKernel({ configPath, enableFindLocal: false, jsKernel: false, globalVersion: version });
}

const self = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (self && import.meta.url === pathToFileURL(self).href) await launch(process.argv.slice(2));
