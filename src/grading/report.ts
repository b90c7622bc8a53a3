/** Printing results as a table, and the class report (CSV and JSON). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import type { SubmissionResult } from './types.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function pts(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0+$/, '');
}

export function formatSubmission(r: SubmissionResult, verbose = false): string {
  const rows = r.tasks.map((t) => [t.task, `${pts(t.points)}/${pts(t.max)}`, t.status === 'passed' ? 'pass' : t.status === 'partial' ? 'partial' : t.status === 'error' ? 'ERROR' : 'fail', t.reason]);
  const w = [Math.max(4, ...rows.map((x) => x[0]!.length)), Math.max(6, ...rows.map((x) => x[1]!.length)), 7];
  const out = [`${r.student}: ${pts(r.points)} / ${pts(r.max)} points`, `  ${pad('task', w[0]!)}  ${pad('points', w[1]!)}  ${pad('result', w[2]!)}  reason`];
  r.tasks.forEach((t, i) => {
    const x = rows[i]!;
    out.push(`  ${pad(x[0]!, w[0]!)}  ${pad(x[1]!, w[1]!)}  ${pad(x[2]!, w[2]!)}  ${x[3]}`);
    if (verbose && !t.checks.every((c) => c.reason === t.reason)) {
      for (const c of t.checks) out.push(`  ${' '.repeat(w[0]!)}    ${c.skipped ? '–' : c.passed ? '✓' : '✗'} ${c.title} (${pts(c.points)}/${pts(c.max)}): ${c.reason}`);
    }
  });
  return out.join('\n');
}

function csvField(s: string | number): string {
  const t = String(s);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

export function classCsv(results: SubmissionResult[]): string {
  const rows = [['student', 'task', 'points', 'max', 'status', 'reason']];
  for (const r of results) {
    for (const t of r.tasks) rows.push([r.student, t.task, pts(t.points), pts(t.max), t.status, t.reason]);
    rows.push([r.student, 'total', pts(r.points), pts(r.max), '', '']);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

export function classJson(results: SubmissionResult[], meta: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...meta, submissions: results }, null, 2) + '\n';
}

/** Writes `<out>.csv` and `<out>.json` (the extension of `out`, if any, is replaced). */
export function writeClassReport(out: string, results: SubmissionResult[], meta: Record<string, unknown> = {}): { csv: string; json: string } {
  const base = ['.csv', '.json'].includes(extname(out)) ? out.slice(0, -extname(out).length) : out;
  mkdirSync(dirname(base) || '.', { recursive: true });
  const csv = `${base}.csv`;
  const json = `${base}.json`;
  writeFileSync(csv, classCsv(results));
  writeFileSync(json, classJson(results, meta));
  return { csv, json };
}
