// Builds the audio conferencing feature (issue #7) from configuration: the ARI REST client every
// instance uses for the host's controls, and the Stasis application run by whichever instance
// holds the ARI events socket (holder.ts). The composition root wires it after provisioning.
import type { Logger } from 'pino';
import type { ProvisioningService } from '../app/provisioning.ts';
import type { Database } from '../db/database.ts';
import { AUDIO_CHANNEL, BOOKING_CHANNEL, type Clock, type UnitOfWork } from '../ports.ts';
import { hasAudioLeg, hasExternalMedia } from '../providers/port.ts';
import { parseAudioChange } from '../live/booking-changes.ts';
import { AriRest } from './ari/client.ts';
import { AriEvents } from './ari/events.ts';
import { ConferenceApp } from './conference-app.ts';
import { PgLeadership, soleLeadership, type Leadership } from './holder.ts';
import type { TelephonyConfig } from './settings.ts';

export type TelephonyModule = {
  rest: AriRest;
  app: ConferenceApp;
  /** True while this instance holds the ARI events socket. */
  holds(): boolean;
  /** True while the events socket is connected. */
  connected(): boolean;
  /** Ends the conferences whose booking is over, now (tests, and after booking changes). */
  sweepNow(): Promise<void>;
  stop(): Promise<void>;
};

// People on the web per meeting are asked of the provider at most this often (200 callers dialling
// in together must not mean 200 API calls to the conferencing service).
const WEB_COUNT_CACHE_MS = 5000;

export async function startTelephony(d: {
  config: TelephonyConfig;
  database: Database;
  uow: UnitOfWork;
  clock: Clock;
  logger: Logger;
  provisioning: ProvisioningService;
  observeAdmission?: (seconds: number) => void;
  observeCallers?: (callers: number) => void;
  onConnectionChange?: (connected: boolean) => void;
}): Promise<TelephonyModule> {
  const { config, logger } = d;
  const log = logger.child({ module: 'telephony' });
  const rest = new AriRest(config.ari);
  const webCounts = new Map<string, { at: number; count: Promise<number> }>();
  const app = new ConferenceApp({
    rest,
    uow: d.uow,
    clock: d.clock,
    logger: log,
    settings: { pinAttempts: config.pinAttempts, digitTimeoutMs: config.digitTimeoutMs, pinDigits: config.pinDigits, roomLegRetryMs: config.roomLegRetryMs },
    async roomAudio(bookingId) {
      const m = await d.provisioning.meetingOf(bookingId);
      const provider = m?.provider.provider;
      if (!m || !provider || !hasAudioLeg(provider)) return null;
      const audio = provider.roomAudio(m.ref, m.spec);
      if (audio?.mode !== 'external-media') return audio;
      return hasExternalMedia(provider) ? { ...audio, open: (onLost: () => void) => provider.openExternalMedia(m.ref, onLost) } : null;
    },
    webCount(bookingId) {
      const cached = webCounts.get(bookingId);
      if (cached && Date.now() - cached.at < WEB_COUNT_CACHE_MS) return cached.count;
      const count = d.provisioning.webParticipants(bookingId).catch(() => 0);
      // Re-inserted last, so the map stays ordered by age: drop the expired ones from the front.
      webCounts.delete(bookingId);
      webCounts.set(bookingId, { at: Date.now(), count });
      for (const [id, entry] of webCounts) {
        if (Date.now() - entry.at < WEB_COUNT_CACHE_MS) break;
        webCounts.delete(id);
      }
      return count;
    },
    async onJoined(bookingId) {
      await d.provisioning.markJoined(bookingId, d.clock.now());
    },
    ...(d.observeAdmission && { observeAdmission: d.observeAdmission }),
    ...(d.observeCallers && { observeCallers: d.observeCallers }),
  });

  const events = new AriEvents(config.ari, { maxBackoffMs: Math.max(1000, Math.min(10_000, config.holderRetryMs * 5)) });
  events.on('event', (e) => app.handle(e));
  events.on('connected', () => {
    log.info({ url: config.ari.url, app: config.ari.app }, 'audio: ARI events socket connected');
    d.onConnectionChange?.(true);
    app.adopt().catch((err: unknown) => log.error({ err }, 'audio: adopting the calls in progress failed'));
  });
  events.on('disconnected', (reason: string) => {
    log.warn({ reason }, 'audio: ARI events socket lost; reconnecting');
    d.onConnectionChange?.(false);
  });

  const leadership: Leadership = d.database.kind === 'postgres' ? new PgLeadership(d.database.pool) : soleLeadership;
  let holding = false;
  let stopped = false;
  const step = async () => {
    if (stopped) return;
    if (!holding) {
      if (!(await leadership.acquire())) return;
      holding = true;
      app.start();
      events.start();
      log.info('audio: this instance holds the ARI connection');
    } else if (!(await leadership.check())) {
      holding = false;
      await events.stop();
      app.reset();
      await leadership.release();
      log.warn('audio: lost the ARI holder lock (database connection gone); another instance takes over');
    }
  };
  let running: Promise<void> = Promise.resolve();
  const schedule = () => {
    running = running.then(step).catch((err: unknown) => log.warn({ err }, 'audio: holder step failed'));
  };
  schedule();
  const holderTimer = setInterval(schedule, config.holderRetryMs);
  holderTimer.unref();

  // The end of a booking is found by a periodic sweep; a cancellation or a change sweeps at once.
  let sweepTimer: NodeJS.Timeout | null = null;
  const sweepSoon = () => {
    if (!holding || sweepTimer) return;
    sweepTimer = setTimeout(() => {
      sweepTimer = null;
      app.sweep().catch((err: unknown) => log.warn({ err }, 'audio: sweep failed'));
    }, 100);
    sweepTimer.unref();
  };
  const periodic = config.sweepMs > 0 ? setInterval(sweepSoon, config.sweepMs) : null;
  periodic?.unref();
  // Of the audio notices only a conference turned on or off matters here: the others are the
  // application's own participant changes.
  const switched = (payload: string) => {
    if (parseAudioChange(payload)?.switched) sweepSoon();
  };
  const unlisten = await Promise.all([d.database.listen(BOOKING_CHANNEL, sweepSoon), d.database.listen(AUDIO_CHANNEL, switched)]);

  return {
    rest,
    app,
    holds: () => holding,
    connected: () => events.connected,
    async sweepNow() {
      if (holding) await app.sweep();
    },
    async stop() {
      stopped = true;
      clearInterval(holderTimer);
      if (periodic) clearInterval(periodic);
      if (sweepTimer) clearTimeout(sweepTimer);
      await running;
      for (const u of unlisten) await u();
      await events.stop();
      app.stop();
      await leadership.release();
    },
  };
}
