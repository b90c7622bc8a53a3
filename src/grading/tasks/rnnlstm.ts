/**
 * The RNN / LSTM exercise sheet (seed 001, notebooks/ex_rnn_lstm_mnist.ipynb): Exercise 2.1's
 * `rnnlstm.model` (the class `RecurrentModel(config)`) and `rnnlstm.compare` (the function
 * `compareConfigs(configs, options)`). Exercise 3's `searchHyperparameters` is open-ended: its cell
 * is filled by the builds but not graded (`ungraded`); Exercises 2.2 and 4 are questions.
 *
 * rnnlstm.model, 7 points, on five configurations (the seed's RNNModel and LSTMModel and three
 * variants of Exercise 2), each built after `manualSeed(seed)`:
 *   recurrent (1)   `model.rnn` is the library's RNN (with the configured nonlinearity) or LSTM, with
 *                   the configured layers and hidden size, batch first
 *   parameters (1)  namedParameters(): the names and shapes of PyTorch's named_parameters(), in order
 *   count (1)       numParameters() equals PyTorch's parameter count
 *   shape (1)       forward(x [2, 5, 28]) has shape [2, 10]
 *   values (2)      ... and equals PyTorch's output to 1e-4 (same seed, so the same initial weights)
 *   hidden (1)      two other configurations with other sizes and seed equal the reference solution
 * rnnlstm.compare, 4 points, on a tiny budget (two configurations of hidden size 8, 60 iterations of
 * batches of 16, lr 0.01, a training and a test set whose labels are all one class):
 *   results (1)     an array with one result per configuration, accuracies in percent
 *   trains (2)      each configuration reaches at least 90 % on that test set (it learns the class)
 *   budget (1)      the library's Adam took `iterations` steps per configuration
 * References: PyTorch's models (rnnlstm-reference.ts), the reference solution for the hidden case.
 */
import { fileURLToPath } from 'node:url';
import type * as tfTypes from '@tensorflow/tfjs';
import { allOf } from '../checks.js';
import { asPlain, compareShape, compareValues, fixedValues, probe, shapeText, type PlainTensor } from '../plain.js';
import type { Course, Observation, Probe, ReferenceEnv, TaskDef, TaskEnv, Verdict } from '../types.js';
import type { ModelConfig } from '../../lib/training/comparison.js';
import { RNNLSTM_MODEL_CASES, RNNLSTM_X, RNNLSTM_X_SHAPE, RNNLSTM_Y_SHAPE } from './rnnlstm-reference.js';

interface StatefulGenerator { getState(): unknown; setState(s: unknown): void }

/** What the checks need from the course library, as the code under test sees it. */
interface Lib {
  manualSeed(seed: number): unknown;
  defaultGenerator?: StatefulGenerator;
  RNN: new (...a: never[]) => object;
  LSTM: new (...a: never[]) => object;
  Adam: { prototype: { step(...a: unknown[]): unknown } };
  TensorDataset: new (...t: tfTypes.Tensor[]) => object;
  DataLoader: new (ds: object, o: { batchSize: number }) => { dispose(): void };
}

interface ModelLike {
  rnn?: unknown;
  forward(x: tfTypes.Tensor): tfTypes.Tensor;
  apply?(x: tfTypes.Tensor): tfTypes.Tensor;
  namedParameters?(): [string, tfTypes.Variable][];
  numParameters?(): number;
  dispose?(): void;
}
type ModelCtor = new (config: ModelConfig) => ModelLike;

/** The configurations of the hidden case: other sizes, another seed. */
const HIDDEN = {
  seed: 2024,
  xShape: [3, 7, 4] as const,
  configs: [
    { type: 'lstm', numLayers: 3, hiddenSize: 6, inputSize: 4, outputSize: 3, extraFc: true },
    { type: 'rnn', numLayers: 2, nonlinearity: 'relu', hiddenSize: 5, inputSize: 4, outputSize: 3 },
  ] as ModelConfig[],
};

