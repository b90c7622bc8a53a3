/**
 * The course library as the I2DL checks use it (the same instance as the code under test), and
 * `isolated`: running a student's code without side effects on the notebook.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Observation, TaskEnv } from '../../types.js';

export type TF = typeof tfTypes;
export type Variable = tfTypes.Variable;
export type Tensor = tfTypes.Tensor;

/** What the checks use of the course library (the same instance as the code under test). */
export interface Lib {
  manualSeed(seed: number): unknown;
  randn(shape: number[]): Tensor;
  constant_(v: Variable, value: number): Variable;
  RNN: new (d: number, h: number, o?: { nonlinearity?: 'tanh' | 'relu' }) => LibRecurrent & { call(x: Tensor, h0?: Tensor | null): [Tensor, Tensor] };
  LSTM: new (d: number, h: number) => LibRecurrent & { call(x: Tensor, s?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] };
  defaultGenerator?: { getState(): unknown; setState(s: unknown): void };
}
export interface LibRecurrent {
  weight_ih_l0: Variable;
  weight_hh_l0: Variable;
  bias_ih_l0: Variable;
  bias_hh_l0: Variable;
  dispose(): void;
}

async function loadLib(env: TaskEnv): Promise<Lib> {
  const lib = (await env.loadLib()) as Partial<Lib>;
  for (const k of ['manualSeed', 'randn', 'constant_', 'RNN', 'LSTM'] as const) {
    if (typeof lib[k] !== 'function') throw new Error(`the course library has no ${k} (rebuild it: npm run build)`);
  }
  return lib as Lib;
}

/**
 * Runs `body` without side effects on the caller (the notebook): the global generator's state is
 * restored, the tensors made are freed and so are the variables of the tracked modules.
 */
export async function isolated(env: TaskEnv, body: (lib: Lib, track: <M>(m: M) => M) => Promise<Observation>): Promise<Observation> {
  const { tf } = env;
  let lib: Lib;
  try {
    lib = await loadLib(env);
  } catch (e) {
    return { setup: { ok: false, error: `grader setup: ${(e as Error).message}` } };
  }
  const gen = lib.defaultGenerator && typeof lib.defaultGenerator.getState === 'function' ? lib.defaultGenerator : undefined;
  const saved = gen?.getState();
  const tracked: unknown[] = [];
  const track = <M>(m: M): M => { tracked.push(m); return m; };
  tf.engine().startScope();
  try {
    return await body(lib, track);
  } finally {
    tf.engine().endScope();
    for (const m of tracked) disposeModule(tf, m);
    if (gen && saved !== undefined) gen.setState(saved);
  }
}

function disposeModule(tf: TF, m: unknown): void {
  const seen = new Set<unknown>();
  const walk = (o: unknown, depth: number): void => {
    if (!o || typeof o !== 'object' || seen.has(o) || depth > 4) return;
    seen.add(o);
    if (o instanceof tf.Variable) { if (!o.isDisposed) o.dispose(); return; }
    if (o instanceof tf.Tensor) return;
    for (const v of Object.values(o as Record<string, unknown>)) walk(v, depth + 1);
  };
  walk(m, 0);
}
