/**
 * A notebook as a person runs it: the classic Notebook server (Debian's jupyter-notebook 6.4) with
 * the kit's kernel registered in a Jupyter data folder of its own, a page in headless Chromium
 * (cdp.ts), Run All, save, reopen; and what the page shows, measured in the page: errors, progress
 * bars, charts drawn, their titles against plotly's toolbar, axis titles, epoch ticks, image sizes,
 * text that should stay hidden. Used by live-notebooks.test.ts and, for the full run by hand, by
 * `npx tsx test/browser/live-notebook.ts <notebook>... [--screenshots <dir>]`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser, CHROMIUM, type Page } from './cdp.js';

export const root = realpathSync(resolve(fileURLToPath(import.meta.url), '..', '..', '..'));
export const chromium = CHROMIUM.find((p) => existsSync(p));
export const hasNotebookServer = spawnSync('/usr/bin/python3', ['-c', 'import notebook.notebookapp, nbformat.sign'], { stdio: 'ignore' }).status === 0;

/** Why a live run cannot happen here, or undefined. */
export function liveSkip(): string | undefined {
  if (!chromium) return 'headless Chromium is not installed (/usr/bin/chromium)';
  if (!hasNotebookServer) return 'the classic Notebook server is missing (Debian jupyter-notebook: /usr/bin/python3 -c "import notebook.notebookapp")';
  if (!existsSync(join(root, 'dist', 'kernel', 'launch.js'))) return 'the kit is not built (npm run build)';
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => { const { port } = probe.address() as AddressInfo; probe.close(() => res(port)); });
  });
}

/** A classic Notebook server on a folder inside the kit, its kernels started with `env`. */
export class NotebookServer {
  private log = '';
  private constructor(readonly dir: string, readonly url: string, private readonly child: ChildProcess, private readonly dataDir: string) {
    child.stderr!.on('data', (b: Buffer) => { this.log = (this.log + b.toString()).slice(-200_000); });
  }

  static async start(env: Record<string, string>): Promise<NotebookServer> {
    // inside the kit (its kernel runs the kit the notebook lives in), in a folder .gitignore skips
    const dir = mkdtempSync(join(root, 'test', 'fixtures', '.live-test-'));
    cpSync(join(root, 'notebooks', 'figures'), join(dir, 'figures'), { recursive: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'rnnkit-jupyter-data-'));
    const jenv: NodeJS.ProcessEnv = { ...process.env, ...env, JUPYTER_DATA_DIR: dataDir, JUPYTER_PATH: dataDir, JUPYTER_CONFIG_DIR: join(dataDir, 'config') };
    delete jenv['NODE_TEST_CONTEXT'];
    const reg = spawnSync(process.execPath, [join(root, 'scripts', 'postinstall.mjs'), 'kernel'], { env: jenv, encoding: 'utf8' });
    if (reg.status !== 0) throw new Error(`registering the kernel failed: ${reg.stderr}`);
    const port = await freePort();
    const child = spawn('/usr/bin/python3', ['-m', 'notebook', '--no-browser', '--allow-root', `--port=${port}`, '--port-retries=0', `--notebook-dir=${dir}`,
      '--NotebookApp.token=', '--NotebookApp.password=', '--MappingKernelManager.cull_idle_timeout=0'], { env: jenv, stdio: ['ignore', 'ignore', 'pipe'] });
    const server = new NotebookServer(dir, `http://127.0.0.1:${port}`, child, dataDir);
    for (let i = 0; i < 150 && !/is running at|Serving notebooks/.test(server.log); i++) await new Promise((r) => setTimeout(r, 200));
    if (!/is running at|Serving notebooks/.test(server.log)) throw new Error(`the Notebook server did not start:\n${server.log}`);
    return server;
  }

  get serverLog(): string {
    return this.log;
  }

