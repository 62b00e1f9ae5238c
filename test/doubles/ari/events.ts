// The events side of the ARI double: which WebSocket owns the Stasis app, and every event in
// Asterisk's own field order (type, timestamp, body..., asterisk_id, application; some events put
// `cause`/`soft`/`variable` first, as the recordings show: README "Every event has ...").
import WebSocket from 'ws';
import { ariTime } from './state.ts';

export type AriEvent = { type: string } & Record<string, unknown>;

export class EventStream {
  readonly app: string;
  readonly asteriskId: string;
  /** Asterisk creates the app with its first events socket and keeps it, deactivated, after the
   *  socket closes: channels stay in Stasis and REST keeps working (README "WebSocket disconnect"). */
  registered = false;
  /** Every event a socket was sent, in order (for tests that want to look). */
  readonly delivered: AriEvent[] = [];
  private owner: WebSocket | null = null;
  private closed = false;
  private readonly all = new Set<WebSocket>();

  constructor(app: string, asteriskId: string) {
    this.app = app;
    this.asteriskId = asteriskId;
  }

  /** True while a socket holds the app: only then can a call enter Stasis (e: SIP 603 otherwise). */
  get active(): boolean {
    return this.owner !== null && this.owner.readyState === WebSocket.OPEN;
  }

  get socketCount(): number {
    return this.all.size;
  }

  /** A new events socket for `apps`. The newest socket of an app wins; the older one is told so
   *  and gets nothing more (events.json "ApplicationReplaced"). */
  attach(ws: WebSocket, apps: string[]): void {
    this.all.add(ws);
    ws.on('close', () => {
      this.all.delete(ws);
      if (this.owner === ws) this.owner = null;
    });
    if (!apps.includes(this.app)) return;
    const previous = this.owner;
    this.owner = ws;
    this.registered = true;
    if (previous && previous.readyState === WebSocket.OPEN) {
      previous.send(JSON.stringify(this.build('ApplicationReplaced', {})));
    }
  }

  /** The double stops: nothing more is sent. */
  close(): void {
    this.closed = true;
    this.dropAll();
  }

  /** Network failure: sockets vanish without a close handshake. */
  dropAll(): void {
    for (const ws of this.all) ws.terminate();
  }

  send(type: string, body: Record<string, unknown>, head: Record<string, unknown> = {}): void {
    const owner = this.owner;
    if (this.closed || !owner || owner.readyState !== WebSocket.OPEN) return; // a deactivated app drops events: nothing is replayed (e)
    const event = this.build(type, body, head);
    this.delivered.push(event);
    owner.send(JSON.stringify(event));
  }

  private build(type: string, body: Record<string, unknown>, head: Record<string, unknown> = {}): AriEvent {
    return { ...head, type, timestamp: ariTime(new Date()), ...body, asterisk_id: this.asteriskId, application: this.app };
  }
}
