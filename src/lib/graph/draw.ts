/**
 * Draws a recorded computational graph like torchviz's `make_dot`: grey boxes for the operations,
 * light-blue boxes for the parameters (name and shape), a green box for the output, edges in the
 * direction of the computation, top to bottom. The SVG is laid out here (layout.ts; no graphviz
 * needed); `source` gives the same graph in graphviz's DOT language, with torchviz's node styles.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { display, escapeHtml, inKernel } from '../display.js';
import { outputDir, setting } from '../settings.js';
import { layoutGraph, type Layout } from './layout.js';
import { kernelCounts, recordGraph, type ComputationGraph, type GraphNode, type ParamNode, type RecordOptions } from './record.js';

export interface DrawOptions {
  /** A caption above the drawing. */
  title?: string;
  /**
   * Draw a parameter again (dashed) when its next use lies more than this many ranks below the
   * previous drawing of it, instead of one long edge (default 4; Infinity: each parameter once, as
   * torchviz). Keeps graphs of many time steps readable.
   */
  paramSpan?: number;
}

export interface RenderOptions {
  /** Only 'svg' (there is no graphviz here to make a png). */
  format?: 'svg';
  /** The folder (default RNNKIT_OUTPUT_DIR, else the working directory, the notebook's folder). */
  directory?: string;
}

