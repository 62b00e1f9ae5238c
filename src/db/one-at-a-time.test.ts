import { describe, expect, it } from 'vitest';
import { OneAtATime } from './one-at-a-time.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('OneAtATime', () => {
  it('runs the tasks of one key one after the other, in arrival order, and other keys beside them', async () => {
    const q = new OneAtATime();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await tick();
      await tick();
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([q.run('a', task('a1')), q.run('a', task('a2')), q.run('b', task('b1')), q.run('a', task('a3'))]);
    expect(results).toEqual(['a1', 'a2', 'b1', 'a3']);
    const a = log.filter((l) => l.endsWith('a1') || l.endsWith('a2') || l.endsWith('a3'));
    expect(a).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    // b1 ran while a1 did: two keys, two at once.
    expect(most).toBe(2);
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    await tick();
    expect(q.size).toBe(0);
  });

  it('goes on with the next task after one fails, and hands the failure to its own caller only', async () => {
    const q = new OneAtATime();
    const first = q.run('k', async () => {
      throw new Error('boom');
    });
    const second = q.run('k', async () => 'fine');
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('fine');
    await tick();
    expect(q.size).toBe(0);
  });
});
