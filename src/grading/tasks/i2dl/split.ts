/** The I2DL task i2dl.split: `chooseTrainSplit()` returns a useful training / validation split. */
import { probe } from '../../plain.js';
import type { TaskDef } from '../../types.js';

export const splitTask: TaskDef<null> = {
  id: 'i2dl.split',
  name: 'chooseTrainSplit',
  title: 'Training / validation split',
  timeoutSeconds: 30,
  checks: [
    { id: 'range', title: 'between 0 and 1', points: 1 },
    { id: 'useful', title: 'a useful split', points: 1 },
  ],
  exercise: async (impl) => {
    if (typeof impl !== 'function') return { split: { ok: false, error: `chooseTrainSplit is not a function (got ${typeof impl})` } };
    return { split: await probe(() => (impl as () => unknown)()) };
  },
  reference: async () => null,
  judge: (o) => {
    const p = o.split;
    if (!p?.ok) {
      const reason = `error: ${p?.ok === false ? p.error : 'not run'}`;
      return [{ check: 'range', passed: false, reason }, { check: 'useful', passed: false, reason }];
    }
    const s = p.value;
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      const reason = `chooseTrainSplit() should return a number, got ${typeof s === 'number' ? String(s) : typeof s}`;
      return [{ check: 'range', passed: false, reason }, { check: 'useful', passed: false, reason }];
    }
    const inRange = s > 0 && s < 1;
    return [
      inRange ? { check: 'range', passed: true, reason: 'both sets get images' }
        : { check: 'range', passed: false, reason: `the split ${s} leaves the ${s <= 0 ? 'training' : 'validation'} set empty: it must lie strictly between 0 and 1` },
      s >= 0.5 && s <= 0.95 ? { check: 'useful', passed: true, reason: 'most images train, enough validate' }
        : { check: 'useful', passed: false, reason: `the split ${s} is not useful: train on most of the images (at least half) and keep at least 5 % for validation` },
    ];
  },
};
