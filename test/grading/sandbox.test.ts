/**
 * The sandbox on its own, attacked as a hostile submission would: what a task's code can see
 * (solutions, .git, instructor builds, classmates, the grader's command line), reach (network),
 * leave behind (processes, planted files) and use (CPU, memory, processes). Where bubblewrap
 * cannot run here, the tests that need it are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runInSandbox, sandboxAvailable, type Isolation, type Outcome } from '../../src/grading/sandbox.js';
import { fixturePath, root } from '../helpers/paths.js';

const courseModule = fixturePath('grading', 'demo-course.ts');
const avail = sandboxAvailable();
const needsBwrap = avail.ok ? false : `bubblewrap is not usable here: ${avail.reason}`;
const run = (js: string, timeoutSeconds = 20, memoryMB = 600, isolation: Isolation = 'bwrap'): Promise<Outcome> =>
  runInSandbox({ root, courseModule, taskId: 'demo.square', js, limits: { timeoutSeconds, memoryMB }, isolation });

/** Runs `body` (JavaScript, may await) in the sandbox and returns what it threw as its message. */
async function probeInside(body: string, timeoutSeconds = 20): Promise<string> {
  const js = `import * as fs from 'node:fs';\nimport * as cp from 'node:child_process';\nimport * as net from 'node:net';\nimport { createRequire } from 'node:module';\n`
    + `const result = await (async () => { ${body} })();\nexport const __rnnkit_task__ = () => { throw new Error('RESULT ' + JSON.stringify(result)); };`;
  const o = await run(js, timeoutSeconds);
  assert.equal(o.kind, 'ok', JSON.stringify(o).slice(0, 500));
  const p = (o as { observation: Record<string, { ok: boolean; error?: string }> }).observation.out!;
  assert.equal(p.ok, false);
  const m = /RESULT (.*)$/s.exec(p.error!.replace(/ \[at task\.ts:\d+\]$/, ''));
  assert.ok(m, p.error);
  return JSON.parse(m[1]!) as string;
}

function hostProcessesWith(marker: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) out.push(Number(pid));
    } catch { /* gone */ }
  }
  return out;
}

