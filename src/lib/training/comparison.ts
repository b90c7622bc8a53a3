/**
 * The plumbing of seed 001's configuration comparison (Exercise 2) and hyper-parameter search
 * (Exercise 3): the model configuration type with its defaults and checks, short labels, a batch
 * limit for loaders (RNNKIT_BATCHES), the option and result types of `compareConfigs` and
 * `searchHyperparameters` (which the students write), and the charts and tables that show their
 * results. The training itself is the students' code (reference: src/solutions/rnnlstm.ts).
 */
import type { Data, Layout } from 'plotly.js';
import { displayHtml, escapeHtml } from '../display.js';
import { showFigure, type Figure } from '../plots.js';
import { limit as settingLimit } from '../settings.js';
import type { DataLoader, TensorDataset } from './data.js';
import type * as tf from '@tensorflow/tfjs';

/** Which recurrent layer a model uses: `nn.RNN` or `nn.LSTM`. */
export type RecurrentType = 'rnn' | 'lstm';

/**
 * One model configuration of Exercise 2: the seed's RNNModel / LSTMModel with the things the
 * exercise varies as parameters.
 */
export interface ModelConfig {
  /** `'rnn'` (nn.RNN) or `'lstm'` (nn.LSTM). */
  type: RecurrentType;
  /** Stacked recurrent layers (Exercise 2: 1 to 4 for the RNN, 1 to 3 for the LSTM). */
  numLayers: number;
  /** The RNN's activation, `'tanh'` (default) or `'relu'`; an LSTM has its own gates (leave it out). */
  nonlinearity?: 'tanh' | 'relu';
  /** An additional fully connected layer (hidden -> hidden, then ReLU) before the readout (default false). */
  extraFc?: boolean;
  /** Features of the hidden state (default 128, as in the seed). */
  hiddenSize?: number;
  /** Features per time step (default 28: one row of pixels). */
  inputSize?: number;
  /** Classes (default 10). */
  outputSize?: number;
}

/** A configuration with every default filled in. */
export type FullModelConfig = Required<ModelConfig>;

const CONFIG_KEYS = ['type', 'numLayers', 'nonlinearity', 'extraFc', 'hiddenSize', 'inputSize', 'outputSize'];

