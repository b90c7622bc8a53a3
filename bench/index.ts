/**
 * `npm run bench`: milliseconds per training batch (or per epoch) of the course's recurrent
 * workloads (bench/workloads.ts) on the active TensorFlow.js backend, next to the same workloads
 * in PyTorch (bench/torch_bench.py, when `/usr/bin/python3 -c 'import torch'` works) and the ratio.
 *
 * The machine is shared, so TypeScript and PyTorch are measured in alternating rounds in the same
 * run (PyTorch runs as a child process that waits for commands): each workload is warmed up in
 * both, then `--rounds` rounds each time a TypeScript block and a PyTorch block of batches.
 * The table shows medians over all timed batches, their ratio, and the "paired ratio": the median
 * over rounds of the ratio of the two blocks of that round (neighbours in time, so the least
 * affected by other processes' load). On the blas variants, "in sgemm" is the share of the timed
 * batches' time spent in matrix products (OpenBLAS or the WebAssembly sgemm): what bounds them.
 *
 * Flags:
 *   --all              every backend that works here (tensorflow, blas, blas-wasm, wasm, cpu), one
 *                      after another: blas-wasm (the blas backend over the WebAssembly sgemm) runs
 *                      even where nblas is installed, so both blas variants are measured side by side
 *   --backend NAME     this backend (else RNNKIT_BACKEND, else setupBackend()'s choice); a list
 *                      (--backend blas,blas-wasm,wasm) runs each, one after another
 *   --only a,b         only these workloads (names as printed; prefixes work: --only lab8)
 *   --skip a,b         leave these out (prefixes work: --skip lab8-vanilla-epoch)
 *   --batches N        timed batches per workload (default: per workload)
 *   --rounds N         alternating rounds the timed batches are split into (default 5)
 *   --warmup N         untimed batches first (default: 3 and about a second; epochs: 1)
 *   --no-torch         skip PyTorch
 *   --no-mnist1d       skip bench/mnist1d.bench.ts (run after this table when present)
 *   --no-sgemm         skip the sgemm micro-benchmark (bench/sgemm.ts: GFLOP/s of the WebAssembly
 *                      sgemm, OpenBLAS and PyTorch at the courses' shapes), which runs after the table
 *   --sgemm-only       only the sgemm micro-benchmark
 *   --sgemm-ms N       milliseconds of calls per sgemm measurement (default 50)
 *   --json FILE        also write the results as JSON
 *   --denormals        also time kernels on denormal versus normal inputs, here and in PyTorch,
 *                      and train a model whose weights are denormal
 */
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BACKEND_NAMES, setupBackend, type BackendName } from 'rnn-course-kit/backend';
import { WORKLOADS, type Workload, type WorkloadSpec } from './workloads.js';
import { sgemmBench, sgemmMeter, sgemmTable, type CallTime, type SgemmCase, type SgemmRow } from './sgemm.js';
import { kernelNodeFlags } from '../src/runner/node-flags.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Args {
  all: boolean;
  backend?: string;
  only?: string[];
  skip?: string[];
  batches?: number;
  rounds: number;
  warmup?: number;
  torch: boolean;
  mnist1d: boolean;
  json?: string;
  denormals: boolean;
  sgemm: boolean;
  sgemmOnly: boolean;
  sgemmMs: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { all: false, rounds: 5, torch: true, mnist1d: true, denormals: false, sgemm: true, sgemmOnly: false, sgemmMs: 50 };
  const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${f} needs a value`);
      return v;
    };
    const count = (min: number) => {
      const n = Number(next());
      if (!Number.isInteger(n) || n < min) throw new Error(`${f} needs an integer >= ${min}`);
      return n;
    };
    if (f === '--all') a.all = true;
    else if (f === '--backend') a.backend = next();
    else if (f === '--only') a.only = list(next());
    else if (f === '--skip') a.skip = list(next());
    else if (f === '--batches') a.batches = count(1);
    else if (f === '--rounds') a.rounds = count(1);
    else if (f === '--warmup') a.warmup = count(0);
    else if (f === '--no-torch') a.torch = false;
    else if (f === '--no-mnist1d') a.mnist1d = false;
    else if (f === '--json') a.json = next();
    else if (f === '--denormals') a.denormals = true;
    else if (f === '--no-sgemm') a.sgemm = false;
    else if (f === '--sgemm-only') a.sgemmOnly = true;
    else if (f === '--sgemm-ms') a.sgemmMs = count(1);
    else if (f === '--help' || f === '-h') {
      console.log('usage: npm run bench -- [--all] [--backend NAME] [--only a,b] [--skip a,b] [--batches N] [--rounds N] [--warmup N] [--no-torch] [--no-mnist1d] [--no-sgemm] [--sgemm-only] [--sgemm-ms N] [--json FILE] [--denormals]');
      process.exit(0);
    } else throw new Error(`unknown flag ${f} (try --help)`);
  }
  return a;
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/* ---------------- PyTorch child process ---------------- */

interface TorchInfo {
  torch: string;
  threads: number;
}

/** bench/torch_bench.py --serve: one JSON request per line, one JSON reply per line. */
class TorchServer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly replies: ((line: string) => void)[] = [];
  private stderr = '';
  private exited = false;

  constructor(py: string) {
    this.proc = spawn(py, [join(here, 'torch_bench.py'), '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.proc.stdout }).on('line', (line) => this.replies.shift()?.(line));
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.proc.on('exit', () => {
      this.exited = true;
      for (const r of this.replies.splice(0)) r('{"ok": false, "error": "torch_bench.py exited"}');
    });
  }

  request<T>(req: object): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`torch_bench.py exited: ${this.stderr.trim().split('\n').pop() ?? ''}`));
    return new Promise<T>((resolve, reject) => {
      this.replies.push((line) => {
        const r = JSON.parse(line) as { ok: boolean; error?: string } & T;
        if (r.ok) resolve(r);
        else reject(new Error(`${r.error ?? 'failed'}${this.stderr ? ` (${this.stderr.trim().split('\n').pop()})` : ''}`));
      });
      this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

async function startTorch(): Promise<{ server: TorchServer; info: TorchInfo } | string> {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return `${py} not found`;
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'PyTorch not importable';
  const server = new TorchServer(py);
  try {
    const info = await server.request<TorchInfo>({ cmd: 'info' });
    return { server, info };
  } catch (e) {
    server.close();
    return `torch_bench.py failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/* ---------------- timing ---------------- */

