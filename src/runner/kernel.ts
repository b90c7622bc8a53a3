/**
 * A Node-only Jupyter client for this project's tslab kernel: writes a connection file (free TCP
 * ports on 127.0.0.1, an HMAC-SHA256 key), starts the kit's kernel launcher (`node
 * <project>/dist/kernel/launch.js kernel --config-path <file>`, as the registered kernelspec does:
 * tslab with the kit's patches of src/kernel/) in the notebook's folder, and talks to it over
 * ZeroMQ (shell and control DEALER sockets, iopub SUB socket).
 *
 * tslab handles interrupts only as SIGINT (it has no `interrupt_request` handler: its kernelspec
 * uses Jupyter's default `interrupt_mode: signal`), so `interrupt()` signals the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { kernelNodeFlags, PROJECT_ROOT } from './node-flags.js';
import { deserialize, newMessage, serialize, type ConnectionInfo, type JupyterMessage } from './protocol.js';

export { kernelNodeFlags, PROJECT_ROOT } from './node-flags.js';


export function defaultTslabBin(): string {
  return join(PROJECT_ROOT, 'node_modules', 'tslab', 'bin', 'tslab');
}

/** The kit's kernel program (src/kernel/launch.ts, built): tslab with the kit's kernel patches. */
export function kernelLauncher(): string {
  return join(PROJECT_ROOT, 'dist', 'kernel', 'launch.js');
}

/**
 * Writes a kernelspec `<jupyterDir>/kernels/<name>/kernel.json` that starts the kit's kernel as the
 * registered one does (Jupyter finds it with JUPYTER_PATH=<jupyterDir>).
 */
export function writeKernelSpec(jupyterDir: string, name: string, displayName: string): void {
  const dir = join(jupyterDir, 'kernels', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify({
    argv: [process.execPath, ...kernelNodeFlags(), kernelLauncher(), 'kernel', '--config-path', '{connection_file}'],
    display_name: displayName,
    language: 'typescript',
  }));
}

export class KernelError extends Error {
  override name = 'KernelError';
}

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface KernelStartOptions {
  /** The kernel's working directory (the notebook's folder). */
  cwd: string;
  /** Extra environment variables for the kernel (added to this process's environment). */
  env?: Record<string, string>;
  /**
   * A tslab program to run instead of the kit's launcher (e.g. node_modules/tslab/bin/tslab:
   * plain tslab, without the kit's kernel patches).
   */
  tslabBin?: string;
  /** How long to wait for the kernel to answer kernel_info (ms, default 60000). */
  startTimeoutMs?: number;
}

export type ExecuteStatus = 'ok' | 'error' | 'aborted' | 'timeout' | 'died' | 'cancelled';

export interface ExecuteOutcome {
  status: ExecuteStatus;
  /** The execute_reply content, when one arrived. */
  reply?: Record<string, unknown>;
  executionCount: number | null;
  /** For a timeout: whether the interrupted kernel answered (false: it should be killed). */
  interrupted?: boolean;
}

