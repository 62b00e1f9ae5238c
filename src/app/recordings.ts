// Recordings of a booking's meeting, where its service makes them (issue #15; RecordingStore in
// providers/port.ts). The booker, their institution's managers and admins see every recording and
// publish, unpublish or delete them, each change audited; the booking's invitees see the published
// ones, and guests of an ended meeting get their links on the guest page.
import { canManageBooking } from '../domain/access.ts';
import { AppError, bookingNotFound, notFound } from '../domain/errors.ts';
import type { CallContext, Clock, UnitOfWork } from '../ports.ts';
import type { ConferenceProvider, MeetingRecording, MeetingRef, RecordingStore } from '../providers/port.ts';
import { ProviderError } from '../providers/port.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { BookingFacts, ProvisioningStore } from './provisioning-store.ts';

export type MeetingPlace = { provider: string; ref: MeetingRef };
export interface RecordingPlaces {
  /** The service and meeting of a booking, also after the room was released; null when never prepared. */
  place(bookingId: string): Promise<MeetingPlace | null>;
}

export type RecordingList = {
  bookingId: string;
  /** The room's service keeps recordings the portal can list (BigBlueButton, Adobe Connect). */
  available: boolean;
  canManage: boolean;
  items: MeetingRecording[];
};

const recordingNotFound = () =>
  notFound('RECORDING_NOT_FOUND', 'This meeting has no recording with this id (it may have been deleted); list the recordings again.', {
    it: 'Questa riunione non ha una registrazione con questo id (forse è stata eliminata); elenca di nuovo le registrazioni.',
  });

export class RecordingService {
  private readonly rooms: ProvisioningStore;
  private readonly places: RecordingPlaces;
  private readonly registry: ProviderRegistry;
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;

  constructor(d: { rooms: ProvisioningStore; places: RecordingPlaces; registry: ProviderRegistry; uow: UnitOfWork; clock: Clock }) {
    this.rooms = d.rooms;
    this.places = d.places;
    this.registry = d.registry;
    this.uow = d.uow;
    this.clock = d.clock;
  }

  /** Managers: all; invitees: the published ones; anyone else: not found. */
  async list(ctx: CallContext, bookingId: string): Promise<RecordingList> {
    const view = await this.rooms.joinView(bookingId, ctx.actor.userId);
    if (!view) throw bookingNotFound();
    const f = view.facts;
    const manages = canManageBooking(ctx.actor, { bookerId: f.bookerId, institutionId: f.institutionId });
    if (!manages && !view.viewer?.invited) throw bookingNotFound();
    const found = await this.fetch(f);
    const items = found ? (manages ? found.items : found.items.filter((r) => r.published)) : [];
    return { bookingId, available: found !== null, canManage: manages, items };
  }

  /** The published recordings, for the guest page of an ended meeting (the guest link is the right). */
  async published(bookingId: string): Promise<MeetingRecording[]> {
    const f = await this.rooms.facts(bookingId);
    if (!f || f.status === 'cancelled' || this.clock.now() < f.end) return [];
    const found = await this.fetch(f).catch(() => null);
    return found ? found.items.filter((r) => r.published && r.url) : [];
  }

  async publish(ctx: CallContext, bookingId: string, recordingId: string, published: boolean): Promise<MeetingRecording> {
    const { f, store, place, recording } = await this.managed(ctx, bookingId, recordingId);
    if (recording.published !== published) await store.publishRecording(place.ref, recordingId, published).catch(serviceFailed);
    await this.audit(ctx, f, published ? 'recording.published' : 'recording.unpublished', recording, { ...recording, published });
    return { ...recording, published };
  }

  async remove(ctx: CallContext, bookingId: string, recordingId: string): Promise<void> {
    const { f, store, place, recording } = await this.managed(ctx, bookingId, recordingId);
    await store.deleteRecording(place.ref, recordingId).catch(serviceFailed);
    await this.audit(ctx, f, 'recording.deleted', recording, null);
  }

  private async managed(ctx: CallContext, bookingId: string, recordingId: string) {
    const f = await this.rooms.facts(bookingId);
    if (!f || !canManageBooking(ctx.actor, { bookerId: f.bookerId, institutionId: f.institutionId })) throw bookingNotFound();
    const found = await this.fetch(f);
    // Only a recording of this booking's meeting: an id from elsewhere is not found here.
    const recording = found?.items.find((r) => r.id === recordingId);
    if (!found || !recording) throw recordingNotFound();
    return { f, ...found, recording };
  }

  private async fetch(f: BookingFacts): Promise<{ store: RecordingStore; place: MeetingPlace; items: MeetingRecording[] } | null> {
    const place = await this.places.place(f.bookingId);
    if (!place) return null;
    let entry;
    try {
      entry = this.registry.get(place.provider);
    } catch {
      return null;
    }
    if (!entry.recordings) return null;
    const store = entry.provider as ConferenceProvider & RecordingStore;
    const items = await store.recordings(place.ref, { start: f.start, end: f.end }).catch(serviceFailed);
    return { store, place, items: items.sort((a, b) => a.start.getTime() - b.start.getTime()) };
  }

  private async audit(ctx: CallContext, f: BookingFacts, action: string, before: MeetingRecording, after: MeetingRecording | null) {
    const view = (r: MeetingRecording) => ({ bookingId: f.bookingId, recordingId: r.id, published: r.published, start: r.start.toISOString() });
    await this.uow.transaction((r) => r.audit.record({ actorId: ctx.actor.userId, action, entity: 'recording', entityId: f.bookingId, before: view(before), after: after && view(after), requestId: ctx.requestId }));
  }
}

function serviceFailed(e: unknown): never {
  if (e instanceof ProviderError) {
    throw new AppError('unavailable', 'RECORDINGS_UNAVAILABLE', `The conferencing service did not answer about recordings (${e.message}); try again in a minute.`, {}, {
      it: `Il servizio di videoconferenza non ha risposto sulle registrazioni (${e.message}); riprova tra un minuto.`,
    });
  }
  throw e;
}
