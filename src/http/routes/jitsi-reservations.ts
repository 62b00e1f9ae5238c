// Prosody mod_reservations calls these (reservations_api_prefix = <portal>/jitsi); see
// providers/jitsi/reservations.ts for the protocol. A shared token, Prosody sends it through
// reservations_api_headers as "Authorization: Bearer <JITSI_RESERVATION_TOKEN>"; without it only
// the POST is answered.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProvisioningStore } from '../../app/provisioning-store.ts';
import type { Clock } from '../../ports.ts';
import { meetingKeyOfRoom, decideReservation, reservationBody, type ReservationBooking } from '../../providers/jitsi/reservations.ts';

export type JitsiReservationOptions = { store: ProvisioningStore; clock: Clock; token: string | undefined; opensMinutes: number };

export async function jitsiReservationRoutes(app: FastifyInstance, o: JitsiReservationOptions) {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  // Reading a reservation by its number answers the room's secret name; that number comes from the
  // booking id, which every member sees. So reading (and DELETE) needs the token, always: Prosody
  // reads one only after a conflict. A POST names the room, so it proves knowing the secret already.
  const authorised = (req: FastifyRequest, always = false) => {
    if (!o.token) return !always;
    const given = Buffer.from(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${o.token}`);
    return given.length === want.length && timingSafeEqual(given, want);
  };
  const deny = (reply: FastifyReply) =>
    reply.code(401).send({
      message: o.token
        ? 'The reservation API token is missing or wrong; check reservations_api_headers.'
        : 'Reading reservations needs JITSI_RESERVATION_TOKEN on the portal and the same token in reservations_api_headers.',
    });

  const booking = async (bookingId: string | null): Promise<ReservationBooking | null> => {
    const f = bookingId ? await o.store.facts(bookingId) : null;
    return f ? { bookingId: f.bookingId, meetingKey: f.meetingKey, title: f.title, start: f.start, end: f.end, seats: f.seats, status: f.status, bookerEmail: f.bookerEmail } : null;
  };
  const byId = async (id: string) => (/^\d{1,16}$/.test(id) ? booking(await o.store.bookingIdByPrefix(Number(id).toString(16).padStart(12, '0'))) : null);

  app.post('/jitsi/conference', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    if (!authorised(req)) return deny(reply);
    const name = String((req.body as Record<string, unknown> | undefined)?.name ?? '');
    if (!name) return reply.code(400).send({ message: 'The "name" field (the room name) is missing.' });
    // Only rooms named after a booking's secret key open; wm-<booking id> is no booking's room.
    const key = meetingKeyOfRoom(name);
    const answer = decideReservation(await booking(key && (await o.store.bookingIdByMeetingKey(key))), o.clock.now(), o.opensMinutes);
    return reply.code(answer.status).send(answer.body);
  });

  app.get<{ Params: { id: string } }>('/jitsi/conference/:id', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    if (!authorised(req, true)) return deny(reply);
    const b = await byId(req.params.id);
    if (!b || b.status === 'cancelled') return reply.code(404).send({ message: 'No reservation with this id.' });
    return reservationBody(b, o.clock.now());
  });

  app.delete<{ Params: { id: string } }>('/jitsi/conference/:id', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    if (!authorised(req, true)) return deny(reply);
    const b = await byId(req.params.id);
    if (!b) return reply.code(404).send({ message: 'No reservation with this id.' });
    return reply.code(200).send({});
  });
}
