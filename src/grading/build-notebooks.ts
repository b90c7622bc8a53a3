/**
 * npm run build:notebooks [-- options]
 *
 * Writes build/notebooks/student/<lab>.ipynb and build/notebooks/instructor/<lab>.ipynb from each
 * lab's source notebook (see build.ts). Deterministic: a second run writes the same bytes.
 *
 *   --course <id|module>  only this lab (repeatable; default: every known lab whose notebook exists,
 *                         and every other notebook in notebooks/, copied to both versions as it is)
 *   --out <dir>           output folder (default <project>/build/notebooks)
 *   --execute             also run the instructor notebooks (tslab, RNNKIT_QUICK=1) and keep
 *                         their outputs; they are marked `metadata.rnnkit.executed` (not deterministic)
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildError, writeBuilt, writePlain } from './build.js';
import { parseNotebook, serializeNotebook } from '../notebook/codec.js';
import { COURSES, loadCourse } from './tasks/index.js';
import { findProjectRoot } from './typecheck.js';

export async function main(argv: string[]): Promise<number> {
  const root = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
  const specs: string[] = [];
  let out = join(root, 'build', 'notebooks');
  let execute = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--course') specs.push(argv[++i] ?? '');
    else if (a === '--out') out = resolve(argv[++i] ?? '');
    else if (a === '--execute') execute = true;
    else {
      console.error(`unknown argument ${a}\nusage: npm run build:notebooks -- [--course <id|module>] [--out <dir>] [--execute]`);
      return 2;
    }
  }
  const explicit = specs.length > 0;
  let failed = 0;
  const built = new Set<string>();
  for (const spec of explicit ? specs : Object.keys(COURSES)) {
    let course;
    try {
      course = await loadCourse(spec);
    } catch (e) {
      console.error(`${spec}: ${(e as Error).message}`);
      failed++;
      continue;
    }
    if (!existsSync(course.notebook)) {
      console.error(`${course.id}: no source notebook at ${relative(root, course.notebook)}${explicit ? '' : ' (skipped)'}`);
      if (explicit) failed++;
      continue;
    }
    try {
      const paths = writeBuilt(course, out);
      built.add(resolve(course.notebook));
      console.log(`${course.id}: ${relative(process.cwd(), paths.student)}, ${relative(process.cwd(), paths.instructor)}`);
      if (execute) {
        const { runNotebook } = (await import('../runner/index.js')) as unknown as {
          runNotebook(p: string, o: Record<string, unknown>): Promise<{ ok: boolean; notebook: unknown; message?: string; failed?: { codeCellNumber: number } }>;
        };
        const r = await runNotebook(paths.instructor, { env: { RNNKIT_QUICK: '1' }, cwd: join(root, 'notebooks'), allowErrors: false });
        const nb = parseNotebook(JSON.stringify(r.notebook));
        nb.metadata.rnnkit = { ...(nb.metadata.rnnkit as object), executed: true, executedOk: r.ok };
        writeFileSync(paths.instructor, serializeNotebook(nb));
        console.log(`${course.id}: instructor version executed (${r.ok ? 'ok' : `failed${r.failed ? ` at code cell ${r.failed.codeCellNumber}` : ''}: ${r.message ?? ''}`})`);
        if (!r.ok) failed++;
      }
    } catch (e) {
      console.error(`${course.id}: ${e instanceof BuildError ? e.message : (e as Error).stack}`);
      failed++;
    }
  }
  if (!explicit) {
    // the notebooks without tasks (demonstrations, the welcome notebook) belong to both versions
    const dir = join(root, 'notebooks');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort()) {
      if (built.has(resolve(dir, f))) continue;
      try {
        const paths = writePlain(join(dir, f), out);
        console.log(`${f}: ${relative(process.cwd(), paths.student)}, ${relative(process.cwd(), paths.instructor)}`);
      } catch (e) {
        console.error(`${f}: ${(e as Error).message}`);
        failed++;
      }
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}