describe('sandbox (bubblewrap)', () => {
  it('runs the code as an unprivileged user in a read-only /task', { skip: needsBwrap }, async () => {
    const r = await probeInside("let w = 'writable'; try { fs.writeFileSync('/task/x', '1'); } catch (e) { w = e.code; } return `uid=${process.getuid()} cwd=${process.cwd()} ${w}`;");
    assert.equal(r, 'uid=65534 cwd=/task EROFS');
  });

  it('sees no solutions, instructor builds, git data, tests or classmates (fs, createRequire, import)', { skip: needsBwrap }, async () => {
    // (the fixture course module is bound on its own, so its folder exists, holding only that file)
    const paths = ['src/solutions', 'dist/solutions', 'build', '.git', 'test/grading', 'notebooks', 'test/fixtures/grading/submissions',
      'test/fixtures/grading/demo-solution.ts', 'scripts', 'README.md']
      .map((p) => join(root, p));
    const r = await probeInside(`
      const seen = ${JSON.stringify(paths)}.filter((p) => fs.existsSync(p));
      const req = createRequire(import.meta.url);
      for (const p of ['${join(root, 'dist/solutions/index.js')}', '${join(root, 'src/solutions/index.ts')}', 'rnn-course-kit/solutions']) {
        try { req(p); seen.push('require ' + p); } catch {}
      }
      try { await import('${join(root, 'dist/solutions/lab8.js')}'); seen.push('import'); } catch {}
      return seen.join(',') || 'none';`);
    assert.equal(r, 'none');
  });

  it('does not see the grader\'s processes or command line', { skip: needsBwrap }, async () => {
    const r = await probeInside("const all = fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).map((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8'); } catch { return ''; } }); return `${all.length} ${all.some((c) => c.includes('--test') || c.includes('sandbox.test'))}`;");
    const [count, seen] = r.split(' ');
    assert.equal(seen, 'false');
    assert.ok(Number(count) <= 3, r);
  });

  it('has no network: a server on the host\'s loopback is unreachable', { skip: needsBwrap }, async () => {
    const server = createServer((s) => s.end('hello')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await probeInside(`return await new Promise((resolve) => {
        const s = net.connect(${port}, '127.0.0.1');
        s.on('connect', () => resolve('connected')); s.on('error', (e) => resolve(e.code));
      });`);
      assert.notEqual(r, 'connected');
      const ifaces = await probeInside("const os = await import('node:os'); return Object.keys(os.networkInterfaces()).join(',');");
      assert.equal(ifaces, 'lo');
    } finally {
      server.close();
    }
  });

  it('planted files in /tmp stay in the sandbox; the project and the host\'s temp folder are untouched', { skip: needsBwrap }, async () => {
    const hostTmp = tmpdir();
    const marker = `rnnkit-planted-${process.pid}`;
    const r = await probeInside(`
      const out = [];
      for (const p of ['/tmp/${marker}/node_modules/.bin/node', '${join(hostTmp, marker)}', '${join(root, 'src/grading/PWNED.txt')}', '${join(root, 'node_modules/.bin/PWNED')}']) {
        try { fs.mkdirSync(p.slice(0, p.lastIndexOf('/')), { recursive: true }); fs.writeFileSync(p, '#!/bin/sh'); out.push('wrote ' + p); } catch (e) { out.push(e.code); }
      }
      return out.join(',');`);
    assert.match(r, /^wrote \/tmp\//);
    assert.equal(existsSync(join(hostTmp, marker)), false);
    assert.equal(existsSync(join(root, 'src/grading/PWNED.txt')), false);
    assert.equal(existsSync(join(root, 'node_modules/.bin/PWNED')), false);
    rmSync(join(hostTmp, marker), { recursive: true, force: true });
  });

  it('kills every process the code started, even detached ones, with the task', { skip: needsBwrap }, async () => {
    const marker = `${4000 + (process.pid % 1000)}.25`;
    await probeInside(`const c = cp.spawn('/usr/bin/sleep', ['${marker}'], { detached: true, stdio: 'ignore' }); c.unref();
      cp.spawn('/bin/sh', ['-c', 'setsid /usr/bin/sleep ${marker} &'], { stdio: 'ignore' }).unref();
      await new Promise((r) => setTimeout(r, 300)); return 'spawned';`);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(hostProcessesWith(marker), []);
  });

  it('limits the number of processes (a fork bomb runs out, then dies with the task)', { skip: needsBwrap }, async (t) => {
    if (process.getuid?.() !== 0) { t.skip('the per-task process limit needs a uid of its own (grader as root)'); return; }
    const marker = `${5000 + (process.pid % 1000)}.75`;
    const r = await probeInside(`let ok = 0; let err = '';
      for (let i = 0; i < 200; i++) { try { const c = cp.spawn('/usr/bin/sleep', ['${marker}'], { stdio: 'ignore' }); await new Promise((res, rej) => { c.once('spawn', res); c.once('error', rej); }); ok++; } catch (e) { err = e.code; break; } }
      return ok + ' ' + err;`, 60);
    const [n, code] = r.split(' ');
    assert.ok(Number(n) < 200, r);
    assert.equal(code, 'EAGAIN');
    assert.deepEqual(hostProcessesWith(marker), []);
  });

  it('one run cannot kill another running at the same time', { skip: needsBwrap }, async () => {
    const slow = run("const t0 = Date.now(); while (Date.now() - t0 < 2500) {}\nexport const __rnnkit_task__ = (x) => x;");
    await new Promise((r) => setTimeout(r, 800));
    await run("try { process.kill(-1, 'SIGKILL'); } catch {}\nexport const __rnnkit_task__ = (x) => x;");
    const o = await slow;
    assert.equal(o.kind, 'ok', JSON.stringify(o).slice(0, 300));
  });

  it('refuses to load the solutions even through a computed specifier', { skip: needsBwrap }, async () => {
    const o = await run("const m = await import(['rnn-course-kit', 'solutions'].join('/'));\nexport const __rnnkit_task__ = m.VanillaRNN;");
    assert.equal(o.kind, 'fatal');
    assert.match((o as { error: string }).error, /importing the reference solutions is not allowed/);
  });

  it('does not pass the grader\'s environment to the code', { skip: needsBwrap }, async () => {
    process.env.RNNKIT_GRADER_SECRET = 'shh';
    try {
      const r = await probeInside('return Object.keys(process.env).sort().join(\',\');');
      assert.doesNotMatch(r, /RNNKIT_GRADER_SECRET/);
    } finally {
      delete process.env.RNNKIT_GRADER_SECRET;
    }
  });

  it('stops busy code at its CPU-time limit', { skip: needsBwrap }, async () => {
    const o = await run('while (true) {}\nexport const __rnnkit_task__ = 1;', 3);
    assert.equal(o.kind, 'timeout', JSON.stringify(o));
  });

  it('stops code that only waits at the wall-clock backstop', { skip: needsBwrap }, async () => {
    const o = await run('setInterval(() => {}, 1000); await new Promise((r) => setTimeout(r, 1e9));\nexport const __rnnkit_task__ = 1;', 1);
    assert.equal(o.kind, 'timeout', JSON.stringify(o));
  });

  it('stops typed arrays beyond the memory limit, touched (resident) or not (address space)', { skip: needsBwrap }, async () => {
    // CPU limit far above what the allocation takes: only the memory limit can end these runs.
    const touched = await run('const keep = []; for (let i = 0; i < 64; i++) keep.push(new Float64Array(16 * 1024 * 1024).fill(1));\nexport const __rnnkit_task__ = 1;', 120, 400);
    assert.equal(touched.kind, 'memory', JSON.stringify(touched));
    const untouched = await run('const keep = []; for (let i = 0; i < 64; i++) keep.push(new Float64Array(64 * 1024 * 1024));\nexport const __rnnkit_task__ = 1;', 120, 400);
    assert.equal(untouched.kind, 'memory', JSON.stringify(untouched));
  });

  it('ignores messages without the nonce on the result channel', { skip: needsBwrap }, async () => {
    const o = await run("import { writeSync } from 'node:fs';\nwriteSync(3, JSON.stringify({ nonce: 'x', observation: { out: { ok: true, value: 1 } } }) + '\\n');\nprocess.exit(0);\nexport const __rnnkit_task__ = 1;");
    assert.equal(o.kind, 'crash');
  });
});

describe('sandbox refusal', () => {
  it('says why bubblewrap is unusable when it is missing', () => {
    const r = sandboxAvailable('/nonexistent/bwrap');
    assert.equal(r.ok, false);
    assert.match(r.reason, /not installed/);
  });

  it('refuses to run untrusted code without a sandbox; runs it only when declared trusted', async () => {
    const refused = await runInSandbox({ root, courseModule, taskId: 'demo.square', js: 'export const __rnnkit_task__ = (x) => x;', limits: { timeoutSeconds: 20, memoryMB: 600 }, bwrap: '/nonexistent/bwrap' });
    assert.equal(refused.kind, 'unsafe');
    const trusted = await run('export const __rnnkit_task__ = (x) => x;', 20, 600, 'none');
    assert.equal(trusted.kind, 'ok', JSON.stringify(trusted).slice(0, 300));
  });
});
