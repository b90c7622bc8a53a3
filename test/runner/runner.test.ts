import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCli, UsageError } from '../../src/runner/cli.js';
import { TslabKernel, kernelNodeFlags } from '../../src/runner/kernel.js';
import { joinText, NotebookError, type Notebook, type Output } from '../../src/notebook/codec.js';
import { OutputCollector } from '../../src/runner/outputs.js';
import { deserialize, newMessage, serialize, type JupyterMessage } from '../../src/runner/protocol.js';
import { runNotebook, type RunResult } from '../../src/runner/run.js';
import { root } from '../helpers/paths.js';

const fixtures = join(root, 'test', 'fixtures', 'notebooks');
const fixture = (name: string) => join(fixtures, name);
const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-runner-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function text(outputs: Output[], name: 'stdout' | 'stderr'): string {
  return outputs.filter((o) => o.output_type === 'stream' && o.name === name).map((o) => joinText((o as { text: string }).text)).join('');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function assertKernelGone(r: RunResult): void {
  assert.ok(r.kernel, 'the node engine reports its kernel');
  assert.ok(r.kernel.pid > 0);
  assert.equal(isAlive(r.kernel.pid), false, `kernel ${r.kernel.pid} is still running`);
}

function cli(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/runner/cli.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

describe('protocol and outputs (no kernel)', () => {
  it('signs messages and rejects a tampered signature', () => {
    const msg = newMessage('execute_request', { code: '1' }, 'session');
    const frames = serialize(msg, 'secret');
    const back = deserialize(frames, 'secret');
    assert.deepEqual(back.header, msg.header);
    assert.deepEqual(back.content, { code: '1' });
    assert.throws(() => deserialize(frames, 'other key'), /invalid HMAC/);
    const tampered = [...frames];
    tampered[5] = Buffer.from(JSON.stringify({ code: '2' }));
    assert.throws(() => deserialize(tampered, 'secret'), /invalid HMAC/);
  });

  it('applies update_display_data to every output with that display_id and merges streams', () => {
    const displays = new Map();
    const a = new OutputCollector(displays);
    const b = new OutputCollector(displays);
    const msg = (type: string, content: Record<string, unknown>) => ({ ...newMessage(type, content, 's') }) as JupyterMessage;
    a.handle(msg('stream', { name: 'stdout', text: 'x' }));
    a.handle(msg('stream', { name: 'stdout', text: 'y\n' }));
    a.handle(msg('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } }));
    a.handle(msg('display_data', { data: { 'text/plain': 'other' }, metadata: {}, transient: { display_id: 'e' } }));
    b.handle(msg('update_display_data', { data: { 'text/plain': 'v2' }, metadata: {}, transient: { display_id: 'd' } }));
    assert.deepEqual(a.outputs, [
      { output_type: 'stream', name: 'stdout', text: 'xy\n' },
      { output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: {} },
      { output_type: 'display_data', data: { 'text/plain': 'other' }, metadata: {} },
    ]);
    assert.deepEqual(b.outputs, [], 'an update is not a new output');
    a.handle(msg('clear_output', { wait: true }));
    assert.equal(a.outputs.length, 3, 'clear_output(wait) waits for the next output');
    a.handle(msg('error', { ename: 'E', evalue: 'v', traceback: ['t'] }));
    assert.deepEqual(a.outputs, [{ output_type: 'error', ename: 'E', evalue: 'v', traceback: ['t'] }]);
  });

  it('parses the CLI', () => {
    const o = parseCli(['nb.ipynb', '--timeout', '5', '--allow-errors', '--env', 'RNNKIT_SOLUTIONS=1', '--env', 'A=b=c', '--engine', 'nbclient', '--output', 'o.ipynb']);
    assert.equal(o.notebook, 'nb.ipynb');
    assert.equal(o.timeout, 5);
    assert.equal(o.allowErrors, true);
    assert.deepEqual(o.env, { RNNKIT_SOLUTIONS: '1', A: 'b=c' });
    assert.equal(o.engine, 'nbclient');
    assert.equal(o.output, 'o.ipynb');
    assert.equal(parseCli(['x.ipynb']).timeout, 600);
    assert.deepEqual(parseCli(['x.ipynb', '--verbose']).env, { RNNKIT_VERBOSE: '1' }, '--verbose: errors keep every stack frame');
    for (const bad of [[], ['a', 'b'], ['x', '--timeout', 'soon'], ['x', '--env', 'NOVALUE'], ['x', '--engine', 'python'], ['x', '--nope'], ['x', '--inplace', '--output', 'y']]) {
      assert.throws(() => parseCli(bad), UsageError, JSON.stringify(bad));
    }
  });

  it('rejects malformed JSON and a missing file with a clear message (CLI exit code 2)', async () => {
    await assert.rejects(runNotebook(fixture('malformed.ipynb')), (e: unknown) => e instanceof NotebookError && /malformed\.ipynb is not valid notebook JSON/.test(e.message));
    await assert.rejects(runNotebook(fixture('missing.ipynb')), (e: unknown) => e instanceof NotebookError && /missing\.ipynb: no such file/.test(e.message));
    const r = await cli([fixture('malformed.ipynb')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not valid notebook JSON \(line \d+, column \d+\)/);
    const usage = await cli([]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /no notebook given/);
  });
});

describe('node engine (tslab kernel)', { concurrency: 2 }, () => {
  it('runs a passing notebook: stdout, an in-place display update, top-level await', async () => {
    const out = join(tmp, 'passing.out.ipynb');
    const r = await runNotebook(fixture('passing.ipynb'), { output: out, env: { RNNKIT_RUNNER_TEST: 'from-env' }, timeout: 60 });
    assert.equal(r.ok, true, r.failed?.error?.message ?? r.message);
    assert.equal(r.failed, undefined);
    assert.deepEqual(r.cells.map((c) => [c.index, c.codeCellNumber, c.status]), [[1, 1, 'ok'], [2, 2, 'ok'], [4, 4, 'ok']]);
    const [first, display, awaited] = r.cells;
    assert.equal(text(first!.outputs, 'stdout'), 'hello from tslab\nenv: from-env\n');
    assert.equal(text(first!.outputs, 'stderr'), 'a warning on stderr is not a failure\n');
    assert.deepEqual(display!.outputs, [
      { output_type: 'display_data', data: { 'text/plain': 'step 3 of 3' }, metadata: {} },
      { output_type: 'display_data', data: { 'text/html': '<b>bold</b>' }, metadata: {} },
    ]);
    assert.equal(text(awaited!.outputs, 'stdout'), 'awaited 21\n');
    assert.deepEqual(awaited!.outputs[1], { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': '42' }, metadata: {} }, 'the last expression is Out[3]');
    assert.deepEqual(r.cells.map((c) => c.executionCount), [1, 2, 3]);
    // The executed copy on disk.
    const nb = JSON.parse(readFileSync(out, 'utf8')) as Notebook;
    assert.equal(r.outputPath, out);
    assert.deepEqual(nb.cells.map((c) => c.execution_count ?? null), [null, 1, 2, null, 3]);
    assert.deepEqual(nb.cells[2]!.outputs![0], { output_type: 'display_data', data: { 'text/plain': ['step 3 of 3'] }, metadata: {} });
    assert.deepEqual(nb.cells[4]!.outputs, [
      { output_type: 'stream', name: 'stdout', text: ['awaited 21\n'] },
      { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': ['42'] }, metadata: {} },
    ]);
    assert.equal((nb.metadata.language_info as { name: string }).name, 'typescript');
    assertKernelGone(r);
    assert.equal(r.kernel!.killed, false, 'the kernel exits on shutdown_request');
  });

  it('stops at a runtime error in cell 2 and never reports cell 3', async () => {
    const r = await runNotebook(fixture('runtime-error.ipynb'), { timeout: 60 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.cells.map((c) => c.status), ['ok', 'error']);
    assert.equal(r.failed?.index, 1);
    assert.equal(r.failed?.codeCellNumber, 2);
    assert.equal(r.failed?.error?.ename, 'Error');
    assert.equal(r.failed?.error?.evalue, 'boom in cell 2');
    assert.match(r.failed!.error!.message, /boom in cell 2/);
    assert.equal(text(r.failed!.outputs, 'stdout'), 'cell 2 starts\n');
    assert.ok(!r.cells.some((c) => c.index === 2), 'cell 3 was not run');
    assert.deepEqual(r.notebook.cells[2]!.outputs, []);
    assert.equal(r.notebook.cells[2]!.execution_count, null);
    assertKernelGone(r);
  });

  it('CLI: exit code 1 with the cell number, its source and the error; --inplace', async () => {
    const copy = join(tmp, 'runtime-error-copy.ipynb');
    copyFileSync(fixture('runtime-error.ipynb'), copy);
    const r = await cli([copy, '--timeout', '60', '--inplace']);
    assert.equal(r.code, 1, r.stderr);
    const nb = JSON.parse(readFileSync(copy, 'utf8')) as Notebook;
    assert.deepEqual(nb.cells.map((c) => c.execution_count), [1, 2, null]);
    assert.match(JSON.stringify(nb.cells[1]!.outputs), /boom in cell 2/);
    assert.deepEqual(nb.cells[2]!.outputs, []);
    assert.match(r.stderr, /FAILED: cell 2 /);
    assert.match(r.stderr, /\| throw new Error\("boom in cell 2"\);/);
    assert.match(r.stderr, /Error: boom in cell 2/);
    assert.doesNotMatch(r.stderr, /cell 3 \.\.\. ok/);
  });

  it('with allowErrors runs the cells after the error, and still fails', async () => {
    const r = await runNotebook(fixture('runtime-error.ipynb'), { allowErrors: true, timeout: 60 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.cells.map((c) => c.status), ['ok', 'error', 'ok'], 'cell 3 really ran (not aborted)');
    assert.equal(r.failed?.index, 1);
    assert.equal(text(r.cells[2]!.outputs, 'stdout'), 'cell 3 ran\n');
  });

  it('fails on a TypeScript type error', async () => {
    const r = await runNotebook(fixture('type-error.ipynb'), { timeout: 60 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.cells.map((c) => c.status), ['error']);
    assert.equal(r.failed?.error?.ename, 'TypeScriptError');
    assert.match(r.failed!.error!.message, /Type 'string' is not assignable to type 'number'/);
  });

  it('interrupts an infinite loop at the timeout, reports it and shuts the kernel down', async () => {
    const t0 = Date.now();
    const r = await runNotebook(fixture('infinite-loop.ipynb'), { timeout: 2 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.cells.map((c) => c.status), ['ok', 'timeout']);
    assert.equal(r.failed?.error?.evalue, 'timed out after 2 s');
    assert.match(r.failed!.error!.message, /timed out after 2 s; the kernel was interrupted/);
    assert.ok(r.failed!.duration >= 2000 && r.failed!.duration < 8000, `duration ${r.failed!.duration}`);
    assert.ok(Date.now() - t0 < 20_000);
    assertKernelGone(r);
  });

  it('fails with a clear message when the kernel dies', async () => {
    const r = await runNotebook(fixture('kernel-exit.ipynb'), { timeout: 60 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.cells.map((c) => c.status), ['error']);
    assert.equal(r.failed?.error?.ename, 'KernelDied');
    assert.match(r.failed!.error!.message, /the kernel died while running this cell \(exit code 3\)/);
    assertKernelGone(r);
  });

  it('a cancelled run (AbortSignal, as on SIGINT) interrupts the cell and shuts the kernel down', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const run = runNotebook(fixture('infinite-loop.ipynb'), {
      timeout: 600,
      signal: controller.signal,
      onCellStart: (c) => { started.push(c.codeCellNumber); if (c.codeCellNumber === 2) setTimeout(() => controller.abort(), 500); },
    });
    const r = await run;
    assert.deepEqual(started, [1, 2]);
    assert.equal(r.ok, false);
    assert.equal(r.cancelled, true);
    assert.deepEqual(r.cells.map((c) => c.status), ['ok', 'error']);
    assert.equal(r.failed?.error?.ename, 'Cancelled');
    assertKernelGone(r);
  });

  it('CLI: SIGINT stops the run with exit code 130', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/runner/cli.ts'), fixture('infinite-loop.ipynb')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (/cell 2 \.\.\. $/.test(stderr)) setTimeout(() => child.kill('SIGINT'), 300);
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted: stopping the kernel/);
    assert.match(stderr, /cancelled/);
  });

  it('the kernel does not outlive a runner killed with SIGKILL (watchdog thread)', async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/runner/cli.ts'), fixture('infinite-loop.ipynb')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    await new Promise<void>((res) => child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); if (/cell 2 \.\.\. $/.test(stderr)) res(); }));
    const ps = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)], { encoding: 'utf8' });
    if (ps.status !== 0 && !ps.stdout) {
      child.kill('SIGKILL');
      t.skip('ps is not available');
      return;
    }
    const kernelPid = Number(ps.stdout.split('\n').find((l) => l.includes('kernel --config-path'))?.trim().split(/\s+/)[0]);
    assert.ok(kernelPid > 0, `the kernel is a child of the runner:\n${ps.stdout}`);
    assert.equal(isAlive(kernelPid), true);
    child.kill('SIGKILL'); // no cleanup runs in the runner
    const deadline = Date.now() + 5000;
    while (isAlive(kernelPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(isAlive(kernelPid), false, 'the busy kernel ended by itself after its runner died');
    const connection = /--config-path (\S+)/.exec(ps.stdout)?.[1];
    assert.ok(connection, 'the kernel was started with a connection file');
    assert.equal(existsSync(dirname(connection)), false, 'the connection file was removed');
  });

  it('the watchdog starts one watcher thread, not a chain of them (preloads run in every worker)', { skip: existsSync('/proc/self/status') ? false : 'no /proc' }, async () => {
    const kernel = await TslabKernel.start({ cwd: fixtures });
    try {
      // the kernel's OS threads, counted twice 2 s apart, once it has settled
      const outputs: string[] = [];
      const r = await kernel.execute([
        "import { readFileSync } from 'node:fs';",
        "const threads = () => Number(/Threads:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);",
        'await new Promise((res) => setTimeout(res, 1500));',
        'const first = threads();',
        'await new Promise((res) => setTimeout(res, 2000));',
        'console.log(`threads: ${first} then ${threads()}`);',
      ].join('\n'), { onIopub: (m) => { if (m.header.msg_type === 'stream') outputs.push(String((m.content as { text: string }).text)); } });
      assert.equal(r.status, 'ok', outputs.join(''));
      const m = /threads: (\d+) then (\d+)/.exec(outputs.join(''));
      assert.ok(m, outputs.join(''));
      assert.ok(Number(m[2]) - Number(m[1]) <= 1, `the kernel's threads grew from ${m[1]} to ${m[2]} in 2 s`);
    } finally {
      await kernel.shutdown();
    }
  });

  it('starts the kernel with the package\'s node options (a 128 MB young generation)', async () => {
    const kernel = await TslabKernel.start({ cwd: fixtures });
    try {
      const outputs: string[] = [];
      const r = await kernel.execute('console.log(JSON.stringify(process.execArgv))', {
        onIopub: (m) => { if (m.header.msg_type === 'stream') outputs.push(String((m.content as { text: string }).text)); },
      });
      assert.equal(r.status, 'ok', outputs.join(''));
      const argv = JSON.parse(outputs.join('')) as string[];
      assert.ok(kernelNodeFlags().length > 0);
      for (const flag of kernelNodeFlags()) assert.ok(argv.includes(flag), `${flag} in ${argv.join(' ')}`);
    } finally {
      await kernel.shutdown();
    }
  });

  it('reports a request aborted by tslab (sent within 200 ms of an error) as aborted', async () => {
    const kernel = await TslabKernel.start({ cwd: fixtures });
    try {
      const failed = await kernel.execute('throw new Error("first")');
      assert.equal(failed.status, 'error');
      const next = await kernel.execute('console.log("second")');
      assert.equal(next.status, 'aborted');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await kernel.execute('1')).status, 'ok');
    } finally {
      await kernel.shutdown();
    }
    assert.equal(isAlive(kernel.pid), false);
  });
});

const hasNbclient = spawnSync('/usr/bin/python3', ['-c', 'import nbclient'], { stdio: 'ignore' }).status === 0;
const nbclientSkip = hasNbclient ? false : 'nbclient engine: `/usr/bin/python3 -c "import nbclient"` failed (install python3-nbclient)';

describe('nbclient engine', { skip: nbclientSkip, concurrency: 2 }, () => {
  it('runs the passing notebook', async () => {
    const r = await runNotebook(fixture('passing.ipynb'), { engine: 'nbclient', env: { RNNKIT_RUNNER_TEST: 'nb' }, timeout: 60 });
    assert.equal(r.ok, true, r.failed?.error?.message ?? r.message);
    assert.equal(r.engine, 'nbclient');
    assert.deepEqual(r.cells.map((c) => [c.index, c.status]), [[1, 'ok'], [2, 'ok'], [4, 'ok']]);
    assert.equal(text(r.cells[0]!.outputs, 'stdout'), 'hello from tslab\nenv: nb\n');
    assert.deepEqual(r.cells[1]!.outputs[0], { output_type: 'display_data', data: { 'text/plain': 'step 3 of 3' }, metadata: {} });
    assert.equal(text(r.cells[2]!.outputs, 'stdout'), 'awaited 21\n');
    assert.match(JSON.stringify(r.cells[2]!.outputs.find((o) => o.output_type === 'execute_result')), /"text\/plain":\[?"42"/);
    assert.deepEqual(r.notebook.cells.map((c) => c.execution_count ?? null), [null, 1, 2, null, 3]);
  });

  it('stops at the runtime error in cell 2 (the error reply carries ename and evalue)', async () => {
    const r = await runNotebook(fixture('runtime-error.ipynb'), { engine: 'nbclient', timeout: 60 });
    assert.equal(r.ok, false);
    assert.deepEqual(r.cells.map((c) => c.status), ['ok', 'error']);
    assert.equal(r.failed?.index, 1);
    assert.match(r.failed!.error!.message, /boom in cell 2/);
    assert.equal(r.failed?.error?.ename, 'Error');
    assert.equal(r.failed?.error?.evalue, 'boom in cell 2');
    assert.deepEqual(r.notebook.cells[2]!.outputs, []);
  });

  it('CLI: --engine nbclient exits 1 on a type error', async () => {
    const r = await cli([fixture('type-error.ipynb'), '--engine', 'nbclient', '--timeout', '60']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /FAILED: cell 1 /);
    assert.match(r.stderr, /not assignable to type 'number'/);
  });
});
