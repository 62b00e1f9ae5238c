// GET /api/v1/events: server-sent events (WHATWG HTML, "Server-sent events") carrying every
// booking change, so open calendars refresh within a second without polling.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { BookingChangeHub, type Listen } from '../../live/booking-changes.ts';

export type EventsRoutesOptions = {
  /** The database's LISTEN (`database.listen`); the plugin keeps one listening connection. */
  listen: Listen;
  /** Comment lines keep proxies and load balancers from closing an idle stream. */
  heartbeatMs?: number;
};

export const eventsRoutes: FastifyPluginAsync<EventsRoutesOptions> = async (app, opts) => {
  const hub = new BookingChangeHub(opts.listen);
  const heartbeatMs = opts.heartbeatMs ?? 20_000;
  const open = new Set<FastifyReply>();

  app.addHook('onReady', async () => {
    await hub.start();
  });
  // Open streams would hold a graceful shutdown until its deadline: end them first.
  app.addHook('preClose', async () => {
    for (const reply of open) reply.raw.end();
    open.clear();
  });
  app.addHook('onClose', async () => {
    await hub.close();
  });

  app.get('/events', {
    schema: {
      tags: ['bookings'],
      summary: 'Live booking changes as server-sent events (event "booking", data {action, bookingId, roomId, start, end})',
    },
    handler: async (req, reply) => {
      await hub.start();
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

      const unsubscribe = hub.subscribe((change) => {
        res.write(`event: booking\ndata: ${JSON.stringify(change)}\n\n`);
      });
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
