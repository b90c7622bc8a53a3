/** Verdicts from probes: the helpers task definitions (src/grading/tasks/*) share to judge an observation. */
import { compareShape, compareValues, tensorProblem, type PlainTensor } from './plain.js';
import type { Probe, Verdict } from './types.js';

/** The probe's value as a PlainTensor, or a failure reason. */
export function probedTensor(p: Probe | undefined, what: string): PlainTensor | string {
  if (!p) return `${what}: not measured`;
  if (!p.ok) return `error: ${String(p.error)}`;
  const bad = tensorProblem(p.value);
  if (bad) return `${what}: invalid measurement (${bad})`;
  return p.value as PlainTensor;
}

export function shapeVerdict(check: string, p: Probe | undefined, expected: readonly number[], what: string): Verdict {
  const t = probedTensor(p, what);
  if (typeof t === 'string') return { check, passed: false, reason: t };
  return { check, ...compareShape(t, expected, what) };
}

export function valuesVerdict(check: string, p: Probe | undefined, expected: PlainTensor, what: string, atol = 1e-4, rtol = 0): Verdict {
  const t = probedTensor(p, what);
  if (typeof t === 'string') return { check, passed: false, reason: t };
  return { check, ...compareValues(t, expected, what, atol, rtol) };
}

/** All of several verdicts must pass; the first failure's reason is kept. */
export function allOf(check: string, verdicts: Verdict[], okReason: string): Verdict {
  const bad = verdicts.find((v) => !v.passed);
  return bad ? { check, passed: false, reason: bad.reason } : { check, passed: true, reason: okReason };
}

/** An observed value as a record (an empty one when the child sent anything else). */
export function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