export interface ExecuteOptions {
  /** Per-request timeout in ms (0 or undefined: none). */
  timeoutMs?: number;
  /** How long to wait for the reply after an interrupt (ms, default 10000). */
  interruptGraceMs?: number;
  /** Called with every iopub message of this request except status messages. */
  onIopub?: (msg: JupyterMessage) => void;
  /** Aborting interrupts the request; the outcome is 'cancelled'. */
  signal?: AbortSignal;
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((res, rej) => {
      const s = createServer();
      s.unref();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => res(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  return ports;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for the first of `promises`, or `ms`; the timer never outlives the wait. */
async function within(ms: number, ...promises: Promise<unknown>[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([...promises, new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kernels still alive: killed when this process exits, whatever the reason. */
const liveKernels = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveKernels) {
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
    }
  });
}

/**
 * Ends the kernel when its parent (this runner) has gone, e.g. killed with SIGKILL: the kernel
 * would otherwise live on, holding its ports. It watches from a worker thread, so that it works
 * while a cell blocks the main thread (\`while (true) {}\`), and removes the connection file's folder;
 * the worker is unref'd and never keeps the kernel alive.
 *
 * Worker threads inherit the process's \`--require\` preloads, so this file also runs at the start of
 * every worker (its own included): only the main thread starts the watcher, and the watcher gets
 * no preloads (\`execArgv: []\`). Without both, each watcher started another one, an endless chain
 * that grew by hundreds of threads and gigabytes a minute and broke long cells.
 */
const WATCHDOG = `const { Worker, isMainThread } = require('node:worker_threads');
if (isMainThread) {
  const watch = "const { workerData: w } = require('node:worker_threads');" +
    "setInterval(() => { if (process.ppid !== w.ppid) {" +
    " try { require('node:fs').rmSync(w.dir, { recursive: true, force: true }); } catch {}" +
    " process.kill(process.pid, 'SIGKILL'); } }, 500);";
  new Worker(watch, { eval: true, execArgv: [], workerData: { ppid: process.ppid, dir: __dirname } }).unref();
}
`;

export class TslabKernel {
  readonly connection: ConnectionInfo;
  readonly session = randomUUID();
  /** Resolves when the kernel process has exited. */
  readonly exited: Promise<KernelExit>;
  exit: KernelExit | null = null;
  kernelInfo: Record<string, unknown> | null = null;
  /** The last lines the kernel process wrote to its own stdout/stderr (outside cell execution). */
  private processLog = '';
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly replies = new Map<string, (msg: JupyterMessage) => void>();
  private readonly iopubListeners = new Map<string, (msg: JupyterMessage) => void>();
  private closed = false;
  private killed = false;
  protocolErrors: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    connection: ConnectionInfo,
    private readonly tempDir: string,
  ) {
    this.connection = connection;
    this.exited = new Promise((res) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        liveKernels.delete(child);
        res(this.exit);
      });
    });
    const keep = (chunk: Buffer) => {
      this.processLog = (this.processLog + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Whether shutdown() had to kill the kernel. */
  get wasKilled(): boolean {
    return this.killed;
  }

  /** What the kernel process printed outside cells (its last 4000 characters). */
  get log(): string {
    return this.processLog;
  }

  static async start(options: KernelStartOptions): Promise<TslabKernel> {
    const tslabBin = options.tslabBin ?? kernelLauncher();
    if (!existsSync(tslabBin)) {
      throw new KernelError(options.tslabBin
        ? `tslab is not installed: ${tslabBin} is missing (run npm install)`
        : `the kit's kernel is not built: ${tslabBin} is missing (run npm run build)`);
    }
    if (!existsSync(options.cwd)) throw new KernelError(`the kernel's folder ${options.cwd} does not exist`);
    const [shell, iopub, stdin, control, hb] = await freePorts(5);
    const connection: ConnectionInfo = {
      transport: 'tcp',
      ip: '127.0.0.1',
      shell_port: shell!,
      iopub_port: iopub!,
      stdin_port: stdin!,
      control_port: control!,
      hb_port: hb!,
      key: randomBytes(32).toString('hex'),
      signature_scheme: 'hmac-sha256',
      kernel_name: 'tslab',
    };
    const tempDir = mkdtempSync(join(tmpdir(), 'rnnkit-kernel-'));
    const connectionFile = join(tempDir, 'connection.json');
    writeFileSync(connectionFile, JSON.stringify(connection, null, 2), { mode: 0o600 });
    const watchdog = join(tempDir, 'watchdog.cjs');
    writeFileSync(watchdog, WATCHDOG);

    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    delete env.NODE_TEST_CONTEXT; // set by node --test for its children; not for a kernel
    installExitHook();
    const child = spawn(process.execPath, [...kernelNodeFlags(), '--require', watchdog, tslabBin, 'kernel', '--config-path', connectionFile], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches the runner, which interrupts
      // and shuts the kernel down itself.
      detached: true,
    });
    liveKernels.add(child);
    const spawnError = new Promise<Error>((res) => child.once('error', res));
    const kernel = new TslabKernel(child, connection, tempDir);
    try {
      await Promise.race([
        kernel.connect(options.startTimeoutMs ?? 60_000),
        spawnError.then((e) => { throw new KernelError(`could not start the kernel: ${e.message}`); }),
      ]);
    } catch (e) {
      await kernel.shutdown(0);
      throw e;
    }
    return kernel;
  }

  private async connect(timeoutMs: number): Promise<void> {
    const url = (port: number) => `tcp://${this.connection.ip}:${port}`;
    this.shell.connect(url(this.connection.shell_port));
    this.control.connect(url(this.connection.control_port));
    this.iopub.connect(url(this.connection.iopub_port));
    this.iopub.subscribe();
    void this.receiveLoop(this.shell, (msg) => this.dispatchReply(msg));
    void this.receiveLoop(this.control, (msg) => this.dispatchReply(msg));
    void this.receiveLoop(this.iopub, (msg) => this.dispatchIopub(msg));

    // Repeat kernel_info_request until its status messages arrive on iopub too: then the
    // subscription is in place and no output of the first cell can be lost.
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) throw new KernelError(this.diedMessage('while starting'));
      const msg = newMessage('kernel_info_request', {}, this.session);
      let sawIopub = false;
      this.iopubListeners.set(msg.header.msg_id, () => { sawIopub = true; });
      const reply = await this.request(this.shell, msg, Math.min(5000, Math.max(1, deadline - Date.now())));
      if (reply) {
        this.kernelInfo = reply.content;
        for (let i = 0; i < 10 && !sawIopub; i++) await sleep(50);
        this.iopubListeners.delete(msg.header.msg_id);
        if (sawIopub) return;
      } else {
        this.iopubListeners.delete(msg.header.msg_id);
      }
    }
    if (this.exit) throw new KernelError(this.diedMessage('while starting'));
    throw new KernelError(`the kernel did not answer within ${Math.round(timeoutMs / 1000)} s of starting`);
  }

