import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

/** A gate the test opens: lets it hold a batch "in the database" while more items arrive. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('group commit', () => {
  it('sends an item that finds a free lane at once and alone; what queues behind it goes together, in arrival order', async () => {
    const calls: string[] = [];
    const first = gate();
    const group = new GroupCommit<number, string>({
      alone: async (n) => {
        calls.push(`alone ${n}`);
        if (n === 1) await first.opened;
        return `#${n}`;
      },
      together: async (ns) => {
        calls.push(`together ${ns.join(',')}`);
        return ns.map((n) => `#${n}`);
      },
      maxBatch: 3,
      lanes: 1,
    });
    const answers = [1, 2, 3, 4, 5, 6].map((n) => group.submit(n));
    // Item 1 is in the database; 2–6 queue behind it.
    await Promise.resolve();
    expect(calls).toEqual(['alone 1']);
    first.open();
    expect(await Promise.all(answers)).toEqual(['#1', '#2', '#3', '#4', '#5', '#6']);
    expect(calls).toEqual(['alone 1', 'together 2,3,4', 'together 5,6']);
  });

  it('answers each item of a batch with its own result or refusal', async () => {
    const busy = gate();
    const group = new GroupCommit<number, number>({
      alone: async (n) => (n === 0 ? (await busy.opened, 0) : n),
      together: async (ns) => ns.map((n) => (n % 2 ? n * 10 : new Error(`refused ${n}`))),
      maxBatch: 10,
      lanes: 1,
    });
    const zero = group.submit(0);
    const rest = [1, 2, 3, 4].map((n) => group.submit(n).then(String, (e: Error) => e.message));
    busy.open();
    expect(await zero).toBe(0);
    expect(await Promise.all(rest)).toEqual(['10', 'refused 2', '30', 'refused 4']);
  });

  it('runs each item of a batch that failed as a whole on its own, one after another, so one bad item fails alone', async () => {
    const busy = gate();
    const alone: number[] = [];
    let running = 0;
    let most = 0;
    const group = new GroupCommit<number, number>({
      alone: async (n) => {
        if (n === 0) await busy.opened;
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        alone.push(n);
        if (n === 2) throw new Error('item 2 breaks its transaction');
        return n;
      },
      together: async () => {
        throw new Error('the batch rolled back');
      },
      maxBatch: 10,
      lanes: 1,
    });
    const answers = [0, 1, 2, 3].map((n) => group.submit(n).then(String, (e: Error) => e.message));
    busy.open();
    expect(await Promise.all(answers)).toEqual(['0', '1', 'item 2 breaks its transaction', '3']);
    // In arrival order, never two at once: the database that failed the batch is not pressed harder.
    expect(alone).toEqual([0, 1, 2, 3]);
    expect(most).toBe(1);
  });

  it('keeps several lanes busy at once, never more than asked', async () => {
    let inFlight = 0;
    let most = 0;
    const group = new GroupCommit<number, number>({
      alone: async (n) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return n;
      },
      together: async (ns) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return ns;
      },
      maxBatch: 4,
      lanes: 3,
    });
    const all = Array.from({ length: 40 }, (_, n) => n);
    expect(await Promise.all(all.map((n) => group.submit(n)))).toEqual(all);
    expect(most).toBe(3);
  });

  it('shares what queued among the lanes that are free, in arrival order, instead of one lane taking it all', async () => {
    const calls: string[] = [];
    const held = [gate(), gate()];
    const group = new GroupCommit<number, number>({
      // Items 1 and 2 hold both lanes "in the database" while 3–12 queue.
      alone: async (n) => {
        calls.push(`alone ${n}`);
        if (n <= 2) await held[n - 1]!.opened;
        return n;
      },
      together: async (ns) => {
        calls.push(`together ${ns.join(',')}`);
        await new Promise((r) => setTimeout(r, 5));
        return ns;
      },
      maxBatch: 64,
      lanes: 2,
    });
    const all = Array.from({ length: 12 }, (_, i) => i + 1);
    const answers = all.map((n) => group.submit(n));
    await Promise.resolve();
    expect(calls).toEqual(['alone 1', 'alone 2']);
    // Lane 1 comes back while lane 2 is still busy: it takes the whole queue, as nobody else could.
    held[0]!.open();
    await new Promise((r) => setTimeout(r, 1));
    expect(calls[2]).toBe('together 3,4,5,6,7,8,9,10,11,12');
    held[1]!.open();
    expect(await Promise.all(answers)).toEqual(all);

    // Both lanes free when eleven arrive together (gather: a lane waits a turn before it takes):
    // six and five, written at once.
    calls.length = 0;
    const third = gate();
    const split = new GroupCommit<number, number>({
      alone: async (n) => {
        calls.push(`alone ${n}`);
        await third.opened;
        return n;
      },
      together: async (ns) => {
        calls.push(`together ${ns.join(',')}`);
        await third.opened;
        return ns;
      },
      maxBatch: 64,
      lanes: 2,
      gather: true,
    });
    const more = all.slice(0, 11).map((n) => split.submit(n));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['together 1,2,3,4,5,6', 'together 7,8,9,10,11']);
    third.open();
    expect(await Promise.all(more)).toEqual(all.slice(0, 11));
  });
});
