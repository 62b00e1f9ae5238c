// Jitsi Meet. With an app secret: token authentication (the Jitsi handbook, "JWT token
// authentication" / lib-jitsi-meet doc/tokens.md): an HS256 JWT with aud, iss, sub, room, exp, nbf
// and context.user {name, email, moderator}, passed as ?jwt=. Without one: a public Jitsi server,
// no token; the room name is wm-<the booking's secret meeting key> (port.ts meetingName), not the
// booking id that every member sees, so nobody can guess it.
// Jitsi keeps no meetings ahead of time: prepare, end and release change nothing on the server.
// A deployment of the institution's own can also ask the portal whether a room may open (the
// reservation API in reservations.ts), which is what ends a room at the booking's end.
// Phone audio (docs/telephony.md): with Jigasi registered to Asterisk, Asterisk calls Jigasi and
// names the room in an INVITE header; Jigasi joins that room as the phone callers' participant.
// Head counts (usage statistics): a Jitsi server of the institution's own can enable Prosody's
// mod_muc_census (jitsi-meet resources/prosody-plugins), whose GET /room-census answers
// {"room_census": [{"room_name": "<room>@<muc domain>", "participants": N, "created_time": T}]}
// for the rooms that exist now. With JITSI_CENSUS_URL set the adapter counts from it; without it
// (meet.jit.si) it cannot count, and says so by not offering participantCount at all.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { KeptValues } from '../../app/kept-reads.ts';
import { meetingName, retryable, type AudioLeg, type ConferenceProvider, type MeetingRef, type MeetingSpec, type Participant, type RoomAudio } from '../port.ts';
import type { JigasiSettings } from '../settings.ts';
import { signHs256 } from '../signed-token.ts';

export type JitsiConfig = {
  /** e.g. https://meet.example.org */
  url: string;
  appId?: string | undefined;
  appSecret?: string | undefined;
  /** The `aud` claim the server expects (prosody `asap_accepted_audiences`; "jitsi" by default). */
  audience: string;
  /** The `sub` claim: the server's domain, or "*". */
  subject: string;
  /** Minutes before the start a token is already valid (`nbf`). */
  openMinutesBefore: number;
  /** Null or absent: no Jigasi, the room takes no phone audio. */
  jigasi?: JigasiSettings | null | undefined;
  /** Prosody's mod_muc_census endpoint (…/room-census), kept inside the network; null: no counts. */
  censusUrl?: string | null | undefined;
  timeoutMs?: number | undefined;
  now: () => Date;
};

const SIGNED_TOKENS_KEPT = 10_000;

type Census = { room_census?: { room_name?: unknown; participants?: unknown }[] };

export class JitsiProvider implements ConferenceProvider, AudioLeg {
  readonly kind = 'jitsi';
  private readonly cfg: JitsiConfig;
  // A KeyObject made once, not the secret's text per token.
  private readonly key: KeyObject | null;
  /**
   * Tokens already signed, by their claims. A token is a pure function of its claims (no iat, no
   * jti; nbf is the room's opening once joining is open), so the same person joining the same
   * meeting again gets the same token without signing it again: signing was most of a cached
   * join's own work in the meeting-start benchmark (bench/RESULTS.md, issue #13). A guest's token
   * is not kept: each guest who enters is a new participant id (joining.ts), so it is never asked
   * again, and a lecture's guests would push the members' tokens out.
   */
  private readonly signed = new KeptValues<string>(SIGNED_TOKENS_KEPT);
  /** Present only with a census to ask (the registry checks for it once: ParticipantCounter). */
  readonly participantCount?: (ref: MeetingRef) => Promise<number>;

  constructor(cfg: JitsiConfig) {
    this.cfg = { ...cfg, url: cfg.url.replace(/\/+$/, '') };
    this.key = cfg.appSecret ? createSecretKey(Buffer.from(cfg.appSecret, 'utf8')) : null;
    const census = cfg.censusUrl;
    if (census) this.participantCount = (ref) => this.countFromCensus(census, ref);
  }

