// Work queued per key inside this process: each key runs one task at a time, in arrival order.
// For work that would otherwise wait in the database on a row or advisory lock: a burst queues here
// in memory instead of taking one pooled connection per waiter, so the pool stays free for others.
export class OneAtATime {
  /** The last task queued per key; the entry goes when that task has settled and none followed. */
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running work (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
