// Starts the real portal process (`node src/main.ts`) for the process, crash and takeover tests, and
// resolves once it listens; its log (stdout and stderr) stays readable.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export const root = join(import.meta.dirname, '../..');

export type MainProcess = { child: ChildProcess; url: string; output: () => string };

// A test that times out before its own clean-up would leave its portal running: whatever is still
// alive after the test file (its last hook), or when the worker exits, is killed.
const running = new Set<ChildProcess>();
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
};
afterAll(killAll);
process.once('exit', killAll);

/** `env` is the process's whole environment; its pool is 10 connections unless it says otherwise (test/support/database.ts). */
export function startMain(env: NodeJS.ProcessEnv): Promise<MainProcess> {
  const child = spawn(process.execPath, ['src/main.ts'], { cwd: root, env: { DATABASE_POOL_SIZE: '10', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      // The plain start line is written whatever LOG_LEVEL says; it names PUBLIC_URL, so the test
      // reaches the port it names on the address the process listens on.
      const m = out.match(/WebMeetings is running at (\S+) \(/);
      if (m) resolve({ child, url: `http://${env.HOST ?? '127.0.0.1'}:${new URL(m[1]!).port}`, output: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    // A kill by signal is the test's doing; an exit on its own before listening is a failure.
    child.on('exit', (code, signal) => (signal ? undefined : reject(new Error(`exited with ${code}: ${out}`))));
  });
}
