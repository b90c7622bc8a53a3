/** Turning verdicts (or one failure) into per-check and per-task results with points. */
import type { CheckResult, TaskDef, TaskResult, Verdict } from './types.js';

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function taskResult(task: TaskDef, checks: CheckResult[], ms: number, location?: string, reasonOverride?: string, error = false): TaskResult {
  const counted = checks.filter((c) => !c.skipped);
  const points = counted.reduce((s, c) => s + c.points, 0);
  const max = counted.reduce((s, c) => s + c.max, 0);
  const failed = counted.find((c) => !c.passed);
  const status = error ? 'error' : points >= max ? 'passed' : points > 0 ? 'partial' : 'failed';
  const sameForAll = failed && counted.every((c) => !c.passed && c.reason === failed.reason);
  const reason = reasonOverride ?? (failed ? (sameForAll ? failed.reason : `${failed.title}: ${failed.reason}`) : 'all checks passed');
  return { task: task.id, title: task.title, points: round(points), max, status, reason, checks, location, durationMs: ms };
}

/** Every check failed for one reason (not found, type error, timeout...). */
export function failedTask(task: TaskDef, reason: string, ms = 0, location?: string, status: 'failed' | 'error' = 'failed'): TaskResult {
  const checks = task.checks.map((c) => ({ id: c.id, title: c.title, points: 0, max: c.points, passed: false, reason }));
  return taskResult(task, checks, ms, location, reason, status === 'error');
}

/** Verdicts to results (a check without a verdict failed; skipped checks count for neither side). */
export function judgedResult(task: TaskDef, verdicts: Verdict[], ms: number, location?: string): TaskResult {
  const checks: CheckResult[] = task.checks.map((c) => {
    const v = verdicts.find((x) => x.check === c.id);
    return {
      id: c.id, title: c.title, points: v?.passed && !v.skipped ? c.points : 0, max: c.points,
      passed: !!v?.passed, reason: v?.reason ?? 'not checked', ...(v?.skipped ? { skipped: true } : {}),
    };
  });
  return taskResult(task, checks, ms, location);
}
