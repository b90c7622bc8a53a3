/**
 * tslab sends every output of a cell (stdout, stderr, display data) on its iopub socket with
 * zeromq 6's `send()`, which sends at once only 512 times in a row: the next message waits for the
 * event loop, and one more `send()` before the event loop has run throws "Socket is busy writing"
 * (EBUSY). A cell that prints or redraws a progress bar some 500 times without yielding to the event
 * loop (a training loop) then failed with an empty error: the error text could not be sent either.
 * The same EBUSY comes from a socket still being bound ("Socket is blocked by a bind or unbind
 * operation"). This puts such messages in a queue instead and sends them, in order, as soon as the
 * event loop runs (at the cell's next `await` of a macrotask, or when it ends). It patches `send` of
 * zeromq's `Publisher` (iopub is the kernel's only publisher socket), once per process. Here, below
 * both of its users: the kernel's preload (src/kernel/preload.ts) and the library's display, which
 * installs it in kernels the kit's launcher did not start (src/lib/display.ts).
 */

type Send = (this: object, message: unknown) => unknown;

function isBusy(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return !!err && (err.code === 'EBUSY' || (typeof err.message === 'string' && /busy writing|blocked by a bind/.test(err.message)));
}

/** Installs the queue on `Publisher.prototype` of the given zeromq module (idempotent). */
export function queueBusyIopubSends(zmq: { Publisher?: { prototype: object } }): void {
  const proto = zmq.Publisher?.prototype as Record<string, unknown> | undefined;
  const send = proto?.['send'];
  // the mark src/kernel/tslab.ts's markPatched sets: one queue per prototype, whichever copy of the kit installs it
  const mark = Symbol.for('rnn-course-kit.kernel.iopub-queue');
  if (!proto || typeof send !== 'function' || (proto as Record<symbol, unknown>)[mark]) return;
  Object.defineProperty(proto, mark, { value: true });
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
}
