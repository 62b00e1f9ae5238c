import { describe, expect, it } from 'vitest';
import { AttendanceService, type AttendanceStore, type Entry } from './attendance.ts';
import type { ProvisioningStore } from './provisioning-store.ts';
import type { ProviderRegistry } from '../providers/registry.ts';

describe('AttendanceService.entered', () => {
  it('writes the entries of one turn together, and those that arrive during a write in the next statement, each person once a minute', async () => {
    const statements: Entry[][] = [];
    let release: () => void = () => {};
    const store = {
      entered: async (entries: readonly Entry[]) => {
        statements.push([...entries]);
        // The first statement is slow: the entries of the next requests queue behind it.
        if (statements.length === 1) await new Promise<void>((r) => (release = r));
      },
    } as unknown as AttendanceStore;
    const attendance = new AttendanceService({ store, rooms: {} as ProvisioningStore, registry: {} as ProviderRegistry });
    const at = new Date('2026-03-20T09:21:07Z');
    const guest = (i: number) => attendance.entered('b1', { id: `guest-${i}`, name: `Guest ${i}`, guest: true }, at);
    const first = Array.from({ length: 40 }, (_, i) => guest(i));
    // The same person again within the minute writes nothing.
    const again = guest(3);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(statements.map((s) => s.length)).toEqual([40]);
    const during = Array.from({ length: 20 }, (_, i) => guest(40 + i));
    release();
    await Promise.all([...first, again, ...during]);
    expect(statements.map((s) => s.length)).toEqual([40, 20]);
    expect(statements.flat().map((e) => e.who.key)).toEqual(Array.from({ length: 60 }, (_, i) => `guest:guest-${i}`));
  });
});
