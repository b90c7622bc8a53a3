/**
 * Rich output for notebooks: tslab's display API inside a tslab kernel, plain text elsewhere
 * (Node scripts, tests). Set RNNKIT_DISPLAY=text to force the text fallback.
 */
import { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { queueBusyIopubSends } from './iopub-queue.js';
import { setting } from './settings.js';

/** One MIME bundle, as in Jupyter's display_data message. */
export type MimeBundle = Record<string, unknown>;

/** A display that can be shown once and then replaced in place. */
export interface Display {
  /** Shows (first call) or replaces (later calls) this display's output. */
  show(bundle: MimeBundle): void;
  readonly inKernel: boolean;
}

interface TslabJupyter {
  lastWriteDisplayData: ((data: unknown, update: boolean) => void) | null;
}

let jupyter: TslabJupyter | null | undefined;

/** The running tslab kernel's own jupyter module, or null outside a tslab kernel. */
function kernelJupyter(): TslabJupyter | null {
  if (jupyter !== undefined) return jupyter;
  jupyter = null;
  if (setting('RNNKIT_DISPLAY') === 'text') return jupyter;
  const script = process.argv[1];
  if (!script || !process.argv.includes('kernel')) return jupyter;
  try {
    const real = realpathSync(script);
    if (!/tslab/.test(real)) return jupyter;
    // The kernel's own copy of tslab (module state is per copy), not whichever we resolve.
    const jupyterPath = join(dirname(real), '..', 'dist', 'jupyter.js');
    jupyter = createRequire(real)(jupyterPath) as TslabJupyter;
    try {
      // in place already when the kit's launcher started the kernel (src/kernel/preload.ts)
      queueBusyIopubSends(createRequire(jupyterPath)('zeromq') as Parameters<typeof queueBusyIopubSends>[0]);
    } catch {
      // without the queue, outputs work as tslab sends them
    }
  } catch {
    jupyter = null;
  }
  return jupyter;
}

/** True when running inside a tslab kernel that can show rich output. */
export function inKernel(): boolean {
  return kernelJupyter() !== null;
}

let displayCounter = 0;

function textOf(bundle: MimeBundle): string {
  const text = bundle['text/plain'];
  if (typeof text === 'string') return text;
  const md = bundle['text/markdown'];
  if (typeof md === 'string') return md;
  return `[${Object.keys(bundle).join(', ')}]`;
}

class KernelDisplay implements Display {
  readonly inKernel = true;
  private shown = false;
  constructor(private readonly id: string | undefined) {}
  show(bundle: MimeBundle): void {
    const writer = kernelJupyter()?.lastWriteDisplayData;
    if (!writer) {
      console.log(textOf(bundle));
      return;
    }
    const update = this.shown && this.id !== undefined;
    writer({ data: bundle, metadata: {}, transient: this.id ? { display_id: this.id } : {} }, update);
    this.shown = true;
  }
}

class TextDisplay implements Display {
  readonly inKernel = false;
  show(bundle: MimeBundle): void {
    console.log(textOf(bundle));
  }
}

/** A new display whose output can be replaced in place (tslab's newDisplay, multi-MIME). */
export function newDisplay(): Display {
  if (!inKernel()) return new TextDisplay();
  return new KernelDisplay(`rnnkit-${process.pid}-${Date.now().toString(36)}-${displayCounter++}`);
}

/** Shows a MIME bundle once. Include 'text/plain': it is what plain Node prints. */
export function display(bundle: MimeBundle): void {
  if (!inKernel()) {
    console.log(textOf(bundle));
    return;
  }
  new KernelDisplay(undefined).show(bundle);
}

/** Shows HTML in a notebook, or the given text fallback elsewhere. */
export function displayHtml(html: string, text: string): void {
  display({ 'text/html': html, 'text/plain': text });
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
