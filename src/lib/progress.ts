/**
 * Progress bars for long loops: one notebook output updated in place inside a tslab kernel,
 * a carriage-return line on a terminal, and occasional lines in logs (CI).
 */
import { escapeHtml, newDisplay, type Display } from './display.js';
import { limit } from './settings.js';

export interface ProgressOptions {
  desc?: string;
  /** Minimum milliseconds between two redraws (default 100). */
  minIntervalMs?: number;
}

type Postfix = Record<string, number | string>;

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return `${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

function formatPostfix(p: Postfix | undefined): string {
  if (!p) return '';
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : v}`)
    .join(', ');
}

export class ProgressBar {
  private n = 0;
  private readonly start = performance.now();
  private lastDraw = -Infinity;
  private lastLoggedDecile = -1;
  private postfix: Postfix | undefined;
  private readonly out: Display;
  private closed = false;
  private readonly minInterval: number;
  readonly desc: string;

  constructor(readonly total: number, opts: ProgressOptions = {}) {
    if (!Number.isFinite(total) || total < 0) throw new RangeError(`ProgressBar total must be a non-negative number, got ${total}`);
    this.desc = opts.desc ?? '';
    this.minInterval = opts.minIntervalMs ?? 100;
    this.out = newDisplay();
    this.draw(true);
  }

  get count(): number {
    return this.n;
  }

  /** Advances by n steps (default 1), optionally setting the values shown after the bar. */
  update(n = 1, postfix?: Postfix): void {
    this.n = Math.min(this.total, this.n + n);
    if (postfix) this.postfix = postfix;
    this.draw(this.n >= this.total);
  }

  /** Draws the final state. */
  close(): void {
    if (this.closed) return;
    this.draw(true);
    this.closed = true;
    if (!this.out.inKernel && process.stderr.isTTY) process.stderr.write('\n');
  }

  /** The bar as text, e.g. `epochs  40% |████      | 4/10 [00:02<00:03, 2.00it/s] loss=0.51`. */
  text(): string {
    const elapsed = (performance.now() - this.start) / 1000;
    const frac = this.total > 0 ? this.n / this.total : 1;
    const width = 20;
    const filled = Math.round(frac * width);
    const rate = elapsed > 0 ? this.n / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.n) / rate : Infinity;
    const post = formatPostfix(this.postfix);
    return `${this.desc ? `${this.desc} ` : ''}${String(Math.round(frac * 100)).padStart(3)}% |${'█'.repeat(filled)}${' '.repeat(width - filled)}| ` +
      `${this.n}/${this.total} [${formatSeconds(elapsed)}<${formatSeconds(eta)}, ${rate.toFixed(2)}it/s]${post ? ` ${post}` : ''}`;
  }

  /** The bar as text without its drawn bar (the HTML shows a <progress> element instead). */
  private status(): string {
    return this.text().replace(/ \|[█ ]*\| /, ' ');
  }

  /** One bar on one line: a <progress> element and the numbers, never wrapped. */
  private html(): string {
    return `<div style="font-family:monospace;white-space:nowrap;overflow-x:auto">` +
      `<progress value="${this.n}" max="${this.total}" style="width:240px;vertical-align:middle"></progress> ` +
      `<span>${escapeHtml(this.status())}</span></div>`;
  }

  private draw(force: boolean): void {
    if (this.closed) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < this.minInterval) return;
    this.lastDraw = now;
    if (this.out.inKernel) {
      this.out.show({ 'text/html': this.html(), 'text/plain': this.text() });
    } else if (process.stderr.isTTY) {
      process.stderr.write(`\r${this.text()}`);
    } else {
      // Logs: a line at 0%, every 10% and at the end.
      const decile = this.total > 0 ? Math.floor((10 * this.n) / this.total) : 10;
      if (decile !== this.lastLoggedDecile) {
        this.lastLoggedDecile = decile;
        process.stderr.write(`${this.text()}\n`);
      }
    }
  }
}

/** Iterates over items while showing a progress bar (like tqdm). */
export function* progress<T>(items: Iterable<T>, opts: ProgressOptions & { total?: number } = {}): Generator<T> {
  const arr = opts.total === undefined ? Array.from(items) : null;
  const total = opts.total ?? arr!.length;
  const bar = new ProgressBar(total, opts);
  try {
    for (const item of arr ?? items) {
      yield item;
      bar.update(1);
    }
  } finally {
    bar.close();
  }
}

/**
 * `progress` over 0..n-1, tqdm's `trange`: the loop over a training's epochs (`for (const epoch of
 * trange(numEpochs))`). A shortened run (RNNKIT_EPOCHS=<n>, RNNKIT_QUICK=1: tests, CI) stops it early.
 */
export function trange(n: number, opts: ProgressOptions = {}): Generator<number> {
  return progress(Array.from({ length: limit('epochs', n) }, (_, i) => i), opts);
}
