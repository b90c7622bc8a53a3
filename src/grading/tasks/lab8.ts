/**
 * Lab 8 (recurrent cells written from scratch): `lab8.vanilla`, `lab8.gru`, `lab8.lstm`.
 *
 * Each task constructs the student's class after `manualSeed(123)` with (input 4, hidden 10), as
 * the original notebook does, and checks, with partial credit:
 *   params (1)    weight_xh [D, kH], weight_hh [H, kH], bias_xh [kH], bias_hh [kH] are tf.Variables
 *   init (1)      resetParams() drew them from the PyTorch generator (U(-1/sqrt(H), 1/sqrt(H)),
 *                 in the order weight_xh, weight_hh, bias_xh, bias_hh)
 *   shape (1)     forward(x [2, 3, 4]) has shape [2, 3, 10]
 *   values (2)    ... and matches the original's y_expected to 1e-4
 *   gradients (1) every parameter gets the reference gradient of sum(y * C)
 *   hidden (1)    another seed and other sizes (M 4, T 6, D 3, H 5) match the reference solution
 * References: y_expected from PyTorch (lab8-reference.ts), the initial values from the generator,
 * gradients and the hidden case from running the reference solutions in the grader's process.
 */
import { fileURLToPath } from 'node:url';
import type * as tfTypes from '@tensorflow/tfjs';
import { allOf, probedTensor, record, shapeVerdict, valuesVerdict } from '../verdicts.js';
import { asPlain, compareShape, compareValues, fixedValues, probe, shapeText, type PlainTensor } from '../plain.js';
import type { Course, Observation, Probe, ReferenceEnv, TaskDef, TaskEnv, Verdict } from '../types.js';
import { LAB8_X, LAB8_X_SHAPE, LAB8_Y_EXPECTED } from './lab8-reference.js';

type CellKey = 'vanilla' | 'gru' | 'lstm';
const PARAMS = ['weight_xh', 'weight_hh', 'bias_xh', 'bias_hh'] as const;
const D = 4;
const H = 10;
const HIDDEN = { seed: 2024, M: 4, T: 6, D: 3, H: 5 };

interface Generatorish {
  manualSeed(seed: number): unknown;
}

interface ParamProbe { missing?: boolean; isVariable?: boolean; tensor?: PlainTensor }

type Ctor = new (inputSize: number, hiddenSize: number) => Record<string, unknown> & { forward(x: tfTypes.Tensor): tfTypes.Tensor };

function paramShapes(k: number, d = D, h = H): Record<(typeof PARAMS)[number], number[]> {
  return { weight_xh: [d, k * h], weight_hh: [h, k * h], bias_xh: [k * h], bias_hh: [k * h] };
}

interface StatefulGenerator { getState(): unknown; setState(s: unknown): void }

/**
 * Runs the measurements without side effects on the caller (the notebook): the global generator's
 * state is restored and the tensors and variables made here are freed.
 */
async function exerciseCell(name: string, impl: unknown, env: TaskEnv): Promise<Observation> {
  const { tf } = env;
  if (typeof impl !== 'function') return { construct: { ok: false, error: `${name} is not a class (got ${typeof impl})` } };
  let seed: Generatorish['manualSeed'];
  let gen: StatefulGenerator | undefined;
  try {
    const lib = (await env.loadLib()) as Partial<Generatorish> & { defaultGenerator?: StatefulGenerator };
    if (typeof lib.manualSeed !== 'function') throw new Error('the course library has no manualSeed (rebuild it: npm run build)');
    seed = lib.manualSeed.bind(lib);
    if (lib.defaultGenerator && typeof lib.defaultGenerator.getState === 'function') gen = lib.defaultGenerator;
  } catch (e) {
    return { construct: { ok: false, error: `grader setup: ${(e as Error).message}` } };
  }
  const saved = gen?.getState();
  const models: Array<Record<string, unknown>> = [];
  tf.engine().startScope();
  try {
    return await measureCell(name, impl as Ctor, tf, seed, models);
  } finally {
    tf.engine().endScope();
    for (const m of models) {
      for (const p of PARAMS) {
        const v = m[p];
        if (v instanceof tf.Variable && !v.isDisposed) v.dispose();
      }
    }
    if (gen && saved !== undefined) gen.setState(saved);
  }
}

