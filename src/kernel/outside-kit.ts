/**
 * A notebook saved outside the kit's folder (downloads, a course platform's folder) cannot import
 * `rnn-course-kit`: tslab resolves packages from the notebook's folder. The kernel still starts
 * (the registered kit's tslab), and the first cell that imports the kit says in one line what is
 * wrong and what to do, instead of TypeScript's "Cannot find module".
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { KIT_ROOT } from './tslab.js';

/** Whether `rnn-course-kit` resolves from `dir` as tslab resolves it. */
export function kitResolvesFrom(dir: string): boolean {
  try {
    createRequire(join(dir, '__rnnkit__.js')).resolve('rnn-course-kit');
    return true;
  } catch {
    return false;
  }
}

export function outsideKitMessage(dir: string, kitRoot = KIT_ROOT): string {
  return `This notebook's folder ${dir} is outside the course kit ${kitRoot}, so 'rnn-course-kit' cannot be imported here: ` +
    `move the notebook into ${join(kitRoot, 'notebooks')} (or any folder inside the kit) and run it again.`;
}

/** The one-line explanation for TypeScript's "Cannot find module 'rnn-course-kit'" outside the kit. */
export function outsideKitHint(dir = process.cwd()): (line: string) => string | undefined {
  return (line) => (/Cannot find module 'rnn-course-kit(\/[^']*)?'/.test(line) && !kitResolvesFrom(dir) ? outsideKitMessage(dir) : undefined);
}
