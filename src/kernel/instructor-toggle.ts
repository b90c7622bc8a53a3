/**
 * Kernel patch: with RNNKIT_SOLUTIONS=1, tslab executes each cell's instructor code
 * (instructor-fill.ts) instead of the code sent. Nothing is patched without the toggle.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { solutionsEnabled } from '../lib/settings.js';

interface ExecuteRequest { code: string; [key: string]: unknown }
type ExecuteImpl = (this: unknown, req: ExecuteRequest, ...rest: unknown[]) => Promise<unknown>;

/** tslab's jupyter module: the one of the tslab this process runs (argv[1] is its bin), else the kit's. */
function tslabJupyterPath(): string {
  const require = createRequire(import.meta.url);
  const bin = process.argv[1];
  if (bin) {
    try {
      const candidate = join(dirname(realpathSync(bin)), '..', 'dist', 'jupyter.js');
      return require.resolve(candidate);
    } catch {
      // not started as `tslab kernel`: fall back to the kit's tslab
    }
  }
  return require.resolve('tslab/dist/jupyter.js');
}

export function installInstructorToggle(): boolean {
  if (!solutionsEnabled()) return false;
  const require = createRequire(import.meta.url);
  const jupyter = require(tslabJupyterPath()) as { JupyterHandlerImpl?: { prototype: { handleExecuteImpl?: ExecuteImpl } } };
  const proto = jupyter.JupyterHandlerImpl?.prototype;
  const original = proto?.handleExecuteImpl;
  if (!proto || typeof original !== 'function') throw new Error('RNNKIT_SOLUTIONS=1: this tslab version has no JupyterHandlerImpl.handleExecuteImpl to fill task cells in');
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