/** `{ type: 'rnn', numLayers: 3, ... }` as a student would write it. */
export function configText(c: ModelConfig): string {
  return `{ ${Object.entries(c).map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : String(v)}`).join(', ')} }`;
}

async function loadLib(env: TaskEnv): Promise<Lib> {
  const lib = (await env.loadLib()) as Partial<Lib>;
  for (const k of ['manualSeed', 'RNN', 'LSTM', 'Adam', 'TensorDataset', 'DataLoader'] as const) {
    if (typeof lib[k] !== 'function') throw new Error(`the course library has no ${k} (rebuild it: npm run build)`);
  }
  return lib as Lib;
}

/**
 * Runs `fn` without side effects on the caller (the notebook): the global generator's state is
 * restored and the tensors made inside are freed (the models' variables by `dispose`).
 */
async function isolated<T>(env: TaskEnv, lib: Lib, fn: (models: ModelLike[]) => Promise<T>): Promise<T> {
  const gen = lib.defaultGenerator && typeof lib.defaultGenerator.getState === 'function' ? lib.defaultGenerator : undefined;
  const saved = gen?.getState();
  const models: ModelLike[] = [];
  env.tf.engine().startScope();
  try {
    return await fn(models);
  } finally {
    env.tf.engine().endScope();
    for (const m of models) {
      try { m.dispose?.(); } catch { /* already freed */ }
    }
    if (gen && saved !== undefined) gen.setState(saved);
  }
}

interface Structure {
  recurrent: { cls: string; nonlinearity?: unknown; numLayers?: unknown; hiddenSize?: unknown; inputSize?: unknown; batchFirst?: unknown };
  params: { name: string; shape: number[] }[] | string;
  count: number | string;
}

function describeRecurrent(rnn: unknown, lib: Lib): Structure['recurrent'] {
  if (rnn === null || rnn === undefined) return { cls: String(rnn) };
  const r = rnn as Record<string, unknown>;
  const cls = rnn instanceof lib.LSTM ? 'LSTM' : rnn instanceof lib.RNN ? 'RNN' : typeof rnn === 'object' ? `a ${(rnn as object).constructor?.name ?? 'object'}` : typeof rnn;
  return { cls, nonlinearity: r.nonlinearity, numLayers: r.numLayers, hiddenSize: r.hiddenSize, inputSize: r.inputSize, batchFirst: r.batchFirst };
}

function forwardOf(m: ModelLike, x: tfTypes.Tensor): tfTypes.Tensor {
  return typeof m.apply === 'function' ? m.apply(x) : m.forward(x);
}

async function exerciseModel(impl: unknown, env: TaskEnv): Promise<Observation> {
  const { tf } = env;
  if (typeof impl !== 'function') return { setup: { ok: false, error: `RecurrentModel is not a class (got ${typeof impl})` } };
  let lib: Lib;
  try {
    lib = await loadLib(env);
  } catch (e) {
    return { setup: { ok: false, error: `grader setup: ${(e as Error).message}` } };
  }
  const Cls = impl as ModelCtor;
  return isolated(env, lib, async (models) => {
    const obs: Observation = {};
    const x = tf.tensor(RNNLSTM_X as number[], RNNLSTM_X_SHAPE as unknown as number[]);
    for (const c of RNNLSTM_MODEL_CASES) {
      let model: ModelLike | undefined;
      obs[`build:${c.name}`] = await probe((): Structure => {
        lib.manualSeed(c.seed);
        model = new Cls({ ...c.config });
        models.push(model);
        const params = typeof model.namedParameters === 'function'
          ? model.namedParameters().map(([name, v]) => ({ name, shape: v.shape.slice() }))
          : 'RecurrentModel has no namedParameters() (does it extend Module?)';
        const count = typeof model.numParameters === 'function' ? model.numParameters() : 'RecurrentModel has no numParameters() (does it extend Module?)';
        return { recurrent: describeRecurrent(model.rnn, lib), params, count };
      });
      if (model) {
        const m = model;
        obs[`forward:${c.name}`] = await probe(() => asPlain(forwardOf(m, x), tf, `RecurrentModel(${configText(c.config)}).forward(x)`));
      }
    }
    obs.hidden = await probe(() => {
      const x2 = tf.tensor(fixedValues(HIDDEN.xShape.reduce((a, b) => a * b, 1), 13), [...HIDDEN.xShape]);
      return HIDDEN.configs.map((cfg) => {
        lib.manualSeed(HIDDEN.seed);
        const m = new Cls({ ...cfg });
        models.push(m);
        return asPlain(forwardOf(m, x2), tf, `RecurrentModel(${configText(cfg)}).forward`);
      });
    });
    return obs;
  });
}

interface ModelRef {
  hidden?: PlainTensor[];
}

async function referenceModel(env: ReferenceEnv): Promise<ModelRef> {
  const sol = await env.loadSolution();
  if (!sol || typeof sol.RecurrentModel !== 'function') {
    if (env.strict) throw new Error('the reference solutions have no RecurrentModel');
    return {};
  }
  const obs = await exerciseModel(sol.RecurrentModel, env);
  const p = obs.hidden;
  if (!p?.ok) throw new Error(`the reference solution failed (hidden case): ${p?.ok === false ? p.error : obs.setup?.ok === false ? obs.setup.error : 'no result'}`);
  return { hidden: p.value as PlainTensor[] };
}

function expectedRecurrent(c: ModelConfig): string | undefined {
  return c.type === 'lstm' ? 'LSTM' : 'RNN';
}

function judgeModel(o: Observation, ref: ModelRef): Verdict[] {
  const ids = ['recurrent', 'parameters', 'count', 'shape', 'values', 'hidden'];
  if (o.setup && !o.setup.ok) return ids.map((check) => ({ check, passed: false, reason: `error: ${o.setup!.ok === false ? o.setup.error : ''}` }));
  const rec: Verdict[] = [];
  const par: Verdict[] = [];
  const cnt: Verdict[] = [];
  const shp: Verdict[] = [];
  const val: Verdict[] = [];
  for (const c of RNNLSTM_MODEL_CASES) {
    const what = `RecurrentModel(${configText(c.config)})`;
    const b = o[`build:${c.name}`];
    if (!b?.ok) {
      const reason = `error: new ${what} failed: ${b?.ok === false ? b.error : 'not run'}`;
      for (const l of [rec, par, cnt, shp, val]) l.push({ check: '', passed: false, reason });
      continue;
    }
    const s = b.value as Structure;
    // the recurrent layers
    const r = s.recurrent;
    const want = expectedRecurrent(c.config);
    const nl = c.config.nonlinearity ?? 'tanh';
    const hidden = c.config.hiddenSize ?? 128;
    if (r.cls !== want) rec.push({ check: '', passed: false, reason: `${what}.rnn should be the library's ${want} (got ${r.cls})` });
    else if (want === 'RNN' && r.nonlinearity !== nl) rec.push({ check: '', passed: false, reason: `${what}.rnn has nonlinearity ${typeof r.nonlinearity === 'string' ? `'${r.nonlinearity}'` : String(r.nonlinearity)}, expected '${nl}'` });
    else if (r.numLayers !== c.config.numLayers) rec.push({ check: '', passed: false, reason: `${what}.rnn has ${String(r.numLayers)} layers, expected ${c.config.numLayers}` });
    else if (r.hiddenSize !== hidden) rec.push({ check: '', passed: false, reason: `${what}.rnn has hidden size ${String(r.hiddenSize)}, expected ${hidden}` });
    else if (r.batchFirst !== true) rec.push({ check: '', passed: false, reason: `${what}.rnn should take batch-first input (batchFirst: true), as the seed's batch_first=True` });
    else rec.push({ check: '', passed: true, reason: '' });
    // parameter names and shapes, in order
    if (typeof s.params === 'string') par.push({ check: '', passed: false, reason: s.params });
    else {
      const got = s.params;
      const exp = c.params;
      const i = exp.findIndex((p, k) => got[k]?.name !== p.name || shapeText(got[k]!.shape) !== shapeText(p.shape));
      if (i >= 0) {
        const g = got[i];
        par.push({ check: '', passed: false, reason: `${what}: parameter ${i + 1} is ${g ? `${g.name} ${shapeText(g.shape)}` : 'missing'}, PyTorch's model has ${exp[i]!.name} ${shapeText(exp[i]!.shape)} there` });
      } else if (got.length !== exp.length) par.push({ check: '', passed: false, reason: `${what} has ${got.length} parameters, PyTorch's model ${exp.length} (extra: ${got.slice(exp.length).map((p) => p.name).join(', ')})` });
      else par.push({ check: '', passed: true, reason: '' });
    }
    // parameter count
    if (typeof s.count === 'string') cnt.push({ check: '', passed: false, reason: s.count });
    else cnt.push(s.count === c.count
      ? { check: '', passed: true, reason: '' }
      : { check: '', passed: false, reason: `${what} has ${s.count} parameters (scalars), PyTorch's model ${c.count}` });
    // forward
    const f = o[`forward:${c.name}`];
    const fwd = `${what}.forward(x ${shapeText(RNNLSTM_X_SHAPE)})`;
    if (!f?.ok) {
      const reason = `error: ${f?.ok === false ? f.error : 'not run'}`;
      shp.push({ check: '', passed: false, reason });
      val.push({ check: '', passed: false, reason });
      continue;
    }
    const t = f.value as PlainTensor;
    shp.push({ check: '', ...compareShape(t, RNNLSTM_Y_SHAPE, fwd) });
    val.push({ check: '', ...compareValues(t, { $tensor: true, shape: [...RNNLSTM_Y_SHAPE], dtype: 'float32', values: c.y }, fwd, 1e-4) });
  }
  const out: Verdict[] = [
    allOf('recurrent', rec, 'rnn is an RNN / LSTM with the configured layers, size and nonlinearity'),
    allOf('parameters', par, "the parameters are named and shaped as PyTorch's, in order"),
    allOf('count', cnt, "the parameter counts equal PyTorch's"),
    allOf('shape', shp, `forward gives ${shapeText(RNNLSTM_Y_SHAPE)}`),
    allOf('values', val, "the outputs equal PyTorch's for the same seeds"),
  ];
  if (!ref.hidden) out.push({ check: 'hidden', passed: false, skipped: true, reason: 'not checked here (the grader checks other configurations and sizes)' });
  else if (!o.hidden?.ok) out.push({ check: 'hidden', passed: false, reason: `error: ${o.hidden?.ok === false ? o.hidden.error : 'not run'}` });
  else {
    const got = o.hidden.value as PlainTensor[];
    out.push(allOf('hidden', HIDDEN.configs.map((cfg, i) => ({
      check: 'hidden',
      ...compareValues(got[i]!, ref.hidden![i]!, `RecurrentModel(${configText(cfg)}).forward on another input (seed ${HIDDEN.seed}, x ${shapeText(HIDDEN.xShape)})`, 1e-4),
    })), 'other configurations and sizes match the reference solution'));
  }
  return out;
}

