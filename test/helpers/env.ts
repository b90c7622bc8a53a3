/** Running a piece of a test with environment variables set, or with console.log captured. */

/** Runs f with the variables set (undefined unsets one), restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, f: () => T | Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (vs: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vs)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  };
  apply(vars);
  try {
    return await f();
  } finally {
    apply(saved);
  }
}

/** What f printed with console.log, one line a call. */
export async function captureLog(f: () => unknown): Promise<string> {
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => { lines.push(a.map(String).join(' ')); };
  try {
    await f();
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}