async function measureCell(name: string, Cls: Ctor, tf: TaskEnv['tf'], seed: Generatorish['manualSeed'], models: Array<Record<string, unknown>>): Promise<Observation> {
  let m: InstanceType<Ctor> | undefined;
  const obs: Observation = {};
  obs.construct = await probe(() => { seed(123); m = new Cls(D, H); models.push(m); return true; });
  if (!obs.construct.ok || !m) return obs;
  const model = m;
  obs.params = await probe(() => {
    const out: Record<string, ParamProbe> = {};
    for (const p of PARAMS) {
      const v = model[p];
      out[p] = v === null || v === undefined ? { missing: true } : { isVariable: v instanceof tf.Variable, tensor: asPlain(v, tf, p) };
    }
    return out;
  });
  const x = tf.tensor(LAB8_X as number[], LAB8_X_SHAPE as unknown as number[]);
  obs.forward = await probe(() => asPlain(model.forward(x), tf, `${name}.forward(x)`));
  obs.grads = await probe(() => {
    const vars = PARAMS.map((p) => model[p]).filter((v): v is tfTypes.Variable => v instanceof tf.Variable);
    if (vars.length === 0) throw new Error('no parameter is a tf.Variable, so no gradient can be taken');
    const y0 = model.forward(x);
    const c = tf.tensor(fixedValues(y0.size, 9), y0.shape);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(x), c)) as tfTypes.Scalar, vars);
    const out: Record<string, PlainTensor | null> = {};
    for (const p of PARAMS) {
      const v = model[p];
      out[p] = v instanceof tf.Variable && grads[v.name] ? asPlain(grads[v.name], tf, `gradient of ${p}`) : null;
    }
    return out;
  });
  obs.hidden = await probe(() => {
    seed(HIDDEN.seed);
    const m2 = new Cls(HIDDEN.D, HIDDEN.H);
    models.push(m2);
    const x2 = tf.tensor(fixedValues(HIDDEN.M * HIDDEN.T * HIDDEN.D, 11), [HIDDEN.M, HIDDEN.T, HIDDEN.D]);
    return asPlain(m2.forward(x2), tf, `${name}.forward`);
  });
  return obs;
}

interface CellRef {
  init: Record<string, PlainTensor>;
  y: PlainTensor;
  grads?: Record<string, PlainTensor>;
  hidden?: PlainTensor;
}

function plain(values: ArrayLike<number>, shape: number[]): PlainTensor {
  return { $tensor: true, shape, dtype: 'float32', values: Array.from(values) };
}

async function referenceCell(key: CellKey, name: string, k: number, env: ReferenceEnv): Promise<CellRef> {
  const gen = await import('../../lib/random/torch-generator.js');
  const g = new gen.Generator(123);
  const std = 1 / Math.sqrt(H);
  const shapes = paramShapes(k);
  const init: Record<string, PlainTensor> = {};
  for (const p of PARAMS) {
    const n = shapes[p].reduce((a, b) => a * b, 1);
    init[p] = plain(gen.uniformValues(n, -std, std, g), shapes[p]);
  }
  const ref: CellRef = { init, y: plain(LAB8_Y_EXPECTED[key], [LAB8_X_SHAPE[0], LAB8_X_SHAPE[1], H]) };
  const sol = await env.loadSolution();
  if (!sol || typeof sol[name] !== 'function') {
    if (env.strict) throw new Error(`the reference solutions have no ${name}`);
    return ref;
  }
  const obs = await exerciseCell(name, sol[name], { tf: env.tf, loadLib: async () => gen as unknown as Record<string, unknown> });
  const value = <T>(p: Probe | undefined, what: string): T => {
    if (!p?.ok) throw new Error(`the reference solution failed (${what}): ${p?.ok === false ? p.error : 'no result'}`);
    return p.value as T;
  };
  ref.grads = value<Record<string, PlainTensor>>(obs.grads, 'gradients');
  ref.hidden = value<PlainTensor>(obs.hidden, 'hidden input');
  return ref;
}

