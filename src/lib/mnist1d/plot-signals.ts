/**
 * `plot_signals(xs, t, labels, args, ratio, do_transform, dark_mode, zoom)` (mnist1d/utils.py) as a
 * plotly figure: one row of 10 small panels, each drawing a signal vertically (signal value on the
 * horizontal axis, time `t` downwards), axes fixed to [-zoom, zoom], no ticks, "label=<y>" titles.
 * The Python version draws with matplotlib (figsize 1.5 x 1.5*ratio inches per panel at 60 dpi);
 * this uses the same pixel size. Show it with `showFigure(fig)`.
 */
import type { Layout } from 'plotly.js';
import type { Figure } from '../plots.js';
import type { RandomState } from '../random/numpy-random-state.js';
import type { DatasetArgs } from './args.js';
import { globalRandomState } from './seed.js';
import { transform } from './transform.js';

export interface PlotSignalsOptions {
  /** Titles "label=<labels[i]>". */
  labels?: ArrayLike<number | string>;
  /** Needed when `doTransform` is set. */
  args?: DatasetArgs;
  /** Height / width of a panel (default 2.6). */
  ratio?: number;
  /** Transform each signal before drawing it (uses the global generator, or `rng`). */
  doTransform?: boolean;
  /** White dots on black (default: black lines on white). */
  darkMode?: boolean;
  /** Axis limits [-zoom, zoom] (default 1). */
  zoom?: number;
  /** Generator for `doTransform` (default: the global one). */
  rng?: RandomState;
}

const ROWS = 1;
const COLS = 10;
const DPI = 60;

/** The first 10 signals of `xs` drawn against `t`, as in `mnist1d.utils.plot_signals`. */
export function plotSignals(xs: ArrayLike<ArrayLike<number>>, t: ArrayLike<number>, options: PlotSignalsOptions = {}): Figure {
  const { labels, args, ratio = 2.6, doTransform = false, darkMode = false, zoom = 1, rng = globalRandomState() } = options;
  if (doTransform && !args) throw new Error('Need an args object in order to do transforms');
  const n = Math.min(ROWS * COLS, xs.length);
  const data: Figure['data'] = [];
  const layout: Record<string, unknown> = {
    width: COLS * 1.5 * DPI,
    height: ROWS * 1.5 * ratio * DPI,
    showlegend: false,
    margin: { l: 5, r: 5, t: labels ? 30 : 5, b: 5 },
    paper_bgcolor: 'white',
    plot_bgcolor: darkMode ? 'black' : 'white',
    annotations: [] as unknown[],
  };
  let tt: ArrayLike<number> = t;
  for (let ix = 0; ix < n; ix++) {
    let x: ArrayLike<number> = xs[ix]!;
    if (doTransform) [x, tt] = transform(x, tt, args!, 1e-8, rng);
    const suffix = ix === 0 ? '' : String(ix + 1);
    data.push({
      type: 'scatter',
      x: Array.from(x),
      y: Array.from(tt),
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      mode: darkMode ? 'markers' : 'lines',
      ...(darkMode ? { marker: { color: 'white', size: 6 } } : { line: { color: 'black', width: 2 } }),
      hoverinfo: 'x+y',
      name: labels ? `label=${labels[ix]}` : `signal ${ix}`,
    } as Figure['data'][number]);
    const c = ix % COLS;
    const r = Math.floor(ix / COLS);
    const domainX = [c / COLS, (c + 1) / COLS];
    const domainY = [1 - (r + 1) / ROWS, 1 - r / ROWS];
    const axis = { showticklabels: false, ticks: '', showgrid: false, zeroline: false, showline: true, linecolor: darkMode ? 'white' : 'black', mirror: true };
    layout[`xaxis${suffix}`] = { ...axis, domain: domainX, range: [-zoom, zoom], anchor: `y${suffix}` };
    layout[`yaxis${suffix}`] = { ...axis, domain: domainY, range: [zoom, -zoom], anchor: `x${suffix}` }; // inverted
    if (labels) {
      (layout['annotations'] as unknown[]).push({
        text: `label=${labels[ix]}`,
        x: (domainX[0]! + domainX[1]!) / 2,
        y: domainY[1],
        xref: 'paper',
        yref: 'paper',
        xanchor: 'center',
        yanchor: 'bottom',
        showarrow: false,
        font: { size: 16 },
      });
    }
  }
  return { data, layout: layout as Partial<Layout> };
}
