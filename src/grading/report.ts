/**
 * Printing results as a table, and the class report (CSV and JSON).
 *
 * Student names and reasons are student-controlled text: the table escapes control characters
 * (a newline or an escape sequence could forge another student's line). The report is written by
 * a grader that may be root into a folder others may write to, so no symlink it did not create is
 * followed: each folder of the path is checked (see safeReportDir) and files are written under a
 * fresh exclusive name, then renamed into place.
 */
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, extname, resolve, sep } from 'node:path';
import type { SubmissionResult } from './types.js';

/** Control characters, DEL, C1 controls, and the bidirectional overrides and isolates. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text safe for one line of a terminal: control characters as \n, \t, \x1b, \u202e. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function pts(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0+$/, '');
}

export function formatSubmission(r: SubmissionResult, verbose = false): string {
  const rows = r.tasks.map((t) => [escapeControl(t.task), `${pts(t.points)}/${pts(t.max)}`, t.status === 'passed' ? 'pass' : t.status === 'partial' ? 'partial' : t.status === 'error' ? 'ERROR' : 'fail', escapeControl(t.reason)]);
  const w = [Math.max(4, ...rows.map((x) => x[0]!.length)), Math.max(6, ...rows.map((x) => x[1]!.length)), 7];
  const out = [`${escapeControl(r.student)}: ${pts(r.points)} / ${pts(r.max)} points`, `  ${pad('task', w[0]!)}  ${pad('points', w[1]!)}  ${pad('result', w[2]!)}  reason`];
  r.tasks.forEach((t, i) => {
    const x = rows[i]!;
    out.push(`  ${pad(x[0]!, w[0]!)}  ${pad(x[1]!, w[1]!)}  ${pad(x[2]!, w[2]!)}  ${x[3]}`);
    if (verbose && !t.checks.every((c) => c.reason === t.reason)) {
      for (const c of t.checks) out.push(`  ${' '.repeat(w[0]!)}    ${c.skipped ? '–' : c.passed ? '✓' : '✗'} ${escapeControl(c.title)} (${pts(c.points)}/${pts(c.max)}): ${escapeControl(c.reason)}`);
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

/**
 * Makes sure `dir` is a folder the grader may write reports into without following a link it did
 * not create: every existing part of the path is a real folder (a symlink only when owned by root
 * or the grader's user, like /var/run), and none after the first the grader creates can be
 * swapped by others (writable by others only with the sticky bit, like /tmp). The last folder is
 * created if needed; no part may belong to another user (other than root).
 */
export function safeReportDir(dir: string): void {
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  const abs = resolve(dir);
  const parts = abs.split(sep).filter(Boolean);
  let path = '';
  for (let i = 0; i < parts.length; i++) {
    path += sep + parts[i];
    const last = i === parts.length - 1;
    let st;
    try {
      st = lstatSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(path, { mode: 0o755 });
      st = lstatSync(path);
    }
    if (st.isSymbolicLink()) {
      if (uid >= 0 && st.uid !== uid && st.uid !== 0) throw new Error(`refusing to write the report: ${path} is a symbolic link owned by another user`);
      if (last) throw new Error(`refusing to write the report: ${path} is a symbolic link (give the real folder)`);
      continue;
    }
    if (!st.isDirectory()) throw new Error(`refusing to write the report: ${path} is not a folder`);
    // A folder of another user: they could swap what is inside it.
    if (uid >= 0 && st.uid !== uid && st.uid !== 0) throw new Error(`refusing to write the report: ${path} belongs to another user`);
    if ((st.mode & 0o002) !== 0 && (st.mode & 0o1000) === 0) throw new Error(`refusing to write the report: ${path} is writable by everyone`);
    if (last && (st.mode & 0o002) !== 0) throw new Error(`refusing to write the report into ${path}, a folder everyone can write to: give a folder of your own (e.g. ${path}/reports)`);
  }
}

/** Writes `text` to `file` through a fresh, exclusively created sibling renamed into place. */
function writeExclusive(file: string, text: string): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    fchmodSync(fd, 0o644);
    const buf = Buffer.from(text);
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/** `<out>` without a .csv/.json extension: the report files are `<base>.csv` and `<base>.json`. */
export function reportBase(out: string): string {
  return ['.csv', '.json'].includes(extname(out)) ? out.slice(0, -extname(out).length) : out;
}

/** Writes `<out>.csv` and `<out>.json` (the extension of `out`, if any, is replaced). */
export function writeClassReport(out: string, results: SubmissionResult[], meta: Record<string, unknown> = {}): { csv: string; json: string } {
  const base = reportBase(out);
  safeReportDir(dirname(resolve(base)));
  const csv = `${base}.csv`;
  const json = `${base}.json`;
  writeExclusive(csv, classCsv(results));
  writeExclusive(json, classJson(results, meta));
  return { csv, json };
}