interface Row {
  workload: string;
  torchName: string;
  unit: 'batch' | 'epoch';
  backend: string;
  median: number;
  best: number;
  times: number[];
  torchMedian?: number;
  torchBest?: number;
  /** Median over rounds of (TypeScript round median / PyTorch round median): robust to load changes between rounds. */
  pairedRatio?: number;
  torchTimes?: number[];
  torchError?: string;
  numTensorsGrowth: number;
  /** On the blas variants: the share of the timed steps' time spent in sgemm. */
  sgemmShare?: number;
}

async function timeSteps(w: Workload, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await w.step();
    times.push(performance.now() - t0);
  }
  return times;
}

async function timeWorkload(spec: WorkloadSpec, backend: string, args: Args, torch: TorchServer | undefined): Promise<Row> {
  const w = spec.make();
  // Warm-up: at least `warmup` steps and, for batch workloads, about a second (V8 compiles the
  // hot paths of each workload during its first batches), at most 50 steps.
  let warmup = args.warmup ?? spec.warmup ?? 3;
  const w0 = performance.now();
  for (let i = 0; i < warmup || (spec.unit === 'batch' && args.warmup === undefined && i < 50 && performance.now() - w0 < 1000); i++) {
    await w.step();
    warmup = Math.max(warmup, i + 1);
  }
  const perWarm = (performance.now() - w0) / Math.max(1, warmup);
  let batches = args.batches ?? spec.batches;
  // Slow backends (cpu, wasm on the big models): keep each workload to about 20 s.
  if (args.batches === undefined && warmup > 0 && perWarm * batches > 20000) batches = Math.max(2, Math.ceil(20000 / perWarm));
  const rounds = Math.min(args.rounds, batches);
  let torchError: string | undefined;
  if (torch) {
    try {
      await torch.request({ cmd: 'make', name: w.torchName });
      if (warmup > 0) await torch.request({ cmd: 'run', name: w.torchName, n: warmup });
    } catch (e) {
      torchError = e instanceof Error ? e.message : String(e);
    }
  }
  const before = tf.memory().numTensors;
  const meter = sgemmMeter(backend);
  const times: number[] = [];
  const torchTimes: number[] = [];
  const roundMedians: number[] = [];
  const torchRoundMedians: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const n = Math.floor(batches / rounds) + (r < batches % rounds ? 1 : 0);
    const t = await timeSteps(w, n);
    times.push(...t);
    roundMedians.push(median(t));
    if (torch && !torchError) {
      try {
        const tt = (await torch.request<{ times: number[] }>({ cmd: 'run', name: w.torchName, n })).times;
        torchTimes.push(...tt);
        torchRoundMedians.push(median(tt));
      } catch (e) {
        torchError = e instanceof Error ? e.message : String(e);
      }
    }
  }
  const growth = tf.memory().numTensors - before;
  const inSgemm = meter?.elapsed();
  meter?.dispose();
  w.dispose();
  if (torch && !torchError) await torch.request({ cmd: 'drop', name: w.torchName }).catch(() => undefined);
  const row: Row = {
    workload: w.name, torchName: w.torchName, unit: spec.unit, backend, median: median(times), best: Math.min(...roundMedians), times, numTensorsGrowth: growth,
  };
  if (torchTimes.length > 0) {
    row.torchMedian = median(torchTimes);
    row.torchBest = Math.min(...torchRoundMedians);
    row.torchTimes = torchTimes;
    row.pairedRatio = median(torchRoundMedians.map((t, i) => roundMedians[i]! / t));
  }
  if (torchError) row.torchError = torchError;
  if (inSgemm !== undefined) row.sgemmShare = inSgemm / times.reduce((p, q) => p + q, 0);
  return row;
}

