// BigBlueButton over its API (docs/docs/development/api.md; shared/reference/bigbluebutton-api.md).
// One meeting per booking, meetingID = wm-<booking id>: `create` is idempotent on the server
// (§3 "duplicateWarning"), so preparing twice leaves one meeting.
import { createHash } from 'node:crypto';
import { httpCall, parseXml } from '../http.ts';
import {
  bookingIdOfKey,
  meetingKey,
  permanent,
  retryable,
  type ConferenceProvider,
  type MeetingLister,
  type MeetingRef,
  type MeetingSpec,
  type Participant,
  type ParticipantCounter,
} from '../port.ts';

export type BigBlueButtonConfig = {
  /** e.g. https://bbb.example.org/bigbluebutton/api */
  url: string;
  secret: string;
  checksum: 'sha1' | 'sha256';
  timeoutMs: number;
  logoutUrl?: string | undefined;
  /** The portal's clock (tests move it). */
  now: () => Date;
};

type Answer = Record<string, unknown> & { returncode?: string; messageKey?: string; message?: string };

const SERVICE = 'BigBlueButton';
// §3: guestPolicy values; "lobby" is BBB's ASK_MODERATOR.
const GUEST_POLICY = { open: 'ALWAYS_ACCEPT', pin: 'ALWAYS_ACCEPT', lobby: 'ASK_MODERATOR' } as const;

export class BigBlueButtonProvider implements ConferenceProvider, ParticipantCounter, MeetingLister {
  readonly kind = 'bigbluebutton';
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
    return permanent('PROVIDER_REFUSED', `${SERVICE} refused ${call} (${key || 'no messageKey'})${said}.`);
  }

  async prepare(spec: MeetingSpec): Promise<MeetingRef> {
    const id = meetingKey(spec.bookingId);
    const minutes = Math.max(1, Math.ceil((spec.end.getTime() - this.cfg.now().getTime()) / 60_000));
    const doc = await this.call('create', {
      name: spec.title.slice(0, 64).padEnd(2, ' '),
      meetingID: id,
      welcome: `Welcome to ${spec.title}`,
      maxParticipants: spec.seats,
      guestPolicy: GUEST_POLICY[spec.guestPolicy],
      logoutURL: this.cfg.logoutUrl,
      // §3: a created meeting nobody joined expires after 5 minutes by default; keep it until the end.
      meetingExpireIfNoUserJoinedInMinutes: minutes,
      meta_bookingId: spec.bookingId,
    });
    return { id, data: { createTime: String(doc.createTime ?? '') } };
  }

  /** BBB has no "update": the next create (at join) carries the new values; the id stays. */
  async update(ref: MeetingRef, spec: MeetingSpec): Promise<MeetingRef> {
    return this.prepare(spec).then((fresh) => ({ ...ref, ...fresh }));
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

  async listMeetings(): Promise<{ ref: MeetingRef; bookingId: string }[]> {
    const doc = await this.call('getMeetings', {});
    const meetings = ((doc.meetings as { meeting?: Answer[] } | '' | undefined) || {}).meeting ?? [];
    return meetings.flatMap((m) => {
      const bookingId = bookingIdOfKey(String(m.meetingID ?? ''));
      return bookingId && String(m.hasBeenForciblyEnded) !== 'true' ? [{ ref: { id: String(m.meetingID) }, bookingId }] : [];
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
