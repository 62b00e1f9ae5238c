// Builds the provisioning feature from configuration and hands the composition root what it wires:
// the booking listener, the workers, and the services the routes use. Its routes, and the joining
// routes, are registered where the other routes are (http/app.ts, http/joining-module.ts): jobs/
// runs jobs and does not reach into http/.
import type { Logger } from 'pino';
import { RoomService } from '../app/rooms.ts';
import { ProvisioningService } from '../app/provisioning.ts';
import type { BookerNotice, BookingFacts } from '../app/provisioning-store.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { guestUrlOf } from '../app/joining.ts';
import { PgProvisioningStore } from '../db/provisioning-repository.ts';
import { PgRoomAdmissions } from '../db/room-admission-repository.ts';
import { AttendanceService } from '../app/attendance.ts';
import { RecordingService } from '../app/recordings.ts';
import { OutsideMeetingService } from '../app/outside-meetings.ts';
import { PgOutsideMeetings } from '../db/outside-meeting-repository.ts';
import { PgAttendanceRepository } from '../db/attendance-repository.ts';
import { PgRecordingPlaces } from '../db/recording-repository.ts';
import type { Services } from '../http/services.ts';
import type { Clock, StalledJob } from '../ports.ts';
import type { CallObserver } from '../providers/instrumented.ts';
import { ProviderRegistry } from '../providers/registry.ts';
import type { ConferenceProvider } from '../providers/port.ts';
import type { MeetingDetailsSource } from '../notify/meeting-details.ts';
import type { OutgoingMail } from '../notify/mailer.ts';
import { DELIVER_QUEUE } from './mail.ts';
import type { JobQueue } from './queue.ts';
import type { Notices } from '../db/notices.ts';
import { SYNC_HEARTBEAT_SECONDS, SYNC_QUEUE, provisioningListener, startProvisioningWorkers, type ProvisioningWorkers } from './provisioning.ts';