const FONT = 'font-family="Menlo, Consolas, DejaVu Sans Mono, monospace"';
const FONT_SIZE = 11;
const CHAR_W = 6.7;
const LINE_H = 14;
const FILL = { param: '#add8e6', op: '#d3d3d3', output: '#caff70' } as const; // lightblue, lightgrey, darkolivegreen1

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** torchviz's `size_to_str`: `(28, 128)`, `()` for a scalar. */
export function sizeToStr(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

/** The lines of a node's label. */
export function nodeLabel(n: GraphNode): string[] {
  switch (n.kind) {
    case 'param':
      return n.name === '' ? [sizeToStr(n.tensor.shape)] : [n.name, sizeToStr(n.tensor.shape)];
    case 'op':
      return [n.kernel, n.outputs.map((o) => sizeToStr(o.shape)).join(' ')];
    case 'output':
      return ['output', sizeToStr(n.tensor.shape)];
  }
}

/** A curve through the points, leaving and entering every point vertically. */
function pathThrough(points: readonly [number, number][]): string {
  const [x0, y0] = points[0]!;
  let d = `M${x0.toFixed(1)},${y0.toFixed(1)}`;
  for (let i = 1; i < points.length; i++) {
    const [xa, ya] = points[i - 1]!;
    const [xb, yb] = points[i]!;
    const my = (ya + yb) / 2;
    d += ` C${xa.toFixed(1)},${my.toFixed(1)} ${xb.toFixed(1)},${my.toFixed(1)} ${xb.toFixed(1)},${yb.toFixed(1)}`;
  }
  return d;
}

/** The SVG of a graph (plain elements and attributes, no scripts or CSS). */
export function graphSvg(graph: ComputationGraph, options: DrawOptions = {}): string {
  const { paramSpan = 4, title } = options;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const labels = new Map(graph.nodes.map((n) => [n.id, nodeLabel(n)]));
  const layout: Layout = layoutGraph(
    graph.nodes.map((n) => {
      const lines = labels.get(n.id)!;
      return { id: n.id, width: Math.max(...lines.map((l) => l.length)) * CHAR_W + 14, height: lines.length * LINE_H + 8, param: n.kind === 'param' };
    }),
    graph.edges.map((e) => ({ from: e.from, to: e.to })),
    { paramSpan },
  );
  const top = title ? 40 : 28;
  const width = Math.max(Math.ceil(layout.width), 420);
  const height = Math.ceil(layout.height) + top;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title ?? 'computational graph')}">`);
  parts.push('<defs><marker id="rnnkit-graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>');
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  let y = 18;
  if (title) {
    parts.push(`<text x="12" y="${y}" ${FONT} font-size="13" font-weight="bold" fill="#222">${esc(title)}</text>`);
    y += 16;
  }
  // legend
  const legend: [string, string, boolean][] = [[FILL.param, 'parameter', false], [FILL.param, 'the same parameter again', true], [FILL.op, 'operation (kernel, output shape)', false], [FILL.output, 'output', false]];
  let lx = 12;
  for (const [fill, text, dashed] of legend) {
    parts.push(`<rect x="${lx}" y="${y - 9}" width="14" height="10" fill="${fill}" stroke="#333"${dashed ? ' stroke-dasharray="3,2"' : ''}/>`);
    parts.push(`<text x="${lx + 18}" y="${y}" ${FONT} font-size="10" fill="#444">${esc(text)}</text>`);
    lx += 18 + text.length * 6.1 + 16;
  }
  parts.push(`<g transform="translate(0,${top})">`);
  for (const e of layout.edges) {
    const fromParam = byId.get(e.from)?.kind === 'param';
    parts.push(`<path d="${pathThrough(e.points)}" fill="none" stroke="${fromParam ? '#6b9fc0' : '#555'}" stroke-width="${fromParam ? 1 : 1.3}" marker-end="url(#rnnkit-graph-arrow)"/>`);
  }
  for (const p of layout.nodes) {
    const n = byId.get(p.id)!;
    const lines = labels.get(p.id)!;
    const x = p.x - p.width / 2;
    const yTop = p.y - p.height / 2;
    parts.push(`<rect x="${x.toFixed(1)}" y="${yTop.toFixed(1)}" width="${p.width.toFixed(1)}" height="${p.height}" rx="3" fill="${FILL[n.kind]}" stroke="#333" stroke-width="1"${p.copy > 0 ? ' stroke-dasharray="4,2"' : ''}/>`);
    lines.forEach((l, i) => {
      const ly = yTop + 4 + LINE_H * (i + 1) - 3;
      const second = i > 0 && n.kind === 'op';
      parts.push(`<text x="${p.x.toFixed(1)}" y="${ly.toFixed(1)}" ${FONT} font-size="${second ? FONT_SIZE - 1 : FONT_SIZE}" text-anchor="middle" fill="${second ? '#555' : '#111'}">${esc(l)}</text>`);
    });
  }
  parts.push('</g>', '</svg>');
  return parts.join('\n');
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The graph in graphviz's DOT language, with torchviz's node attributes. */
export function graphDot(graph: ComputationGraph): string {
  const out = ['digraph {', '\tgraph [size="12,12"]', '\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]'];
  for (const n of graph.nodes) {
    const label = n.kind === 'op' ? n.kernel : n.kind === 'param' ? `${n.name}\n ${sizeToStr(n.tensor.shape)}` : `\n ${sizeToStr(n.tensor.shape)}`;
    const fill = n.kind === 'param' ? ' fillcolor=lightblue' : n.kind === 'output' ? ' fillcolor=darkolivegreen1' : '';
    out.push(`\t${dotString(n.id)} [label=${dotString(label)}${fill}]`);
  }
  for (const e of graph.edges) out.push(`\t${dotString(e.from)} -> ${dotString(e.to)}`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** One line per kind of node: parameters, operations by kernel, output. */
export function graphSummary(graph: ComputationGraph): string {
  const params = graph.nodes.filter((n): n is ParamNode => n.kind === 'param');
  const ops = graph.nodes.filter((n) => n.kind === 'op').length;
  const counts = kernelCounts(graph).map(([k, n]) => `${k} ${n}`).join(', ');
  return [
    `computational graph: ${params.length} parameters, ${ops} operations, ${graph.edges.length} edges, output ${sizeToStr(graph.output.shape)}`,
    `  parameters: ${params.map((p) => `${p.name || '(unnamed)'} ${sizeToStr(p.tensor.shape)}`).join(', ')}`,
    `  operations: ${counts}`,
  ].join('\n');
}

/**
 * A drawn graph, in the role of the graphviz `Digraph` that torchviz's `make_dot` returns: show it
 * in the notebook, get its DOT `source`, or `render` it to a file.
 */
export class GraphDrawing {
  private cachedSvg: string | undefined;

  constructor(readonly graph: ComputationGraph, readonly options: DrawOptions = {}) {}

  /** The SVG (drawn on first use). */
  svg(): string {
    this.cachedSvg ??= graphSvg(this.graph, this.options);
    return this.cachedSvg;
  }

  /** The DOT source (graphviz's `Digraph.source`). */
  get source(): string {
    return graphDot(this.graph);
  }

  summary(): string {
    return graphSummary(this.graph);
  }

  /** Shows the drawing in the notebook (the summary as text elsewhere). */
  show(): void {
    display({ 'image/svg+xml': this.svg(), 'text/plain': this.summary() });
  }

  /**
   * Writes `<filename>.svg` and the DOT source `<filename>.gv` (graphviz's `render` also writes the
   * source next to the image) and returns the SVG's path: relative to the working directory when
   * no folder is set, as graphviz returns it.
   */
  render(filename: string, options: RenderOptions = {}): string {
    const { format = 'svg' } = options;
    if (format !== 'svg') throw new Error(`render: format '${String(format)}' is not available, only 'svg' (no graphviz here)`);
    if (filename === '' || /[/\\]/.test(filename)) throw new Error(`render: give a file name without folders (got ${JSON.stringify(filename)}); use options.directory for the folder`);
    const relative = options.directory === undefined && setting('RNNKIT_OUTPUT_DIR') === undefined;
    const dir = outputDir(options.directory);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${filename}.gv`), this.source);
    writeFileSync(join(dir, `${filename}.svg`), this.svg());
    const path = relative ? `${filename}.svg` : join(dir, `${filename}.svg`);
    // In a notebook the file sits next to it (the server serves it): show it fitted to the page,
    // linked to the full-size drawing, rather than only its name.
    if (relative && inKernel()) {
      const url = encodeURI(path).replace(/#/g, '%23').replace(/\?/g, '%3F');
      display({
        'text/html': `<a href="${escapeHtml(url)}" target="_blank" title="open the full-size drawing"><img src="${escapeHtml(url)}" alt="${escapeHtml(this.summary().split('\n')[0]!)}" style="max-width:100%;height:auto"></a>` +
          `<div><a href="${escapeHtml(url)}" target="_blank">${escapeHtml(path)}</a> (full size)</div>`,
        'text/plain': path,
      });
    }
    return path;
  }
}

/**
 * torchviz's `make_dot(var, params)` for TensorFlow.js. TensorFlow.js keeps no graph on a tensor,
 * so pass the computation itself: `makeDot(() => model.apply(x).mean(), { params:
 * model.namedParameters() })` runs it once with the tape on (see `recordGraph`) and draws what was
 * recorded. A graph recorded before can be passed instead of the function.
 */
export function makeDot(what: (() => tf.Tensor) | ComputationGraph, options: RecordOptions & DrawOptions = {}): GraphDrawing {
  const graph = typeof what === 'function' ? recordGraph(what, options) : what;
  return new GraphDrawing(graph, { title: options.title, paramSpan: options.paramSpan });
}
