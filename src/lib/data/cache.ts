/**
 * The download cache shared by the dataset loaders.
 *
 * - Cache directory: `RNNKIT_DATA_DIR` (relative paths are taken from the current directory), by
 *   default `<project root>/datasets`, where the project root is the nearest directory above this
 *   module whose package.json is named `rnn-course-kit`.
 * - Mirror: `RNNKIT_DATA_MIRROR`, a directory or an http(s) URL base, tried before the official URLs,
 *   with the layout of the cache (`mnist1d/mnist1d_data.pkl`, `mnist/<file>.gz`).
 * - `fetchToCache` puts a file at `<cache>/<relPath>`: already there, else copied from the mirror,
 *   else downloaded from the official URLs in turn; written to a temporary file and renamed, so an
 *   interrupted download never leaves a partial file behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setting } from '../settings.js';

const PACKAGE_NAME = 'rnn-course-kit';

let rootCache: string | undefined;

/** The project root: the nearest directory above `from` (default: this module) with the package.json of rnn-course-kit. */
export function projectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  if (rootCache !== undefined && from === dirname(fileURLToPath(import.meta.url))) return rootCache;
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
          if (from === dirname(fileURLToPath(import.meta.url))) rootCache = dir;
          return dir;
        }
      } catch {
        // not JSON: keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`Could not find the ${PACKAGE_NAME} project root above ${from} (no package.json named ${PACKAGE_NAME}); set RNNKIT_DATA_DIR`);
    dir = up;
  }
}

/** The cache directory: `RNNKIT_DATA_DIR` or `<project root>/datasets`. */
export function dataDir(): string {
  return setting('RNNKIT_DATA_DIR') ?? join(projectRoot(), 'datasets');
}

/** `RNNKIT_DATA_MIRROR`: an http(s) URL base (without trailing slash) or an absolute directory; undefined when unset. */
export function dataMirror(): string | undefined {
  return setting('RNNKIT_DATA_MIRROR');
}

export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** Writes `data` to `path` atomically (temporary file in the same directory, then rename). */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export interface FetchToCacheOptions {
  /** Path inside the cache and the mirror, with forward slashes: `mnist/train-images-idx3-ubyte.gz`. */
  relPath: string;
  /** Official URLs, tried in order after the mirror. */
  urls?: string[];
  /** Expected md5 of the official file: downloads from `urls` must match it. */
  md5?: string;
  /**
   * Checks the file's content (throw to reject it). Applied to files from every source; a mirror
   * file that differs from `md5` is accepted when it passes this check (mirrors may hold subsets).
   */
  validate?: (data: Uint8Array, source: string) => void;
  /** Where progress messages go (default: console.log). */
  log?: (message: string) => void;
  /** Milliseconds allowed per download (default 120000). */
  timeoutMs?: number;
  /** Cache directory (default: `dataDir()`). */
  dir?: string;
  /** Mirror (default: `dataMirror()`); `null` to skip the mirror. */
  mirror?: string | null;
}

export interface FetchResult {
  /** Absolute path of the cached file. */
  path: string;
  /** `cache`, the mirror file / URL, or the official URL it came from. */
  source: string;
  /** md5 of the file. */
  md5: string;
  /** Whether the md5 equals `options.md5` (undefined when no md5 was given). */
  md5Ok: boolean | undefined;
}

function errMessage(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const c = cause instanceof Error ? ` (${(cause as { code?: string }).code ?? cause.message})` : '';
    return `${e.message}${c}`;
  }
  return String(e);
}

async function download(url: string, timeoutMs: number): Promise<Uint8Array> {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Makes sure `<cache>/<relPath>` exists and returns where it came from. Tries, in order: the cache,
 * the mirror (directory or URL), the official URLs. Throws one error listing every attempt when all fail.
 */
export async function fetchToCache(options: FetchToCacheOptions): Promise<FetchResult> {
  const { relPath, urls = [], md5, validate, log = console.log, timeoutMs = 120_000 } = options;
  if (!relPath || relPath.startsWith('/') || relPath.split('/').includes('..')) throw new RangeError(`relPath must be a relative path inside the cache, got ${JSON.stringify(relPath)}`);
  const dir = options.dir ?? dataDir();
  const dest = join(dir, ...relPath.split('/'));
  const tried: string[] = [];
  const check = (data: Uint8Array, source: string): boolean | undefined => {
    validate?.(data, source);
    return md5 === undefined ? undefined : md5Hex(data) === md5;
  };

  if (existsSync(dest)) {
    const data = new Uint8Array(readFileSync(dest));
    try {
      const ok = check(data, dest);
      return { path: dest, source: 'cache', md5: md5Hex(data), md5Ok: ok };
    } catch (e) {
      tried.push(`cache ${dest}: invalid (${errMessage(e)}), fetching it again`);
      log(`Cached ${dest} is invalid (${errMessage(e)}); fetching it again`);
    }
  }

  const mirror = options.mirror === undefined ? dataMirror() : options.mirror;
  const sources: { source: string; mirror: boolean }[] = [];
  if (mirror) sources.push({ source: /^https?:\/\//i.test(mirror) ? `${mirror}/${relPath}` : join(mirror, ...relPath.split('/')), mirror: true });
  for (const u of urls) sources.push({ source: u, mirror: false });
  if (sources.length === 0) tried.push('no mirror (RNNKIT_DATA_MIRROR is unset) and no official URL');

  for (const { source, mirror: isMirror } of sources) {
    const label = isMirror ? `mirror ${source}` : source;
    let data: Uint8Array;
    try {
      if (/^https?:\/\//i.test(source)) {
        log(`Downloading ${source}`);
        data = await download(source, timeoutMs);
      } else {
        if (!existsSync(source)) throw new Error('no such file');
        data = new Uint8Array(readFileSync(source));
      }
    } catch (e) {
      tried.push(`${label}: ${errMessage(e)}`);
      continue;
    }
    let ok: boolean | undefined;
    try {
      ok = check(data, source);
    } catch (e) {
      tried.push(`${label}: invalid content (${errMessage(e)})`);
      continue;
    }
    const sum = md5Hex(data);
    if (ok === false) {
      if (!isMirror) {
        tried.push(`${label}: md5 ${sum} differs from the official ${md5}`);
        continue;
      }
      log(`Note: ${source} differs from the official file (md5 ${sum}, official ${md5}); using it (its content is valid)`);
    }
    if (resolve(source) !== resolve(dest)) writeFileAtomic(dest, data); // the mirror may be the cache itself
    log(`Saved ${relPath} to ${dest}`);
    return { path: dest, source, md5: sum, md5Ok: ok };
  }
  throw new Error(
    `Could not get ${relPath}. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
      `Set RNNKIT_DATA_MIRROR to a directory (or URL base) holding ${relPath}, or put the file at ${dest}.`,
  );
}
