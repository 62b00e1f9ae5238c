// The one contract every ConferenceProvider adapter passes against its test double
// (test/providers/*.test.ts call it). The double speaks the service's documented protocol and keeps
// state, so these checks fail on a wrong parameter, checksum, session or token as the real server
// would.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { hasAttendanceReport, hasAttendeeLister, hasAudioLeg, hasMeetingLister, hasParticipantCounter, hasRecordingStore, ProviderError, type ConferenceProvider, type MeetingRef, type MeetingSpec, type RoomAudio } from './port.ts';

export type JoinOutcome = { ok: true; role: 'host' | 'attendee'; name: string; userId?: string | undefined } | { ok: false; reason: string };
export type DoubleMeeting = { seats: number | null; title: string; hostIds: string[]; start?: Date | undefined; end?: Date | undefined; guestPolicy: string };

/**
 * The meeting key the contract gives a booking's spec (the portal's are random, migration 007): the
 * doubles find a booking's meeting by it when the test did not tell them the portal's.
 */
export const contractMeetingKey = (bookingId: string) => createHash('sha256').update(bookingId).digest('hex').slice(0, 32);

/** A double of a service we run for real (Janus) answers by asking it, so later than at once. */
type Answer<T> = T | Promise<T>;

/** What the contract asks of a double. */
export interface ProviderDouble {
  /** Meetings that exist for this booking (0 or 1 when the adapter is right). */
  meetingCount(bookingId: string): Answer<number>;
  meeting(bookingId: string): Answer<DoubleMeeting | null>;
  /** Times a new meeting was created for the booking. */
  createCount(bookingId: string): Answer<number>;
  /** Opens a join URL as a browser would and says whom the server let in, and as what. */
  follow(url: string): Promise<JoinOutcome>;
  setParticipants(bookingId: string, n: number): Answer<void>;
  plantOrphan?(bookingId: string): Answer<void>;
  deleteMeeting?(bookingId: string): Answer<void>;
  /** What the service keeps for a booking's phone audio (Adobe Connect: telephony profiles), where it keeps any. */
  audioSetups?(bookingId: string): Answer<number>;
  /** A recording the service made of the booking's meeting, published or not; its id. Where the service records. */
  addRecording?(bookingId: string, r: { start: Date; minutes: number; published?: boolean }): Answer<string>;
  /** A recording as the service keeps it, or null once deleted. */
  recordingState?(id: string): Answer<{ published: boolean } | null>;
  http: { baseUrl: string; delayMs: number; failures: { status: number; left: number }; start(): Promise<unknown>; stop(): Promise<void> };
}

export type ContractSubject = {
  name: string;
  /** The service keeps meetings (false for Jitsi, which has none before someone joins). */
  stateful: boolean;
  /** The adapter talks HTTP to the service (false for Jitsi: tokens are signed locally). */
  remote: boolean;
  /** The id the double reports hosts by, for a participant. */
  hostIdOf(user: { id: string; email: string }): string;
  double(): Promise<ProviderDouble>;
  /** `audio`: with the adapter's phone-audio settings (pjsip endpoint, Jigasi, Universal Voice provider). */
  provider(double: ProviderDouble, opts?: { badCredentials?: boolean; timeoutMs?: number; audio?: boolean }): ConferenceProvider;
  /** The RoomAudio mode the adapter gives after `prepare` with `spec.audio` set, with and without its phone-audio settings. */
  roomAudio: { configured: RoomAudio['mode'] | null; unconfigured: RoomAudio['mode'] | null };
};

const roomAudioOf = (p: ConferenceProvider, ref: MeetingRef, spec: MeetingSpec): RoomAudio | null => (hasAudioLeg(p) ? p.roomAudio(ref, spec) : null);