function judgeCell(name: string, k: number, o: Observation, ref: CellRef): Verdict[] {
  const all = (reason: string): Verdict[] => ['params', 'init', 'shape', 'values', 'gradients', 'hidden'].map((check) => ({ check, passed: false, reason }));
  if (!o.construct?.ok || o.construct.value !== true) return all(o.construct?.ok === false ? `error: new ${name}(${D}, ${H}) failed: ${o.construct.error}` : o.construct ? 'invalid measurement (construct)' : 'not run');
  const shapes = paramShapes(k);
  const out: Verdict[] = [];
  // params and init
  if (!o.params?.ok) {
    out.push({ check: 'params', passed: false, reason: `error: ${o.params?.ok === false ? o.params.error : 'not measured'}` });
    out.push({ check: 'init', passed: false, reason: 'parameters could not be read' });
  } else {
    const ps = record(o.params.value) as Record<string, ParamProbe>;
    const problems: string[] = [];
    const initProblems: string[] = [];
    for (const p of PARAMS) {
      const v = ps[p];
      if (!v || v.missing || !v.tensor) { problems.push(`${p} is missing (still null)`); initProblems.push(`${p} is missing`); continue; }
      if (v.isVariable !== true) problems.push(`${p} is not a tf.Variable (create it with tf.variable(...))`);
      const s = compareShape(v.tensor, shapes[p], p);
      if (!s.passed) { problems.push(s.reason); initProblems.push(s.reason); continue; }
      const c = compareValues(v.tensor, ref.init[p]!, p, 1e-6);
      if (!c.passed) initProblems.push(`${c.reason} — resetParams() should draw U(-1/sqrt(H), 1/sqrt(H)) with uniform_ in the order weight_xh, weight_hh, bias_xh, bias_hh`);
    }
    out.push(problems.length ? { check: 'params', passed: false, reason: problems[0]! } : { check: 'params', passed: true, reason: 'four tf.Variables of the right shapes' });
    out.push(initProblems.length ? { check: 'init', passed: false, reason: initProblems[0]! } : { check: 'init', passed: true, reason: 'initial values match manualSeed(123)' });
  }
  const what = `${name}.forward(x)`;
  out.push(shapeVerdict('shape', o.forward, ref.y.shape, what));
  out.push(valuesVerdict('values', o.forward, ref.y, what, 1e-4));
  // gradients
  if (!o.grads?.ok) out.push({ check: 'gradients', passed: false, reason: `error while taking gradients: ${o.grads?.ok === false ? o.grads.error : 'not measured'}` });
  else {
    const gs = record(o.grads.value) as Record<string, PlainTensor | null>;
    const vs: Verdict[] = [];
    for (const p of PARAMS) {
      const gr = gs[p];
      if (!gr) { vs.push({ check: 'gradients', passed: false, reason: `${p} gets no gradient (is it a tf.Variable used in forward with tf operations?)` }); continue; }
      const t = probedTensor({ ok: true, value: gr }, `gradient of ${p}`);
      if (typeof t === 'string') { vs.push({ check: 'gradients', passed: false, reason: t }); continue; }
      if (ref.grads?.[p]) vs.push({ check: 'gradients', ...compareValues(t, ref.grads[p]!, `gradient of ${p}`, 1e-4, 1e-3) });
      else if (t.values.some((v) => typeof v === 'string')) vs.push({ check: 'gradients', passed: false, reason: `gradient of ${p} is not finite` });
    }
    // A parameter without a gradient is the more useful message: name it first.
    vs.sort((a, b) => Number(!/no gradient/.test(a.reason)) - Number(!/no gradient/.test(b.reason)));
    const v = allOf('gradients', vs, ref.grads ? 'gradients match' : 'every parameter gets a finite gradient');
    out.push(v);
  }
  // hidden case
  if (!ref.hidden) out.push({ check: 'hidden', passed: false, skipped: true, reason: 'not checked here (the grader checks another seed and other sizes)' });
  else {
    const h = valuesVerdict('hidden', o.hidden, ref.hidden, `forward on another input (seed ${HIDDEN.seed}, x ${shapeText([HIDDEN.M, HIDDEN.T, HIDDEN.D])}, H ${HIDDEN.H})`, 1e-4);
    out.push(h);
  }
  return out;
}

function cellTask(key: CellKey, name: string, k: number, title: string): TaskDef<CellRef> {
  return {
    id: `lab8.${key}`,
    name,
    title,
    timeoutSeconds: 60,
    checks: [
      { id: 'params', title: 'parameters', points: 1 },
      { id: 'init', title: 'initial values', points: 1 },
      { id: 'shape', title: 'output shape', points: 1 },
      { id: 'values', title: 'output values', points: 2 },
      { id: 'gradients', title: 'gradients', points: 1 },
      { id: 'hidden', title: 'other sizes', points: 1 },
    ],
    exercise: (impl, env) => exerciseCell(name, impl, env),
    reference: (env) => referenceCell(key, name, k, env),
    judge: (o, ref) => judgeCell(name, k, o, ref),
  };
}

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const path = (rel: string): string => fileURLToPath(new URL(rel + ext, import.meta.url));

export const course: Course = {
  id: 'lab8',
  title: 'Lab 8: recurrent cells (Vanilla RNN, GRU, LSTM) on MNIST-1D',
  notebook: fileURLToPath(new URL('../../../notebooks/lab8_rnn_mnist1d.ipynb', import.meta.url)),
  solutionFile: fileURLToPath(new URL('../../../src/solutions/lab8.ts', import.meta.url)),
  solutionModule: path('../../solutions/index'),
  module: path('./lab8'),
  tasks: [
    cellTask('vanilla', 'VanillaRNN', 1, 'Task 2.1: VanillaRNN') as TaskDef,
    cellTask('gru', 'GRU', 3, 'Task 3.1: GRU') as TaskDef,
    cellTask('lstm', 'LSTM', 4, 'Task 4.1: LSTM') as TaskDef,
  ],
};