// ---------------------------------------------------------------------------------- compareConfigs

const COMPARE = {
  configs: [
    { type: 'rnn', numLayers: 1, hiddenSize: 8 },
    { type: 'lstm', numLayers: 1, hiddenSize: 8 },
  ] as ModelConfig[],
  train: 96,
  test: 40,
  label: 3,
  iterations: 60,
  batchSize: 16,
  lr: 0.01,
  minAccuracy: 90,
};

interface CompareObs { isArray: boolean; type: string; length?: number; accuracies?: unknown[] }

async function exerciseCompare(impl: unknown, env: TaskEnv): Promise<Observation> {
  const { tf } = env;
  if (typeof impl !== 'function') return { results: { ok: false, error: `compareConfigs is not a function (got ${typeof impl})` } };
  let lib: Lib;
  try {
    lib = await loadLib(env);
  } catch (e) {
    return { results: { ok: false, error: `grader setup: ${(e as Error).message}` } };
  }
  return isolated(env, lib, async () => {
    const images = (n: number, seed: number) => tf.tensor3d(fixedValues(n * 28 * 28, seed).map((v) => (v + 1) / 2), [n, 28, 28]);
    const labels = (n: number) => tf.tensor1d(new Int32Array(n).fill(COMPARE.label), 'int32');
    const trainDataset = new lib.TensorDataset(images(COMPARE.train, 21), labels(COMPARE.train));
    const testLoader = new lib.DataLoader(new lib.TensorDataset(images(COMPARE.test, 22), labels(COMPARE.test)), { batchSize: 20 });
    // Count the optimiser steps the student's code takes with the library's Adam.
    const proto = lib.Adam.prototype;
    const step = proto.step;
    let steps = 0;
    proto.step = function (this: unknown, ...a: unknown[]) {
      steps++;
      return step.apply(this, a);
    };
    let results: Probe;
    try {
      results = await probe(async (): Promise<CompareObs> => {
        const r: unknown = await (impl as (c: ModelConfig[], o: object) => unknown)(COMPARE.configs.map((c) => ({ ...c })), {
          trainDataset, testLoader, iterations: COMPARE.iterations, batchSize: COMPARE.batchSize, lr: COMPARE.lr, progress: false,
        });
        if (!Array.isArray(r)) return { isArray: false, type: r === null ? 'null' : typeof r };
        return { isArray: true, type: 'array', length: r.length, accuracies: r.map((x) => {
          const a = (x as { accuracy?: unknown } | null)?.accuracy;
          return typeof a === 'number' ? (Number.isFinite(a) ? a : String(a)) : `a ${a === null ? 'null' : typeof a}`;
        }) };
      });
    } finally {
      proto.step = step;
      testLoader.dispose();
    }
    return { results, steps: { ok: true, value: steps } };
  });
}