export type ProvisioningModule = {
  service: ProvisioningService;
  store: PgProvisioningStore;
  registry: ProviderRegistry;
  workers: ProvisioningWorkers;
  /** Attendance reports (the usage sampler and the join pages feed them) and their purge. */
  attendance: AttendanceService;
  attendanceRows: PgAttendanceRepository;
  recordings: RecordingService;
  rooms: RoomService;
  /** Meetings on the services that the portal did not make (issue #17): reconcile records them, admins adopt or remove them. */
  outside: OutsideMeetingService;
  /** Sync jobs whose worker stopped beating (twice the heartbeat: a live worker beats every half of it). */
  stalledJobs(): Promise<StalledJob[]>;
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
  /** Told of every call to a conferencing service (latency and errors for /metrics). */
  observeCall?: CallObserver;
  /** The instance's change notices (db/notices.ts): what joins read changed. */
  notices: Notices;
}): Promise<ProvisioningModule> {
  const { providers, policy } = d.config.provisioning;
  const store = new PgProvisioningStore(d.database.db, d.notices.send);
  const registry = new ProviderRegistry(providers, d.clock, d.providers, { publicUrl: d.config.publicUrl, joinOpensMinutes: policy.joinOpensMinutes, ...(d.observeCall && { observe: d.observeCall }) });
  const granularity = d.config.booking.granularityMinutes * 60_000;

  // Sent through the mail module's delivery queue (SMTP, or the log when none is configured).
  const mail = async (f: BookingFacts, subject: string, it: string, en: string) => {
    const text = `${it}\n\n---\n\n${en}\n`;
    const html = `<p>${escapeHtml(it)}</p><hr><p lang="en">${escapeHtml(en)}</p>`;
    await d.queue.enqueue(undefined, DELIVER_QUEUE, { to: f.bookerEmail, subject, text, html } satisfies OutgoingMail);
  };
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
      return;
    }
    try {
      await mail(
        f,
        `WebMeetings: ${f.title}`,
        `Nessuno è entrato in "${f.title}" nei primi ${policy.noShowMinutes} minuti: il resto della prenotazione è stato liberato per altri.`,
        `Nobody joined "${f.title}" in its first ${policy.noShowMinutes} minutes: the rest of the booking was released for others.`,
      );
    } catch (err) {
      d.logger.warn({ err, bookingId: f.bookingId }, 'no-show notice not queued');
    }
  };
  const notice: BookerNotice = async (f, n) => {
    d.logger.warn({ bookingId: f.bookingId, from: n.from, to: n.to, reason: n.reason }, 'provisioning fell back to another provider');
    const when = `${f.title} (${f.start.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
    await mail(
      f,
      `WebMeetings: ${f.title}`,
      `La stanza virtuale di "${when}" non si è potuta preparare su ${n.from}; è stata preparata su ${n.to}. Il link per entrare resta lo stesso: ${d.config.publicUrl}/join/${f.bookingId}`,
      `The virtual room of "${when}" could not be prepared on ${n.from}; it was prepared on ${n.to} instead. The join link stays the same: ${d.config.publicUrl}/join/${f.bookingId}`,
    );
  };
  const audioOf = async (bookingId: string) => {
    const dialIn = await d.services.audio.dialIn(bookingId);
    return dialIn && { numbers: dialIn.numbers.map((n) => n.number), pin: dialIn.pin, sipUri: dialIn.sipUri };
  };
  const outside = new OutsideMeetingService({ store: new PgOutsideMeetings(d.database.db), registry, uow: d.services.uow, bookings: d.services.bookings, clock: d.clock });
  const service = new ProvisioningService({ store, registry, clock: d.clock, policy, onNoShow, notice, audio: audioOf, outside: (provider, meetings) => outside.record(provider, meetings) });
  // A conference turned on or off changes what a room that dials in (Adobe Connect) must be told.
  d.services.audio.onConferenceChange((repos, bookingId) => repos.jobs.enqueue(SYNC_QUEUE, { bookingId, action: 'updated' }));
  const attendanceRows = new PgAttendanceRepository(d.database.db);
  const attendance = new AttendanceService({ store: attendanceRows, rooms: store, registry, warn: (err, bookingId) => d.logger.warn({ err, bookingId }, 'attendee list failed; this minute has no sighting of the meeting') });
  const recordings = new RecordingService({ rooms: store, places: new PgRecordingPlaces(d.database.db), registry, uow: d.services.uow, clock: d.clock });
  const rooms = new RoomService({ store, registry, clock: d.clock, joinOpensMinutes: policy.joinOpensMinutes, admissions: new PgRoomAdmissions(d.database.db) });
  d.services.bookings.onChanges(provisioningListener({ clock: d.clock, leadMinutes: policy.leadMinutes, tickSeconds: policy.tickSeconds, defaultProvider: registry.nameForRoom(null) }));
  const workers = await startProvisioningWorkers({ queue: d.queue, service, store, logger: d.logger, providerTimeoutMs: providers.timeoutMs });
  const dialInOf = async (bookingId: string) => {
    const a = await d.services.audio.dialIn(bookingId);
    return a && { numbers: a.numbers.map((n) => (n.country ? `${n.number} (${n.country})` : n.number)), pin: a.pin, tel: a.numbers[0]?.tel ?? null, sipUri: a.sipUri };
  };
  return {
    service,
    store,
    registry,
    workers,
    attendance,
    attendanceRows,
    recordings,
    rooms,
    outside,
    stalledJobs: () => d.queue.stalled([SYNC_QUEUE], 2 * SYNC_HEARTBEAT_SECONDS),
    meetingDetails: async ({ bookingId }) => {
      const link = await store.guestLink(bookingId);
      return {
        joinUrl: `${d.config.publicUrl.replace(/\/+$/, '')}/join/${bookingId}`,
        guestUrl: guestUrlOf(d.config.publicUrl, link),
        // Those who are sent or shown the guest link are the booker's guests: without the PIN it would not open.
        guestPin: link.policy === 'pin' ? link.pin : null,
        dialIn: await dialInOf(bookingId),
      };
    },
    stop: () => workers.stop(),
  };
}

const escapeHtml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
