/** The headless notebook runner: `runNotebook(path, options)` and its building blocks. */
export { runNotebook } from './run.js';
export type { CellError, CellResult, CellStatus, Engine, RunOptions, RunResult } from './run-results.js';
export { TslabKernel, KernelError, defaultTslabBin, kernelLauncher, kernelNodeFlags, type ExecuteOutcome, type KernelStartOptions } from './kernel.js';
export { OutputCollector, outputsText } from './outputs.js';
export { main as cliMain, parseCli, UsageError } from './cli.js';
