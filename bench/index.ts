/**
 * `npm run bench`: milliseconds per training batch of the course's recurrent workloads
 * (bench/workloads.ts) on the active TensorFlow.js backend, next to the same workloads in PyTorch
 * (bench/torch_bench.py, when `/usr/bin/python3 -c 'import torch'` works) and the ratio.
 *
 * Flags:
 *   --all              every backend that works here (tensorflow, blas, wasm, cpu), one after another
 *   --backend NAME     this backend (else RNNKIT_BACKEND, else setupBackend()'s choice)
 *   --only a,b         only these workloads (names as printed; prefixes work: --only lab8)
 *   --batches N        timed batches per workload (default: per workload, 10-30)
 *   --warmup N         untimed batches first (default 3)
 *   --no-torch         skip PyTorch
 *   --no-mnist1d       skip bench/mnist1d.bench.ts (run after this table when present)
 *   --json FILE        also write the results as JSON
 *   --denormals        also time matMul and elementwise kernels on denormal versus normal inputs
 *                      (PyTorch slows on some CPUs unless torch.set_flush_denormal(True))
 * Timings are medians over the timed batches; the machine is shared, so repeat runs.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupBackend, type BackendName } from '../src/lib/backend.js';
import { WORKLOADS, type WorkloadSpec } from './workloads.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Args {
  all: boolean;
  backend?: string;
  only?: string[];
  batches?: number;
  warmup: number;
  torch: boolean;
  mnist1d: boolean;
  json?: string;
  denormals: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { all: false, warmup: 3, torch: true, mnist1d: true, denormals: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${f} needs a value`);
      return v;
    };
    if (f === '--all') a.all = true;
    else if (f === '--backend') a.backend = next();
    else if (f === '--only') a.only = next().split(',').map((s) => s.trim()).filter(Boolean);
    else if (f === '--batches') a.batches = Number(next());
    else if (f === '--warmup') a.warmup = Number(next());
    else if (f === '--no-torch') a.torch = false;
    else if (f === '--no-mnist1d') a.mnist1d = false;
    else if (f === '--json') a.json = next();
    else if (f === '--denormals') a.denormals = true;
    else if (f === '--help' || f === '-h') {
      console.log('usage: npm run bench -- [--all] [--backend NAME] [--only a,b] [--batches N] [--warmup N] [--no-torch] [--no-mnist1d] [--json FILE] [--denormals]');
      process.exit(0);
    } else throw new Error(`unknown flag ${f} (try --help)`);
  }
  return a;
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Row {
  workload: string;
  torchName: string;
  backend: string;
  median: number;
  times: number[];
  numTensorsGrowth: number;
}

function timeWorkload(spec: WorkloadSpec, backend: string, args: Args): Row {
  const w = spec.make();
  const w0 = performance.now();
  for (let i = 0; i < args.warmup; i++) w.step();
  const perWarm = (performance.now() - w0) / Math.max(1, args.warmup);
  let batches = args.batches ?? spec.batches;
  // Slow backends (cpu, wasm on the big models): keep each workload to about 15 s.
  if (args.batches === undefined && perWarm * batches > 15000) batches = Math.max(3, Math.ceil(15000 / perWarm));
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < batches; i++) {
    const t0 = performance.now();
    w.step();
    times.push(performance.now() - t0);
  }
  const growth = tf.memory().numTensors - before;
  w.dispose();
  return { workload: w.name, torchName: w.torchName, backend, median: median(times), times, numTensorsGrowth: growth };
}

interface TorchResult {
  torch: string;
  threads: number;
  results: Record<string, { median: number; times: number[] }>;
}

function runTorch(specs: Map<string, number>, warmup: number): TorchResult | string {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return `${py} not found`;
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'PyTorch not importable';
  const r = spawnSync(py, [join(here, 'torch_bench.py'), JSON.stringify(Object.fromEntries(specs)), String(warmup)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) return `torch_bench.py failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

/** Times kernels on normal and on denormal inputs (values around 1e-39) on the active backend. */
function denormalCheck(): void {
  const fill = (n: number, denormal: boolean) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = denormal ? (0.1 + Math.random()) * 1e-39 : Math.random();
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
  console.log(`\ndenormal check on ${tf.getBackend()} (median us per call; ratio > 2 would need a flush-to-zero guard):`);
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

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const specs = WORKLOADS.filter((s) => !args.only || args.only.some((o) => s.name === o || s.name.startsWith(o)));
  if (specs.length === 0) throw new Error(`no workload matches --only ${args.only?.join(',')}`);

  const backends: string[] = [];
  if (args.all) {
    for (const name of ['tensorflow', 'blas', 'wasm', 'cpu'] as BackendName[]) {
      try {
        await setupBackend({ force: name, show: false });
        backends.push(name);
      } catch {
        // not available here
      }
    }
  } else {
    const forced = (args.backend ?? process.env.RNNKIT_BACKEND) as BackendName | undefined;
    const r = await setupBackend({ force: forced || undefined, show: false });
    backends.push(r.name);
    console.log(`backend: ${r.name} - ${r.reason}`);
  }

  const rows: Row[] = [];
  for (const b of backends) {
    await setupBackend({ force: b as BackendName, show: false });
    for (const spec of specs) {
      const row = timeWorkload(spec, b, args);
      rows.push(row);
      console.log(`  ${pad(row.workload, 16)} ${pad(b, 10)} ${row.median.toFixed(1).padStart(9)} ms/batch  (${row.times.length} batches)`);
    }
  }

  let torch: TorchResult | undefined;
  if (args.torch) {
    const tspecs = new Map<string, number>();
    for (const s of specs) {
      const w = rows.find((r) => r.workload === s.name)!;
      tspecs.set(w.torchName, Math.max(tspecs.get(w.torchName) ?? 0, args.batches ?? s.batches));
    }
    const t = runTorch(tspecs, args.warmup);
    if (typeof t === 'string') console.log(`PyTorch: skipped (${t})`);
    else torch = t;
  }

  console.log('');
  console.log(`TensorFlow.js ${tf.version_core}, Node ${process.version}${torch ? `; PyTorch ${torch.torch} (${torch.threads} threads, flush denormal)` : ''}`);
  const header = `| ${pad('workload', 16)} | ${pad('backend', 10)} | ${pad('ms/batch', 9, true)} | ${pad('PyTorch ms', 10, true)} | ${pad('ratio', 6, true)} |`;
  console.log(header);
  console.log(header.replace(/[^|]/g, '-'));
  for (const r of rows) {
    const t = torch?.results[r.torchName]?.median;
    console.log(
      `| ${pad(r.workload, 16)} | ${pad(r.backend, 10)} | ${pad(r.median.toFixed(1), 9, true)} | ${pad(t === undefined ? '-' : t.toFixed(1), 10, true)} | ${pad(t === undefined ? '-' : (r.median / t).toFixed(2), 6, true)} |`,
    );
  }
  const leaks = rows.filter((r) => r.numTensorsGrowth !== 0);
  for (const r of leaks) console.log(`warning: ${r.workload} on ${r.backend} grew tf.memory().numTensors by ${r.numTensorsGrowth}`);

  if (args.json) {
    writeFileSync(args.json, JSON.stringify({ tfjs: tf.version_core, node: process.version, rows, torch }, null, 2));
    console.log(`wrote ${args.json}`);
  }

  if (args.denormals) {
    for (const b of backends) {
      await setupBackend({ force: b as BackendName, show: false });
      denormalCheck();
    }
  }

  const mnist1d = join(here, 'mnist1d.bench.ts');
  if (args.mnist1d && existsSync(mnist1d)) {
    console.log('\nbench/mnist1d.bench.ts:');
    const r = spawnSync(process.execPath, ['--import', 'tsx', mnist1d], { stdio: 'inherit', env: process.env });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
