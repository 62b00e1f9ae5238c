// BigBlueButton over its API (docs/docs/development/api.md; shared/reference/bigbluebutton-api.md).
// One meeting per booking, meetingID = wm-<the booking's secret meeting key> (port.ts meetingName;
// a meeting prepared before migration 007 keeps its wm-<booking id>): `create` is idempotent on the
// server (§3 "duplicateWarning"), so preparing twice leaves one meeting.
// Phone audio (§7, docs/telephony.md): Asterisk calls the meeting's FreeSWITCH voice bridge, so
// `create` asks for a voice bridge derived from the meeting key and keeps the one the server answers.
import { createHash } from 'node:crypto';
import { httpCall, parseXml } from '../http.ts';
import {
  bookingIdOfHandle,
  meetingKeyOfName,
  meetingName,
  permanent,
  retryable,
  type ConferenceProvider,
  type ListedMeeting,
  type OutsideMeeting,
  type OutsideMeetingLister,
  type MeetingLister,
  type MeetingRef,
  type MeetingSpec,
  type Participant,
  type ParticipantCounter,
  type AudioLeg,
  type AttendeeLister,
  type MeetingAttendee,
  type MeetingRecording,
  type RecordingStore,
  type ProviderError,
  type RoomAudio,
  type GuestLobby,
} from '../port.ts';

export type BigBlueButtonConfig = {
  /** e.g. https://bbb.example.org/bigbluebutton/api */
  url: string;
  secret: string;
  checksum: 'sha1' | 'sha256';
  timeoutMs: number;
  logoutUrl?: string | undefined;
  /** The pjsip endpoint in Asterisk that reaches BBB's FreeSWITCH (BBB_SIP_ENDPOINT). */
  sipEndpoint?: string | undefined;
  /** The portal's clock (tests move it). */
  now: () => Date;
};

type Answer = Record<string, unknown> & { returncode?: string; messageKey?: string; message?: string };

const SERVICE = 'BigBlueButton';
// §3: guestPolicy values; "lobby" is BBB's ASK_MODERATOR.
const GUEST_POLICY = { open: 'ALWAYS_ACCEPT', pin: 'ALWAYS_ACCEPT', lobby: 'ASK_MODERATOR' } as const;
/** Derived voice bridges tried before leaving the choice to the server. */
const VOICE_BRIDGE_TRIES = 3;

/**
 * §3, §7: a 5-digit voice bridge (10000–99999) derived from the booking, so that every `create` of
 * the same booking asks for the same one; `attempt` gives the next candidate when one is taken.
 */
export function voiceBridgeFor(meetingKey: string, attempt = 0): number {
  return 10_000 + (createHash('sha256').update(`${meetingKey}/${attempt}`).digest().readUInt32BE(0) % 90_000);
}

export class BigBlueButtonProvider implements ConferenceProvider, ParticipantCounter, MeetingLister, OutsideMeetingLister, AudioLeg, AttendeeLister, RecordingStore, GuestLobby {
  readonly kind = 'bigbluebutton';
  readonly guestLobby = true as const;
  private readonly cfg: BigBlueButtonConfig;
  constructor(cfg: BigBlueButtonConfig) {
    this.cfg = { ...cfg, url: cfg.url.replace(/\/+$/, '') };
  }

