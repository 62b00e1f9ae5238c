// What a benchmark leaves behind (scratch databases, child processes, pools) is undone in reverse
// order when it ends, fails or is interrupted: a bench run must not leave a wm_bench_* database or
// a portal listening on the machine.

type Step = { label: string; run: () => Promise<void> };

export class Cleanup {
  private readonly steps: Step[] = [];
  private draining: Promise<void> | undefined;

  /** Registers an undo step; the returned function runs it early (once) and forgets it. */
  defer(label: string, run: () => Promise<void>): () => Promise<void> {
    const step = { label, run };
    this.steps.push(step);
    return async () => {
      const i = this.steps.indexOf(step);
      if (i < 0) return;
      this.steps.splice(i, 1);
      await step.run();
    };
  }

  /** Runs every step; callers arriving while it runs (a signal during a normal end) wait for the same run. */
  runAll(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drain(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.run();
      } catch (e) {
        console.error(`  cleanup: could not ${step.label}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
