/**
 * The kernel always starts: Jupyter sends kernel_info_request the moment it has started a kernel,
 * once, and waits up to 60 s. tslab reads requests before its iopub socket is bound, so on a slow
 * or loaded machine the first request hit "Socket is blocked by a bind or unbind operation" and was
 * never answered. These start kernels as Jupyter does (the request queued before the kernel
 * binds, a client that connects within 1 ms of the bind, one request, no retry), many in a row.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as zmq from 'zeromq';
import { defaultTslabBin, kernelLauncher, kernelNodeFlags } from '../../src/runner/kernel.js';
import { deserialize, newMessage, serialize, type ConnectionInfo, type JupyterMessage } from '../../src/runner/protocol.js';
import { root } from '../helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-start-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const slowBind = join(root, 'test', 'runner', 'slow-iopub-bind.cjs');
const tslabDir = dirname(dirname(defaultTslabBin()));
/** Generous: a start takes 1-3 s; a lost request is never answered at all. */
const REPLY_LIMIT_MS = 45_000;

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });
}

interface Start {
  reply: JupyterMessage | null;
  log: string;
}

/** Starts `program` as Jupyter does and sends one kernel_info_request before it has bound its sockets. */
async function startOnce(program: string, env: NodeJS.ProcessEnv = {}): Promise<Start> {
  const conn: ConnectionInfo = {
    transport: 'tcp', ip: '127.0.0.1', shell_port: await freePort(), iopub_port: await freePort(), stdin_port: await freePort(),
    control_port: await freePort(), hb_port: await freePort(), key: randomBytes(16).toString('hex'), signature_scheme: 'hmac-sha256', kernel_name: 'tslab',
  };
  const dir = mkdtempSync(join(tmp, 'k-'));
  const file = join(dir, 'connection.json');
  writeFileSync(file, JSON.stringify(conn));
  const shell = new zmq.Dealer({ linger: 0, reconnectInterval: 1 });
  shell.connect(`tcp://127.0.0.1:${conn.shell_port}`);
  const request = newMessage('kernel_info_request', {}, 'start-test');
  await shell.send(serialize(request, conn.key));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_TEST_CONTEXT;
  const child: ChildProcess = spawn(process.execPath, [...kernelNodeFlags(), program, 'kernel', '--config-path', file], { cwd: join(root, 'notebooks'), env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let failed: (() => void) | undefined;
  const onLog = (b: Buffer) => {
    log += b.toString();
    if (/UnhandledPromiseRejection|blocked by a bind/.test(log)) failed?.();
  };
  child.stdout!.on('data', onLog);
  child.stderr!.on('data', onLog);
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await Promise.race([
      shell.receive().then((parts) => deserialize(parts, conn.key)),
      new Promise<null>((res) => { failed = () => res(null); timer = setTimeout(() => res(null), REPLY_LIMIT_MS); }),
      new Promise<null>((res) => child.once('exit', () => res(null))),
    ]);
    return { reply, log };
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
    shell.close();
  }
}

describe('the kernel answers the first kernel_info_request of every start', { concurrency: 1 }, () => {
  it('plain tslab loses it when iopub binds slowly (the race the kit fixes)', async () => {
    const r = await startOnce(defaultTslabBin(), { NODE_OPTIONS: `--require ${slowBind}`, RNNKIT_TEST_TSLAB_DIR: tslabDir });
    assert.equal(r.reply, null, 'plain tslab answered: the simulated slow bind no longer shows the race');
    assert.match(r.log, /Socket is blocked by a bind or unbind operation/);
  });

  it('the kit\'s kernel answers it, with status ok, when iopub binds slowly (3 starts)', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await startOnce(kernelLauncher(), { NODE_OPTIONS: `--require ${slowBind}`, RNNKIT_TEST_TSLAB_DIR: tslabDir });
      assert.ok(r.reply, `start ${i + 1}: no kernel_info_reply; the kernel printed:\n${r.log}`);
      assert.equal(r.reply.header.msg_type, 'kernel_info_reply');
      assert.equal(r.reply.content.status, 'ok');
      assert.doesNotMatch(r.log, /Unhandled|blocked/);
    }
  });

  it('the kit\'s kernel answers it in 6 starts in a row on a busy machine', async () => {
    // a second process keeps one core busy while the kernels start
    const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 6; i++) {
        const r = await startOnce(kernelLauncher());
        assert.ok(r.reply, `start ${i + 1}: no kernel_info_reply; the kernel printed:\n${r.log}`);
        assert.equal(r.reply.content.status, 'ok');
        assert.doesNotMatch(r.log, /Unhandled|blocked/);
      }
    } finally {
      burner.kill('SIGKILL');
    }
  });
});
