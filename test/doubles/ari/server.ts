// HTTP and WebSocket front of the ARI double: Basic auth or `api_key=user:pass` (401 with
// WWW-Authenticate otherwise), JSON answers with Asterisk's headers, the events upgrade with the
// refusals c-errors recorded (ws-upgrade-probe: 401 bad key, 400 HTML without `app`).
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Asterisk } from './asterisk.ts';
import { ASTERISK_VERSION, route, type Reply } from './rest.ts';

export type RequestRecord = { method: string; path: string; query: Record<string, string>; body: unknown; status: number };

const SERVER = `Asterisk/${ASTERISK_VERSION}`;
const AUTH_REQUIRED = JSON.stringify({ message: 'Authentication required' });
const REALM = 'Basic realm="Asterisk REST Interface"';
const MISSING_APP_HTML =
  '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n<title>400 Bad Request</title>\r\n</head><body>\r\n<h1>Bad Request</h1>\r\n' +
  `<p>HTTP request is missing param: [app]</p>\r\n<hr />\r\n<address>${SERVER}</address>\r\n</body></html>\r\n`;

export class AriServer {
  readonly requests: RequestRecord[] = [];
  refuseSockets = false;
  private readonly ast: Asterisk;
  private readonly username: string;
  private readonly password: string;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<Socket>();

  constructor(ast: Asterisk, username: string, password: string) {
    this.ast = ast;
    this.username = username;
    this.password = password;
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.ast.events.dropAll();
    for (const s of this.sockets) s.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    const expected = `${this.username}:${this.password}`;
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ') && Buffer.from(header.slice(6), 'base64').toString() === expected) return true;
    return url.searchParams.get('api_key') === expected;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v; // repeated list parameters
    let body: unknown = null;
    let badBody = false;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        badBody = true;
      }
    }
    const record: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query, body, status: 0 };
    this.requests.push(record);
    const segments = url.pathname.split('/').slice(1).map(safeDecode);
    if (segments.length > 1 && segments.at(-1) === '') segments.pop();
    let reply: Reply;
    if (segments[0] !== 'ari') reply = { status: 404, body: { message: 'Resource not found' } };
    else if (!this.authorized(req, url)) reply = { status: 401, body: { message: 'Authentication required' }, headers: { 'www-authenticate': REALM } };
    else if (badBody) reply = { status: 400, body: { message: 'Failed to parse JSON body' } };
    else reply = await route(this.ast, { method: record.method, segments: segments.slice(1), query, body });
    record.status = reply.status;
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    const headers: Record<string, string> = { server: SERVER, 'cache-control': 'no-cache, no-store', ...reply.headers };
    if (payload) headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, reply.text ?? STATUS_CODES[reply.status] ?? '', headers).end(payload);
    reply.after?.();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ari/events') return refuse(socket, 404, 'Not Found', 'application/json', JSON.stringify({ message: 'Resource not found' }));
    if (this.refuseSockets) return refuse(socket, 503, 'Service Unavailable', 'text/plain', 'Asterisk is not accepting events connections');
    if (!this.authorized(req, url)) return refuse(socket, 401, 'Unauthorized', 'application/json', AUTH_REQUIRED, { 'WWW-Authenticate': REALM });
    const apps = (url.searchParams.get('app') ?? '').split(',').filter((a) => a !== '');
    if (apps.length === 0) return refuse(socket, 400, 'Bad Request', 'text/html', MISSING_APP_HTML);
    // subscribeAll is ignored: the double always behaves as subscribeAll=false (README).
    this.wss.handleUpgrade(req, socket, head, (ws) => this.ast.events.attach(ws, apps));
  }
}

function refuse(socket: Duplex, status: number, text: string, type: string, body: string, extra: Record<string, string> = {}): void {
  const headers = {
    Server: SERVER,
    Date: new Date().toUTCString(),
    'Cache-Control': 'no-cache, no-store',
    ...extra,
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
