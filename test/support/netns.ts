// A network namespace of the test's own for real media (shared/reference/test-peers.md): Janus never
// offers a loopback address as an ICE candidate, and tests must not send media to the machine's
// external address. So: `ip netns add`, a veth pair with private addresses (one end here, one end
// in the namespace), no route out of the namespace; Janus and Chromium run inside with
// `ip netns exec`; the portal and the ARI double stay here and reach them over the veth. Removed
// afterwards (and, should a run be killed, by the next run: names carry the owner's pid).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';
const PREFIX = 'wmj-';

export type NetNamespace = {
  name: string;
  /** The address of this side (the test process, the portal, the ARI double). */
  hostAddress: string;
  /** The address inside the namespace (Janus, the browsers). */
  innerAddress: string;
  /** argv that runs a command inside the namespace. */
  wrap(argv: string[]): string[];
  remove(): void;
};

const ip = (...args: string[]) => execFileSync(IP, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** Why namespaces cannot be made here, or null when they can (checked once, by making one). */
let verdict: string | null | undefined;
export function namespacesUnavailable(): string | null {
  if (verdict !== undefined) return verdict;
  if (process.getuid?.() !== 0) return (verdict = 'network namespaces need root (ip netns add)');
  if (spawnSync(IP, ['-V']).status !== 0) return (verdict = 'the ip command (iproute2) is missing');
  const probe = `${PREFIX}${process.pid}-probe`;
  const made = spawnSync(IP, ['netns', 'add', probe], { stdio: 'pipe' });
  if (made.status !== 0) return (verdict = `ip netns add failed: ${made.stderr.toString().trim()}`);
  spawnSync(IP, ['netns', 'del', probe]);
  return (verdict = null);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespaces left by killed runs (their pid is gone). */
function removeStale(): void {
  const listed = spawnSync(IP, ['netns', 'list'], { stdio: 'pipe' }).stdout.toString();
  for (const line of listed.split('\n')) {
    const m = new RegExp(`^(${PREFIX}(\\d+)-\\S+)`).exec(line.trim());
    if (m && !alive(Number(m[2]))) spawnSync(IP, ['netns', 'del', m[1]!]);
  }
}

const used = new Set<string>();
const owned = new Set<NetNamespace>();
process.once('exit', () => {
  for (const ns of owned) ns.remove();
});

/** A /30 in 10.213.0.0/16 that no interface here uses. */
function freeSubnet(): [string, string] {
  const taken = ip('-o', '-4', 'addr', 'show');
  for (let i = 0; i < 200; i++) {
    const n = Math.floor(Math.random() * 16_384);
    const base = `10.213.${n >> 6}.${(n & 63) * 4}`;
    const [a, b, c, d] = base.split('.').map(Number) as [number, number, number, number];
    const host = `${a}.${b}.${c}.${d + 1}`;
    const inner = `${a}.${b}.${c}.${d + 2}`;
    if (used.has(base) || taken.includes(` ${host}/`) || taken.includes(` ${inner}/`)) continue;
    used.add(base);
    return [host, inner];
  }
  throw new Error('no free 10.213.x.x/30 for a test namespace');
}

let seq = 0;
export function createNamespace(): NetNamespace {
  const why = namespacesUnavailable();
  if (why) throw new Error(why);
  removeStale();
  const n = ++seq;
  const name = `${PREFIX}${process.pid}-${n}`;
  // Interface names are at most 15 characters.
  const tag = `${(process.pid % 1_000_000).toString(36)}${n.toString(36)}`;
  const outer = `wm${tag}a`;
  const inside = `wm${tag}b`;
  const [hostAddress, innerAddress] = freeSubnet();
  let removed = false;
  const ns: NetNamespace = {
    name,
    hostAddress,
    innerAddress,
    wrap: (argv) => [IP, 'netns', 'exec', name, ...argv],
    remove() {
      if (removed) return;
      removed = true;
      owned.delete(ns);
      // Deleting the namespace takes its veth end, and so the pair, with it.
      spawnSync(IP, ['netns', 'del', name]);
      spawnSync(IP, ['link', 'del', outer], { stdio: 'ignore' });
    },
  };
  owned.add(ns);
  try {
    ip('netns', 'add', name);
    ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', name);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', outer);
    ip('link', 'set', outer, 'up');
    ip('netns', 'exec', name, IP, 'addr', 'add', `${innerAddress}/30`, 'dev', inside);
    ip('netns', 'exec', name, IP, 'link', 'set', inside, 'up');
    ip('netns', 'exec', name, IP, 'link', 'set', 'lo', 'up');
  } catch (e) {
    ns.remove();
    throw new Error(`could not set up the test namespace ${name}: ${(e as { stderr?: Buffer }).stderr?.toString() ?? (e as Error).message}`, { cause: e });
  }
  return ns;
}
