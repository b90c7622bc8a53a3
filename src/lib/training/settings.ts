/** The settings that change how the lab notebooks train (environment variables, see CONVENTIONS.md). */

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** The instructor toggle RNNKIT_SOLUTIONS=1: task cells use the reference solutions. */
export function solutionsEnabled(): boolean {
  return truthy(process.env['RNNKIT_SOLUTIONS']);
}

/**
 * The number of epochs to train for: `requested` (the notebook's value), shortened by
 * RNNKIT_EPOCHS=<n> (tests, CI) or RNNKIT_QUICK=1 (2 epochs). The settings only ever shorten.
 */
export function epochsSetting(requested: number): number {
  const env = process.env['RNNKIT_EPOCHS'];
  let n = requested;
  if (env !== undefined && env.trim() !== '') {
    const e = Number(env);
    if (!Number.isInteger(e) || e < 1) throw new RangeError(`RNNKIT_EPOCHS must be a positive integer, got ${JSON.stringify(env)}`);
    n = Math.min(n, e);
  } else if (truthy(process.env['RNNKIT_QUICK'])) {
    n = Math.min(n, 2);
  }
  return n;
}