export function conferenceProviderContract(s: ContractSubject): void {
  describe(`${s.name} adapter (contract)`, () => {
    let double: ProviderDouble;
    let provider: ConferenceProvider;
    const host = { id: randomUUID(), email: `host-${Date.now()}@example.org`, name: 'Ada Host' };
    const minute = (offset: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 + offset * 60_000);
    const spec = (over: Partial<MeetingSpec> = {}): MeetingSpec => {
      const bookingId = over.bookingId ?? randomUUID();
      return { ...fields(), bookingId, meetingKey: contractMeetingKey(bookingId), ...over };
    };
    const fields = (): Omit<MeetingSpec, 'bookingId' | 'meetingKey'> => ({
      title: 'Thesis defence',
      start: minute(10),
      end: minute(70),
      seats: 12,
      timeZone: 'Europe/Rome',
      host: { userId: host.id, email: host.email, name: host.name },
      guestPolicy: 'open',
      settings: {},
    });

    beforeAll(async () => {
      double = await s.double();
      provider = s.provider(double);
    });
    afterAll(() => double.http.stop());

    it('prepares a meeting once even when asked twice', async () => {
      const m = spec();
      const a = await provider.prepare(m);
      const b = await provider.prepare(m);
      expect(b.id).toBe(a.id);
      if (s.stateful) {
        expect(await double.meetingCount(m.bookingId)).toBe(1);
        expect(await double.createCount(m.bookingId)).toBe(1);
      }
    });

    it('gives the booker a host URL the service accepts as host, and a guest an attendee URL', async () => {
      const m = spec();
      const ref = await provider.prepare(m);
      const hostJoin = await double.follow(await provider.hostJoinUrl(ref, host, m));
      expect(hostJoin).toMatchObject({ ok: true, role: 'host', name: host.name });
      const guestJoin = await double.follow(await provider.attendeeJoinUrl(ref, { id: 'guest-1', name: 'Gianni Ospite' }, m));
      expect(guestJoin).toMatchObject({ ok: true, role: 'attendee', name: 'Gianni Ospite' });
      if (s.stateful) expect((await double.meeting(m.bookingId))!.hostIds).toContain(s.hostIdOf(host));
    });

    it('produces URLs the service rejects once tampered with', async () => {
      const m = spec();
      const ref = await provider.prepare(m);
      const url = await provider.hostJoinUrl(ref, host, m);
      // Flip one character of the credential (checksum, session or token) in the URL.
      const tampered = url.replace(/(checksum=|session=|jwt=[^.]*\.[^.]*\.)([0-9a-zA-Z_-])/, (_all, k: string, c: string) => k + (c === 'a' ? 'b' : 'a'));
      expect(tampered).not.toBe(url);
      const out = await double.follow(tampered);
      expect(out.ok && out.role === 'host').toBe(false);
    });

    it('updates the meeting when the booking moves, keeping one meeting', async () => {
      const m = spec();
      const ref = await provider.prepare(m);
      const moved = { ...m, title: 'Thesis defence (moved)', start: new Date(m.start.getTime() + 3_600_000), end: new Date(m.end.getTime() + 3_600_000) };
      const after = await provider.update(ref, moved);
      expect(after.id).toBe(ref.id);
      if (s.stateful) {
        expect(await double.meetingCount(m.bookingId)).toBe(1);
        const seen = (await double.meeting(m.bookingId))!;
        if (seen.end) expect(seen.end.getTime()).toBe(moved.end.getTime());
      }
    });

    it('ends and releases a meeting, and doing it twice is harmless', async () => {
      const m = spec();
      const ref = await provider.prepare(m);
      await provider.end(ref);
      await provider.end(ref);
      if (s.stateful) expect((await double.follow(await provider.attendeeJoinUrl(ref, { id: 'g', name: 'Late Guest' }, m).catch(() => 'http://127.0.0.1:1/'))).ok).toBe(false);
      await provider.release(ref, m);
      await provider.release(ref, m);
      if (s.stateful) expect(await double.meetingCount(m.bookingId)).toBe(0);
    });

    it('counts live participants where the service reports them', async () => {
      if (!hasParticipantCounter(provider)) return expect(s.stateful).toBe(false);
      const m = spec();
      const ref = await provider.prepare(m);
      expect(await provider.participantCount(ref)).toBe(0);
      await double.setParticipants(m.bookingId, 3);
      expect(await provider.participantCount(ref)).toBe(3);
    });

    it('reports attendance, including people who left, where the service keeps it', async () => {
      if (!hasAttendanceReport(provider)) return;
      const m = spec();
      const ref = await provider.prepare(m);
      expect(await provider.attendanceCount(ref)).toBe(0);
      expect(await double.follow(await provider.attendeeJoinUrl(ref, { id: 'g', name: 'Early Guest' }, m))).toMatchObject({ ok: true });
      expect(await provider.attendanceCount(ref)).toBe(1);
    });

    it('lists who is in the meeting by the id the portal gave at join, where the service lists people', async () => {
      if (!hasAttendeeLister(provider)) return;
      const m = spec();
      const ref = await provider.prepare(m);
      expect(await provider.attendees(ref)).toEqual([]);
      await double.follow(await provider.hostJoinUrl(ref, host, m));
      await double.follow(await provider.attendeeJoinUrl(ref, { id: 'guest-5f3a9c', name: 'Gianni Ospite', guest: true }, m));
      expect(await provider.attendees(ref)).toEqual(expect.arrayContaining([{ id: host.id, name: host.name }, { id: 'guest-5f3a9c', name: 'Gianni Ospite' }]));
    });

    it('lists, publishes, unpublishes and deletes the recordings of a meeting, where the service records', async () => {
      if (!hasRecordingStore(provider)) return;
      if (!double.addRecording || !double.recordingState) throw new Error(`the ${s.name} double must model recordings: the adapter keeps them`);
      const m = spec();
      const ref = await provider.prepare(m);
      const window = { start: m.start, end: m.end };
      expect(await provider.recordings(ref, window)).toEqual([]);
      const id = await double.addRecording(m.bookingId, { start: new Date(m.start.getTime() + 60_000), minutes: 42 });
      const [listed, ...more] = await provider.recordings(ref, window);
      expect(more).toEqual([]);
      expect(listed).toMatchObject({ id, published: false, lengthMinutes: 42, start: new Date(m.start.getTime() + 60_000) });
      expect(listed!.url).toMatch(/^https?:\/\//);
      await provider.publishRecording(ref, id, true);
      expect(await double.recordingState(id)).toEqual({ published: true });
      expect((await provider.recordings(ref, window))[0]!.published).toBe(true);
      await provider.publishRecording(ref, id, false);
      expect(await double.recordingState(id)).toEqual({ published: false });
      await provider.deleteRecording(ref, id);
      expect(await double.recordingState(id)).toBeNull();
      expect(await provider.recordings(ref, window)).toEqual([]);
      // Deleting one already gone is fine.
      await provider.deleteRecording(ref, id);
    });

    it('lists the meetings it made, for reconcile', async () => {
      if (!hasMeetingLister(provider)) return expect(s.stateful).toBe(false);
      const m = spec();
      await provider.prepare(m);
      // Listed by the key in its name (never the booking id, which every member sees), or, where the
      // service keeps no name anybody can use to enter (Janus), by the booking.
      const listed = (await provider.listMeetings()).map((x) => ('meetingKey' in x ? x.meetingKey : x.bookingId));
      expect(listed).toContain(s.stateful && provider.kind === 'janus' ? m.bookingId : m.meetingKey);
    });

    const audio = { numbers: ['+390612345678'], pin: '4825193', sipUri: 'sip:4825193@audio.example.org' };

    it('tells how the room takes phone audio, exactly as configured', async () => {
      for (const configured of [false, true]) {
        const p = configured ? s.provider(double, { audio: true }) : provider;
        const m = spec({ audio });
        const got = roomAudioOf(p, await p.prepare(m), m);
        expect(got?.mode ?? null, configured ? 'with phone-audio settings' : 'without').toBe(configured ? s.roomAudio.configured : s.roomAudio.unconfigured);
        if (got?.mode === 'originate') {
          // An ARI originate endpoint of chan_pjsip: PJSIP/<endpoint>, PJSIP/<user>@<endpoint> or PJSIP/<endpoint>/<uri>.
          expect(got.endpoint).toMatch(/^PJSIP\/[^\s/@]+(@[^\s/@]+)?(\/\S+)?$/);
          for (const [name, value] of Object.entries(got.variables ?? {})) expect({ name, value }).toMatchObject({ name: expect.stringMatching(/\S/), value: expect.any(String) });
        }
        if (!configured && double.audioSetups) expect(await double.audioSetups(m.bookingId)).toBe(0);
      }
    });

    it('keeps one phone-audio setup for a booking prepared twice, and none once released', async () => {
      const p = s.provider(double, { audio: true });
      const m = spec({ audio });
      const first = await p.prepare(m);
      const again = await p.prepare(m);
      expect(roomAudioOf(p, again, m)).toEqual(roomAudioOf(p, first, m));
      if (!double.audioSetups) return;
      expect(await double.audioSetups(m.bookingId)).toBe(1);
      await p.release(again, m);
      expect(await double.audioSetups(m.bookingId)).toBe(0);
    });

    it('reports health', async () => {
      expect((await provider.health()).ok).toBe(true);
    });

    it('maps refused connections and 5xx answers to retryable errors', async () => {
      if (!s.remote) return;
      double.http.failures = { status: 503, left: 1000 };
      const e1 = await provider.prepare(spec()).catch((e: unknown) => e);
      double.http.failures = { status: 503, left: 0 };
      expect(e1).toBeInstanceOf(ProviderError);
      expect(e1).toMatchObject({ retryable: true, code: 'PROVIDER_UNAVAILABLE' });
      await double.http.stop();
      const e2 = await provider.prepare(spec()).catch((e: unknown) => e);
      await double.http.start();
      expect(e2).toMatchObject({ retryable: true, code: 'PROVIDER_UNREACHABLE' });
    });

    it('maps bad credentials to a permanent error an admin can act on', async () => {
      if (!s.remote) return;
      const wrong = s.provider(double, { badCredentials: true });
      const e = await wrong.prepare(spec()).catch((err: unknown) => err);
      expect(e).toMatchObject({ retryable: false, code: 'PROVIDER_AUTH' });
      expect((e as Error).message).toMatch(/check/i);
      expect((await wrong.health()).ok).toBe(false);
    });

    it('gives up on a call that takes too long, as a retryable timeout', async () => {
      if (!s.remote) return;
      const quick = s.provider(double, { timeoutMs: 100 });
      double.http.delayMs = 400;
      const e = await quick.prepare(spec()).catch((err: unknown) => err);
      double.http.delayMs = 0;
      expect(e).toMatchObject({ retryable: true, code: 'PROVIDER_TIMEOUT' });
    });
  });
}
