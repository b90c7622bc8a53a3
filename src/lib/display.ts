/**
 * Rich output for notebooks: tslab's display API inside a tslab kernel, plain text elsewhere
 * (Node scripts, tests). Set RNNKIT_DISPLAY=text to force the text fallback.
 */
import { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

type Send = (this: object, message: unknown) => unknown;

function isBusy(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return !!err && (err.code === 'EBUSY' || (typeof err.message === 'string' && /busy writing/.test(err.message)));
}

const IOPUB_QUEUE = Symbol.for('rnn-course-kit.iopub-queue');

/**
 * tslab sends every output of a cell (stdout, stderr, display data) on its iopub socket with
 * zeromq 6's `send()`, which sends at once only 512 times in a row: the next message waits for the
 * event loop, and one more `send()` before the event loop has run throws "Socket is busy writing"
 * (EBUSY). A cell that prints or redraws a progress bar some 500 times without yielding to the event
 * loop (a training loop) then failed with an empty error: the error text could not be sent either.
 * This puts such messages in a queue instead and sends them, in order, as soon as the event loop
 * runs (at the cell's next `await` of a macrotask, or when it ends). It patches `send` of the
 * kernel's zeromq `Publisher` (iopub is the kernel's only publisher socket), once per process.
 */
function queueBusyIopubSends(req: NodeRequire): void {
  let proto: Record<PropertyKey, unknown> | undefined;
  try {
    proto = (req('zeromq') as { Publisher?: { prototype: Record<PropertyKey, unknown> } }).Publisher?.prototype;
  } catch {
    return;
  }
  const send = proto?.['send'];
  if (!proto || typeof send !== 'function' || proto[IOPUB_QUEUE]) return;
  const original = send as Send;
  const queues = new WeakMap<object, unknown[]>();
  const quiet = (p: unknown): void => {
    if (p instanceof Promise) p.catch(() => undefined); // as tslab, which ignores send()'s promise
  };
  const flush = (socket: object): void => {
    const queue = queues.get(socket);
    while (queue && queue.length > 0) {
      try {
        quiet(original.call(socket, queue[0]));
      } catch (e) {
        if (isBusy(e)) {
          setImmediate(flush, socket);
          return;
        }
        // zeromq refused this message for another reason (a closed socket): drop it, send the rest
      }
      queue.shift();
    }
    queues.delete(socket);
  };
  const guarded: Send = function (this: object, message: unknown) {
    const queue = queues.get(this);
    if (queue) {
      queue.push(message);
      return Promise.resolve();
    }
    try {
      return original.call(this, message);
    } catch (e) {
      if (!isBusy(e)) throw e;
      queues.set(this, [message]);
      setImmediate(flush, this);
      return Promise.resolve();
    }
  };
  // defined, not assigned: the native Socket.prototype.send it shadows is read-only
  Object.defineProperty(proto, 'send', { value: guarded, writable: true, configurable: true });
  Object.defineProperty(proto, IOPUB_QUEUE, { value: true });
}

let jupyter: TslabJupyter | null | undefined;

/** The running tslab kernel's own jupyter module, or null outside a tslab kernel. */
function kernelJupyter(): TslabJupyter | null {
  if (jupyter !== undefined) return jupyter;
  jupyter = null;
  if (process.env.RNNKIT_DISPLAY === 'text') return jupyter;
  const script = process.argv[1];
  if (!script || !process.argv.includes('kernel')) return jupyter;
  try {
    const real = realpathSync(script);
    if (!/tslab/.test(real)) return jupyter;
    // The kernel's own copy of tslab (module state is per copy), not whichever we resolve.
    const jupyterPath = join(dirname(real), '..', 'dist', 'jupyter.js');
    jupyter = createRequire(real)(jupyterPath) as TslabJupyter;
    try {
      queueBusyIopubSends(createRequire(jupyterPath));
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

/** Shows Markdown in a notebook (also printed as-is in plain Node). */
export function displayMarkdown(markdown: string): void {
  display({ 'text/markdown': markdown, 'text/plain': markdown });
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
