/**
 * Times `makeDataset(getDatasetArgs())` (the default 5000-sample MNIST-1D) and prints milliseconds.
 * Run: `node --import tsx bench/mnist1d.bench.ts [--runs N]` (also run by `npm run bench`).
 * Not a test: the machine is shared, timings vary. The first run includes JIT warm-up.
 */
import { getDatasetArgs, makeDataset } from 'rnn-course-kit/mnist1d';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 5;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a positive integer');

const args = getDatasetArgs();
const times: number[] = [];
let rows = 0;
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const d = makeDataset(args);
  times.push(performance.now() - t0);
  rows = d.x.length + d.xTest.length;
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(`mnist1d makeDataset(getDatasetArgs()) (${rows} samples x ${args.finalSeqLength}): first ${times[0]!.toFixed(1)} ms, median of ${runs} ${median.toFixed(1)} ms, best ${sorted[0]!.toFixed(1)} ms`);
