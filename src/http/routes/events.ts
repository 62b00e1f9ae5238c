// GET /api/v1/events: server-sent events (WHATWG HTML, "Server-sent events") carrying every
// booking change, so open calendars refresh within a second without polling.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AudioChangeHub, BookingChangeHub, type Listen } from '../../live/booking-changes.ts';

export type EventsRoutesOptions = {
  /** The database's LISTEN (`database.listen`); the plugin keeps one listening connection. */
  listen: Listen;
  /** Comment lines keep proxies and load balancers from closing an idle stream. */
  heartbeatMs?: number;
};

export const eventsRoutes: FastifyPluginAsync<EventsRoutesOptions> = async (app, opts) => {
  const hub = new BookingChangeHub(opts.listen);
  const audioHub = new AudioChangeHub(opts.listen);
  const heartbeatMs = opts.heartbeatMs ?? 20_000;
  const open = new Set<FastifyReply>();

  app.addHook('onReady', async () => {
    await Promise.all([hub.start(), audioHub.start()]);
  });
  // Open streams would hold a graceful shutdown until its deadline: end them first.
  app.addHook('preClose', async () => {
    for (const reply of open) reply.raw.end();
    open.clear();
  });
  app.addHook('onClose', async () => {
    await Promise.all([hub.close(), audioHub.close()]);
  });

  app.get('/events', {
    schema: {
      tags: ['bookings'],
      summary: 'Live changes as server-sent events: event "booking" (data {action, bookingId, roomId, start, end}) and "audio" (data {bookingId}: its phone participants, mutes or lock changed)',
    },
    handler: async (req, reply) => {
      await Promise.all([hub.start(), audioHub.start()]);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and similar proxies buffer responses unless told not to.
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      // "retry" sets EventSource's reconnection delay in milliseconds.
      res.write('retry: 3000\n: connected\n\n');
      open.add(reply);

      const unsubscribeBookings = hub.subscribe((change) => {
        res.write(`event: booking\ndata: ${JSON.stringify(change)}\n\n`);
      });
      // Only the id: who may see the conference is checked when the client fetches it.
      const unsubscribeAudio = audioHub.subscribe((change) => {
        res.write(`event: audio\ndata: ${JSON.stringify(change)}\n\n`);
      });
      const unsubscribe = () => {
        unsubscribeBookings();
        unsubscribeAudio();
      };
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
      heartbeat.unref();
      req.raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(reply);
      });
    },
  });
};
