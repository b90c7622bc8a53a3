/**
 * npm run grade -- <submission.ipynb | folder> [options]
 *
 * Grades one notebook (prints its table) or a folder of notebooks (prints one table each and,
 * with --out, writes the class report as CSV and JSON).
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findSubmissions, gradeMany } from './grade.js';
import { formatSubmission, reportBase, safeReportDir, writeClassReport } from './report.js';
import { loadCourse } from './tasks/index.js';
import { findProjectRoot } from './typecheck.js';
import { sandboxAvailable, UNSANDBOXED_RISKS } from './sandbox.js';

export const USAGE = `usage: npm run grade -- <submission.ipynb | folder> [options]

  --course <id|module>  the lab (lab8) or a module exporting \`course\` (default: lab8)
  --out <path>          write the class report to <path>.csv and <path>.json
  --jobs <n>            parallel child processes (default: the number of cores)
  --timeout <s>         CPU-time limit per task (default: the task's, else 60 s)
  --memory <MB>         memory limit per task's process (default 1536 MB)
  --no-sandbox          run trusted work without bubblewrap (see docs/GRADING.md: what this leaves unprotected)
  --verbose             show every sub-check
  --json                print the results as JSON instead of tables`;

export interface GradeCli {
  target: string;
  course: string;
  out?: string;
  jobs: number;
  timeout?: number;
  memory?: number;
  verbose: boolean;
  json: boolean;
  /** --no-sandbox: the instructor declares the work trusted (no bubblewrap). */
  noSandbox: boolean;
}

export function parseGradeCli(argv: string[]): GradeCli {
  const o: GradeCli = { target: '', course: 'lab8', jobs: cpus().length || 1, verbose: false, json: false, noSandbox: false };
  const num = (v: string | undefined, what: string): number => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n <= 0) throw new Error(`${what} needs a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--course') o.course = argv[++i] ?? '';
    else if (a === '--out') o.out = argv[++i];
    else if (a === '--jobs') o.jobs = Math.floor(num(argv[++i], '--jobs'));
    else if (a === '--timeout') o.timeout = num(argv[++i], '--timeout');
    else if (a === '--memory') o.memory = num(argv[++i], '--memory');
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--json') o.json = true;
    else if (a === '--no-sandbox') o.noSandbox = true;
    else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (!o.target) o.target = a;
    else throw new Error(`one submission or folder at a time\n${USAGE}`);
  }
  if (!o.target) throw new Error(USAGE);
  return o;
}

export async function main(argv: string[]): Promise<number> {
  let o: GradeCli;
  try {
    o = parseGradeCli(argv);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (!existsSync(o.target)) {
    console.error(`no such file or folder: ${o.target}`);
    return 2;
  }
  if (o.noSandbox) {
    console.error(`warning: --no-sandbox: grading without bubblewrap, for trusted work only: ${UNSANDBOXED_RISKS}.`);
  } else {
    const avail = sandboxAvailable();
    if (!avail.ok) {
      console.error(`cannot grade untrusted work here: ${avail.reason}.\nInstall bubblewrap, or pass --no-sandbox if the work is trusted (then ${UNSANDBOXED_RISKS}).`);
      return 2;
    }
  }
  const root = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
  const course = await loadCourse(o.course);
  const subs = findSubmissions(o.target);
  if (subs.length === 0) {
    console.error(`no notebooks (.ipynb) under ${o.target}`);
    return 2;
  }
  if (o.out) {
    // Before grading: a report folder that cannot be written safely should not cost a class run.
    try {
      safeReportDir(dirname(resolve(reportBase(o.out))));
    } catch (e) {
      console.error((e as Error).message);
      return 2;
    }
  }
  const limits = { ...(o.timeout ? { timeoutSeconds: o.timeout } : {}), ...(o.memory ? { memoryMB: o.memory } : {}) };
  const results = await gradeMany(subs, course, { root, concurrency: o.jobs, limits, isolation: o.noSandbox ? 'none' : 'bwrap' }, (r) => {
    if (!o.json) console.log(formatSubmission(r, o.verbose) + '\n');
  });
  results.sort((a, b) => a.student.localeCompare(b.student));
  if (o.json) console.log(JSON.stringify(results, null, 2));
  if (o.out) {
    try {
      const w = writeClassReport(resolve(o.out), results, { course: course.id, graded: subs.length });
      console.error(`class report: ${w.csv}, ${w.json}`);
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}
