/**
 * What TensorBoard did for Lab 8, in the notebook: a `SummaryWriter` that logs scalars as
 * `torch.utils.tensorboard.SummaryWriter.add_scalars` does (one file per run under `runs/`) and draws
 * them live below the running cell, overlaid on the runs logged before; `plotRuns()` draws every
 * logged run (the lab's `%tensorboard --logdir runs/`), `clearRuns()` deletes them (`rm -r runs`).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Data, Layout } from 'plotly.js';
import { LiveFigure, showFigure, type Figure } from '../plots.js';
import { setting } from '../settings.js';

/** One logged value: `addScalars(tag, { [name]: value }, step)`. */
export interface ScalarRecord {
  tag: string;
  name: string;
  step: number;
  value: number;
}

/** One run: the file it was logged to and its values in logging order. */
export interface RunLog {
  file: string;
  startedAt: string;
  scalars: ScalarRecord[];
}

/**
 * The log directory: `dir` if given, else RNNKIT_RUNS_DIR (tests, CI), else `runs/` under the
 * current working directory (the notebook's folder), as TensorBoard's default.
 */
export function runsDir(dir?: string): string {
  return resolve(dir ?? setting('RNNKIT_RUNS_DIR') ?? join(process.cwd(), 'runs'));
}

/** Reads every run logged in `dir` (default `runs/`), oldest first. Lines cut short are skipped. */
export function readRuns(dir?: string): RunLog[] {
  const d = runsDir(dir);
  if (!existsSync(d)) return [];
  const out: RunLog[] = [];
  for (const f of readdirSync(d).filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = join(d, f);
    let startedAt: string | undefined;
    const scalars: ScalarRecord[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        if (rec['kind'] === 'run' && typeof rec['startedAt'] === 'string') startedAt = rec['startedAt'];
        else if (rec['kind'] === 'scalar') scalars.push({ tag: String(rec['tag']), name: String(rec['name']), step: Number(rec['step']), value: Number(rec['value']) });
      } catch {
        // a line cut short by an interrupted run
      }
    }
    if (startedAt !== undefined) out.push({ file, startedAt, scalars });
  }
  return out;
}

/** Deletes the logged runs (the lab's `rm -r runs`) and says how many there were. */
export function clearRuns(dir?: string): void {
  const d = runsDir(dir);
  const n = existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.jsonl')).length : 0;
  rmSync(d, { recursive: true, force: true });
  console.log(`Deleted ${n} logged run${n === 1 ? '' : 's'} (${d})`);
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * The charts of several runs, one panel per tag (`Loss`, `Accuracy`) side by side, one curve per
 * run and scalar name. A name `Train_<x>` / `Test_<x>` shares the colour of its run, training
 * dashed and test solid; a run after the first with the same names is labelled `#2`, `#3`, ...
 */
export function runsFigure(runs: readonly Pick<RunLog, 'scalars'>[], title = 'Training curves'): Figure {
  const tags = [...new Set(runs.flatMap((r) => r.scalars.map((s) => s.tag)))];
  const data: Partial<Data>[] = [];
  const inLegend = new Set<string>();
  const seenNames = new Map<string, number>();
  runs.forEach((run, i) => {
    const names = [...new Set(run.scalars.map((s) => s.name))];
    const repeat = Math.max(0, ...names.map((n) => seenNames.get(n) ?? 0));
    for (const n of names) seenNames.set(n, repeat + 1);
    const suffix = repeat ? ` #${repeat + 1}` : '';
    const color = COLORS[i % COLORS.length]!;
    for (const name of names) {
      tags.forEach((tag, t) => {
        const points = run.scalars.filter((s) => s.tag === tag && s.name === name);
        if (!points.length) return;
        const axis = t === 0 ? '' : String(t + 1);
        const group = `${name}${suffix}`;
        data.push({
          type: 'scatter', mode: 'lines+markers', marker: { size: 4 },
          x: points.map((p) => p.step), y: points.map((p) => p.value),
          name: group, legendgroup: group, showlegend: !inLegend.has(group),
          line: { color, dash: /^train/i.test(name) ? 'dash' : 'solid' },
          xaxis: `x${axis}`, yaxis: `y${axis}`,
        } as Partial<Data>);
        inLegend.add(group);
      });
    }
  });
  const layout: Partial<Layout> & Record<string, unknown> = {
    title: { text: title },
    height: 400,
    grid: { rows: 1, columns: Math.max(1, tags.length), pattern: 'independent' },
    legend: { orientation: 'h', y: -0.25 },
  };
  tags.forEach((tag, t) => {
    const axis = t === 0 ? '' : String(t + 1);
    layout[`xaxis${axis}`] = { title: { text: 'epoch' } };
    layout[`yaxis${axis}`] = { title: { text: tag } };
  });
  return { data, layout };
}

/**
 * Logs scalars as PyTorch's `SummaryWriter` does, to a new file under `runs/` (or `logDir`), and
 * shows them as live charts below the cell, with the runs logged before drawn too.
 *
 *   const writer = new SummaryWriter();
 *   writer.addScalars('Loss', { Train_gru: trainLoss, Test_gru: testLoss }, epoch);
 *   writer.close();
 */
export class SummaryWriter {
  readonly file: string;
  private readonly earlier: RunLog[];
  private readonly scalars: ScalarRecord[] = [];
  private chart: LiveFigure | undefined;
  private closed = false;

  constructor(logDir?: string) {
    const d = runsDir(logDir);
    this.earlier = readRuns(d);
    mkdirSync(d, { recursive: true });
    const startedAt = new Date().toISOString();
    const stamp = startedAt.replace(/[:.]/g, '-');
    let file = join(d, `${stamp}.jsonl`);
    for (let i = 2; existsSync(file); i++) file = join(d, `${stamp}_${i}.jsonl`);
    this.file = file;
    appendFileSync(file, `${JSON.stringify({ kind: 'run', startedAt })}\n`);
  }

  /** Logs `values` (name -> number) under `tag` at `step` and redraws the charts. */
  addScalars(tag: string, values: Record<string, number | { dataSync(): ArrayLike<number> }>, step: number): void {
    if (this.closed) throw new Error('SummaryWriter: addScalars after close()');
    let lines = '';
    for (const [name, v] of Object.entries(values)) {
      const value = typeof v === 'number' ? v : Number(v.dataSync()[0]);
      const rec: ScalarRecord = { tag, name, step, value };
      this.scalars.push(rec);
      lines += `${JSON.stringify({ kind: 'scalar', ...rec })}\n`;
    }
    appendFileSync(this.file, lines);
    const fig = runsFigure([...this.earlier, { scalars: this.scalars }]);
    if (this.chart) this.chart.update(fig);
    else this.chart = new LiveFigure(fig);
  }

  /** Everything is written as it is logged; kept for PyTorch's API. */
  flush(): void {}

  /** Ends the live charts. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.chart?.close();
  }
}

/** The figure `plotRuns` shows: every run logged in `dir` (default `runs/`). */
export function runsLogFigure(dir?: string): Figure {
  const runs = readRuns(dir);
  return runsFigure(runs, runs.length ? `Logged runs (${runs.length})` : 'No runs logged yet');
}

/** Shows every run logged in `dir` (default `runs/`): one chart per tag, all runs overlaid. */
export function plotRuns(dir?: string): void {
  showFigure(runsLogFigure(dir));
}
