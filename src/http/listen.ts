// The portal's HTTP server listens on several sockets of one port (SO_REUSEPORT, Linux).
//
// Why: since libuv 1.45 (Node 20 and later) a listening socket accepts one new connection per turn
// of the event loop ("unix: don't accept() connections in a loop", libuv pull request 3696). At a
// meeting-start burst a turn serves hundreds of requests and lasts 20–100 ms, so the connections of
// people who arrive then wait in the kernel's accept queue, accepted at 10–50 a second: measured,
// of 500 clients connecting at once to a busy instance, 50 were not accepted within 10 s and their
// first requests timed out, though the portal answered every request it had read (bench/RESULTS.md).
// With N sockets on the port the kernel spreads new connections over N queues, and each turn
// accepts one from each. The extra sockets hand their connections to the one HTTP server (its
// 'connection' event), so its timeouts, limits and close at shutdown apply to them all.
//
// SO_REUSEPORT lets another process of the same user bind the port too; Node refuses the option on
// platforms without it, so there, and with LISTEN_SOCKETS=1, the portal listens on one socket.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';

export type Listening = {
  /** The first socket's address, as Fastify's listen gives it (`http://127.0.0.1:3000`). */
  url: string;
  /**
   * Stops the extra sockets taking connections at once (the server's own close stops the first);
   * resolves when the connections they accepted have ended too (the server's close ends them).
   */
  close(): Promise<void>;
};

export async function listenOnSockets(app: FastifyInstance, o: { port: number; host: string; sockets: number }): Promise<Listening> {
  const shared = o.sockets > 1 && process.platform === 'linux';
  const url = await app.listen({ port: o.port, host: o.host, ...(shared && { reusePort: true }) });
  const extras: net.Server[] = [];
  const close = () => Promise.all(extras.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined);
  if (!shared) return { url, close };
  const handOver = (socket: net.Socket) => app.server.emit('connection', socket);
  try {
    // Fastify binds each address of a host name (localhost: 127.0.0.1 and ::1), all on one port.
    for (const a of app.addresses()) {
      if (typeof a === 'string') continue; // a Unix socket path: not a TCP port
      for (let i = 1; i < o.sockets; i++) {
        // noDelay as Node's HTTP server sets it on the sockets it accepts itself.
        const extra = net.createServer({ noDelay: true }, handOver);
        await new Promise<void>((resolve, reject) => {
          extra.once('error', reject);
          extra.listen({ host: a.address, port: a.port, reusePort: true }, () => {
            extra.off('error', reject);
            resolve();
          });
        });
        extras.push(extra);
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { url, close };
}
