// The portal as production runs it: `node src/main.ts` in its own process, configured only by its
// environment. On a 2-core machine this keeps the load generator's CPU out of the portal's process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export type PortalProcess = { baseUrl: string; pid: number; recentOutput(): string[]; stop(): Promise<void> };

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('could not find a free port');
  return address.port;
}

/** Environment of the child: the caller's, plus what makes it a quiet portal on loopback. */
export function portalEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...overrides };
}

export async function startPortalProcess(env: NodeJS.ProcessEnv, opts: { readyTimeoutMs?: number } = {}): Promise<PortalProcess> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [MAIN], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 200));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exit = once(child, 'exit').then(() => {
    exited = true;
  });
  // Last resort if this process dies without running its cleanup: never leave the portal behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`the portal exited during start-up:\n${tail.join('\n')}`);
    const ready = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { baseUrl, pid: child.pid!, recentOutput: () => [...tail], stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the portal did not become ready within ${opts.readyTimeoutMs ?? 60_000} ms:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