/* ---------------- denormals ---------------- */

/** Times kernels on normal and on denormal inputs (values around 1e-39) on the active backend. */
function denormalKernels(): void {
  const fill = (n: number, denormal: boolean) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (0.1 + Math.random()) * (denormal ? 1e-39 : 1);
    return a;
  };
  const time = (f: () => void) => {
    for (let i = 0; i < 30; i++) f();
    const ts: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      f();
      ts.push(performance.now() - t0);
    }
    return median(ts) * 1000;
  };
  console.log(`\ndenormal inputs on ${tf.getBackend()} (median us per call; a ratio well above 1 means a slowdown):`);
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, number[], number[]][] = [
    ['matMul 64x512 . 512x128', (a, b) => tf.matMul(a, b), [64, 512], [512, 128]],
    ['matMul^T grad-shaped', (a, b) => tf.matMul(a, b, true, false), [64, 128], [64, 512]],
    ['mul 64x512', (a, b) => tf.mul(a, b), [64, 512], [64, 512]],
    ['add 64x512', (a, b) => tf.add(a, b), [64, 512], [64, 512]],
    ['sigmoid 64x512', (a) => tf.sigmoid(a), [64, 512], [1]],
    ['tanh 64x512', (a) => tf.tanh(a), [64, 512], [1]],
  ];
  for (const [name, op, sa, sb] of ops) {
    // Alternate normal and denormal rounds; keep each one's best round (the machine is shared).
    const r = [Infinity, Infinity];
    for (let round = 0; round < 3; round++) {
      for (const d of [0, 1]) {
        const a = tf.tensor(fill(sa.reduce((p, q) => p * q, 1), d === 1), sa);
        const b = tf.tensor(fill(sb.reduce((p, q) => p * q, 1), d === 1), sb);
        r[d] = Math.min(r[d]!, time(() => op(a, b).dispose()));
        tf.dispose([a, b]);
      }
    }
    console.log(`  ${pad(name, 26)} normal ${r[0]!.toFixed(1).padStart(7)}  denormal ${r[1]!.toFixed(1).padStart(7)}  ratio ${(r[1]! / r[0]!).toFixed(2)}`);
  }
}

/**
 * Training with denormal weights: lab8-lstm batches, each timed right after all parameters were
 * set to denormal values (their normal values times 1e-39), against the same batches with the
 * normal values. (One Adam step makes the weights normal again, hence the reset before each.)
 */
