/** kernel_info_reply with the `status` every reply carries (tslab leaves it out; jupyter_kernel_test requires it). */
import { markPatched } from './tslab.js';

export function patchKernelInfo(jupyter: { JupyterHandlerImpl: { prototype: object } }): void {
  const handler = jupyter.JupyterHandlerImpl.prototype as { handleKernel(this: unknown): Record<string, unknown> };
  if (!markPatched(handler, 'kernel-info')) return;
  const info = handler.handleKernel;
  handler.handleKernel = function (this: unknown) {
    return { status: 'ok', ...info.call(this) };
  };
}
