/**
 * Kernel patch: with RNNKIT_SOLUTIONS=1, tslab executes each cell's instructor code
 * (instructor-fill.ts) instead of the code sent. Nothing is patched without the toggle.
 */
import { solutionsEnabled } from '../lib/settings.js';
import { markPatched } from './tslab.js';

interface ExecuteRequest { code: string; [key: string]: unknown }
type ExecuteImpl = (this: unknown, req: ExecuteRequest, ...rest: unknown[]) => Promise<unknown>;

/** Patches tslab's jupyter module (src/kernel/tslab.ts finds the instance the kernel runs). */
export function installInstructorToggle(jupyter: { JupyterHandlerImpl?: { prototype: object } }): boolean {
  if (!solutionsEnabled()) return false;
  const proto = jupyter.JupyterHandlerImpl?.prototype as { handleExecuteImpl?: ExecuteImpl } | undefined;
  const original = proto?.handleExecuteImpl;
  if (!proto || typeof original !== 'function') throw new Error('RNNKIT_SOLUTIONS=1: this tslab version has no JupyterHandlerImpl.handleExecuteImpl to fill task cells in');
  if (!markPatched(proto, 'instructor-toggle')) return true;
  proto.handleExecuteImpl = async function (this: unknown, req: ExecuteRequest, ...rest: unknown[]) {
    let code: string;
    try {
      const { instructorCode } = await import('./instructor-fill.js');
      code = await instructorCode(req.code);
    } catch (e) {
      // the cell fails with the reason, as any error in a cell does
      code = `throw new Error(${JSON.stringify(`RNNKIT_SOLUTIONS=1: the task cell could not be filled from the solutions: ${e instanceof Error ? e.message : String(e)}`)});`;
    }
    return original.call(this, { ...req, code }, ...rest);
  };
  return true;
}
