/**
 * Saved notebooks stay small and live charts send little: plotly.js (4.9 MB) is never stored in a
 * notebook (src/lib/plots.ts), and a live chart's update carries its figure once. Measured on a
 * notebook run by the headless runner (what Jupyter would save) and on the kernel's iopub messages.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { figureBundle, type Figure } from '../../src/lib/plots.js';
import { TslabKernel } from '../../src/runner/kernel.js';
import { runNotebook } from '../../src/runner/run.js';
import { codeNotebook as notebook } from '../runner/code-notebook.js';
import { root } from '../helpers/paths.js';

// inside the kit, so that the notebook imports it
const work = mkdtempSync(join(root, 'test', 'fixtures', '.size-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A chart of `n` points per trace, as the notebooks draw (two traces, titles). */
const chart = (title: string, n: number) => `{ data: [0, 1].map((k) => ({ x: Array.from({ length: ${n} }, (_, i) => i), y: Array.from({ length: ${n} }, (_, i) => Math.sin(i / 7 + k)), name: 'trace ' + k })), layout: { title: { text: '${title}' }, xaxis: { title: { text: 'epoch' } } } }`;


describe('plotly output size', { concurrency: 1 }, () => {
  it('a notebook with charts and a live chart saves without plotly.js: within 200 KB of its figures\' data', async (t) => {
    const source = join(work, 'charts.ipynb');
    writeFileSync(source, notebook([
      `import { showFigure, LiveFigure } from 'rnn-course-kit';\nfor (let c = 0; c < 3; c++) showFigure(${chart('static', 200)});`,
      `const live = new LiveFigure();\nfor (let e = 1; e <= 30; e++) live.update(${chart('live', 'e' as unknown as number)});\nlive.close();`,
      `showFigure(${chart('after', 100)});`,
    ]));
    const executed = join(work, 'charts.executed.ipynb');
    const r = await runNotebook(source, { output: executed, timeout: 120 });
    assert.equal(r.ok, true, r.failed?.error?.message ?? r.message);
    const saved = statSync(executed).size;
    const text = readFileSync(executed, 'utf8');
    assert.doesNotMatch(text, /plotly\.js v\d/, 'no copy of the plotly.js bundle');
    // the figures' own data, as plotly JSON outputs
    const nb = JSON.parse(text) as { cells: { outputs: { data?: Record<string, unknown> }[] }[] };
    const figures = nb.cells.flatMap((c) => c.outputs).map((o) => o.data?.['application/vnd.plotly.v1+json']).filter(Boolean);
    assert.equal(figures.length, 5, 'four static charts and the live chart\'s final figure');
    const data = figures.reduce((n: number, f) => n + JSON.stringify(f).length, 0);
    t.diagnostic(`saved notebook ${saved} bytes; its figures' plotly JSON ${data} bytes; the rest ${saved - data} bytes`);
    assert.ok(saved - data <= 200_000, `${saved - data} bytes above the figures' data`);
  });

  it('a live chart\'s update sends its figure once (HTML), the plotly JSON only with the first and final figure', async (t) => {
    const kernel = await TslabKernel.start({ cwd: work });
    try {
      const updates: string[] = [];
      const r = await kernel.execute(
        `import { LiveFigure } from 'rnn-course-kit';\nconst live = new LiveFigure();\nfor (let e = 1; e <= 10; e++) live.update(${chart('live', 200)});\nlive.close();`,
        { onIopub: (m) => { const c = JSON.stringify(m.content); if (m.header.msg_type === 'update_display_data' && c.includes('rnnkit-live-')) updates.push(c); } },
      );
      assert.equal(r.status, 'ok');
      assert.equal(updates.length, 10, 'nine updates and the final figure');
      const fig: Figure = { data: [0, 1].map((k) => ({ x: Array.from({ length: 200 }, (_, i) => i), y: Array.from({ length: 200 }, (_, i) => Math.sin(i / 7 + k)), name: `trace ${k}` })), layout: { title: { text: 'live' }, xaxis: { title: { text: 'epoch' } } } };
      const figureBytes = JSON.stringify(fig).length;
      const before = JSON.stringify({ data: figureBundle(fig) }).length; // what every update sent before: JSON and HTML
      for (const u of updates.slice(0, -1)) {
        assert.doesNotMatch(u, /application\/vnd\.plotly\.v1\+json/);
        assert.ok(u.length < figureBytes * 1.2 + 8000, `an update of ${u.length} bytes for a figure of ${figureBytes}`);
      }
      assert.match(updates.at(-1)!, /application\/vnd\.plotly\.v1\+json/, 'the final figure is a full bundle');
      t.diagnostic(`figure ${figureBytes} bytes: an update sends ${updates[0]!.length} bytes (the full bundle, sent per update before: ${before})`);
    } finally {
      await kernel.shutdown();
    }
  });
});
