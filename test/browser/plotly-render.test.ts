/**
 * End to end: run a notebook that shows a plotly chart, export the executed copy to HTML (Jupyter's
 * nbconvert, or test/browser/html.ts where nbconvert is missing), load it in headless Chromium and
 * check that plotly drew the chart's SVG.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { PLOTLY_ASSET } from '../../src/lib/plots.js';
import { createServer, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readNotebook } from '../../src/notebook/codec.js';
import { runNotebook } from '../../src/runner/run.js';
import { notebookToHtml } from './html.js';
import { root } from '../helpers/paths.js';

const fixtures = join(root, 'test', 'fixtures', 'notebooks');
const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-browser-test-'));
const workDirs: string[] = [];
after(() => {
  rmSync(tmp, { recursive: true, force: true });
  for (const d of workDirs) rmSync(d, { recursive: true, force: true });
});

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const hasNbconvert = spawnSync('/usr/bin/python3', ['-c', 'import nbconvert'], { stdio: 'ignore' }).status === 0;
const libIndex = join(root, 'dist', 'api', 'index.js');
const libPlots = join(root, 'dist', 'lib', 'plots.js');
/** Whether notebooks can `import { showFigure } from 'rnn-course-kit'` (the library is built and linked). */
const hasShowFigure = existsSync(join(root, 'node_modules', 'rnn-course-kit', 'package.json')) &&
  existsSync(libIndex) && existsSync(libPlots) && /export function showFigure\b/.test(readFileSync(libPlots, 'utf8')) &&
  /\bshowFigure\b|\.\/plots\.js/.test(readFileSync(libIndex, 'utf8'));

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-8000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', rej);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/**
 * Runs a copy of the fixture in a folder of its own inside the kit (where the library writes
 * plotly.js next to the notebook), writes the executed copy there and exports it to HTML beside it,
 * as a user exports a notebook; returns the HTML file.
 */
async function executeAndExport(fixture: string, exporter: 'nbconvert' | 'own'): Promise<string> {
  const name = `${basename(fixture, '.ipynb')}-${exporter}`;
  const work = mkdtempSync(join(fixtures, '..', '.browser-test-')); // as deep as the fixtures: their relative paths hold
  workDirs.push(work);
  const input = join(work, `${name}.source.ipynb`);
  copyFileSync(join(fixtures, fixture), input);
  const executed = join(work, `${name}.ipynb`);
  const r = await runNotebook(input, { output: executed, timeout: 120 });
  assert.equal(r.ok, true, r.failed?.error?.message ?? r.message);
  const html = join(work, `${name}.html`);
  if (exporter === 'nbconvert') {
    const conv = await run('/usr/bin/python3', ['-m', 'nbconvert', '--to', 'html', '--output-dir', work, '--output', name, executed], 120_000);
    assert.equal(conv.code, 0, conv.stderr);
  } else {
    writeFileSync(html, notebookToHtml(readNotebook(executed), name));
  }
  assert.ok(existsSync(html), `${html} was written`);
  return html;
}

/** Loads the page in headless Chromium; returns the DOM after scripts ran, without script bodies. */
async function renderedDom(html: string): Promise<string> {
  const profile = mkdtempSync(join(tmp, 'chromium-'));
  const r = await run(chromium!, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--virtual-time-budget=10000',
    '--dump-dom', pathToFileURL(html).href,
  ], 90_000);
  assert.equal(r.code, 0, `chromium failed:\n${r.stderr}`);
  return r.stdout.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '<script></script>');
}

/** The chart's SVG: plotly's main-svg element and a line trace through the figure's 4 points. */
function assertChartDrawn(dom: string, title: string): void {
  assert.match(dom, /<svg[^>]*class="main-svg"/, 'plotly drew its main SVG');
  const lines = [...dom.matchAll(/<path[^>]*class="js-line"[^>]*\sd="([^"]+)"/g)].map((m) => m[1]!);
  assert.equal(lines.length, 1, `one line trace (found ${lines.length})`);
  assert.match(lines[0]!, /^M[\d.-]+,[\d.-]+(L[\d.-]+,[\d.-]+){3}$/, `a path through 4 points: ${lines[0]}`);
  assert.match(dom, new RegExp(`class="gtitle"[^>]*>${title}<`), 'the title is drawn');
}

