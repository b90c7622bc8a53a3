/**
 * Runs one task of one submission in a child process and brings back its observation.
 *
 * Isolation (`bwrap`, the default): the child runs under bubblewrap in new user, PID, network,
 * IPC, UTS and mount namespaces, sees a read-only root holding only /usr (Node), the project's
 * package.json, node_modules and its built/source folders without `solutions`, the course module
 * and that one task's code, with a private empty /tmp; CPU-time, address-space and process-count
 * limits (prlimit) apply, and when the grader is root, bubblewrap itself runs as an unprivileged
 * uid of its own (see sandboxUser). The whole tree dies with the task (--die-with-parent, the PID
 * namespace, a kill of the uid's leftovers).
 * Without bubblewrap (`none`, only for trusted work) the child runs in a temp dir as that uid,
 * with the same limits, but sees the file system and the network.
 *
 * Both: a wall-clock backstop, a resident-memory poll over the child's whole process tree, a
 * minimal environment. The result comes back on a private pipe (fd 3) as JSON tagged with a
 * random nonce; stdout/stderr are never parsed for verdicts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { observationProblem } from './plain.js';
import type { Observation } from './types.js';

export interface Limits {
  /**
   * CPU seconds for the task's child (load + run); a wall-clock backstop of twice that (at least
   * 30 s more) stops code that sleeps instead of computing.
   */
  timeoutSeconds: number;
  /** Resident memory (MB) the child may use; also its V8 heap limit. */
  memoryMB: number;
}

export const DEFAULT_LIMITS: Limits = { timeoutSeconds: 60, memoryMB: 1536 };

/** Virtual address space Node and tfjs reserve beyond what they touch (RLIMIT_AS = memory + this). */
const ADDRESS_SPACE_HEADROOM_MB = 1536;
/** Processes and threads per task (RLIMIT_NPROC; Node alone runs about a dozen threads). */
const MAX_TASKS = 96;

/** How a child is isolated: bubblewrap, or nothing beyond a temp dir and an unprivileged uid (trusted work only). */
export type Isolation = 'bwrap' | 'none';

/** What `--no-sandbox` leaves unprotected (printed by the CLI and written in GRADING.md). */
export const UNSANDBOXED_RISKS = 'student code can read every file the grading uid can read (world-readable solutions, .git, other '
  + 'submissions), open network connections, see the grader\'s processes and write to world-writable folders such as /tmp';

export type Outcome =
  | { kind: 'ok'; observation: Observation; ms: number }
  | { kind: 'fatal'; error: string; ms: number }
  | { kind: 'timeout'; seconds: number; ms: number }
  | { kind: 'memory'; mb: number; ms: number }
  | { kind: 'crash'; error: string; ms: number }
  /** Not run: no sandbox here and the work was not declared trusted. */
  | { kind: 'unsafe'; error: string; ms: number };

export interface SandboxJob {
  root: string;
  courseModule: string;
  taskId: string;
  /** The task's code, already transpiled to JavaScript (an ES module). */
  js: string;
  limits: Limits;
  /** Default `bwrap`; `none` only when the instructor said the work is trusted. */
  isolation?: Isolation;
  /** bubblewrap's path (tests point it elsewhere to see the refusal). */
  bwrap?: string;
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

/** Kills every process running as `uid` (leftovers that left the process group) and waits until they are gone. */
async function killUid(uid: number): Promise<void> {
  if (uid === 0 || uid === nobody().uid) return;
  for (let round = 0; round < 100; round++) {
    let found = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const m = /^Uid:\s+(\d+)/m.exec(status);
        if (!m || Number(m[1]) !== uid || /^State:\s+Z/m.test(status)) continue;
        found++;
        process.kill(Number(pid), 'SIGKILL');
      } catch { /* gone */ }
    }
    if (found === 0) return;
    await new Promise((r) => setTimeout(r, 20));
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

/** Sum of the resident memory of `pid` and all its descendants (MB). */
function treeRssMB(pid: number): number {
  let total = 0;
  const stack = [pid];
  const seen = new Set<number>();
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p) || seen.size > 4096) continue;
    seen.add(p);
    total += rssMB(p);
    try {
      for (const t of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ')) if (c.trim()) stack.push(Number(c));
      }
    } catch { /* gone */ }
  }
  return total;
}

export const BWRAP = '/usr/bin/bwrap';
export const PRLIMIT = '/usr/bin/prlimit';

/**
 * The read-only view of the project a child gets: package.json, tsconfig.json, node_modules and
 * every folder of dist/ and src/ except `solutions` (nothing else: no .git, build/, test/, notebooks).
 */
function projectBinds(root: string): string[] {
  const out: string[] = [];
  for (const f of ['package.json', 'tsconfig.json', 'node_modules']) if (existsSync(join(root, f))) out.push(join(root, f));
  for (const d of ['dist', 'src']) {
    let entries: string[] = [];
    try { entries = readdirSync(join(root, d)); } catch { continue; }
    for (const e of entries) if (e !== 'solutions') out.push(join(root, d, e));
  }
  return out;
}

