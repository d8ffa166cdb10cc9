// `throttle: N` on a task: at most N hosts run it at the same time, whatever --forks
// says. Hosts progress through the play on their own, so each throttled task has its
// own gate, shared by the play's hosts; the others wait at it in arrival order.

export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Run `work` once fewer than `limit` others are inside. */
  async through<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so a late arrival cannot take it first.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