async function denormalTraining(): Promise<void> {
  const spec = WORKLOADS.find((s) => s.name === 'lab8-lstm');
  if (!spec) return;
  const w = spec.make();
  const params = w.parameters?.() ?? [];
  for (let i = 0; i < 3; i++) await w.step();
  const saved = params.map((p) => tf.clone(p));
  const res = [[], []] as [number[], number[]];
  for (let round = 0; round < 10; round++) {
    for (const d of [0, 1] as const) {
      params.forEach((p, i) => p.assign(tf.tidy(() => tf.mul(saved[i]!, d ? 1e-39 : 1))));
      const t0 = performance.now();
      await w.step();
      res[d].push(performance.now() - t0);
    }
  }
  tf.dispose(saved);
  w.dispose();
  const [n, d] = [median(res[0]), median(res[1])];
  console.log(`  lab8-lstm training batch: parameters normal ${n.toFixed(1)} ms, denormal ${d.toFixed(1)} ms, ratio ${(d / n).toFixed(2)}`);
}

/** The workloads' table (Markdown), after a line naming the versions. */
function printTable(rows: Row[], torch: TorchInfo | undefined): void {
  console.log('');
  console.log(`TensorFlow.js ${tf.version_core}, Node ${process.version}${nodeFlags()}${torch ? `; PyTorch ${torch.torch} (${torch.threads} thread${torch.threads === 1 ? '' : 's'}, flush denormal)` : ''}`);
  const header = `| ${pad('workload', 20)} | ${pad('backend', 9)} | ${pad('unit', 5)} | ${pad('TS ms', 8, true)} | ${pad('PyTorch ms', 10, true)} | ${pad('ratio', 5, true)} | ${pad('paired ratio', 12, true)} | ${pad('in sgemm', 8, true)} |`;
  console.log(header);
  console.log(header.replace(/[^|]/g, '-'));
  for (const r of rows) {
    const t = r.torchMedian;
    console.log(
      `| ${pad(r.workload, 20)} | ${pad(r.backend, 9)} | ${pad(r.unit, 5)} | ${pad(r.median.toFixed(1), 8, true)} | ${pad(t === undefined ? '-' : t.toFixed(1), 10, true)} | ` +
        `${pad(t === undefined ? '-' : (r.median / t).toFixed(2), 5, true)} | ${pad(r.pairedRatio === undefined ? '-' : r.pairedRatio.toFixed(2), 12, true)} | ` +
        `${pad(r.sgemmShare === undefined ? '-' : `${(100 * r.sgemmShare).toFixed(0)}%`, 8, true)} |`,
    );
  }
  for (const r of rows.filter((x) => x.numTensorsGrowth !== 0)) {
    console.log(`warning: ${r.workload} on ${r.backend} grew tf.memory().numTensors by ${r.numTensorsGrowth}`);
  }
}

/** The sgemm micro-benchmark (bench/sgemm.ts), PyTorch's side through the torch server. */
async function runSgemm(args: Args, torch: TorchServer | undefined): Promise<SgemmRow[]> {
  const torchSgemm = torch
    ? (c: SgemmCase, ms: number) => torch.request<CallTime>({ cmd: 'sgemm', m: c.m, n: c.n, k: c.k, ta: c.tA, tb: c.tB, ms })
    : undefined;
  const r = await sgemmBench({ rounds: args.rounds, ms: args.sgemmMs, torch: torchSgemm });
  console.log(`\nsgemm on one thread: GFLOP/s per CPU second, medians of ${args.rounds} alternating rounds of ${args.sgemmMs} ms (WebAssembly: ${r.wasmReason}; OpenBLAS: ${r.openblasReason}):`);
  console.log(sgemmTable(r.rows));
  return r.rows;
}

/* ---------------- main ---------------- */

/** The notebook kernel's Node options (package.json) that this process runs with. */
function youngGenerationFlags(): string[] {
  return kernelNodeFlags().filter((f) => process.execArgv.includes(f));
}