  /** §2: checksum = hex(H(callName + query + secret)), over the query exactly as sent. */
  signedUrl(call: string, params: Record<string, string | number | boolean | undefined>): string {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) query.append(k, String(v));
    const qs = query.toString();
    const checksum = createHash(this.cfg.checksum).update(call + qs + this.cfg.secret).digest('hex');
    return `${this.cfg.url}/${call}?${qs}${qs ? '&' : ''}checksum=${checksum}`;
  }

  private async call(call: string, params: Record<string, string | number | boolean | undefined>): Promise<Answer> {
    const res = await httpCall(SERVICE, this.signedUrl(call, params), { method: 'GET', timeoutMs: this.cfg.timeoutMs });
    const doc = parseXml(SERVICE, res.text).response as Answer | undefined;
    if (!doc || (doc.returncode !== 'SUCCESS' && doc.returncode !== 'FAILED')) throw retryable('PROVIDER_BAD_ANSWER', `${SERVICE} answered ${call} without a returncode.`);
    if (doc.returncode === 'FAILED') throw this.failure(call, doc);
    return doc;
  }

  /** §6 error keys: which ones an admin must fix, which ones mean "not there". */
  private failure(call: string, doc: Answer) {
    const key = doc.messageKey ?? '';
    const said = doc.message ? `: ${doc.message}` : '';
    if (key === 'checksumError') return permanent('PROVIDER_AUTH', `${SERVICE} refused the checksum of ${call}${said}. Check BBB_SECRET and BBB_CHECKSUM.`);
    if (key === 'notFound' || key === 'invalidMeetingIdentifier') return permanent('MEETING_NOT_FOUND', `${SERVICE} has no such meeting${said}.`);
    // ApiErrors.nonUniqueVoiceBridgeError: another running meeting has this voice bridge.
    if (key === 'nonUniqueVoiceBridge') return permanent('VOICE_BRIDGE_TAKEN', `${SERVICE} refused ${call}: the voice bridge is in use${said}.`);
    return permanent('PROVIDER_REFUSED', `${SERVICE} refused ${call} (${key || 'no messageKey'})${said}.`);
  }

  async prepare(spec: MeetingSpec): Promise<MeetingRef> {
    return this.create(spec, meetingName(spec));
  }

  private async create(spec: MeetingSpec, id: string): Promise<MeetingRef> {
    const minutes = Math.max(1, Math.ceil((spec.end.getTime() - this.cfg.now().getTime()) / 60_000));
    const phone = spec.audio?.numbers[0];
    const params = {
      name: spec.title.slice(0, 64).padEnd(2, ' '),
      meetingID: id,
      // The PIN callers need is the booking's, not the voice bridge BBB's own %%CONFNUM%% would show.
      welcome: `Welcome to ${spec.title}` + (phone && spec.audio ? `<br>By phone: dial ${phone}, PIN ${spec.audio.pin}` : ''),
      maxParticipants: spec.seats,
      guestPolicy: GUEST_POLICY[spec.guestPolicy],
      logoutURL: this.cfg.logoutUrl,
      // §3: a created meeting nobody joined expires after 5 minutes by default; keep it until the end.
      meetingExpireIfNoUserJoinedInMinutes: minutes,
      // §7: display only (%%DIALNUM%%); the call reaches the meeting through our conference.
      dialNumber: phone,
      meta_bookingId: spec.bookingId,
    };
    // §3: a repeated create answers duplicateWarning with the meeting's own voice bridge, whatever we
    // ask; only a new meeting can find its derived bridge taken. After a few derived candidates the
    // server picks a free one (§7), and the ref keeps whichever the server answered.
    for (let attempt = 0; ; attempt++) {
      const voiceBridge = attempt < VOICE_BRIDGE_TRIES ? voiceBridgeFor(spec.meetingKey, attempt) : undefined;
      try {
        const doc = await this.call('create', { ...params, voiceBridge });
        return { id, data: { createTime: String(doc.createTime ?? ''), voiceBridge: String(doc.voiceBridge ?? '') } };
      } catch (e) {
        if (voiceBridge === undefined || (e as ProviderError).code !== 'VOICE_BRIDGE_TAKEN') throw e;
      }
    }
  }

  /** Asterisk dials the voice bridge at BBB's FreeSWITCH (docs/telephony.md, "BigBlueButton"). */
  roomAudio(ref: MeetingRef): RoomAudio | null {
    const voiceBridge = ref.data?.voiceBridge;
    if (!voiceBridge || !/^\d{5,}$/.test(voiceBridge)) return null;
    return { mode: 'originate', endpoint: `PJSIP/${voiceBridge}@${this.cfg.sipEndpoint ?? 'bigbluebutton'}` };
  }

  /** BBB has no "update": the next create (at join) carries the new values; the id stays. */
  async update(ref: MeetingRef, spec: MeetingSpec): Promise<MeetingRef> {
    return this.create(spec, ref.id).then((fresh) => ({ ...ref, ...fresh }));
  }

  async end(ref: MeetingRef): Promise<void> {
    try {
      await this.call('end', { meetingID: ref.id });
    } catch (e) {
      if ((e as { code?: string }).code !== 'MEETING_NOT_FOUND') throw e;
    }
  }

  /** A BBB meeting disappears from the server once ended: releasing is ending. */
  async release(ref: MeetingRef): Promise<void> {
    await this.end(ref);
  }

  async hostJoinUrl(ref: MeetingRef, user: Participant, spec: MeetingSpec): Promise<string> {
    return this.joinUrl(ref, spec, { fullName: user.name, role: 'MODERATOR', userID: user.id });
  }

  async attendeeJoinUrl(ref: MeetingRef, guest: Participant, spec: MeetingSpec): Promise<string> {
    return this.joinUrl(ref, spec, { fullName: guest.name, role: 'VIEWER', userID: guest.id, guest: true });
  }

  /** §4: join needs the meeting to exist; create again (idempotent) to learn its createTime. */
  private async joinUrl(_ref: MeetingRef, spec: MeetingSpec, who: Record<string, string | boolean>): Promise<string> {
    const created = await this.prepare(spec);
    return this.signedUrl('join', { meetingID: created.id, ...who, createTime: created.data?.createTime || undefined, redirect: true });
  }

  async participantCount(ref: MeetingRef): Promise<number> {
    try {
      const doc = await this.call('getMeetingInfo', { meetingID: ref.id });
      return Number(doc.participantCount ?? 0);
    } catch (e) {
      if ((e as { code?: string }).code === 'MEETING_NOT_FOUND') return 0;
      throw e;
    }
  }

  /**
   * §5 getMeetingInfo `<attendees>`: `userID` is the one our join URL gave (§4 "userID ... echoed in
   * getMeetingInfo"), so the portal knows each person; phone callers the bridge brought in (`v_` ids,
   * §7) are left out: the portal counts its callers itself.
   */
  async attendees(ref: MeetingRef): Promise<MeetingAttendee[]> {
    let doc: Answer;
    try {
      doc = await this.call('getMeetingInfo', { meetingID: ref.id });
    } catch (e) {
      if ((e as { code?: string }).code === 'MEETING_NOT_FOUND') return [];
      throw e;
    }
    const list = ((doc.attendees as { attendee?: Answer[] } | '' | undefined) || {}).attendee ?? [];
    return list.flatMap((a) => {
      const id = String(a.userID ?? '');
      return id && !id.startsWith('v_') ? [{ id, name: String(a.fullName ?? '').trim() || id }] : [];
    });
  }

  /**
   * docs/docs/development/api.md "getRecordings" (bbb-web get-recordings.ftl): one `<recording>`
   * per recording of the meetingID, `<published>`, `<startTime>`/`<endTime>` in epoch ms, and per
   * playback `<format>` its `<url>` and `<length>` in minutes. None: SUCCESS with `noRecordings`.
   */
  async recordings(ref: MeetingRef): Promise<MeetingRecording[]> {
    const doc = await this.call('getRecordings', { meetingID: ref.id, state: 'processing,processed,published,unpublished' });
    const list = ((doc.recordings as { recording?: Answer[] } | '' | undefined) || {}).recording ?? [];
    return list.map((r) => {
      const formats = ((r.playback as { format?: Answer[] } | '' | undefined) || {}).format ?? [];
      const main = formats.find((f) => f.type === 'presentation') ?? formats[0];
      const end = Number(r.endTime ?? 0);
      const length = main?.length !== undefined && main.length !== '' ? Number(main.length) : null;
      return {
        id: String(r.recordID ?? ''),
        name: String(r.name ?? ''),
        start: new Date(Number(r.startTime ?? 0)),
        end: end > 0 ? new Date(end) : null,
        lengthMinutes: length !== null && Number.isFinite(length) ? length : null,
        published: String(r.published) === 'true',
        url: main?.url ? String(main.url) : null,
      };
    });
  }

  /** docs/docs/development/api.md "publishRecordings": recordID + publish=true|false → `<published>`. */
  async publishRecording(_ref: MeetingRef, recordingId: string, published: boolean): Promise<void> {
    await this.call('publishRecordings', { recordID: recordingId, publish: published });
  }

  /** docs/docs/development/api.md "deleteRecordings": recordID → `<deleted>true</deleted>`; gone already is fine. */
  async deleteRecording(_ref: MeetingRef, recordingId: string): Promise<void> {
    try {
      await this.call('deleteRecordings', { recordID: recordingId });
    } catch (e) {
      if ((e as { code?: string }).code !== 'MEETING_NOT_FOUND') throw e;
    }
  }

  /** §6 getMeetings: every meeting on the server, ours or not (forcibly ended ones are on their way out). */
  private async liveMeetings(): Promise<Answer[]> {
    const doc = await this.call('getMeetings', {});
    const meetings = ((doc.meetings as { meeting?: Answer[] } | '' | undefined) || {}).meeting ?? [];
    return meetings.filter((m) => String(m.hasBeenForciblyEnded) !== 'true');
  }

  async listMeetings(): Promise<ListedMeeting[]> {
    return (await this.liveMeetings()).flatMap((m): ListedMeeting[] => {
      const id = String(m.meetingID ?? '');
      const meetingKey = meetingKeyOfName(id);
      if (meetingKey) return [{ ref: { id }, meetingKey }];
      const bookingId = bookingIdOfHandle(id);
      return bookingId ? [{ ref: { id }, bookingId }] : [];
    });
  }

  /** §6 getMeetings: meetingName, and startTime in epoch milliseconds (0 before it started); BBB meetings have no planned end. */
  async listOutsideMeetings(): Promise<OutsideMeeting[]> {
    return (await this.liveMeetings()).flatMap((m): OutsideMeeting[] => {
      const id = String(m.meetingID ?? '');
      if (!id || meetingKeyOfName(id) || bookingIdOfHandle(id)) return [];
      const started = Number(m.startTime ?? 0);
      return [{ ref: { id }, name: String(m.meetingName ?? id), start: started > 0 ? new Date(started) : null, end: null }];
    });
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      await this.call('getMeetings', {});
      return { ok: true, detail: `${SERVICE} answers and accepts the checksum.` };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  }
}
