/**
 * Plotly charts in notebooks. A figure is shown as one output carrying two MIME types:
 * `application/vnd.plotly.v1+json` (drawn natively where a plotly renderer is installed, e.g.
 * JupyterLab with jupyterlab-plotly or VS Code, as plotly's own `plotly_mimetype` renderer) and
 * `text/html` with a script that draws it with plotly.js (the classic Notebook, JupyterLab, HTML
 * exported by nbconvert), over a text summary that stays readable where scripts do not run.
 *
 * Where plotly.js comes from, offline and without storing 5 MB in every saved notebook (plotly's
 * `notebook` renderer stores the bundle in the notebook; `notebook_connected` needs the internet):
 * - in a live session the bundle is sent once, and at once replaced (update_display_data) by an
 *   empty output: the page keeps `window.Plotly`, the saved notebook keeps no copy, a second
 *   session adds none;
 * - a reopened (trusted) notebook or its nbconvert HTML loads it from a file next to the notebook,
 *   `rnnkit-assets/plotly-<version>.min.js` (written on the first chart; the Jupyter server
 *   serves it, as plotly's `iframe` renderer serves its files), through the page's relative URL
 *   or the server's `files/` URL, then plotly's CDN when online.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Config, Data, Layout } from 'plotly.js';
import { display, escapeHtml, inKernel, newDisplay, type Display, type MimeBundle } from './display.js';

export interface Figure {
  data: Partial<Data>[];
  layout?: Partial<Layout>;
  config?: Partial<Config>;
}

const require = createRequire(import.meta.url);
let bundleSent = false;
let plotCounter = 0;

/** The plotly.js bundle as a `<script>` element (safe to embed in HTML). */
export function plotlyScriptHtml(): string {
  const source = readFileSync(require.resolve('plotly.js-dist-min'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return `<script type="text/javascript">if (!window.Plotly) {\n${source}\n}</script>`;
}

/** The plotly.js version of the bundle. */
export const PLOTLY_VERSION = (JSON.parse(readFileSync(require.resolve('plotly.js-dist-min/package.json'), 'utf8')) as { version: string }).version;

/** Where the bundle is written next to a notebook, relative to the notebook's folder. */
export const PLOTLY_ASSET = `rnnkit-assets/plotly-${PLOTLY_VERSION}.min.js`;

/** Writes the bundle next to the notebooks of `dir` (once; nothing when the folder is read-only). */
export function writePlotlyAsset(dir = process.cwd()): string | null {
  const file = join(dir, PLOTLY_ASSET);
  try {
    if (!existsSync(file)) {
      mkdirSync(join(dir, 'rnnkit-assets'), { recursive: true });
      copyFileSync(require.resolve('plotly.js-dist-min'), file);
    }
    return file;
  } catch {
    return null;
  }
}

/**
 * Loads plotly.js in the page for a reopened notebook or exported HTML, then calls `draw`: the
 * file next to the notebook (relative URL; from the server's files/ URL in JupyterLab and the
 * classic Notebook), then plotly's CDN. One loader per page.
 */
const LOADER = `function rnnkitPlotly(draw) {
  if (window.Plotly) { draw(); return; }
  var w = window.rnnkitPlotlyWaiters;
  if (w) { w.push(draw); return; }
  w = window.rnnkitPlotlyWaiters = [draw];
  var asset = ${JSON.stringify(PLOTLY_ASSET)}, urls = [asset];
  var m = /^(.*?)\\/(?:notebooks|lab\\/tree|doc\\/tree|tree)\\/((?:[^/]+\\/)*)[^/]+\\.ipynb$/.exec(window.location.pathname);
  if (m) urls.push(m[1] + '/files/' + m[2] + asset);
  urls.push(${JSON.stringify(`https://cdn.plot.ly/plotly-${PLOTLY_VERSION}.min.js`)});
  (function next() {
    if (window.Plotly || !urls.length) { window.rnnkitPlotlyWaiters = null; if (window.Plotly) w.forEach(function (f) { f(); }); return; }
    var s = document.createElement('script');
    s.src = urls.shift();
    s.onload = next;
    s.onerror = next;
    document.head.appendChild(s);
  })();
}`;

/** Sends the plotly.js bundle to the live page once per kernel session, kept out of the saved notebook. */
export function ensurePlotlyLoaded(): void {
  if (bundleSent || !inKernel()) return;
  writePlotlyAsset();
  const out = newDisplay();
  out.show({ 'text/html': plotlyScriptHtml(), 'text/plain': '' });
  out.show({ 'text/html': '', 'text/plain': '' });
  bundleSent = true;
}

function titleOf(fig: Figure): string {
  const t = fig.layout?.title;
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && 'text' in t && typeof t.text === 'string') return t.text;
  return 'chart';
}

function lastValue(trace: Partial<Data>): string {
  const y = (trace as { y?: unknown }).y;
  if (!Array.isArray(y) || y.length === 0) return '';
  const v = y[y.length - 1];
  return typeof v === 'number' ? ` = ${Number.isInteger(v) ? v : v.toPrecision(4)}` : '';
}

/** A one-line text summary of a figure: what plain Node prints instead of the chart. */
export function figureText(fig: Figure): string {
  const traces = fig.data.map((tr, i) => `${(tr as { name?: string }).name ?? `trace ${i}`}${lastValue(tr)}`);
  return `[plot: ${titleOf(fig)}${traces.length ? ` | ${traces.join(', ')}` : ''}]`;
}

const defaultLayout: Partial<Layout> = {
  margin: { l: 55, r: 45, t: 45, b: 45 },
  font: { family: 'Helvetica, Arial, sans-serif', size: 12 },
  hovermode: 'closest',
  // the toolbar in a column at the right edge, in the right margin, not over titles
  modebar: { orientation: 'v' },
};

type Axis = Record<string, unknown>;

/** Plotly names the first axes `x`/`xaxis` (not `x1`/`xaxis1`): figures that say `x1` get their first panel laid out as the second. */
function firstAxesNamed(data: Partial<Data>[], layout: Record<string, unknown>): { data: Partial<Data>[]; layout: Record<string, unknown> } {
  const ref = (v: unknown) => (v === 'x1' ? 'x' : v === 'y1' ? 'y' : v);
  const out: Record<string, unknown> = { ...layout };
  for (const [one, first] of [['xaxis1', 'xaxis'], ['yaxis1', 'yaxis']] as const) {
    if (out[one] === undefined) continue;
    out[first] = { ...(out[first] as Axis | undefined), ...(out[one] as Axis) };
    delete out[one];
  }
  for (const key of Object.keys(out)) {
    const axis = out[key];
    if (!/^[xy]axis\d*$/.test(key) || !axis || typeof axis !== 'object') continue;
    const a = { ...(axis as Axis) };
    for (const k of ['anchor', 'scaleanchor', 'matches', 'overlaying']) if (k in a) a[k] = ref(a[k]);
    out[key] = a;
  }
  const traces = data.map((t) => {
    const tr = t as Record<string, unknown>;
    return tr['xaxis'] === 'x1' || tr['yaxis'] === 'y1' ? ({ ...tr, xaxis: ref(tr['xaxis']), yaxis: ref(tr['yaxis']) } as Partial<Data>) : t;
  });
  return { data: traces, layout: out };
}

function axisTitle(axis: Axis): string {
  const t = axis['title'];
  return typeof t === 'string' ? t : t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string' ? (t as { text: string }).text : '';
}

/** Epoch axes tick at whole epochs (plotly would put ticks at 0, 0.5, 1, 1.5 for three epochs). */
function wholeEpochTicks(data: Partial<Data>[], layout: Record<string, unknown>): void {
  for (const key of Object.keys(layout)) {
    const axis = layout[key] as Axis | undefined;
    if (!/^xaxis\d*$/.test(key) || !axis || typeof axis !== 'object' || !/epoch/i.test(axisTitle(axis))) continue;
    if (axis['dtick'] !== undefined || axis['tickvals'] !== undefined || axis['tickmode'] !== undefined) continue;
    const ref = `x${key.slice(5)}`;
    const xs = data.filter((t) => ((t as { xaxis?: string }).xaxis ?? 'x') === ref)
      .flatMap((t) => (Array.isArray((t as { x?: unknown }).x) ? ((t as { x: unknown[] }).x) : []))
      .filter((v): v is number => typeof v === 'number');
    if (xs.length === 0 || !xs.every(Number.isInteger)) continue;
    const span = Math.max(...xs) - Math.min(...xs);
    layout[key] = { ...axis, tickmode: 'linear', tick0: 0, dtick: Math.max(1, Math.ceil(span / 10)) };
  }
}

function withDefaults(fig: Figure): Required<Figure> {
  const { data, layout } = firstAxesNamed(fig.data, { ...defaultLayout, ...fig.layout } as Record<string, unknown>);
  if (fig.layout?.margin) layout['margin'] = { ...fig.layout.margin, r: Math.max(fig.layout.margin.r ?? 0, 40) };
  wholeEpochTicks(data, layout);
  return {
    data,
    layout: layout as Partial<Layout>,
    config: { responsive: true, displaylogo: false, ...fig.config },
  };
}

/** The figure as HTML: a div, a text fallback shown until plotly.js draws it, and the drawing script. */
export function figureHtml(fig: Figure, id = `rnnkit-plot-${process.pid}-${plotCounter++}`): string {
  const full = withDefaults(fig);
  const height = typeof full.layout.height === 'number' ? full.layout.height : 420;
  const json = JSON.stringify(full).replace(/<\//g, '<\\/');
  return `<div id="${id}" class="rnnkit-plot" style="width:100%;min-height:${height}px">` +
    `<pre style="color:#777">${escapeHtml(figureText(fig))}\n(The chart is drawn by JavaScript: run the cell, or trust the notebook.)</pre></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var fig = ${json};\n` +
    `  function draw() { var el = document.getElementById(${JSON.stringify(id)}); if (!el) return; el.innerHTML = ''; window.Plotly.react(el, fig.data, fig.layout, fig.config); }\n` +
    `  ${LOADER}\n` +
    `  rnnkitPlotly(draw);\n` +
    `})();</script>`;
}

/** The MIME bundle of a figure (plotly JSON, HTML, text). */
export function figureBundle(fig: Figure, id?: string): MimeBundle {
  const full = withDefaults(fig);
  return {
    'application/vnd.plotly.v1+json': { data: full.data, layout: full.layout, config: full.config },
    'text/html': figureHtml(fig, id),
    'text/plain': figureText(fig),
  };
}

/** Shows a figure once. */
export function showFigure(fig: Figure): void {
  ensurePlotlyLoaded();
  display(figureBundle(fig));
}

/**
 * A figure that is redrawn in place as it changes (live training curves). In plain Node it prints
 * its text summary when created and when closed, not on every update.
 */
export class LiveFigure {
  private readonly out: Display;
  private readonly id = `rnnkit-live-${process.pid}-${plotCounter++}`;
  private last: Figure | undefined;
  private closed = false;

  constructor(fig?: Figure) {
    ensurePlotlyLoaded();
    this.out = newDisplay();
    if (fig) this.update(fig);
  }

  /**
   * Replaces the figure. In a notebook an update carries the figure once (the drawing HTML and a
   * text line); the plotly JSON of the full bundle comes with the first and the final figure.
   */
  update(fig: Figure): void {
    const first = this.last === undefined;
    this.last = fig;
    this.closed = false;
    if (this.out.inKernel) this.out.show(first ? figureBundle(fig, this.id) : { 'text/html': figureHtml(fig, this.id), 'text/plain': figureText(fig) });
    else if (first) this.out.show({ 'text/plain': figureText(fig) });
  }

  /** Ends live updates: the final figure as a full bundle (in plain Node, its summary). */
  close(): void {
    if (this.closed || !this.last) return;
    this.closed = true;
    this.out.show(this.out.inKernel ? figureBundle(this.last, this.id) : { 'text/plain': figureText(this.last) });
  }
}