function inside(path: string, dirs: string[]): boolean {
  return dirs.some((d) => { const r = relative(d, path); return r === '' || (!r.startsWith('..') && !r.startsWith('/')); });
}

/** bubblewrap's arguments for a child whose task folder is `taskDir` (seen as /task). */
function bwrapArgs(root: string, courseModule: string, taskDir: string, env: Record<string, string>): string[] {
  const a = ['--unshare-all', '--die-with-parent', '--new-session', '--uid', '65534', '--gid', '65534',
    '--ro-bind', '/usr', '/usr'];
  for (const l of ['lib', 'lib64', 'bin', 'sbin']) {
    let st;
    try { st = lstatSync(`/${l}`); } catch { continue; }
    if (st.isSymbolicLink()) a.push('--symlink', `usr/${l}`, `/${l}`);
    else a.push('--ro-bind', `/${l}`, `/${l}`);
  }
  a.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  const binds = projectBinds(root);
  if (!process.execPath.startsWith('/usr/')) binds.push(process.execPath);
  if (!inside(courseModule, binds)) binds.push(courseModule);
  for (const b of binds) a.push('--ro-bind', b, b);
  a.push('--ro-bind', taskDir, '/task', '--chdir', '/task', '--clearenv');
  for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
  return a;
}

function prlimitArgs(limits: Limits, user: { uid: number } | undefined): string[] {
  const cpu = Math.ceil(limits.timeoutSeconds);
  const as = (limits.memoryMB + ADDRESS_SPACE_HEADROOM_MB) * 1024 * 1024;
  // RLIMIT_NPROC counts every process of the (real) uid: a per-task uid when the grader is root;
  // as another user it is shared with everything that user runs, so it is left to the PID namespace.
  return [`--cpu=${cpu}:${cpu + 1}`, `--as=${as}`, '--core=0', ...(user ? [`--nproc=${MAX_TASKS}`] : []), '--'];
}

const probes = new Map<string, { ok: boolean; reason: string }>();

/**
 * Whether bubblewrap can run a child here (cached): /usr/bin/bwrap and /usr/bin/prlimit exist and
 * an unprivileged sandbox starts Node. `reason` says why not.
 */
export function sandboxAvailable(bwrap = BWRAP): { ok: boolean; reason: string } {
  const known = probes.get(bwrap);
  if (known) return known;
  const r = probeSandbox(bwrap);
  probes.set(bwrap, r);
  return r;
}

