/**
 * Plotly charts in notebooks. A figure is shown as one output carrying two MIME types:
 * `application/vnd.plotly.v1+json` (drawn natively where a plotly renderer is installed, e.g.
 * JupyterLab with jupyterlab-plotly or VS Code) and `text/html` with a script that draws it with
 * plotly.js (JupyterLab, the classic Notebook, exported HTML). The plotly.js bundle itself is sent
 * once per kernel session in an output of its own, so exported notebooks work offline.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Sends the plotly.js bundle to the notebook once per kernel session. */
export function ensurePlotlyLoaded(): void {
  if (bundleSent || !inKernel()) return;
  display({
    'text/html': `${plotlyScriptHtml()}<div style="display:none">plotly.js loaded</div>`,
    'text/plain': 'plotly.js loaded',
  });
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
  margin: { l: 55, r: 20, t: 45, b: 45 },
  font: { family: 'Helvetica, Arial, sans-serif', size: 12 },
  hovermode: 'closest',
};

function withDefaults(fig: Figure): Required<Figure> {
  return {
    data: fig.data,
    layout: { ...defaultLayout, ...fig.layout },
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
    `  if (window.Plotly) { draw(); return; }\n` +
    `  var tries = 0, timer = setInterval(function () { if (window.Plotly) { clearInterval(timer); draw(); } else if (++tries > 200) { clearInterval(timer); } }, 50);\n` +
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

  constructor(fig?: Figure) {
    ensurePlotlyLoaded();
    this.out = newDisplay();
    if (fig) this.update(fig);
  }

  /** Replaces the figure. */
  update(fig: Figure): void {
    const first = this.last === undefined;
    this.last = fig;
    if (this.out.inKernel) this.out.show(figureBundle(fig, this.id));
    else if (first) this.out.show({ 'text/plain': figureText(fig) });
  }

  /** Ends live updates (prints the final summary in plain Node). */
  close(): void {
    if (!this.out.inKernel && this.last) this.out.show({ 'text/plain': figureText(this.last) });
  }
}