  private async countFromCensus(url: string, ref: MeetingRef): Promise<number> {
    const res = await fetch(url, { signal: AbortSignal.timeout(this.cfg.timeoutMs ?? 10_000) });
    if (!res.ok) throw retryable('PROVIDER_UNAVAILABLE', `The Jitsi room census answered ${res.status}.`);
    const body = (await res.json()) as Census;
    // Room names are compared without the MUC domain and case (Jitsi lowercases room names).
    const room = ref.id.toLowerCase();
    const entry = (body.room_census ?? []).find((r) => typeof r.room_name === 'string' && r.room_name.split('@')[0]!.toLowerCase() === room);
    return entry && typeof entry.participants === 'number' ? Math.max(0, entry.participants) : 0;
  }

  get usesTokens(): boolean {
    return this.key !== null;
  }

  async prepare(spec: MeetingSpec): Promise<MeetingRef> {
    const room = meetingName(spec);
    return { id: room, url: `${this.cfg.url}/${room}` };
  }

  async update(_ref: MeetingRef, spec: MeetingSpec): Promise<MeetingRef> {
    return this.prepare(spec);
  }

  /**
   * Jigasi reads the room from an INVITE header (jigasi README, "Incoming calls"; header name
   * configurable, JITSI_MEET_ROOM_HEADER_NAME) and takes a bare name or the full MUC JID
   * (CallContext.setRoomName); the JID names the MUC explicitly. `PJSIP/<endpoint>` dials the
   * contact Jigasi registered; PJSIP_HEADER(add,…) set at originate goes into that INVITE.
   */
  roomAudio(_ref: MeetingRef, spec: MeetingSpec): RoomAudio | null {
    const j = this.cfg.jigasi;
    if (!j) return null;
    return { mode: 'originate', endpoint: `PJSIP/${j.endpoint}`, variables: { [`PJSIP_HEADER(add,${j.roomHeader})`]: `${meetingName(spec)}@${j.mucDomain}` } };
  }

  async end(): Promise<void> {}
  async release(): Promise<void> {}

  async hostJoinUrl(ref: MeetingRef, user: Participant, spec: MeetingSpec): Promise<string> {
    return this.joinUrl(ref, user, spec, true);
  }

  async attendeeJoinUrl(ref: MeetingRef, guest: Participant, spec: MeetingSpec): Promise<string> {
    return this.joinUrl(ref, guest, spec, false);
  }

  private async joinUrl(_ref: MeetingRef, who: Participant, spec: MeetingSpec, moderator: boolean): Promise<string> {
    // The room is named from the spec, not the stored handle: a meeting prepared before migration 007
    // (wm-<booking id>) moves to its secret name at once, as Jitsi keeps nothing ahead of time.
    const room = meetingName(spec);
    const base = `${this.cfg.url}/${encodeURIComponent(room)}`;
    // The Jitsi web app reads config overrides from the URL fragment (config.js / interface_config.js).
    const fragment = `#userInfo.displayName=${encodeURIComponent(JSON.stringify(who.name))}`;
    if (!this.key) return base + fragment;
    const now = Math.floor(this.cfg.now().getTime() / 1000);
    const nbf = Math.min(now, Math.floor(spec.start.getTime() / 1000) - this.cfg.openMinutesBefore * 60);
    // Signed synchronously with node:crypto (signed-token.ts): on the join hot path several times
    // cheaper than an asynchronous WebCrypto job per token. The test double verifies with jose.
    const claims = {
      room,
      context: { user: { id: who.id, name: who.name, ...(who.email ? { email: who.email } : {}), moderator } },
      aud: this.cfg.audience,
      iss: this.cfg.appId ?? 'webmeetings',
      sub: this.cfg.subject,
      nbf,
      exp: Math.floor(spec.end.getTime() / 1000),
    };
    // The claims' JSON is both the key of the tokens kept and the token's payload.
    const payload = JSON.stringify(claims);
    const key = this.key;
    const token = who.guest ? signHs256(payload, key) : this.signed.get(payload, () => signHs256(payload, key));
    return `${base}?jwt=${token}${fragment}`;
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    return { ok: true, detail: this.key ? 'Jitsi with token authentication: tokens are signed locally.' : `Public Jitsi at ${this.cfg.url}: no token needed.` };
  }
}
