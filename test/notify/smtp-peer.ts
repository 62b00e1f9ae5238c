// A real SMTP server in the test process (smtp-server, RFC 5321): the portal's nodemailer talks to
// it over TCP. It can accept, refuse with a temporary 451 (RFC 5321, 4.2.2: "try again later"),
// or be stopped (connection refused) and started again on the same port.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export type Received = { raw: string; parsed: ParsedMail; to: string[] };

export class SmtpPeer {
  readonly inbox: Received[] = [];
  mode: 'accept' | 'reject' = 'accept';
  rejected = 0;
  port = 0;
  private server: SMTPServer | null = null;

  async start(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      // Stop at once: a real outage does not wait for pooled client connections to finish.
      closeTimeout: 200,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.mode === 'reject') {
            this.rejected++;
            const err = Object.assign(new Error('Mailbox temporarily unavailable, try again later'), { responseCode: 451 });
            return callback(err);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              this.inbox.push({ raw, parsed, to: session.envelope.rcptTo.map((r) => r.address) });
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get url() {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Waits until a message matching `match` arrives (mail goes out through the job queue). */
  async waitFor(match: (m: Received) => boolean, timeoutMs = 20_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.inbox.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching mail within ${timeoutMs} ms; inbox: ${this.inbox.map((m) => `${m.to} ${m.parsed.subject}`).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