function judgeCompare(o: Observation): Verdict[] {
  const r = o.results;
  if (!r?.ok) {
    const reason = `error: ${r?.ok === false ? r.error : 'not run'}`;
    return ['results', 'trains', 'budget'].map((check) => ({ check, passed: false, reason }));
  }
  const v = r.value as CompareObs;
  const n = COMPARE.configs.length;
  const call = `compareConfigs(${n} configurations, { iterations: ${COMPARE.iterations}, batchSize: ${COMPARE.batchSize}, lr: ${COMPARE.lr} })`;
  const out: Verdict[] = [];
  const accs = v.accuracies ?? [];
  let resultsOk = false;
  if (!v.isArray) out.push({ check: 'results', passed: false, reason: `${call} returned ${v.type}, expected an array of results` });
  else if (v.length !== n) out.push({ check: 'results', passed: false, reason: `${call} returned ${v.length} results, expected one per configuration (${n})` });
  else {
    const bad = accs.findIndex((a) => typeof a !== 'number' || a < 0 || a > 100);
    if (bad >= 0) out.push({ check: 'results', passed: false, reason: `result ${bad + 1} of ${call} has accuracy ${String(accs[bad])}, expected a number of percent in [0, 100]` });
    else {
      resultsOk = true;
      out.push({ check: 'results', passed: true, reason: 'one result per configuration, accuracies in percent' });
    }
  }
  if (!resultsOk) out.push({ check: 'trains', passed: false, reason: 'no accuracies to check (see the results check)' });
  else {
    const low = accs.findIndex((a) => (a as number) < COMPARE.minAccuracy);
    out.push(low >= 0
      ? { check: 'trains', passed: false, reason: `on data whose labels are all one class, ${configText(COMPARE.configs[low]!)} reached ${(accs[low] as number).toFixed(1)}% test accuracy after ${COMPARE.iterations} iterations, expected at least ${COMPARE.minAccuracy}% (does compareConfigs train each model with Adam at options.lr on options.trainDataset, and measure the accuracy in percent on options.testLoader?)` }
      : { check: 'trains', passed: true, reason: 'every configuration learns the task' });
  }
  const steps = o.steps?.ok ? (o.steps.value as number) : -1;
  const want = n * COMPARE.iterations;
  out.push(steps === want
    ? { check: 'budget', passed: true, reason: `${COMPARE.iterations} Adam steps per configuration` }
    : { check: 'budget', passed: false, reason: steps === 0 ? "no step of the course library's Adam was taken (train with Adam as in Exercise 1.2)" : `the library's Adam took ${steps} steps in all, expected ${want} (options.iterations = ${COMPARE.iterations} per configuration)` });
  return out;
}

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const path = (rel: string): string => fileURLToPath(new URL(rel + ext, import.meta.url));

