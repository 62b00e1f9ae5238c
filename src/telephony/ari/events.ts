// The ARI events WebSocket (`/ari/events?app=...`, events.json). While it is connected Asterisk sends
// calls into our Stasis application; while it is not, Asterisk refuses them at once (recording e:
// SIP 603). So it reconnects quickly with capped, jittered backoff, and pings to notice a dead
// peer that never closed the TCP connection. Nothing is replayed after a reconnect (recording e):
// the owner rebuilds its state with GET calls on every `connected`.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { AriAccess } from './client.ts';
import type { AriEvent } from './types.ts';

export type EventsOptions = { minBackoffMs?: number; maxBackoffMs?: number; pingMs?: number };

export interface AriEventSource {
  on(event: 'connected', fn: () => void): this;
  on(event: 'disconnected', fn: (reason: string) => void): this;
  on(event: 'event', fn: (e: AriEvent) => void): this;
}

export class AriEvents extends EventEmitter implements AriEventSource {
  private readonly access: AriAccess;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly pingMs: number;
  private socket: WebSocket | null = null;
  private running = false;
  private failures = 0;
  private retry: NodeJS.Timeout | null = null;
  private ping: NodeJS.Timeout | null = null;
  connected = false;

  constructor(access: AriAccess, opts: EventsOptions = {}) {
    super();
    this.access = access;
    this.minBackoffMs = opts.minBackoffMs ?? 250;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.pingMs = opts.pingMs ?? 10_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  /** Closes the socket and stops reconnecting. Calls in progress stay up on Asterisk. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const s = this.socket;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.close(1000, 'portal stopping');
      setTimeout(() => {
        s.terminate();
        resolve();
      }, 1000).unref();
    });
  }

  private open(): void {
    const base = new URL(this.access.url);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${base.toString().replace(/\/+$/, '')}/events?app=${encodeURIComponent(this.access.app)}&subscribeAll=false`;
    const socket = new WebSocket(url, { headers: { authorization: `Basic ${Buffer.from(`${this.access.username}:${this.access.password}`).toString('base64')}` }, handshakeTimeout: 5000 });
    this.socket = socket;
    let alive = true;
    socket.on('open', () => {
      this.failures = 0;
      this.connected = true;
      this.ping = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, this.pingMs);
      this.ping.unref();
      this.emit('connected');
    });
    socket.on('pong', () => (alive = true));
    socket.on('message', (data) => {
      alive = true;
      let event: AriEvent;
      try {
        event = JSON.parse(data.toString()) as AriEvent;
      } catch {
        return;
      }
      this.emit('event', event);
    });
    // 'error' always precedes 'close' here; the close handler reconnects.
    socket.on('error', () => undefined);
    socket.on('unexpected-response', (_req, res) => {
      socket.terminate();
      this.emit('disconnected', `events socket refused: HTTP ${res.statusCode}`);
    });
    socket.on('close', (code) => {
      if (this.ping) clearInterval(this.ping);
      this.ping = null;
      const was = this.connected;
      this.connected = false;
      if (this.socket === socket) this.socket = null;
      if (was) this.emit('disconnected', `events socket closed (${code})`);
      if (!this.running) return;
      const backoff = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.failures++);
      this.retry = setTimeout(() => this.open(), backoff * (0.75 + Math.random() * 0.5));
      this.retry.unref();
    });
  }
}
