// Debian's Janus (1.1.2) as a real server for the tests, with a configuration of the project's own:
// the HTTP transport only, on the namespace's address; the VideoRoom and AudioBridge plugins only,
// each with an admin_key; no STUN/TURN, IPv4 only, a small RTP port range. It runs inside a network
// namespace of the test's own (netns.ts) and is stopped, with the namespace, afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createNamespace, namespacesUnavailable, type NetNamespace } from './netns.ts';

export const JANUS = process.env.JANUS_PATH ?? '/usr/bin/janus';
const LIB = ['/usr/lib/x86_64-linux-gnu/janus', '/usr/lib/aarch64-linux-gnu/janus', '/usr/lib/janus'].find((d) => existsSync(join(d, 'plugins'))) ?? '/usr/lib/x86_64-linux-gnu/janus';
const PORT = 8088;

/** Why Janus tests cannot run here, or null. In CI a missing janus fails (.ci/run installs it). */
export function janusUnavailable(): string | null {
  if (!existsSync(JANUS) && process.env.CI !== 'true') return `no ${JANUS}: apt-get install janus`;
  return namespacesUnavailable();
}

/** describe() when Janus and network namespaces are there; skipped with the reason otherwise. */
export function describeWithJanus(name: string, body: () => void): void {
  const why = janusUnavailable();
  if (why) describe.skip(`${name} (skipped: ${why})`, body);
  else describe(name, body);
}

export type JanusServer = {
  ns: NetNamespace;
  /** The HTTP API, e.g. http://10.213.4.6:8088/janus (reachable from here and from the namespace). */
  url: string;
  adminKey: string;
  /** Janus' process (`ip netns exec` execs it: the same pid). */
  pid: number;
  log(): string;
  stop(): Promise<void>;
};

function config(ns: NetNamespace, dir: string, adminKey: string): Record<string, string> {
  return {
    'janus.jcfg': `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = ${process.env.JANUS_DEBUG_LEVEL ?? 4}
  server_name = "webmeetings-test"
  session_timeout = 60
  protected_folders = ["/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sbin", "/sys", "/usr", "/var"]
}
certificates: {}
media: {
  ipv6 = false
  rtp_port_range = "20000-20999"
}
nat: {
  nice_debug = false
  ignore_mdns = true
}
plugins: {
  disable = "libjanus_echotest.so,libjanus_lua.so,libjanus_duktape.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
  disable = "libjanus_websockets.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
events: {
  broadcast = false
}
`,
    'janus.transport.http.jcfg': `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = ${PORT}
  ip = "${ns.innerAddress}"
  https = false
}
admin: {
  admin_http = false
}
`,
    'janus.plugin.videoroom.jcfg': `general: {
  admin_key = "${adminKey}"
  lock_rtp_forward = true
}
`,
    'janus.plugin.audiobridge.jcfg': `general: {
  admin_key = "${adminKey}"
  lock_rtp_forward = true
  local_ip = "${ns.innerAddress}"
}
`,
  };
}

export async function startJanus(opts: { ns?: NetNamespace } = {}): Promise<JanusServer> {
  const ns = opts.ns ?? createNamespace();
  const dir = mkdtempSync(join(tmpdir(), 'wm-janus-'));
  const adminKey = `admin-${Math.random().toString(36).slice(2)}`;
  for (const [file, text] of Object.entries(config(ns, dir, adminKey))) writeFileSync(join(dir, file), text);
  const logFile = join(dir, 'janus.log');
  const [cmd, ...args] = ns.wrap([JANUS, '-F', dir, '-o', '-N', '-L', logFile]);
  const child: ChildProcess = spawn(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const url = `http://${ns.innerAddress}:${PORT}/janus`;
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + stderr;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (!opts.ns) ns.remove();
    rmSync(dir, { recursive: true, force: true });
  };
  // Janus answers `info` once its transports are up.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/info`, { signal: AbortSignal.timeout(1000) });
      if (res.ok && ((await res.json()) as { janus?: string }).janus === 'server_info') break;
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      const out = log();
      await stop();
      throw new Error(`Janus did not answer info at ${url}:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ns, url, adminKey, pid: child.pid!, log, stop };
}
