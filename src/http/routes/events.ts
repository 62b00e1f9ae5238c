// GET /api/v1/events: server-sent events (WHATWG HTML, "Server-sent events") carrying every
// booking change, so open calendars refresh within a second without polling. A stream lives only
// as long as the session or token it was opened with: it ends when that is signed out, revoked or
// expires, or when the person's rights change (the browser reconnects with what holds now).
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AccountService } from '../../app/accounts.ts';
import { AppError } from '../../domain/errors.ts';
import type { AuthChangeHub} from '../../live/booking-changes.ts';
import { AudioChangeHub, BookingChangeHub, type Listen } from '../../live/booking-changes.ts';
import type { AuthChange } from '../../ports.ts';
import type { Credential } from '../access.ts';

export type EventStreamLimits = { perUser: number; perAddress: number; recheckSeconds: number };

export type EventsRoutesOptions = {
  /** The database's LISTEN (`database.listen`); the plugin keeps one listening connection. */
  listen: Listen;
  accounts: Pick<AccountService, 'credentialLive'>;
  /** This instance's one listener of credential changes (it also keeps the credential cache right). */
  authChanges: Pick<AuthChangeHub, 'subscribe'>;
  /** Open streams per person and per client address on this instance, and how often each checks its credential. */
  limits: EventStreamLimits;
  /** Comment lines keep proxies and load balancers from closing an idle stream. */
  heartbeatMs?: number;
};

type Stream = { reply: FastifyReply; userId: string; address: string; credential: Credential; end(): void };

export const eventsRoutes: FastifyPluginAsync<EventsRoutesOptions> = async (app, opts) => {
  const hub = new BookingChangeHub(opts.listen);
  const audioHub = new AudioChangeHub(opts.listen);
  const heartbeatMs = opts.heartbeatMs ?? 20_000;
  // Expiry sends no notice: each stream checks its session or token this often.
  const recheckMs = opts.limits.recheckSeconds * 1000;
  const open = new Set<Stream>();
  const start = () => Promise.all([hub.start(), audioHub.start()]);

  const affected = (s: Stream, change: AuthChange) =>
    change.kind === 'user' ? s.userId === change.userId : s.credential.kind === change.kind && s.credential.hash === change.hash;
  opts.authChanges.subscribe((change) => {
    for (const s of open) if (affected(s, change)) s.end();
  });

  app.addHook('onReady', async () => {
    await start();
  });
  // Open streams would hold a graceful shutdown until its deadline: end them first.
  app.addHook('preClose', async () => {
    for (const s of open) s.end();
  });
  app.addHook('onClose', async () => {
    await Promise.all([hub.close(), audioHub.close()]);
  });

  const count = (pick: (s: Stream) => boolean) => [...open].filter(pick).length;

  app.get('/events', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['bookings'],
      summary:
        'Live changes as server-sent events: event "booking" (data {action, bookingId, roomId, start, end}), "audio" (data {bookingId}: its phone participants, mutes or lock changed) and "resync" (data {}: changes may have been missed, e.g. while the database was unreachable; fetch what is shown again). The stream ends when the session or token ends.',
    },
    handler: async (req, reply) => {
      const actor = req.actor!;
      const credential = req.credential!;
      // Each stream holds a connection and a subscriber: a person (or one address) may not open without end.
      if (count((s) => s.userId === actor.userId) >= opts.limits.perUser) {
        reply.header('retry-after', '30');
        throw new AppError('rate-limited', 'TOO_MANY_STREAMS', `You have ${opts.limits.perUser} live update streams open already; close a tab or window of the portal and try again.`, {}, { it: `Hai già ${opts.limits.perUser} aggiornamenti in tempo reale aperti; chiudi una scheda o finestra del portale e riprova.` });
      }
      if (count((s) => s.address === req.ip) >= opts.limits.perAddress) {
        reply.header('retry-after', '30');
        throw new AppError('rate-limited', 'TOO_MANY_STREAMS', 'Too many live update streams are open from your network address; try again later.', {}, { it: 'Troppi aggiornamenti in tempo reale sono aperti dal tuo indirizzo di rete; riprova più tardi.' });
      }
      await start();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store, no-transform',
        connection: 'keep-alive',
        // nginx and similar proxies buffer responses unless told not to.
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      // "retry" sets EventSource's reconnection delay in milliseconds.
      res.write('retry: 3000\n: connected\n\n');

      const unsubscribeBookings = hub.subscribe((change) => {
        res.write(`event: booking\ndata: ${JSON.stringify(change)}\n\n`);
      });
      // Only the id: who may see the conference is checked when the client fetches it.
      const unsubscribeAudio = audioHub.subscribe((change) => {
        res.write(`event: audio\ndata: ${JSON.stringify(change)}\n\n`);
      });
      // The server's listening connection was lost and is back: what changed meanwhile was not sent.
      const resync = () => res.write('event: resync\ndata: {}\n\n');
      const unsubscribeResync = [hub.onResync(resync), audioHub.onResync(resync)];
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
      heartbeat.unref();
      const recheck = setInterval(() => {
        opts.accounts.credentialLive(credential).then(
          (live) => live || stream.end(),
          () => {}, // the database is away: keep the stream; the next check decides
        );
      }, recheckMs);
      recheck.unref();
      const stream: Stream = { reply, userId: actor.userId, address: req.ip, credential, end: () => res.end() };
      open.add(stream);
      req.raw.on('close', () => {
        clearInterval(heartbeat);
        clearInterval(recheck);
        unsubscribeBookings();
        unsubscribeAudio();
        for (const unsubscribe of unsubscribeResync) unsubscribe();
        open.delete(stream);
      });
    },
  });
};
