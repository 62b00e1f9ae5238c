// The two services Jitsi Meet asks for the dial-in box of its invite dialog and its dial-in info
// page (config.js `dialInConfCodeUrl` and `dialInNumbersUrl`, docs/telephony.md "Jitsi Meet"). The
// contract is jitsi-meet's resources/cloud-api.swagger (conferenceMapper, phoneNumberList) as
// react/features/invite/_utils.ts calls it: GET <url>?conference=<room>@<muc>[&url=<page>] from the
// participant's browser, JSON back. The "conference ID" Jitsi shows is the booking's audio PIN.
import type { FastifyInstance, FastifyReply } from 'fastify';

export type JitsiDialInOptions = {
  /** The current booking's audio PIN for a Jitsi room name (the part before "@"), or null. */
  resolve(conferenceName: string): Promise<{ pin: string } | null>;
  numbers: { number: string; country: string | null }[];
  /** The Jitsi Meet origin allowed to read the answers (CORS); "*" when not given. */
  allowOrigin?: string | undefined;
};

export async function jitsiDialInRoutes(app: FastifyInstance, o: JitsiDialInOptions) {
  // The browser on the Jitsi Meet page fetches these across origins (plain GET, no credentials).
  const cors = (reply: FastifyReply) => reply.header('access-control-allow-origin', o.allowOrigin ?? '*');

  // conferenceMapper: ConferenceMapperDetails {id, conference}; `conference: false` (or no id) when
  // there is no mapping, which jitsi-meet's updateDialInNumbers treats as "no dial-in", showing `message`.
  app.get<{ Querystring: { conference?: string } }>('/jitsi/dial-in/conference', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
    cors(reply);
    const conference = String(req.query.conference ?? '').trim();
    // The swagger's answer to invalid input is 405; a search by `id` alone is not offered here
    // (Asterisk, not Jigasi, turns a PIN into a room).
    if (!conference) return reply.code(405).send({ message: 'The "conference" parameter (room@muc) is missing.' });
    const found = await o.resolve(conference.split('@')[0]!);
    if (!found) return { conference: false, message: 'This room has no audio conference now.' };
    // The swagger types id as a number; jitsi-meet accepts a string too (IInviteState.conferenceID)
    // and formats either with toString(), so a PIN with a leading zero stays a string.
    return { id: /^[1-9]\d*$/.test(found.pin) ? Number(found.pin) : found.pin, conference };
  });

  // phoneNumberList: an array of PhoneNumberListAnswer {countryCode, formattedNumber, tollFree}.
  app.get('/jitsi/dial-in/numbers', { schema: { hide: true }, config: { access: 'public' } }, async (_req, reply) => {
    cors(reply);
    return o.numbers.map((n) => ({ ...(n.country ? { countryCode: n.country } : {}), formattedNumber: n.number, tollFree: false }));
  });
}
