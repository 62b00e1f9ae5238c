// What every provider double shares: a loopback HTTP server that can be stopped (connections
// refused) and restarted on the same port, slowed down, or made to answer 5xx.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export class HttpDouble {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  /** Milliseconds every answer waits (to test timeouts). */
  delayMs = 0;
  /** The next N requests answer this HTTP status instead. */
  failures: { status: number; left: number } = { status: 503, left: 0 };
  requests = 0;
  private readonly handler: Handler;

  constructor(handler: Handler) {
    this.handler = handler;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.dispatch(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Closes the port: clients get ECONNREFUSED until start() again. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse) {
    this.requests++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (res.destroyed) return;
    if (this.failures.left > 0) {
      this.failures.left--;
      res.writeHead(this.failures.status, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    try {
      await this.handler(req, res, new URL(req.url ?? '/', this.baseUrl));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
    }
  }
}

export const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export type { DoubleMeeting, JoinOutcome, ProviderDouble } from '../../src/providers/contract.ts';