describe('plotly charts render in exported HTML (headless Chromium)', { skip: chromium ? false : 'headless Chromium is not installed (/usr/bin/chromium)', concurrency: 2 }, () => {
  it('inline plotly.js bundle, exported with nbconvert', { skip: hasNbconvert ? false : 'nbconvert is missing (/usr/bin/python3 -m nbconvert): the own-writer test covers the export' }, async () => {
    const html = await executeAndExport('plotly-inline.ipynb', 'nbconvert');
    const raw = readFileSync(html, 'utf8');
    assert.doesNotMatch(raw.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, ''), /class="main-svg"/, 'the SVG is not in the exported file itself');
    assertChartDrawn(await renderedDom(html), 'inline plotly');
  });

  it('inline plotly.js bundle, exported with the minimal HTML writer', async () => {
    const html = await executeAndExport('plotly-inline.ipynb', 'own');
    assertChartDrawn(await renderedDom(html), 'inline plotly');
  });

  it('showFigure from the course library, exported with nbconvert', {
    skip: !hasShowFigure ? 'the course library is not built with showFigure (npm run build; node_modules/rnn-course-kit)'
      : !hasNbconvert ? 'nbconvert is missing (/usr/bin/python3 -m nbconvert)' : false,
  }, async () => {
    const html = await executeAndExport('plotly.ipynb', 'nbconvert');
    assert.ok(existsSync(join(dirname(html), PLOTLY_ASSET)), 'plotly.js was written next to the notebook');
    assert.ok(statSync(html.replace(/\.html$/, '.ipynb')).size < 100_000, 'the saved notebook holds no copy of plotly.js');
    // drawn from the file next to the notebook, as after reopening: the notebook holds no bundle
    assertChartDrawn(await renderedDom(html), 'course plot');
  });
});

const hasNotebookServer = spawnSync('/usr/bin/python3', ['-c', 'import notebook.notebookapp, nbformat.sign'], { stdio: 'ignore' }).status === 0;

describe('a saved notebook reopened in the classic Notebook (headless Chromium)', {
  skip: !chromium ? 'headless Chromium is not installed (/usr/bin/chromium)'
    : !hasNotebookServer ? 'the classic Notebook server is missing (/usr/bin/python3 -c "import notebook.notebookapp"; Debian jupyter-notebook)'
    : !hasShowFigure ? 'the course library is not built with showFigure (npm run build)' : false,
}, () => {
  it('draws its chart from the plotly.js file next to it when trusted, and shows the text summary when not', async () => {
    const work = mkdtempSync(join(fixtures, '..', '.reopen-test-'));
    workDirs.push(work);
    copyFileSync(join(fixtures, 'plotly.ipynb'), join(work, 'source.ipynb'));
    const r = await runNotebook(join(work, 'source.ipynb'), { output: join(work, 'trusted.ipynb'), timeout: 120 });
    assert.equal(r.ok, true, r.failed?.error?.message ?? r.message);
    // a copy that differs (trust is by content): as one received from someone else
    const copy = JSON.parse(readFileSync(join(work, 'trusted.ipynb'), 'utf8')) as { metadata: Record<string, unknown> };
    copy.metadata['received'] = true;
    writeFileSync(join(work, 'untrusted.ipynb'), JSON.stringify(copy, null, 1));
    const dataDir = mkdtempSync(join(tmp, 'jupyter-data-'));
    const env = { ...process.env, JUPYTER_DATA_DIR: dataDir };
    const sign = spawnSync('/usr/bin/python3', ['-m', 'nbformat.sign', join(work, 'trusted.ipynb')], { env, encoding: 'utf8' });
    assert.equal(sign.status, 0, sign.stderr);
    const port = await new Promise<number>((res) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => { const { port: p } = probe.address() as AddressInfo; probe.close(() => res(p)); });
    });
    const server = spawn('/usr/bin/python3', ['-m', 'notebook', '--no-browser', '--allow-root', `--port=${port}`, '--port-retries=0', `--notebook-dir=${work}`,
      '--NotebookApp.token=', '--NotebookApp.password='], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    server.stderr.on('data', (b: Buffer) => { log += b.toString(); });
    try {
      for (let i = 0; i < 100 && !/is running at|Serving notebooks/.test(log); i++) await new Promise((res) => setTimeout(res, 200));
      assert.match(log, /is running at|Serving notebooks/, log);
      const page = async (name: string) => {
        const profile = mkdtempSync(join(tmp, 'chromium-'));
        const c = await run(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
          `--user-data-dir=${profile}`, '--virtual-time-budget=20000', '--dump-dom', `http://127.0.0.1:${port}/notebooks/${name}`], 90_000);
        assert.equal(c.code, 0, c.stderr);
        return c.stdout;
      };
      const trusted = await page('trusted.ipynb');
      assert.match(trusted, /<svg[^>]*class="main-svg"/, 'the trusted notebook drew its chart');
      assert.match(log, /GET \/notebooks\/rnnkit-assets\/plotly-[\d.]+\.min\.js/, 'plotly.js came from the file next to the notebook');
      const untrusted = await page('untrusted.ipynb');
      assert.doesNotMatch(untrusted, /class="main-svg"/);
      assert.match(untrusted, /\[plot: course plot \| loss = 17\]/, 'the untrusted copy shows the chart\'s text summary');
    } finally {
      server.kill('SIGTERM');
    }
  });
});
