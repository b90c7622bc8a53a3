/** A tiny semaphore: at most `size` jobs at a time. */
export class Pool {
  private active = 0;
  private waiting: Array<() => void> = [];
  constructor(readonly size: number) {}
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await job();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
