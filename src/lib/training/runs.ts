/**
 * Training logs in place of TensorBoard: each `run` appends one JSON line per epoch to its own file
 * under `runs/` (in the notebook's working directory), `plotRuns()` draws every logged run side by
 * side (loss and accuracy, train and test, as TensorBoard's `add_scalars` overlays them), and
 * `clearRuns()` deletes the logs (the lab's `rm -r runs`).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Data, Layout } from 'plotly.js';
import { showFigure, type Figure } from '../plots.js';

export interface RunHeader {
  kind: 'run';
  name: string;
  rnnType: string;
  hiddenSize: number;
  epochs: number;
  backend: string;
  startedAt: string;
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
  /** Wall time of the epoch (train + test) in milliseconds. */
  ms: number;
}

export interface RunLog {
  header: RunHeader;
  epochs: EpochMetrics[];
  file: string;
}

/**
 * The log directory: `dir` if given, else RNNKIT_RUNS_DIR (tests, CI), else `runs/` under the
 * current working directory (the notebook's folder).
 */
export function runsDir(dir?: string): string {
  const env = process.env['RNNKIT_RUNS_DIR'];
  return resolve(dir ?? (env && env.trim() !== '' ? env : join(process.cwd(), 'runs')));
}

/** Appends to one run's log file (JSON lines). */
export class RunWriter {
  readonly file: string;

  constructor(header: Omit<RunHeader, 'kind'>, dir?: string) {
    const d = runsDir(dir);
    mkdirSync(d, { recursive: true });
    const stamp = header.startedAt.replace(/[:.]/g, '-');
    let file = join(d, `${stamp}_${header.name}.jsonl`);
    for (let i = 2; existsSync(file); i++) file = join(d, `${stamp}_${header.name}_${i}.jsonl`);
    this.file = file;
    appendFileSync(file, `${JSON.stringify({ kind: 'run', ...header })}\n`);
  }

  write(m: EpochMetrics): void {
    appendFileSync(this.file, `${JSON.stringify({ kind: 'epoch', ...m })}\n`);
  }
}

/** Reads every run logged in `dir` (default `runs/`), oldest first. Unreadable lines are skipped. */
export function readRuns(dir?: string): RunLog[] {
  const d = runsDir(dir);
  if (!existsSync(d)) return [];
  const out: RunLog[] = [];
  for (const f of readdirSync(d).filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = join(d, f);
    let header: RunHeader | undefined;
    const epochs: EpochMetrics[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        if (rec['kind'] === 'run') header = rec as unknown as RunHeader;
        else if (rec['kind'] === 'epoch') epochs.push(rec as unknown as EpochMetrics);
      } catch {
        // a line cut short by an interrupted run
      }
    }
    if (header) out.push({ header, epochs, file });
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

const COLORS: Record<string, string> = { vanilla: '#1f77b4', gru: '#ff7f0e', lstm: '#2ca02c' };
const EXTRA = ['#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** One curve per run and split, as TensorBoard's `Train_<type>` / `Test_<type>` scalars. */
export interface Series {
  label: string;
  rnnType: string;
  epochs: EpochMetrics[];
}

/** The loss and accuracy charts (two panels) of several runs, train dashed and test solid. */
export function runsFigure(series: Series[], title = 'Training curves'): Figure {
  const data: Partial<Data>[] = [];
  const usedColors = new Map<string, string>();
  series.forEach((s, i) => {
    let color = usedColors.get(s.label);
    if (!color) {
      const sameType = [...usedColors.keys()].some((l) => l.startsWith(s.rnnType));
      color = !sameType && COLORS[s.rnnType] ? COLORS[s.rnnType]! : EXTRA[i % EXTRA.length]!;
      usedColors.set(s.label, color);
    }
    const x = s.epochs.map((e) => e.epoch);
    for (const [split, dash] of [['Train', 'dash'], ['Test', 'solid']] as const) {
      const name = `${split}_${s.label}`;
      const common = { type: 'scatter' as const, mode: 'lines' as const, x, name, legendgroup: name, line: { color, dash } };
      data.push({ ...common, y: s.epochs.map((e) => (split === 'Train' ? e.trainLoss : e.testLoss)), xaxis: 'x', yaxis: 'y' });
      data.push({ ...common, name: `${name} (acc)`, y: s.epochs.map((e) => (split === 'Train' ? e.trainAcc : e.testAcc)), xaxis: 'x2', yaxis: 'y2', showlegend: false });
    }
  });
  const layout: Partial<Layout> = {
    title: { text: title },
    height: 400,
    grid: { rows: 1, columns: 2, pattern: 'independent' },
    xaxis: { title: { text: 'epoch' } },
    yaxis: { title: { text: 'Loss' } },
    xaxis2: { title: { text: 'epoch' } },
    yaxis2: { title: { text: 'Accuracy (%)' } },
    legend: { orientation: 'h', y: -0.2 },
  };
  return { data, layout };
}

/** Labels runs by type, numbering repeated types (`gru`, `gru #2`). */
export function labelRuns(runs: RunLog[]): Series[] {
  const seen = new Map<string, number>();
  return runs.map((r) => {
    const n = (seen.get(r.header.rnnType) ?? 0) + 1;
    seen.set(r.header.rnnType, n);
    return { label: n === 1 ? r.header.rnnType : `${r.header.rnnType} #${n}`, rnnType: r.header.rnnType, epochs: r.epochs };
  });
}

/** The figure `plotRuns` shows: every run logged in `dir` (default `runs/`). */
export function runsLogFigure(dir?: string): Figure {
  const runs = readRuns(dir);
  return runsFigure(labelRuns(runs), runs.length ? `Logged runs (${runs.length})` : 'No runs logged yet');
}

/** Shows every run logged in `dir` (default `runs/`) in one loss chart and one accuracy chart. */
export function plotRuns(dir?: string): void {
  showFigure(runsLogFigure(dir));
}