  diedMessage(when: string): string {
    const how = this.exit?.signal ? `killed by ${this.exit.signal}` : `exit code ${this.exit?.code}`;
    const log = this.processLog.trim();
    return `the kernel died ${when} (${how})${log ? `; its last output:\n${log}` : ''}`;
  }

  private async receiveLoop(socket: zmq.Dealer | zmq.Subscriber, handle: (msg: JupyterMessage) => void): Promise<void> {
    try {
      for await (const parts of socket) {
        let msg: JupyterMessage;
        try {
          msg = deserialize(parts, this.connection.key);
        } catch (e) {
          this.protocolErrors.push((e as Error).message);
          continue;
        }
        handle(msg);
      }
    } catch (e) {
      if (!this.closed) this.protocolErrors.push(`socket: ${(e as Error).message}`);
    }
  }

  private dispatchReply(msg: JupyterMessage): void {
    const id = msg.parent_header.msg_id;
    const waiter = id ? this.replies.get(id) : undefined;
    if (waiter) {
      this.replies.delete(id!);
      waiter(msg);
    }
  }

  private dispatchIopub(msg: JupyterMessage): void {
    const id = msg.parent_header.msg_id;
    const listener = id ? this.iopubListeners.get(id) : undefined;
    listener?.(msg);
  }

