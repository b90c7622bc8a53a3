/**
 * The I2DL tasks i2dl.rnnClassifier and i2dl.lstmClassifier: `RNN_Classifier` / `LSTM_Classifier`
 * give class scores of the right shape, and every parameter receives a finite gradient.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { record } from '../../verdicts.js';
import { compareShape, fixedValues, probe } from '../../plain.js';
import type { Observation, TaskDef, Verdict } from '../../types.js';
import { isolated, type Tensor, type Variable } from './library.js';

export function classifierTask(id: string, name: string, title: string): TaskDef<null> {
  return {
    id,
    name,
    title,
    timeoutSeconds: 60,
    checks: [
      { id: 'shape', title: 'output shape', points: 1 },
      { id: 'gradients', title: 'parameters receive gradients', points: 1 },
    ],
    exercise: async (impl, env) => {
      const { tf } = env;
      if (typeof impl !== 'function') return { construct: { ok: false, error: `${name} is not a class (got ${typeof impl})` } };
      const Cls = impl as new (...a: unknown[]) => Record<string, unknown>;
      return isolated(env, async (lib, track) => {
        lib.manualSeed(3);
        const obs: Observation = {};
        const forward = (m: Record<string, unknown>, x: Tensor): Tensor => {
          const f = (m['apply'] ?? m['forward']) as ((x: Tensor) => unknown) | undefined;
          if (typeof f !== 'function') throw new Error(`${name} has no forward(x)`);
          const y = f.call(m, x);
          if (!(y instanceof tf.Tensor)) throw new Error(`${name}.forward(x) should return a tf.Tensor, got ${y === null ? 'null' : typeof y}`);
          return y;
        };
        const x = tf.tensor(fixedValues(3 * 28 * 28, 21), [3, 1, 28, 28]);
        let model: Record<string, unknown> | undefined;
        obs.construct = await probe(() => { model = track(new Cls()); return true; });
        if (!obs.construct.ok || !model) return obs;
        const m = model;
        obs.shape = await probe(() => {
          const small = track(new Cls(4, 28, 16));
          return { default: forward(m, x).shape, small: forward(small, x).shape };
        });
        obs.gradients = await probe(() => {
          const ps = (m['parameters'] as (() => unknown) | undefined)?.call(m);
          if (!Array.isArray(ps)) throw new Error(`${name} has no parameters() (extend Module)`);
          const vars = ps.filter((p): p is Variable => p instanceof tf.Variable);
          if (vars.length === 0) throw new Error(`${name}.parameters() is empty: create the layers in the constructor`);
          const labels = tf.tensor1d([1, 7, 3], 'int32');
          const { grads } = tf.variableGrads(() => {
            const logits = forward(m, x);
            const logp = tf.logSoftmax(logits as tfTypes.Tensor2D);
            return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1]!)), 1))) as tfTypes.Scalar;
          }, vars);
          const names = (m['namedParameters'] as (() => [string, Variable][]) | undefined)?.call(m) ?? [];
          const label = (v: Variable, i: number): string => names.find(([, p]) => p === v)?.[0] ?? `parameter ${i}`;
          return vars.map((v, i) => {
            const g = grads[v.name];
            if (!g) return { name: label(v, i), missing: true };
            const d = g.dataSync();
            let sq = 0;
            let finite = true;
            for (const e of d) { if (!Number.isFinite(e)) finite = false; sq += e * e; }
            return { name: label(v, i), finite, norm: Math.sqrt(sq) };
          });
        });
        return obs;
      });
    },
    reference: async () => null,
    judge: (o) => {
      if (o.setup && !o.setup.ok) return ['shape', 'gradients'].map((check) => ({ check, passed: false, reason: o.setup!.ok === false ? o.setup.error : '' }));
      if (!o.construct?.ok || o.construct.value !== true) {
        const reason = o.construct?.ok === false ? `error: new ${name}() failed: ${o.construct.error}` : 'not run';
        return [{ check: 'shape', passed: false, reason }, { check: 'gradients', passed: false, reason }];
      }
      const out: Verdict[] = [];
      if (!o.shape?.ok) out.push({ check: 'shape', passed: false, reason: `error: ${o.shape?.ok === false ? o.shape.error : 'not measured'}` });
      else {
        const s = record(o.shape.value) as { default: number[]; small: number[] };
        const a = compareShape({ $tensor: true, shape: s.default, dtype: 'float32', values: [] }, [3, 10], `${name}().forward(x [3, 1, 28, 28])`);
        const b = compareShape({ $tensor: true, shape: s.small, dtype: 'float32', values: [] }, [3, 4], `new ${name}(4, 28, 16).forward(x [3, 1, 28, 28])`);
        out.push(!a.passed ? { check: 'shape', ...a } : !b.passed ? { check: 'shape', ...b } : { check: 'shape', passed: true, reason: 'class scores [N, classes]' });
      }
      if (!o.gradients?.ok) out.push({ check: 'gradients', passed: false, reason: `error while taking gradients: ${o.gradients?.ok === false ? o.gradients.error : 'not measured'}` });
      else {
        const raw = o.gradients.value;
        const gs = (Array.isArray(raw) ? raw : []) as Array<{ name: string; missing?: boolean; finite?: boolean; norm?: number }>;
        const malformed = gs.length === 0 || gs.some((g) => typeof record(g).name !== 'string'
          || (g.missing !== true && (typeof g.finite !== 'boolean' || typeof g.norm !== 'number' || (g.finite && !(g.norm >= 0)))));
        const missing = gs.find((g) => g.missing);
        const bad = gs.find((g) => !g.missing && !g.finite);
        if (malformed) out.push({ check: 'gradients', passed: false, reason: 'invalid measurement of the gradients' });
        else if (missing) out.push({ check: 'gradients', passed: false, reason: `${missing.name} gets no gradient (is every layer used in forward?)` });
        else if (bad) out.push({ check: 'gradients', passed: false, reason: `the gradient of ${bad.name} is not finite` });
        else if (gs.every((g) => g.norm === 0)) out.push({ check: 'gradients', passed: false, reason: 'every gradient is zero' });
        else out.push({ check: 'gradients', passed: true, reason: `all ${gs.length} parameters receive finite gradients` });
      }
      return out;
    },
  };
}
