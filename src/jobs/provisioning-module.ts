// Builds the provisioning and joining feature from configuration and hands the composition root
// what it wires: the booking listener, the workers, and the route plugins.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { JoiningService } from '../app/joining.ts';
import { ProvisioningService, type BookingFacts } from '../app/provisioning.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { PgProvisioningStore } from '../db/provisioning-repository.ts';
import { joinRoutes } from '../http/routes/join.ts';
import { jitsiReservationRoutes } from '../http/routes/jitsi-reservations.ts';
import { provisioningRoutes } from '../http/routes/provisioning.ts';
import type { Services } from '../http/services.ts';
import type { Clock } from '../ports.ts';
import { ProviderRegistry } from '../providers/registry.ts';
import type { ConferenceProvider } from '../providers/port.ts';
import type { MeetingDetailsSource } from '../notify/meeting-details.ts';
import type { JobQueue } from './queue.ts';
import { provisioningListener, startProvisioningWorkers, type ProvisioningWorkers } from './provisioning.ts';

export type ProvisioningModule = {
  service: ProvisioningService;
  joining: JoiningService;
  store: PgProvisioningStore;
  registry: ProviderRegistry;
  workers: ProvisioningWorkers;
  /** Under /api/v1. */
  apiRoutes(api: FastifyInstance): Promise<void>;
  /** At the root: /join, /g, /jitsi/conference. */
  pageRoutes(app: FastifyInstance): Promise<void>;
  /** The join and guest links mails and calendar entries show (notify's MeetingDetailsSource). */
  meetingDetails: MeetingDetailsSource;
  stop(): Promise<void>;
};

export async function startProvisioningModule(d: {
  config: Config;
  database: Database;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  services: Services;
  providers?: Record<string, ConferenceProvider>;
}): Promise<ProvisioningModule> {
  const { providers, policy } = d.config.provisioning;
  const store = new PgProvisioningStore(d.database.db);
  const registry = new ProviderRegistry(providers, d.clock, d.providers, { publicUrl: d.config.publicUrl });
  const granularity = d.config.booking.granularityMinutes * 60_000;

  // No-show release: the rest of the slot (and its seats) goes back to the pool; the booking's
  // audit record and live update tell the booker's calendar.
  const onNoShow = async (f: BookingFacts) => {
    // The next grid point after now: the booking rules refuse an end that is not in the future.
    const end = new Date((Math.floor(d.clock.now().getTime() / granularity) + 1) * granularity);
    if (end >= f.end) return;
    try {
      // Done in the booker's name (the audit record's request id says why).
      await d.services.bookings.change({ actor: { userId: f.bookerId, role: 'member', institutionId: f.institutionId }, requestId: 'no-show-release' }, f.bookingId, { end: end.toISOString() });
      d.logger.info({ bookingId: f.bookingId }, 'no-show: released the rest of the slot');
    } catch (err) {
      d.logger.warn({ err, bookingId: f.bookingId }, 'no-show release refused');
    }
  };
  const service = new ProvisioningService({ store, registry, clock: d.clock, policy, onNoShow });
  const joining = new JoiningService({ store, registry, provisioning: service, clock: d.clock, publicUrl: d.config.publicUrl });
  d.services.bookings.onChange(provisioningListener);
  const workers = await startProvisioningWorkers({ queue: d.queue, service, store, logger: d.logger });
  return {
    service,
    joining,
    store,
    registry,
    workers,
    apiRoutes: async (api) => {
      await api.register(provisioningRoutes, { joining, provisioning: service });
    },
    pageRoutes: async (app) => {
      await app.register(joinRoutes, { joining, accounts: d.services.accounts, clock: d.clock });
      await app.register(jitsiReservationRoutes, { store, clock: d.clock, token: providers.jitsi.reservationToken, opensMinutes: policy.joinOpensMinutes });
    },
    meetingDetails: async ({ bookingId }) => ({
      joinUrl: `${d.config.publicUrl.replace(/\/+$/, '')}/join/${bookingId}`,
      guestUrl: joining.guestUrl(await store.guestLink(bookingId)),
      dialIn: null,
    }),
    stop: () => workers.stop(),
  };
}