  /** Sends a request and waits for its reply (null on timeout or when the kernel exits). */
  private async request(socket: zmq.Dealer, msg: JupyterMessage<unknown>, timeoutMs: number): Promise<JupyterMessage | null> {
    const reply = new Promise<JupyterMessage>((res) => this.replies.set(msg.header.msg_id, res));
    await socket.send(serialize(msg, this.connection.key));
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      reply,
      this.exited.then(() => null),
      new Promise<null>((res) => { timer = setTimeout(() => res(null), timeoutMs); }),
    ]);
    clearTimeout(timer);
    this.replies.delete(msg.header.msg_id);
    return result;
  }

  /** Executes code; resolves when both the reply and the iopub `idle` status have arrived. */
  async execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteOutcome> {
    if (this.exit) return { status: 'died', executionCount: null };
    const msg = newMessage('execute_request', {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    }, this.session);
    const msgId = msg.header.msg_id;
    let idle!: () => void;
    const idled = new Promise<void>((res) => { idle = res; });
    this.iopubListeners.set(msgId, (m) => {
      if (m.header.msg_type === 'status') {
        if ((m.content as { execution_state?: string }).execution_state === 'idle') idle();
        return;
      }
      options.onIopub?.(m);
    });
    const reply = new Promise<JupyterMessage>((res) => this.replies.set(msgId, res));
    await this.shell.send(serialize(msg, this.connection.key));

    type Event = { kind: 'reply'; msg: JupyterMessage } | { kind: 'exit' } | { kind: 'timeout' } | { kind: 'abort' };
    const timers: NodeJS.Timeout[] = [];
    const wait = (ms: number) => new Promise<Event>((res) => { timers.push(setTimeout(() => res({ kind: 'timeout' }), ms)); });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<Event>((res) => {
      onAbort = () => res({ kind: 'abort' });
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const replyOrExit: Promise<Event>[] = [
      reply.then((m) => ({ kind: 'reply', msg: m }) as Event),
      this.exited.then(() => ({ kind: 'exit' }) as Event),
    ];
    try {
      const first = await Promise.race([
        ...replyOrExit,
        aborted,
        ...(options.timeoutMs && options.timeoutMs > 0 ? [wait(options.timeoutMs)] : []),
      ]);
      if (first.kind === 'exit') return { status: 'died', executionCount: null };
      if (first.kind === 'timeout' || first.kind === 'abort') {
        this.interrupt();
        const after = await Promise.race([...replyOrExit, wait(options.interruptGraceMs ?? 10_000)]);
        if (after.kind === 'reply') {
          // Let the interrupted cell's error text arrive before the caller moves on.
          await within(2000, idled, this.exited);
        }
        return {
          status: first.kind === 'timeout' ? 'timeout' : 'cancelled',
          reply: after.kind === 'reply' ? after.msg.content : undefined,
          executionCount: after.kind === 'reply' ? executionCountOf(after.msg.content) : null,
          interrupted: after.kind === 'reply',
        };
      }
      // All outputs of a request come before its idle status (tslab sends idle after the reply).
      await within(10_000, idled, this.exited);
      const content = first.msg.content;
      const status = String(content.status);
      return {
        status: status === 'ok' ? 'ok' : status === 'abort' || status === 'aborted' ? 'aborted' : 'error',
        reply: content,
        executionCount: executionCountOf(content),
      };
    } finally {
      for (const t of timers) clearTimeout(t);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
      this.replies.delete(msgId);
      // The iopub listener stays: late output of a cell still belongs to it (as in Jupyter).
    }
  }

  /** Interrupts the running cell (tslab: SIGINT). */
  interrupt(): void {
    if (this.exit) return;
    try { this.child.kill('SIGINT'); } catch { /* gone */ }
  }

  /**
   * Shuts the kernel down: shutdown_request on the control channel, then SIGKILL if it has not
   * exited after `graceMs`. Closes the sockets and removes the connection file. Idempotent.
   */
  async shutdown(graceMs = 3000): Promise<KernelExit> {
    if (!this.exit && graceMs > 0) {
      try {
        const msg = newMessage('shutdown_request', { restart: false }, this.session);
        await within(500, this.control.send(serialize(msg, this.connection.key)));
        await within(graceMs, this.exited);
      } catch { /* fall through to kill */ }
    }
    if (!this.exit) {
      this.killed = true;
      try { this.child.kill('SIGKILL'); } catch { /* gone */ }
      await within(5000, this.exited);
    }
    if (!this.closed) {
      this.closed = true;
      for (const s of [this.shell, this.control, this.iopub]) {
        try { s.close(); } catch { /* closed */ }
      }
      this.iopubListeners.clear();
      rmSync(this.tempDir, { recursive: true, force: true });
    }
    return this.exit ?? { code: null, signal: null };
  }
}

function executionCountOf(content: Record<string, unknown>): number | null {
  const n = content.execution_count;
  return typeof n === 'number' ? n : null;
}