const modelTask: TaskDef<ModelRef> = {
  id: 'rnnlstm.model',
  name: 'RecurrentModel',
  title: 'Exercise 2.1: RecurrentModel(config)',
  timeoutSeconds: 60,
  checks: [
    { id: 'recurrent', title: 'recurrent layers', points: 1 },
    { id: 'parameters', title: 'parameter names and shapes', points: 1 },
    { id: 'count', title: 'parameter count', points: 1 },
    { id: 'shape', title: 'output shape', points: 1 },
    { id: 'values', title: 'output values', points: 2 },
    { id: 'hidden', title: 'other configurations', points: 1 },
  ],
  exercise: exerciseModel,
  reference: referenceModel,
  judge: judgeModel,
};

const compareTask: TaskDef<null> = {
  id: 'rnnlstm.compare',
  name: 'compareConfigs',
  title: 'Exercise 2.1: compareConfigs(configs, options)',
  timeoutSeconds: 120,
  checks: [
    { id: 'results', title: 'one result per configuration', points: 1 },
    { id: 'trains', title: 'trains and tests', points: 2 },
    { id: 'budget', title: 'iteration budget', points: 1 },
  ],
  exercise: exerciseCompare,
  reference: async () => null,
  judge: (o) => judgeCompare(o),
};

export const course: Course = {
  id: 'rnnlstm',
  title: 'Exercise sheet: RNN and LSTM on MNIST (configurations, hyper-parameters)',
  notebook: fileURLToPath(new URL('../../../notebooks/ex_rnn_lstm_mnist.ipynb', import.meta.url)),
  solutionFile: fileURLToPath(new URL('../../../src/solutions/rnnlstm.ts', import.meta.url)),
  solutionModule: path('../../solutions/rnnlstm'),
  module: path('./rnnlstm'),
  tasks: [modelTask as TaskDef, compareTask as TaskDef],
  ungraded: [{ id: 'rnnlstm.search', name: 'searchHyperparameters', title: 'Exercise 3: searchHyperparameters (open-ended, not graded)' }],
};
