/**
 * tslab starts reading its shell and control sockets before it has bound its iopub socket, and
 * answers each request by first publishing "busy" on iopub. A request that arrives while iopub is
 * still being bound (Jupyter sends kernel_info_request at once; a loaded machine binds slowly) made
 * zeromq throw "Socket is blocked by a bind or unbind operation": the request was never answered
 * and Jupyter waited 60 s for kernel_info. This holds every request until all of the kernel's
 * sockets are bound, then serves them in the order they arrived.
 */
import { markPatched } from './tslab.js';

interface ZmqServerProto {
  bindSocket(this: ZmqServerLike, sock: unknown, port: number): Promise<void>;
  handleShellMessage(this: ZmqServerLike, sock: unknown, ...frames: unknown[]): Promise<void>;
}
type ZmqServerLike = Record<symbol, unknown>;

const BINDS = Symbol('rnn-course-kit.binds');
const BOUND = Symbol('rnn-course-kit.bound');

export function holdRequestsUntilBound(ZmqServer: { prototype: ZmqServerProto }): void {
  const proto = ZmqServer.prototype;
  if (!markPatched(proto, 'start-race')) return;
  const bindSocket = proto.bindSocket;
  const handleShellMessage = proto.handleShellMessage;
  proto.bindSocket = function (sock, port) {
    const bound = bindSocket.call(this, sock, port);
    let binds = this[BINDS] as Promise<unknown>[] | undefined;
    if (!binds) this[BINDS] = binds = [];
    binds.push(bound);
    return bound;
  };
  proto.handleShellMessage = async function (sock, ...frames) {
    // tslab calls bindSocket for all five sockets in one go, before any request can be read
    const binds = this[BINDS] as Promise<unknown>[] | undefined;
    if (binds) await (this[BOUND] ??= Promise.allSettled(binds));
    return handleShellMessage.call(this, sock, ...frames);
  };
}
