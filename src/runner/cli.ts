/**
 * Runs a notebook headless (tests, CI):
 *
 *   npx tsx src/runner/cli.ts <notebook.ipynb> [--output out.ipynb | --inplace] [--timeout 600]
 *       [--allow-errors] [--env K=V]... [--engine node|nbclient] [--quiet] [--verbose]
 *
 * Exit codes: 0 every cell passed, 1 a cell failed (or the kernel could not run it), 2 bad usage
 * or an unreadable notebook, 130 interrupted.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NotebookError } from '../notebook/codec.js';
import type { CellResult, Engine, RunResult } from './run-results.js';
import { runNotebook } from './run.js';

export const USAGE = `usage: npm run notebook -- <notebook.ipynb> [options]
       npx tsx src/runner/cli.ts <notebook.ipynb> [options]

Runs every code cell of the notebook on a fresh tslab kernel (in the notebook's folder) and stops
at the first failing cell.

options:
  --output <file>     write the executed notebook to <file>
  --inplace           write the executed notebook over the input
  --timeout <s>       per-cell timeout in seconds (default 600; 0: none)
  --allow-errors      run all cells even after a failure (the exit code still reports it)
  --env K=V           an environment variable for the kernel (repeatable), e.g. RNNKIT_SOLUTIONS=1
  --engine <e>        node (default) or nbclient (Jupyter's nbclient through /usr/bin/python3)
  --quiet             print only failures
  --verbose           errors with every stack frame (kit, tslab, Node), for instructors (RNNKIT_VERBOSE=1)
  -h, --help          this help

exit codes: 0 all cells passed, 1 a cell failed, 2 bad usage or unreadable notebook`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliOptions {
  notebook: string;
  output?: string;
  inplace: boolean;
  timeout: number;
  allowErrors: boolean;
  env: Record<string, string>;
  engine: Engine;
  quiet: boolean;
  help: boolean;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        inplace: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        'allow-errors': { type: 'boolean', default: false },
        env: { type: 'string', multiple: true },
        engine: { type: 'string' },
        quiet: { type: 'boolean', short: 'q', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const help = !!v.help;
  if (!help && parsed.positionals.length !== 1) {
    throw new UsageError(parsed.positionals.length === 0 ? 'no notebook given' : `one notebook at a time (got ${parsed.positionals.length})`);
  }
  if (v.output && v.inplace) throw new UsageError('--output and --inplace exclude each other');
  let timeout = 600;
  if (v.timeout !== undefined) {
    timeout = Number(v.timeout);
    if (!Number.isFinite(timeout) || timeout < 0 || v.timeout.trim() === '') throw new UsageError(`--timeout needs a number of seconds (got "${v.timeout}")`);
  }
  const env: Record<string, string> = {};
  for (const kv of v.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env needs NAME=VALUE (got "${kv}")`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (v.verbose) env['RNNKIT_VERBOSE'] = '1';
  const engine = (v.engine ?? 'node') as Engine;
  if (engine !== 'node' && engine !== 'nbclient') throw new UsageError(`--engine is node or nbclient (got "${v.engine}")`);
  return {
    notebook: parsed.positionals[0] ?? '', output: v.output, inplace: !!v.inplace, timeout,
    allowErrors: !!v['allow-errors'], env, engine, quiet: !!v.quiet, help,
  };
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function sourceHead(source: string, lines = 3): string {
  const all = source.trimEnd().split('\n');
  const head = all.slice(0, lines).map((l) => (l.length > 120 ? `${l.slice(0, 117)}...` : l));
  if (all.length > lines) head.push(`... (${all.length - lines} more lines)`);
  return head.map((l) => `    | ${l}`).join('\n');
}

export function describeFailure(nb: string, c: CellResult): string {
  const what = c.status === 'timeout' ? 'timed out' : c.status === 'aborted' ? 'was aborted' : 'failed';
  const message = (c.error?.message ?? '').split('\n').map((l) => `    ${l}`).join('\n');
  return `FAILED: cell ${c.codeCellNumber} (code cell ${c.codeCellNumber}, notebook cell ${c.index + 1}) of ${nb} ${what}` +
    ` [${c.status}] after ${secs(c.duration)}\n  source:\n${sourceHead(c.source)}\n  error:\n${message}`;
}

export function summary(nb: string, r: RunResult): string {
  const failed = r.cells.filter((c) => c.status !== 'ok');
  const lines: string[] = [];
  for (const c of failed) lines.push(describeFailure(nb, c));
  if (r.message) lines.push(`FAILED: ${nb}: ${r.message}`);
  const state = r.ok ? 'passed' : 'FAILED';
  lines.push(`${nb}: ${state}: ${r.cells.filter((c) => c.status === 'ok').length} cell(s) ok, ${failed.length} failed, in ${secs(r.duration)} (engine ${r.engine})` +
    (r.outputPath ? `; executed copy: ${r.outputPath}` : ''));
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(argv);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\ninterrupted: stopping the kernel (Ctrl-C again to quit at once)\n');
      controller.abort();
    } else {
      process.exit(130); // the exit hook kills the kernel
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const result = await runNotebook(opts.notebook, {
      output: opts.output,
      inplace: opts.inplace,
      timeout: opts.timeout,
      allowErrors: opts.allowErrors,
      env: opts.env,
      engine: opts.engine,
      signal: controller.signal,
      onCellStart: opts.quiet ? undefined : (c) => process.stderr.write(`cell ${c.codeCellNumber} ... `),
      onCellDone: opts.quiet ? undefined : (c) => process.stderr.write(
        opts.engine === 'nbclient' ? `cell ${c.codeCellNumber} ${c.status} (${secs(c.duration)})\n` : `${c.status} (${secs(c.duration)})\n`),
    });
    process.stderr.write(`${summary(opts.notebook, result)}\n`);
    if (result.cancelled) return 130;
    return result.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof NotebookError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
