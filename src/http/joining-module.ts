// The joining routes in one plugin, registered by app.ts beside the other routes: /join/<booking>
// and /g/<token> (join.ts), the Jitsi reservation check (jitsi-reservations.ts) and, with audio
// conferencing, the Jitsi dial-in lookup (jitsi-dial-in.ts). The use-cases behind them are the
// composition root's (portal.ts builds the JoiningService and its per-instance join cache).
import type { FastifyInstance } from 'fastify';
import type { AudioService } from '../app/audio.ts';
import type { JoiningService } from '../app/joining.ts';
import type { ProvisioningStore } from '../app/provisioning-store.ts';
import type { GuestPinLimits } from '../domain/guest-pin.ts';
import type { Clock } from '../ports.ts';
import { meetingKeyOfName } from '../providers/port.ts';
import { jitsiDialInRoutes } from './routes/jitsi-dial-in.ts';
import { jitsiReservationRoutes } from './routes/jitsi-reservations.ts';
import { joinRoutes } from './routes/join.ts';
import type { PageRecording } from './join-pages.ts';

export type JoiningRouteOptions = {
  joining: JoiningService;
  store: ProvisioningStore;
  audio: AudioService;
  clock: Clock;
  guestPinLimits: GuestPinLimits;
  joinOpensMinutes: number;
  jitsi: { url: string; reservationToken: string | undefined };
  /** Published recordings of an ended meeting, for its guest page. */
  recordings?: (bookingId: string) => Promise<PageRecording[]>;
};

export async function joiningRoutes(app: FastifyInstance, o: JoiningRouteOptions): Promise<void> {
  await app.register(joinRoutes, { joining: o.joining, audio: o.audio, clock: o.clock, guestPinLimits: o.guestPinLimits, ...(o.recordings && { recordings: o.recordings }) });
  await app.register(jitsiReservationRoutes, { store: o.store, clock: o.clock, token: o.jitsi.reservationToken, opensMinutes: o.joinOpensMinutes });
  if (o.audio.configured) {
    const audio = o.audio;
    await app.register(jitsiDialInRoutes, {
      // Jitsi room names are wm-<the booking's secret meeting key> (port.ts meetingName).
      resolve: async (room) => {
        const key = meetingKeyOfName(room);
        const bookingId = key && (await o.store.bookingIdByMeetingKey(key));
        const dialIn = bookingId && (await audio.dialIn(bookingId));
        return dialIn ? { pin: dialIn.pin } : null;
      },
      numbers: audio.dialInNumbers,
      allowOrigin: new URL(o.jitsi.url).origin,
    });
  }
}