function probeSandbox(bwrap: string): { ok: boolean; reason: string } {
  if (!existsSync(bwrap)) return { ok: false, reason: `${bwrap} is not installed (Debian/Ubuntu: apt-get install bubblewrap)` };
  if (!existsSync(PRLIMIT)) return { ok: false, reason: `${PRLIMIT} is not installed (util-linux)` };
  const dir = mkdtempSync(join(tmpdir(), 'rnnkit-probe-'));
  try {
    const user = sandboxUser();
    if (user) chownSync(dir, user.uid, user.gid);
    const r = spawnSync(PRLIMIT, [...prlimitArgs(DEFAULT_LIMITS, user), bwrap, ...bwrapArgs(dir, dir, dir, { PATH: '/usr/bin' }),
      process.execPath, '-e', 'process.stdout.write(String(Object.keys(require("os").networkInterfaces()).join() === "lo"))'],
    { encoding: 'utf8', timeout: 20_000, ...(user ?? {}) });
    if (r.status === 0 && r.stdout === 'true') return { ok: true, reason: '' };
    return { ok: false, reason: `bubblewrap cannot start a sandbox here (${(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0]})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// loadLib: what the student's code imports loaded first, then the names task definitions use (as
// reference-env.ts's courseLibrary() in the grader's process), by package name: the same instances.
const ENV_MODULE = `import * as tf from '@tensorflow/tfjs';
export { tf };
export async function loadLib() {
  await import('rnn-course-kit');
  return { ...(await import('rnn-course-kit/nn')), ...(await import('rnn-course-kit/random')) };
}
`;

export async function runInSandbox(job: SandboxJob): Promise<Outcome> {
  const t0 = Date.now();
  const isolation = job.isolation ?? 'bwrap';
  if (isolation === 'bwrap') {
    const avail = sandboxAvailable(job.bwrap);
    if (!avail.ok) return { kind: 'unsafe', error: avail.reason, ms: 0 };
  }
  const dir = mkdtempSync(join(tmpdir(), 'rnnkit-grade-'));
  const user = sandboxUser();
  try {
    // The task folder: the code, an env module and a link to the project's packages. Inside the
    // sandbox it is /task; without one the child runs in it.
    const taskDir = isolation === 'bwrap' ? '/task' : dir;
    writeFileSync(join(dir, 'task.mjs'), job.js);
    writeFileSync(join(dir, 'env.mjs'), ENV_MODULE);
    symlinkSync(join(job.root, 'node_modules'), join(dir, 'node_modules'));
    chmodSync(dir, 0o700);
    if (user) for (const f of ['', 'task.mjs', 'env.mjs']) chownSync(join(dir, f), user.uid, user.gid);
    const nonce = randomBytes(24).toString('hex');
    // Without the trap handler, WebAssembly reserves only the memory it uses (not 10 GB guard regions
    // per instance), which the address-space limit needs.
    const nodeArgs = [`--max-old-space-size=${job.limits.memoryMB}`, '--disable-wasm-trap-handler', '--no-warnings', '--enable-source-maps'];
    if (childPath.endsWith('.ts')) nodeArgs.push('--import', 'tsx');
    nodeArgs.push(childPath);
    const env: Record<string, string> = {
      PATH: '/usr/bin:/bin',
      HOME: isolation === 'bwrap' ? '/tmp' : dir,
      RNNKIT_BACKEND: 'cpu',
      TF_CPP_MIN_LOG_LEVEL: '2',
      // Nothing shared between runs: a private temp dir, and no on-disk transform cache (a
      // shared cache could be poisoned by one submission to run code in another's grading).
      TMPDIR: isolation === 'bwrap' ? '/tmp' : dir,
      TSX_DISABLE_CACHE: '1',
    };
    const argv = isolation === 'bwrap'
      ? [...prlimitArgs(job.limits, user), job.bwrap ?? BWRAP, ...bwrapArgs(job.root, job.courseModule, dir, env), process.execPath, ...nodeArgs]
      : existsSync(PRLIMIT) ? [...prlimitArgs(job.limits, user), process.execPath, ...nodeArgs] : [process.execPath, ...nodeArgs];
    const child = spawn(argv[0] === process.execPath ? process.execPath : PRLIMIT, argv[0] === process.execPath ? argv.slice(1) : argv, {
      cwd: dir,
      env,
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
      studentModule: join(taskDir, 'task.mjs'), envModule: join(taskDir, 'env.mjs'),
    }));
    // The CPU-time limit stops busy code; this backstop stops code that only waits.
    const wall = Math.max(2 * job.limits.timeoutSeconds, job.limits.timeoutSeconds + 30);
    const timer = setTimeout(() => {
      stopped ??= { kind: 'timeout', seconds: job.limits.timeoutSeconds, ms: Date.now() - t0 };
      killAll();
    }, wall * 1000);
    const poll = setInterval(() => {
      if (child.pid && treeRssMB(child.pid) > job.limits.memoryMB) {
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
    if (user) await killUid(user.uid);
    if (stopped) return stopped;
    const ms = Date.now() - t0;
    for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
      if (!line.includes(nonce)) continue;
      let msg: { nonce?: string; observation?: Observation; fatal?: string };
      try { msg = JSON.parse(line, reviver); } catch { continue; }
      if (msg.nonce !== nonce) continue;
      if (typeof msg.fatal === 'string') return memoryError(msg.fatal) ? { kind: 'memory', mb: job.limits.memoryMB, ms } : { kind: 'fatal', error: msg.fatal, ms };
      const bad = observationProblem(msg.observation);
      if (bad) return { kind: 'crash', error: `invalid measurement (${bad})`, ms };
      // An allocation refused by the address-space limit surfaces as an error inside a probe.
      if (Object.values(msg.observation!).some((p) => !p.ok && memoryError(p.error))) return { kind: 'memory', mb: job.limits.memoryMB, ms };
      return { kind: 'ok', observation: msg.observation!, ms };
    }
    if (memoryError(stderr)) return { kind: 'memory', mb: job.limits.memoryMB, ms };
    if (exit.code === 13) return { kind: 'crash', error: 'the code never finished: it waits for a promise that never settles', ms };
    // prlimit/bubblewrap report a child killed by a signal as 128 + the signal's number.
    if (exit.signal === 'SIGXCPU' || exit.code === 128 + 24 || ((exit.signal === 'SIGKILL' || exit.code === 128 + 9) && cpuExhausted(stderr))) {
      return { kind: 'timeout', seconds: job.limits.timeoutSeconds, ms };
    }
    const why = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const noise = /^=+$|^Node\.js v\d|Hi, looks like you are running TensorFlow\.js|^\s*$/;
    const tail = exit.code === 0 ? undefined : stderr.trim().split('\n').filter((l) => !noise.test(l)).slice(-1)[0];
    return { kind: 'crash', error: `the code stopped the process before a result was returned (it ${why})${tail ? `: ${tail.slice(0, 300)}` : ''}`, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JSON has no NaN: the child sends numbers that are not finite as `{ $nonfinite: "NaN" }`. */
function reviver(_key: string, v: unknown): unknown {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$nonfinite' && ['NaN', 'Infinity', '-Infinity'].includes(o.$nonfinite as string)) return Number(o.$nonfinite);
  }
  return v;
}

function memoryError(text: string): boolean {
  return /heap out of memory|Reached heap limit|Array buffer allocation failed|Cannot allocate memory|std::bad_alloc/i.test(text);
}

function cpuExhausted(stderr: string): boolean {
  return /CPU time limit exceeded/i.test(stderr);
}
