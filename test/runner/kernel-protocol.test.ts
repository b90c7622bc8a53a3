/**
 * The kit's kernel speaks the Jupyter protocol: the Jupyter project's own kernel test suite
 * (jupyter_kernel_test, Debian python3-jupyter-kernel-test) runs against it through a kernelspec
 * like the one npm install registers (kernel_info, completion, inspection, is_complete, display
 * data, stdout/stderr, errors, execute results), and the error replies carry what clients need.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TslabKernel, writeKernelSpec } from '../../src/runner/kernel.js';
import type { JupyterMessage } from '../../src/runner/protocol.js';
import { root } from '../helpers/paths.js';

const python = '/usr/bin/python3';
const hasSuite = spawnSync(python, ['-c', 'import jupyter_kernel_test'], { stdio: 'ignore' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-protocol-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('the kernel speaks the Jupyter protocol', () => {
  it('passes the Jupyter kernel test suite (jupyter_kernel_test)', {
    skip: hasSuite ? false : `${python} -c "import jupyter_kernel_test" failed (install python3-jupyter-kernel-test)`,
  }, async () => {
    const name = 'rnnkit-protocol-test';
    writeKernelSpec(join(tmp, 'jupyter'), name, 'TypeScript (rnn-course-kit)');
    const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: join(tmp, 'jupyter'), RNNKIT_KERNEL_NAME: name };
    delete env.NODE_TEST_CONTEXT;
    const r = await new Promise<{ code: number | null; out: string }>((res) => {
      const child = spawn(python, [join(root, 'test', 'runner', 'kernel_suite.py')], { cwd: join(root, 'notebooks'), env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      child.on('exit', (code) => res({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    // every test the suite has for what the kernel offers ran (none skipped for want of a sample)
    for (const t of ['test_kernel_info', 'test_execute_stdout', 'test_execute_stderr', 'test_completion', 'test_inspect',
      'test_is_complete', 'test_error', 'test_execute_result', 'test_display_data']) {
      assert.match(r.out, new RegExp(`${t} \\(__main__\\.KitKernelTests\\.${t}\\) \\.\\.\\. ok`), `${t} passed:\n${r.out}`);
    }
  });

  it('replies to a failing cell with ename/evalue/traceback, one error output, and no kit or tslab frames', async () => {
    const kernel = await TslabKernel.start({ cwd: join(root, 'notebooks') });
    try {
      const run = async (code: string) => {
        const msgs: JupyterMessage[] = [];
        await new Promise((r) => setTimeout(r, 300)); // tslab aborts requests within 200 ms of an error
        const outcome = await kernel.execute(code, { onIopub: (m) => msgs.push(m) });
        return { outcome, msgs };
      };
      // an error thrown inside the kit: the student sees its message, not the kit's stack
      const inKit = await run("import { linspace } from 'rnn-course-kit';\nlinspace(0, 1, -3);");
      assert.equal(inKit.outcome.status, 'error');
      const reply = inKit.outcome.reply as { ename: string; evalue: string; traceback: string[] };
      assert.equal(typeof reply.ename, 'string');
      assert.ok(reply.evalue.length > 0, 'the error says what went wrong');
      const errors = inKit.msgs.filter((m) => m.header.msg_type === 'error');
      assert.equal(errors.length, 1);
      assert.deepEqual(errors[0]!.content, { ename: reply.ename, evalue: reply.evalue, traceback: reply.traceback });
      assert.equal(inKit.msgs.filter((m) => m.header.msg_type === 'stream').length, 0, 'the error is not also printed to stderr');
      assert.doesNotMatch(reply.traceback.join('\n'), /node_modules|dist[\\/]lib|node:internal|evalmachine/);
      // a type error: TypeScript's diagnostic
      const typeError = await run('const n: number = "text";');
      assert.equal(typeError.outcome.status, 'error');
      assert.equal(typeError.outcome.reply?.ename, 'TypeScriptError');
      assert.match(String(typeError.outcome.reply?.evalue), /^1:7 - Type 'string' is not assignable to type 'number'/);
      // the last expression's value is Out[n]
      const value = await run('6 * 7');
      const result = value.msgs.find((m) => m.header.msg_type === 'execute_result');
      assert.deepEqual(result?.content, { execution_count: value.outcome.executionCount, data: { 'text/plain': '42' }, metadata: {} });
    } finally {
      await kernel.shutdown();
    }
  });

  it('keeps every stack frame with RNNKIT_VERBOSE=1 (instructors)', async () => {
    const kernel = await TslabKernel.start({ cwd: join(root, 'notebooks'), env: { RNNKIT_VERBOSE: '1' } });
    try {
      const r = await kernel.execute("import { linspace } from 'rnn-course-kit';\nlinspace(0, 1, -3);");
      assert.equal(r.status, 'error');
      assert.match((r.reply?.traceback as string[]).join('\n'), /\s+at .*(dist[\\/]lib|node:|evalmachine)/);
    } finally {
      await kernel.shutdown();
    }
  });
});
