/**
 * Runs one task of one submission in a child process and brings back its observation.
 *
 * Isolation: a fresh temp dir holds the code (never the submission's own folder); when the grader
 * runs as root the child runs as an unprivileged uid of its own (see sandboxUser) and owns only
 * that dir; a wall-clock limit; a memory
 * limit (V8 heap via --max-old-space-size, and the resident set — tfjs tensors live outside the
 * V8 heap — polled from /proc and killed beyond the limit); a minimal environment; the whole
 * process group is killed at the end. The result comes back on a private pipe (fd 3) as JSON
 * tagged with a random nonce; stdout/stderr are never parsed for verdicts.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Observation } from './types.js';

export interface Limits {
  /** Wall-clock seconds for the task's child (load + run). */
  timeoutSeconds: number;
  /** Resident memory (MB) the child may use; also its V8 heap limit. */
  memoryMB: number;
}

export const DEFAULT_LIMITS: Limits = { timeoutSeconds: 60, memoryMB: 1536 };

export type Outcome =
  | { kind: 'ok'; observation: Observation; ms: number }
  | { kind: 'fatal'; error: string; ms: number }
  | { kind: 'timeout'; seconds: number; ms: number }
  | { kind: 'memory'; mb: number; ms: number }
  | { kind: 'crash'; error: string; ms: number };

export interface SandboxJob {
  root: string;
  courseModule: string;
  taskId: string;
  /** The task's code, already transpiled to JavaScript (an ES module). */
  js: string;
  limits: Limits;
}

const here = fileURLToPath(import.meta.url);
const childPath = join(here, '..', here.endsWith('.ts') ? 'child.ts' : 'child.js');

const UID_BASE = 100_000;
const UID_SPAN = 60_000;
let runs = 0;

function uidMapCovers(lo: number, hi: number): boolean {
  try {
    return readFileSync('/proc/self/uid_map', 'utf8').trim().split('\n').some((l) => {
      const [inside, , count] = l.trim().split(/\s+/).map(Number);
      return inside! <= lo && inside! + count! >= hi;
    });
  } catch {
    return false;
  }
}

function nobody(): { uid: number; gid: number } {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
    if (line) {
      const [, , uid, gid] = line.split(':');
      return { uid: Number(uid), gid: Number(gid) };
    }
  } catch { /* fall through */ }
  return { uid: 65534, gid: 65534 };
}

/**
 * The user a child runs as. As root: a uid/gid of its own, unused by any account
 * (100000 + n), so that children running at the same time can neither signal nor read each
 * other, and leftovers of one run can be found and killed; `nobody` where the user namespace does
 * not map that range. As anyone else: the grader's own user (undefined).
 */
export function sandboxUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  if (!uidMapCovers(UID_BASE, UID_BASE + UID_SPAN)) return nobody();
  const n = ((process.pid % 1000) * 59 + runs++) % UID_SPAN;
  return { uid: UID_BASE + n, gid: UID_BASE + n };
}

/** Kills every process running as `uid` (leftovers that left the process group). */
function killUid(uid: number): void {
  if (uid === 0 || uid === nobody().uid) return;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m && Number(m[1]) === uid) process.kill(Number(pid), 'SIGKILL');
    } catch { /* gone */ }
  }
}

function rssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const ENV_MODULE = `import * as tf from '@tensorflow/tfjs';
export { tf };
export async function loadLib() { return await import('rnn-course-kit'); }
`;

export async function runInSandbox(job: SandboxJob): Promise<Outcome> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'rnnkit-grade-'));
  const user = sandboxUser();
  try {
    writeFileSync(join(dir, 'task.mjs'), job.js);
    writeFileSync(join(dir, 'env.mjs'), ENV_MODULE);
    symlinkSync(join(job.root, 'node_modules'), join(dir, 'node_modules'));
    chmodSync(dir, 0o700);
    if (user) for (const f of ['', 'task.mjs', 'env.mjs']) chownSync(join(dir, f), user.uid, user.gid);
    const nonce = randomBytes(24).toString('hex');
    const args = [`--max-old-space-size=${job.limits.memoryMB}`, '--no-warnings', '--enable-source-maps'];
    if (childPath.endsWith('.ts')) args.push('--import', 'tsx');
    args.push(childPath);
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        RNNKIT_BACKEND: 'cpu',
        TF_CPP_MIN_LOG_LEVEL: '2',
        // Nothing shared between runs: a private temp dir, and no on-disk transform cache (a
        // shared cache could be poisoned by one submission to run code in another's grading).
        TMPDIR: dir,
        TSX_DISABLE_CACHE: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
      ...(user ?? {}),
    });
    const killAll = (): void => {
      try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    };
    let stopped: Outcome | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const channel = child.stdio[3] as NodeJS.ReadableStream;
    channel.on('data', (b: Buffer) => {
      size += b.length;
      if (size > 64 * 1024 * 1024) {
        stopped ??= { kind: 'crash', error: 'the result was larger than 64 MB', ms: Date.now() - t0 };
        killAll();
      } else chunks.push(b);
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
    child.stdout!.resume();
    child.stdin!.on('error', () => { /* child died early */ });
    child.stdin!.end(JSON.stringify({
      nonce, root: job.root, courseModule: job.courseModule, taskId: job.taskId,
      studentModule: join(dir, 'task.mjs'), envModule: join(dir, 'env.mjs'),
    }));
    const timer = setTimeout(() => {
      stopped ??= { kind: 'timeout', seconds: job.limits.timeoutSeconds, ms: Date.now() - t0 };
      killAll();
    }, job.limits.timeoutSeconds * 1000);
    const poll = setInterval(() => {
      if (child.pid && rssMB(child.pid) > job.limits.memoryMB) {
        stopped ??= { kind: 'memory', mb: job.limits.memoryMB, ms: Date.now() - t0 };
        killAll();
      }
    }, 50);
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: string | null): void => { if (!done) { done = true; resolve({ code, signal }); } };
      child.on('error', (e) => { stderr += String(e); finish(null, null); });
      child.on('close', (code, signal) => finish(code, signal));
      // A grandchild holding the pipes open must not keep us waiting.
      child.on('exit', (code, signal) => setTimeout(() => { killAll(); finish(code, signal); }, 2000).unref());
    });
    clearTimeout(timer);
    clearInterval(poll);
    killAll();
    if (user) killUid(user.uid);
    if (stopped) return stopped;
    const ms = Date.now() - t0;
    for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
      if (!line.includes(nonce)) continue;
      let msg: { nonce?: string; observation?: Observation; fatal?: string };
      try { msg = JSON.parse(line); } catch { continue; }
      if (msg.nonce !== nonce) continue;
      if (typeof msg.fatal === 'string') return { kind: 'fatal', error: msg.fatal, ms };
      if (msg.observation && typeof msg.observation === 'object') return { kind: 'ok', observation: msg.observation, ms };
    }
    if (/heap out of memory|Reached heap limit|Array buffer allocation failed/i.test(stderr)) return { kind: 'memory', mb: job.limits.memoryMB, ms };
    if (exit.code === 13) return { kind: 'crash', error: 'the code never finished: it waits for a promise that never settles', ms };
    const why = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const noise = /^=+$|^Node\.js v\d|Hi, looks like you are running TensorFlow\.js|^\s*$/;
    const tail = exit.code === 0 ? undefined : stderr.trim().split('\n').filter((l) => !noise.test(l)).slice(-1)[0];
    return { kind: 'crash', error: `the code stopped the process before a result was returned (it ${why})${tail ? `: ${tail.slice(0, 300)}` : ''}`, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