function count(what: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new RangeError(`model config: ${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Checks a configuration and fills in the defaults (hidden 128, input 28, output 10, tanh, no
 * extra layer). Throws a readable error for anything else (an unknown type or key, a ReLU LSTM).
 */
export function modelConfig(config: ModelConfig): FullModelConfig {
  if (typeof config !== 'object' || config === null) throw new TypeError(`model config: expected an object like { type: 'rnn', numLayers: 2 }, got ${config === null ? 'null' : typeof config}`);
  const unknown = Object.keys(config).filter((k) => !CONFIG_KEYS.includes(k));
  if (unknown.length) throw new Error(`model config: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${CONFIG_KEYS.join(', ')})`);
  const type = config.type;
  if (type !== 'rnn' && type !== 'lstm') throw new Error(`model config: type must be 'rnn' or 'lstm', got ${JSON.stringify(type)}`);
  const nonlinearity = config.nonlinearity ?? 'tanh';
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`model config: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nonlinearity)}`);
  if (type === 'lstm' && config.nonlinearity !== undefined && config.nonlinearity !== 'tanh') throw new Error("model config: an LSTM has no nonlinearity option (its gates use sigmoid and tanh); leave 'nonlinearity' out");
  const extraFc = config.extraFc ?? false;
  if (typeof extraFc !== 'boolean') throw new TypeError(`model config: extraFc must be true or false, got ${JSON.stringify(extraFc)}`);
  return {
    type,
    numLayers: count('numLayers', config.numLayers, 1),
    nonlinearity,
    extraFc,
    hiddenSize: count('hiddenSize', config.hiddenSize ?? 128, 1),
    inputSize: count('inputSize', config.inputSize ?? 28, 1),
    outputSize: count('outputSize', config.outputSize ?? 10, 1),
  };
}

/** A short name: `RNN 2L tanh`, `RNN 3L relu +FC`, `LSTM 2L +FC` (sizes added when not the defaults). */
export function configLabel(config: ModelConfig): string {
  const c = modelConfig(config);
  const parts = [c.type === 'rnn' ? 'RNN' : 'LSTM', `${c.numLayers}L`];
  if (c.type === 'rnn') parts.push(c.nonlinearity);
  if (c.extraFc) parts.push('+FC');
  if (c.hiddenSize !== 128) parts.push(`H${c.hiddenSize}`);
  return parts.join(' ');
}

/**
 * The first `limit` batches of one pass over a loader (default: all of them, shortened by
 * RNNKIT_BATCHES / RNNKIT_QUICK in tests). Leaving early closes the loader's iterator, which frees
 * its current batch.
 */
export function* takeBatches(loader: Iterable<tf.Tensor[]> & { length: number }, limit = settingLimit('batches', loader.length)): Generator<tf.Tensor[]> {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`takeBatches: limit must be a non-negative integer, got ${limit}`);
  if (limit === 0) return;
  let n = 0;
  for (const batch of loader) {
    yield batch;
    if (++n >= limit) return;
  }
}

/** The options of `compareConfigs(configs, options)` (Exercise 2.1). */
export interface CompareOptions {
  /** The training images [N, 28, 28] (float32) and labels [N] (int32). */
  trainDataset: TensorDataset;
  /** The test set, in batches (the seed's test loader); the accuracy is measured on it. */
  testLoader: DataLoader;
  /** Training iterations (optimiser steps) per configuration (default 3000, the seed's n_iters). */
  iterations?: number;
  /** Batch size of the training loader, shuffled (default 100). */
  batchSize?: number;
  /** Adam's learning rate (default 0.001, as in the seed's optimisers). */
  lr?: number;
  /** `manualSeed(seed)` before each configuration, so that all start alike (default 0). */
  seed?: number;
  /** Also measure the test accuracy after these numbers of iterations (into `history`). */
  evaluateAt?: number[];
  /** Show a progress bar (default true). */
  progress?: boolean;
}

/** What `compareConfigs` returns for one configuration. */
export interface ComparisonResult {
  /** `configLabel(config)`. */
  label: string;
  config: ModelConfig;
  /** Final test accuracy in percent. */
  accuracy: number;
  /** The last training batch's loss. */
  loss?: number;
  /** Trainable parameters of the model. */
  parameters?: number;
  /** Wall time of training and testing, in seconds. */
  seconds?: number;
  /** Test accuracy (and training loss) after the iterations of `evaluateAt`, and at the end. */
  history?: { iteration: number; loss: number; accuracy: number }[];
}

/** The values Exercise 3 tries: every combination of them. */
export interface SearchGrid {
  iterations: number[];
  batchSize: number[];
  lr: number[];
}

/** The data `searchHyperparameters` trains and tests on. */
export interface SearchData {
  trainDataset: TensorDataset;
  testLoader: DataLoader;
}

/** One tried combination of Exercise 3. */
export interface SearchResult {
  iterations: number;
  batchSize: number;
  lr: number;
  /** Test accuracy in percent. */
  accuracy: number;
  loss?: number;
}

function fail(what: string, message: string): never {
  throw new Error(`${what}: ${message}`);
}

/**
 * Checks what `compareConfigs` returned (one result per configuration, accuracies in percent)
 * with a message that says what to fix.
 */
export function checkComparison(results: unknown, configs: readonly ModelConfig[], what = 'compareConfigs'): ComparisonResult[] {
  if (!Array.isArray(results)) fail(what, `expected an array of results, got ${results === null ? 'null' : typeof results} (write the function in its task cell and run that cell)`);
  if (results.length === 0) fail(what, `returned no results (expected one per configuration, ${configs.length}): write it in its task cell and run that cell`);
  if (results.length !== configs.length) fail(what, `returned ${results.length} results for ${configs.length} configurations (expected one per configuration, in order)`);
  results.forEach((r, i) => {
    const acc = (r as { accuracy?: unknown } | null)?.accuracy;
    if (typeof acc !== 'number' || !Number.isFinite(acc) || acc < 0 || acc > 100) fail(what, `result ${i} (${configLabel(configs[i]!)}) has accuracy ${JSON.stringify(acc)}; expected a number of percent in [0, 100]`);
  });
  return results as ComparisonResult[];
}

/** Checks what `searchHyperparameters` returned (a non-empty array of results with accuracies in percent). */
export function checkSearch(results: unknown, what = 'searchHyperparameters'): SearchResult[] {
  if (!Array.isArray(results)) fail(what, `expected an array of results, got ${results === null ? 'null' : typeof results} (write the function in its task cell and run that cell)`);
  if (results.length === 0) fail(what, 'returned no results: write it in its task cell and run that cell');
  results.forEach((r, i) => {
    const o = (r ?? {}) as Record<string, unknown>;
    for (const k of ['iterations', 'batchSize', 'lr', 'accuracy']) {
      if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) fail(what, `result ${i} has ${k} ${JSON.stringify(o[k])}; expected a number`);
    }
    if ((o.accuracy as number) < 0 || (o.accuracy as number) > 100) fail(what, `result ${i} has accuracy ${o.accuracy}; expected percent in [0, 100]`);
  });
  return results as SearchResult[];
}

/** A horizontal bar chart of test accuracies (one bar per row, in the given order from the top). */
export function accuracyFigure(rows: readonly { label: string; accuracy: number }[], options: { title?: string; colors?: readonly string[] } = {}): Figure {
  const labels = rows.map((r) => r.label);
  const acc = rows.map((r) => r.accuracy);
  const lo = Math.max(0, Math.floor(Math.min(...acc, 100) / 5) * 5 - 5);
  const trace: Partial<Data> = {
    type: 'bar',
    orientation: 'h',
    name: 'test accuracy (%)',
    x: acc,
    y: labels,
    text: acc.map((a) => `${a.toFixed(2)}%`),
    textposition: 'auto',
    hovertemplate: '%{y}: %{x:.2f}%<extra></extra>',
    ...(options.colors ? { marker: { color: [...options.colors] } } : {}),
  };
  const layout: Partial<Layout> = {
    title: { text: options.title ?? 'Test accuracy' },
    xaxis: { title: { text: 'test accuracy (%)' }, range: [lo, 100] },
    yaxis: { autorange: 'reversed', automargin: true },
    height: Math.max(260, 60 + 24 * rows.length),
    showlegend: false,
  };
  return { data: [trace], layout };
}

/** Shows rows of values as a table (HTML in a notebook, aligned text elsewhere). */
export function showTable(rows: readonly Record<string, string | number>[], columns = Object.keys(rows[0] ?? {})): void {
  const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? String(Number.isInteger(v) ? v : Number(v.toPrecision(4))) : v);
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, j) => Math.max(c.length, ...body.map((b) => b[j]!.length)));
  const text = [columns.map((c, j) => c.padEnd(widths[j]!)).join('  '), ...body.map((b) => b.map((v, j) => v.padEnd(widths[j]!)).join('  '))].join('\n');
  const html = `<table><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>` +
    body.map((b) => `<tr>${b.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`).join('') + '</tbody></table>';
  displayHtml(html, text);
}

const TYPE_COLORS: Record<RecurrentType, string> = { rnn: '#1f77b4', lstm: '#d62728' };

/**
 * Exercise 2's result: a bar chart of the final test accuracies (RNNs blue, LSTMs red) and a table
 * with the parameters, the last loss and the time of each configuration. Checks the results first.
 * Returns nothing, so that a notebook cell ending with it prints nothing more.
 */
export function showComparison(results: unknown, configs: readonly ModelConfig[], options: { title?: string } = {}): void {
  const rs = checkComparison(results, configs);
  const rows = rs.map((r, i) => ({ label: r.label ?? configLabel(configs[i]!), accuracy: r.accuracy }));
  showFigure(accuracyFigure(rows, { title: options.title ?? 'Exercise 2: final test accuracy per configuration', colors: configs.map((c) => TYPE_COLORS[c.type] ?? '#888') }));
  showTable(rs.map((r, i) => ({
    configuration: rows[i]!.label,
    'accuracy (%)': Number(r.accuracy.toFixed(2)),
    ...(r.parameters !== undefined ? { parameters: r.parameters } : {}),
    ...(r.loss !== undefined ? { 'last loss': r.loss } : {}),
    ...(r.seconds !== undefined ? { 'time (s)': Number(r.seconds.toFixed(1)) } : {}),
  })));
}

/** Exercise 3's result: the combinations sorted by test accuracy, as a table and a bar chart. */
export function showSearch(results: unknown, options: { title?: string } = {}): void {
  const rs = [...checkSearch(results)].sort((a, b) => b.accuracy - a.accuracy);
  const label = (r: SearchResult) => `${r.iterations} it, batch ${r.batchSize}, lr ${r.lr}`;
  showFigure(accuracyFigure(rs.map((r) => ({ label: label(r), accuracy: r.accuracy })), { title: options.title ?? 'Exercise 3: test accuracy per combination (best first)' }));
  showTable(rs.map((r) => ({ iterations: r.iterations, 'batch size': r.batchSize, 'learning rate': r.lr, 'accuracy (%)': Number(r.accuracy.toFixed(2)), ...(r.loss !== undefined ? { 'last loss': r.loss } : {}) })));
}
