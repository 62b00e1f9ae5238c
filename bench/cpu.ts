// Where the CPU went during a measured window: the portal process, the PostgreSQL server (all its
// processes on this machine), this process (the load generator) and everything else on the machine
// (other people's tests share these cores). Linux /proc only; elsewhere the figures are unknown.
// proc(5): utime and stime are fields 14 and 15 of /proc/<pid>/stat, and /proc/stat's "cpu" line
// holds user nice system idle iowait irq softirq steal, all in clock ticks (USER_HZ, 100 on Linux).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function ticks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it are counted from its ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Ticks the whole machine spent running something, and ticks a hypervisor took from it. */
function machineTicks(): { busy: number; steal: number } | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = cpu as [number, number, number, number, number, number, number, number];
    return { busy: user + nice + system + irq + softirq, steal };
  } catch {
    return undefined;
  }
}

function postgresPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

export type CpuShare = { label: string; cores: number | undefined };

/**
 * Starts counting; `stop()` gives each party's CPU time as cores busy on average over the window,
 * then "other processes" (the machine's busy time not spent by the parties) and hypervisor steal.
 */
export function startCpuWindow(parties: { label: string; pid: number | 'postgres' | 'self' }[]) {
  const t0 = performance.now();
  const machine0 = machineTicks();
  const self0 = process.cpuUsage();
  const before = new Map<number, number>();
  for (const pid of postgresPids()) before.set(pid, ticks(pid) ?? 0);
  const childBefore = new Map<number, number | undefined>();
  for (const p of parties) if (typeof p.pid === 'number') childBefore.set(p.pid, ticks(p.pid));

  return {
    stop(): CpuShare[] {
      const seconds = (performance.now() - t0) / 1000;
      const machine1 = machineTicks();
      const shares = parties.map((p): CpuShare => {
        if (p.pid === 'self') {
          const u = process.cpuUsage(self0);
          return { label: p.label, cores: (u.user + u.system) / 1e6 / seconds };
        }
        if (p.pid === 'postgres') {
          const pids = postgresPids();
          if (pids.length === 0) return { label: p.label, cores: undefined };
          // Backends that started inside the window count from zero, those that ended are lost.
          const used = pids.reduce((sum, pid) => sum + Math.max(0, (ticks(pid) ?? 0) - (before.get(pid) ?? 0)), 0);
          return { label: p.label, cores: used / TICKS_PER_SECOND / seconds };
        }
        const start = childBefore.get(p.pid);
        const end = ticks(p.pid);
        return { label: p.label, cores: start === undefined || end === undefined ? undefined : (end - start) / TICKS_PER_SECOND / seconds };
      });
      const known = shares.reduce((sum, s) => sum + (s.cores ?? Number.NaN), 0);
      const cores = (pick: 'busy' | 'steal') =>
        machine0 === undefined || machine1 === undefined ? undefined : (machine1[pick] - machine0[pick]) / TICKS_PER_SECOND / seconds;
      const busy = cores('busy');
      const others = busy === undefined || Number.isNaN(known) ? undefined : Math.max(0, busy - known);
      return [...shares, { label: 'other processes', cores: others }, { label: 'hypervisor steal', cores: cores('steal') }];
    },
  };
}