function nodeFlags(): string {
  const missing = kernelNodeFlags().filter((f) => !process.execArgv.includes(f));
  if (missing.length === 0) return ` (${kernelNodeFlags().join(' ')}, as the notebook kernel)`;
  return ` (without the notebook kernel's ${missing.join(' ')}: run through npm run bench)`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const match = (name: string, list: string[]) => list.some((o) => name === o || name.startsWith(o));
  const specs = WORKLOADS.filter((s) => (!args.only || match(s.name, args.only)) && !(args.skip && match(s.name, args.skip)));
  if (specs.length === 0) throw new Error(`no workload matches --only ${args.only?.join(',')}`);

  const backends: string[] = [];
  if (args.all) {
    for (const name of BACKEND_NAMES) {
      try {
        const r = await setupBackend({ force: name, show: false });
        backends.push(name);
        console.log(`backend: ${name} - ${r.reason}`);
      } catch {
        // not available here
      }
    }
  } else {
    const forced = (args.backend ?? process.env.RNNKIT_BACKEND ?? '').split(',').map((b) => b.trim()).filter(Boolean) as BackendName[];
    for (const name of forced.length ? forced : [undefined]) {
      const r = await setupBackend({ force: name, show: false });
      backends.push(r.name);
      console.log(`backend: ${r.name} - ${r.reason}`);
    }
  }
  if (backends.includes('blas') && process.env.OPENBLAS_CORETYPE) {
    // OpenBLAS picks its kernels by CPU unless told; a forced older core can halve sgemm's speed.
    console.log(`note: OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE} is set, so OpenBLAS uses that core's kernels (unset it to let OpenBLAS choose)`);
  }

  let torch: { server: TorchServer; info: TorchInfo } | undefined;
  if (args.torch) {
    const t = await startTorch();
    if (typeof t === 'string') console.log(`PyTorch: skipped (${t})`);
    else torch = t;
  }

  const rows: Row[] = [];
  let sgemmRows: SgemmRow[] | undefined;
  try {
    for (const b of args.sgemmOnly ? [] : backends) {
      await setupBackend({ force: b as BackendName, show: false });
      for (const spec of specs) {
        const row = await timeWorkload(spec, b, args, torch?.server);
        rows.push(row);
        const t = row.torchMedian === undefined ? '' : `   PyTorch ${row.torchMedian.toFixed(1)} ms   ratio ${(row.median / row.torchMedian).toFixed(2)}`;
        console.log(`  ${pad(row.workload, 20)} ${pad(b, 9)} ${row.median.toFixed(1).padStart(8)} ms/${row.unit} (${row.times.length})${t}${row.torchError ? `   PyTorch failed: ${row.torchError}` : ''}`);
      }
    }

    if (args.sgemm || args.sgemmOnly) sgemmRows = await runSgemm(args, torch?.server);

    if (!args.sgemmOnly) printTable(rows, torch?.info);

    if (args.json) {
      writeFileSync(args.json, JSON.stringify({ tfjs: tf.version_core, node: process.version, nodeFlags: youngGenerationFlags(), torch: torch?.info, rows, sgemm: sgemmRows }, null, 2));
      console.log(`wrote ${args.json}`);
    }

    if (args.denormals) {
      for (const b of backends) {
        await setupBackend({ force: b as BackendName, show: false });
        denormalKernels();
        await denormalTraining();
      }
      if (torch) {
        const d = await torch.server.request<{ results: Record<string, { normal: number; denormal: number }> }>({ cmd: 'denormals' });
        console.log('\nPyTorch on denormal inputs (median us per call):');
        for (const [k, v] of Object.entries(d.results)) {
          console.log(`  ${pad(k, 48)} normal ${v.normal.toFixed(1).padStart(7)}  denormal ${v.denormal.toFixed(1).padStart(7)}  ratio ${(v.denormal / v.normal).toFixed(2)}`);
        }
      }
    }
  } finally {
    torch?.server.close();
  }

  const mnist1d = join(here, 'mnist1d.bench.ts');
  if (args.mnist1d && !args.sgemmOnly && existsSync(mnist1d)) {
    console.log('\nbench/mnist1d.bench.ts:');
    const r = spawnSync(process.execPath, ['--import', 'tsx', mnist1d], { stdio: 'inherit', env: process.env });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
}

main().catch((e: unknown) => {
  // Usage errors (a workload or backend name) read best without a stack; DEBUG=1 shows it.
  console.error(e instanceof Error ? (process.env.DEBUG ? (e.stack ?? e.message) : `npm run bench: ${e.message}`) : e);
  process.exit(1);
});