  /** Signs a notebook as trusted for this server (what a save in the page does too). */
  sign(name: string): void {
    const r = spawnSync('/usr/bin/python3', ['-m', 'nbformat.sign', join(this.dir, name)], { env: { ...process.env, JUPYTER_DATA_DIR: this.dataDir }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }

  /** Stops the server (and so its kernels) and removes its folders once it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** What one chart shows. */
export interface ChartView {
  title: string;
  /** The toolbar's box overlaps the title or an annotation (a panel's label). */
  toolbarOverlaps: string[];
  /** Axes with tick labels but no title ("x", "y2"). */
  untitledAxes: string[];
  /** Tick labels of axes titled "epoch" that are not whole numbers, and how many such labels were read. */
  fractionalEpochTicks: string[];
  epochTicks: number;
  /** Whether plotly's toolbar is in the chart (the overlap check has something to check). */
  hasToolbar: boolean;
  /** Sizes (w x h) of the heatmap images, when the chart is an image grid. */
  imageSizes: string[];
}

/** What the page shows of a notebook's outputs. */
export interface PageView {
  trusted: boolean;
  errors: string[];
  /** Per code cell: HTML progress bars and text bars (`40% |████`) shown. */
  progress: { html: number; text: number }[];
  /** rnnkit-plot outputs, and of them those plotly drew. */
  plots: number;
  drawn: number;
  /** Charts showing their text summary instead (untrusted copies). */
  fallbacks: number;
  charts: ChartView[];
  /** Output text lines that the kit means to keep hidden ("plotly.js loaded", a bare "100%"). */
  strayLines: string[];
  /** Marks in outputs: ✓/✗ (every font) and emoji (boxes without an emoji font). */
  marks: { plain: number; emoji: number };
}

const INSPECT = `(() => {
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
  const view = { trusted: Jupyter.notebook.trusted, errors: [], progress: [], plots: 0, drawn: 0, fallbacks: 0, charts: [], strayLines: [], marks: { plain: 0, emoji: 0 } };
  for (const c of cells) {
    const area = c.output_area.element[0];
    for (const e of area.querySelectorAll('.output_error')) view.errors.push(e.innerText.slice(0, 300));
    const texts = [...area.querySelectorAll('.output_subarea')].filter(visible).map((e) => e.innerText);
    view.progress.push({ html: [...area.querySelectorAll('progress')].filter(visible).length, text: texts.filter((t) => /\\d+%\\s*\\|[█ ]*\\|/.test(t)).length });
    for (const t of texts) for (const line of t.split('\\n')) if (/^\\s*(plotly\\.js loaded|100%)\\s*$/.test(line)) view.strayLines.push(line.trim());
    const all = texts.join('\\n');
    view.marks.plain += (all.match(/[✓✗]/g) || []).length;
    view.marks.emoji += (all.match(/[✅❌]/g) || []).length;
    for (const p of area.querySelectorAll('.rnnkit-plot')) {
      view.plots++;
      const fallback = p.querySelector(':scope > pre');
      if (fallback && visible(fallback) && /^\\[plot: /.test(fallback.innerText)) view.fallbacks++;
      const plot = p.classList.contains('js-plotly-plot') ? p : p.querySelector('.js-plotly-plot');
      if (!plot || !plot.querySelector('svg.main-svg')) continue;
      view.drawn++;
      const title = plot.querySelector('.gtitle');
      const labels = [...plot.querySelectorAll('.gtitle, .annotation-text')].filter(visible);
      const bar = plot.querySelector('.modebar');
      const toolbarOverlaps = bar ? labels.filter((l) => overlap(bar.getBoundingClientRect(), l.getBoundingClientRect())).map((l) => l.textContent) : [];
      const untitledAxes = [];
      const fractionalEpochTicks = [];
      let epochTicks = 0;
      for (const axis of plot.querySelectorAll('.xaxislayer-above, .yaxislayer-above')) {
        const ticks = [...axis.querySelectorAll('.xtick text, .ytick text')].map((t) => t.textContent);
        if (!ticks.length) continue;
        const cls = [...axis.querySelectorAll('.xtick, .ytick')].map((t) => t.getAttribute('class'))[0] || '';
        const m = /(^|\\s)(x|y)(\\d*)tick/.exec(cls);
        const name = m ? m[2] + m[3] : '?';
        const titleEl = plot.querySelector('.g-' + name + 'title');
        const axisTitle = titleEl ? titleEl.textContent.trim() : '';
        if (!axisTitle) untitledAxes.push(name);
        if (/epoch/i.test(axisTitle)) for (const t of ticks) { epochTicks++; if (!/^−?\\d+$/.test(t.trim())) fractionalEpochTicks.push(t); }
      }
      const imageSizes = [...plot.querySelectorAll('.hm image, image')].map((i) => Math.round(i.getBoundingClientRect().width) + 'x' + Math.round(i.getBoundingClientRect().height));
      view.charts.push({ title: title ? title.textContent : '', toolbarOverlaps, untitledAxes, fractionalEpochTicks, epochTicks, hasToolbar: !!bar, imageSizes });
    }
  }
  return view;
})()`;

/** Opens a notebook in the page and waits until its kernel is ready. */
export async function openNotebook(page: Page, server: NotebookServer, name: string, kernel = true): Promise<void> {
  await page.goto(`${server.url}/notebooks/${encodeURIComponent(name)}`);
  await page.waitFor('window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded', 120);
  if (kernel) await page.waitFor("Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected() && document.querySelector('#kernel_indicator_icon.kernel_idle_icon')", 240);
}

/** Run All, and wait until no cell is queued or running and the kernel is idle. */
export async function runAll(page: Page, polls = 1200): Promise<void> {
  await page.evaluate('Jupyter.notebook.execute_all_cells(), true');
  await page.waitFor(`Jupyter.notebook.get_cells().every((c) => c.cell_type !== 'code' || c.input_prompt_number !== '*')
    && document.querySelector('#kernel_indicator_icon.kernel_idle_icon')`, polls);
  // plotly draws after the outputs arrive
  await page.waitFor(`[...document.querySelectorAll('.rnnkit-plot')].every((p) => p.querySelector('svg.main-svg'))`, 60).catch(() => undefined);
}

/** A screenshot of the whole notebook (the classic Notebook scrolls inside #site, not the document). */
export async function notebookScreenshot(page: Page, path: string): Promise<void> {
  const height = await page.evaluate<number>(`(() => { const site = document.getElementById('site'); site.style.height = 'auto'; site.style.overflow = 'visible';
    document.body.style.overflow = 'visible'; return Math.min(30000, document.getElementById('notebook').scrollHeight + 150); })()`);
  await page.resize(1280, height);
  await page.screenshot(path);
  await page.resize(1280, 900);
  await page.evaluate(`(() => { const site = document.getElementById('site'); site.style.height = ''; site.style.overflow = ''; document.body.style.overflow = ''; return true; })()`);
}

export async function inspect(page: Page): Promise<PageView> {
  return page.evaluate<PageView>(INSPECT);
}

/** Saves from the page; returns the saved file's size and whether it holds a copy of plotly.js. */
export async function save(page: Page, server: NotebookServer, name: string): Promise<Saved> {
  await page.evaluate('Jupyter.notebook.save_notebook().then(() => true)');
  const path = join(server.dir, name);
  const text = readFileSync(path, 'utf8');
  const nb = JSON.parse(text) as { cells: { outputs?: unknown[] }[] };
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []).map((o) => JSON.stringify(o).length);
  return { bytes: statSync(path).size, plotlyBundle: /plotly\.js v\d+\.\d+/.test(text), outputBytes: outputs.reduce((a, b) => a + b, 0), largestOutput: Math.max(0, ...outputs) };
}

/** The saved file: its size, whether it holds plotly.js, its outputs' size (compact JSON) and the largest output's. */
export interface Saved { bytes: number; plotlyBundle: boolean; outputBytes: number; largestOutput: number }

export interface LiveResult { live: PageView; reopened: PageView; untrusted: PageView; saved: Saved; storedBytes: number }

/**
 * The whole round for one notebook (copied as `name` into the server's folder from `source`
 * text): open, Run All, look, save, reopen (trusted), look, and a changed copy (untrusted), look.
 */
export async function liveRound(browser: Browser, server: NotebookServer, name: string, source: string, shots?: string): Promise<LiveResult> {
  writeFileSync(join(server.dir, name), source);
  const page = await browser.newPage();
  try {
    await openNotebook(page, server, name);
    await runAll(page);
    const live = await inspect(page);
    if (shots) await notebookScreenshot(page, join(shots, `${basename(name, '.ipynb')}-live.png`));
    const saved = await save(page, server, name);
    await page.evaluate('Jupyter.notebook.kernel.kill(), true').catch(() => undefined);
    await openNotebook(page, server, name, false);
    await page.waitFor(`[...document.querySelectorAll('.rnnkit-plot')].every((p) => p.querySelector('svg.main-svg'))`, 60).catch(() => undefined);
    const reopened = await inspect(page);
    if (shots) await notebookScreenshot(page, join(shots, `${basename(name, '.ipynb')}-reopened.png`));
    // a copy received from someone else: not trusted
    const copy = JSON.parse(readFileSync(join(server.dir, name), 'utf8')) as { metadata: Record<string, unknown> };
    copy.metadata['received'] = true;
    const other = name.replace(/\.ipynb$/, '-received.ipynb');
    writeFileSync(join(server.dir, other), `${JSON.stringify(copy, null, 1)}\n`);
    await openNotebook(page, server, other, false);
    await new Promise((r) => setTimeout(r, 1000));
    const untrusted = await inspect(page);
    if (shots) await notebookScreenshot(page, join(shots, `${basename(name, '.ipynb')}-untrusted.png`));
    return { live, reopened, untrusted, saved, storedBytes: Buffer.byteLength(source) };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** What of a page view is worth a look: problems, and the counts. */
export function summary(v: PageView): Record<string, unknown> {
  return {
    trusted: v.trusted, errors: v.errors, plots: v.plots, drawn: v.drawn, fallbacks: v.fallbacks, strayLines: v.strayLines, marks: v.marks,
    progressCells: v.progress.filter((p) => p.html + p.text > 0).map((p) => `${p.html} html + ${p.text} text`),
    chartProblems: v.charts.filter((c) => c.toolbarOverlaps.length || c.untitledAxes.length || c.fractionalEpochTicks.length || new Set(c.imageSizes).size > 1)
      .map((c) => ({ title: c.title, toolbarOverlaps: c.toolbarOverlaps, untitledAxes: c.untitledAxes, fractionalEpochTicks: c.fractionalEpochTicks, imageSizes: [...new Set(c.imageSizes)] })),
    charts: v.charts.map((c) => c.title),
  };
}

/** The by-hand run: every notebook given, with screenshots. */
async function main(argv: string[]): Promise<void> {
  const shotsAt = argv.indexOf('--screenshots');
  const shots = shotsAt >= 0 ? argv[shotsAt + 1]! : mkdtempSync(join(tmpdir(), 'rnnkit-live-'));
  const envArgs = argv.filter((a) => /^RNNKIT_\w+=/.test(a));
  const files = argv.filter((a, i) => a.endsWith('.ipynb') && i !== shotsAt + 1);
  const env = Object.fromEntries(envArgs.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
  const skip = liveSkip();
  if (skip) throw new Error(skip);
  const server = await NotebookServer.start(env);
  const browser = Browser.launch(chromium!);
  try {
    for (const f of files) {
      const t0 = Date.now();
      const r = await liveRound(browser, server, basename(f), readFileSync(f, 'utf8'), shots);
      console.log(JSON.stringify({ notebook: basename(f), seconds: Math.round((Date.now() - t0) / 1000), saved: r.saved, storedBytes: r.storedBytes,
        live: summary(r.live), reopened: summary(r.reopened), untrusted: summary(r.untrusted) }, null, 1));
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(`screenshots in ${shots}`);
}

const self = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (self === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
