/** The sandbox on its own: unprivileged user, solutions blocked at run time, limits, nonce. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInSandbox, type Outcome } from '../../src/grading/sandbox.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const courseModule = fileURLToPath(new URL('../fixtures/grading/demo-course.ts', import.meta.url));
const run = (js: string, timeoutSeconds = 20, memoryMB = 600): Promise<Outcome> =>
  runInSandbox({ root, courseModule, taskId: 'demo.square', js, limits: { timeoutSeconds, memoryMB } });

function observedError(o: Outcome): string {
  assert.equal(o.kind, 'ok', JSON.stringify(o));
  const p = (o as { observation: Record<string, { ok: boolean; error?: string }> }).observation.out!;
  assert.equal(p.ok, false);
  return p.error!;
}

describe('sandbox', () => {
  it('runs the code as an unprivileged user of its own, in a temp dir (when the grader is root)', async () => {
    const js = "export const __rnnkit_task__ = () => { throw new Error(`uid=${process.getuid()} cwd=${process.cwd()}`); };";
    const [a, b] = await Promise.all([run(js), run(js)]);
    const ea = observedError(a);
    const eb = observedError(b);
    assert.match(ea, /cwd=.*rnnkit-grade-/);
    if (process.getuid?.() === 0) {
      const ua = Number(/uid=(\d+)/.exec(ea)![1]);
      const ub = Number(/uid=(\d+)/.exec(eb)![1]);
      assert.ok(ua !== 0 && ub !== 0);
      assert.notEqual(ua, ub);
    }
  });

  it('one run cannot kill another running at the same time', async (t) => {
    if (process.getuid?.() !== 0) { t.skip('needs root (distinct uids per run)'); return; }
    const slow = run("const t0 = Date.now(); while (Date.now() - t0 < 2500) {}\nexport const __rnnkit_task__ = (x) => x;");
    await new Promise((r) => setTimeout(r, 800));
    await run("try { process.kill(-1, 'SIGKILL'); } catch {}\nexport const __rnnkit_task__ = (x) => x;");
    const o = await slow;
    assert.equal(o.kind, 'ok', JSON.stringify(o).slice(0, 300));
  });

  it('refuses to load the solutions even through a computed specifier', async () => {
    const o = await run("const m = await import(['rnn-course-kit', 'solutions'].join('/'));\nexport const __rnnkit_task__ = m.VanillaRNN;");
    assert.equal(o.kind, 'fatal');
    assert.match((o as { error: string }).error, /importing the reference solutions is not allowed/);
  });

  it('does not pass the grader\'s environment to the code', async () => {
    process.env.RNNKIT_GRADER_SECRET = 'shh';
    try {
      const err = observedError(await run("export const __rnnkit_task__ = () => { throw new Error(Object.keys(process.env).sort().join(',')); };"));
      assert.doesNotMatch(err, /RNNKIT_GRADER_SECRET/);
    } finally {
      delete process.env.RNNKIT_GRADER_SECRET;
    }
  });

  it('kills a run that outlives its wall-clock limit', async () => {
    const t0 = Date.now();
    const o = await run('while (true) {}\nexport const __rnnkit_task__ = 1;', 3);
    assert.equal(o.kind, 'timeout');
    assert.ok(Date.now() - t0 < 8000);
  });

  it('kills a run whose resident memory (outside the V8 heap) passes the limit', async () => {
    const o = await run('const keep = []; for (let i = 0; i < 64; i++) keep.push(new Float64Array(16 * 1024 * 1024).fill(1));\nexport const __rnnkit_task__ = 1;', 30, 400);
    assert.equal(o.kind, 'memory');
  });

  it('ignores messages without the nonce on the result channel', async () => {
    const o = await run("import { writeSync } from 'node:fs';\nwriteSync(3, JSON.stringify({ nonce: 'x', observation: { out: { ok: true, value: 1 } } }) + '\\n');\nprocess.exit(0);\nexport const __rnnkit_task__ = 1;");
    assert.equal(o.kind, 'crash');
  });
});
