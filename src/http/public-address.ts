// Guest links, mails, feeds and sign-in returns are built from PUBLIC_URL. A portal reached at
// another address (its Host, or X-Forwarded-Host behind a trusted proxy) hands out links that lead
// elsewhere than the page people are on: say so in the log (once per address) and in /readyz.
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** At most this many other addresses are remembered (a client may send any Host it likes). */
const MAX_SEEN = 5;

// Probes and scrapers call the instance by its own address (a pod's IP): not a person's address.
const MACHINE_PATHS = /^\/(healthz|readyz|metrics)(\/|\?|$)/;

export type PublicAddressWarning = { warning: string; publicUrl: string; reachedAt: string[] };

export class PublicAddressWatch {
  readonly #host: string;
  readonly #publicUrl: string;
  readonly #seen = new Set<string>();

  constructor(publicUrl: string) {
    this.#publicUrl = publicUrl.replace(/\/+$/, '');
    this.#host = new URL(publicUrl).host.toLowerCase();
  }

  /** The other address this request came to, the first time it is seen; else null. */
  observe(req: FastifyRequest): string | null {
    if (MACHINE_PATHS.test(req.url)) return null;
    // Fastify's req.host honours X-Forwarded-Host only when TRUST_PROXY trusts the sender.
    const host = (req.host ?? '').toLowerCase();
    if (!host || host === this.#host || this.#seen.has(host) || this.#seen.size >= MAX_SEEN) return null;
    this.#seen.add(host);
    return `${req.protocol}://${host}`;
  }

  /** What /readyz adds while the portal has been reached at another address than PUBLIC_URL. */
  report(): PublicAddressWarning | null {
    if (this.#seen.size === 0) return null;
    const reachedAt = [...this.#seen];
    return {
      warning: `This portal was reached at ${reachedAt.join(', ')}, but PUBLIC_URL is ${this.#publicUrl}: guest links, mails and calendar feeds lead to ${this.#publicUrl}. Set PUBLIC_URL to the address people use.`,
      publicUrl: this.#publicUrl,
      reachedAt,
    };
  }

  register(app: FastifyInstance): void {
    app.addHook('onRequest', (req, _reply, done) => {
      const other = this.observe(req);
      if (other) req.log.warn({ event: 'public-url.mismatch', reachedAt: other, publicUrl: this.#publicUrl }, `reached at ${other}, but PUBLIC_URL is ${this.#publicUrl}: links the portal hands out lead there`);
      done();
    });
  }
}
