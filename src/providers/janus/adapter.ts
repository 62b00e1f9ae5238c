// Janus (janus.conf.meetecho.com/docs) as the portal's own meeting room. Each booking gets a
// VideoRoom room (cameras, screens) and an AudioBridge room (everyone's audio mixed, and the phone
// callers' RTP leg) with the same number, derived from the booking (secrets.ts): prepare twice,
// one room. Both are private, with the booking's seats as the publishers' cap, a secret that only
// the portal knows and a PIN the portal gives to the browsers it admits. The description starts
// with the booking handle (wm-<booking>), which is how reconcile tells the portal's rooms apart;
// knowing it is no way in (rooms are reached with the admin key, the secret and the PIN).
// Join URLs lead to the portal's room page (/room/<booking>) with a signed ticket.
import { randomInt } from 'node:crypto';
import { JanusApi, type Plugin, type PluginData } from './api.ts';
import { ControlSession } from './control-session.ts';
import { openPhoneLeg, PHONE_GROUP, WEB_GROUP } from './phone-leg.ts';
import { RoomSecrets } from './secrets.ts';
import {
  bookingIdOfHandle,
  bookingHandle,
  type AudioLeg,
  type BrowserRoom,
  type ConferenceProvider,
  type ExternalMediaPeer,
  type ExternalMediaRoom,
  type MeetingLister,
  type MeetingRef,
  type MeetingSpec,
  type Participant,
  type ParticipantCounter,
  type RoomAudio,
  type RoomEntry,
  type RoomParticipant,
  type RoomTicket,
  type GuestLobby,
} from '../port.ts';

export type JanusConfig = {
  /** The HTTP API as the portal reaches it, e.g. http://127.0.0.1:8088/janus. */
  url: string;
  /** The HTTP API as browsers reach it (a reverse-proxy path such as https://meet.example.org/janus). */
  publicUrl: string;
  /** The plugins' admin_key (janus.plugin.videoroom.jcfg, janus.plugin.audiobridge.jcfg). */
  adminKey: string;
  /** Derives the rooms' numbers, secrets, PINs and the tickets' key. */
  secret: string;
  /** Where Asterisk sends a room's RTP, when not the address Janus reports (AudioBridge local_ip). */
  rtpHost?: string | undefined;
  /** The portal's public URL: join URLs lead to its room page. */
  portalUrl: string;
  timeoutMs: number;
  now: () => Date;
};

const VIDEO: Plugin = 'janus.plugin.videoroom';
const AUDIO: Plugin = 'janus.plugin.audiobridge';
const DESCRIPTION_MAX = 160;

export class JanusProvider implements ConferenceProvider, ParticipantCounter, MeetingLister, AudioLeg, ExternalMediaRoom, BrowserRoom, GuestLobby {
  readonly kind = 'janus';
  readonly guestLobby = true as const;
  private readonly cfg: JanusConfig;
  private readonly api: JanusApi;
  private readonly control: ControlSession;
  private readonly secrets: RoomSecrets;

  constructor(cfg: JanusConfig) {
    this.cfg = { ...cfg, portalUrl: cfg.portalUrl.replace(/\/+$/, '') };
    this.api = new JanusApi(cfg.url, cfg.timeoutMs);
    this.control = new ControlSession(this.api);
    this.secrets = new RoomSecrets(cfg.secret);
  }

  private bookingOf(ref: MeetingRef): string {
    const id = bookingIdOfHandle(ref.id);
    if (!id) throw new Error(`not a meeting key: ${ref.id}`);
    return id;
  }

  private room(bookingId: string) {
    return { room: this.secrets.roomOf(bookingId), secret: this.secrets.secretOf(bookingId), pin: this.secrets.pinOf(bookingId) };
  }

  private request(plugin: Plugin, body: Record<string, unknown>): Promise<PluginData> {
    return this.control.request(plugin, body);
  }

  async prepare(spec: MeetingSpec): Promise<MeetingRef> {
    const r = this.room(spec.bookingId);
    const description = `${bookingHandle(spec.bookingId)} ${spec.title}`.slice(0, DESCRIPTION_MAX);
    // videoroom "create": publishers caps who may send video; notify_joining tells the others about
    // people without a camera too. audiobridge "create": plain RTP participants for the phone leg.
    const create = {
      [VIDEO]: { publishers: Math.max(1, spec.seats), notify_joining: true, audiocodec: 'opus', videocodec: 'vp8', fir_freq: 10 },
      [AUDIO]: { sampling_rate: 16000, allow_rtp_participants: true, audiolevel_event: true, groups: [WEB_GROUP, PHONE_GROUP] },
    };
    const edit = { [VIDEO]: { new_publishers: Math.max(1, spec.seats) }, [AUDIO]: {} };
    for (const plugin of [VIDEO, AUDIO]) {
      const exists = (await this.request(plugin, { request: 'exists', room: r.room })).exists === true;
      const made = exists
        ? false
        : await this.request(plugin, { request: 'create', room: r.room, description, secret: r.secret, pin: r.pin, is_private: true, admin_key: this.cfg.adminKey, ...create[plugin] }).then(
            () => true,
            (e: unknown) => {
              // Made by a concurrent prepare between our exists and create: edit it instead.
              if ((e as { code?: string }).code === 'ROOM_EXISTS') return false;
              throw e;
            },
          );
      if (!made) await this.request(plugin, { request: 'edit', room: r.room, secret: r.secret, new_description: description, new_pin: r.pin, new_is_private: true, ...edit[plugin] });
    }
    return { id: bookingHandle(spec.bookingId), data: { room: String(r.room) } };
  }

  async update(_ref: MeetingRef, spec: MeetingSpec): Promise<MeetingRef> {
    return this.prepare(spec);
  }

  /** Destroying a room sends everyone in it a "destroyed" event: the meeting is over. */
  async end(ref: MeetingRef): Promise<void> {
    const r = this.room(this.bookingOf(ref));
    for (const plugin of [VIDEO, AUDIO]) {
      await this.request(plugin, { request: 'destroy', room: r.room, secret: r.secret }).catch((e: unknown) => {
        if ((e as { code?: string }).code !== 'MEETING_NOT_FOUND') throw e;
      });
    }
  }

  async release(ref: MeetingRef): Promise<void> {
    await this.end(ref);
  }

  private joinUrl(ref: MeetingRef, who: Participant, spec: MeetingSpec, role: 'host' | 'attendee'): string {
    const bookingId = this.bookingOf(ref);
    const ticket = this.secrets.ticket({ bookingId, role, name: who.name, userId: who.id, lobby: role === 'attendee' && spec.guestPolicy === 'lobby' && who.guest === true }, spec.end);
    // The ticket travels in the fragment: browsers do not send it to servers, logs or Referer.
    return `${this.cfg.portalUrl}/room/${bookingId}#jwt=${ticket}`;
  }

  async hostJoinUrl(ref: MeetingRef, user: Participant, spec: MeetingSpec): Promise<string> {
    return this.joinUrl(ref, user, spec, 'host');
  }

  async attendeeJoinUrl(ref: MeetingRef, guest: Participant, spec: MeetingSpec): Promise<string> {
    return this.joinUrl(ref, guest, spec, 'attendee');
  }

  admit(ticket: string): RoomTicket | null {
    return this.secrets.verify(ticket, this.cfg.now());
  }

  /** The browser joins both rooms under a number the portal picks, so the host's controls can name it. */
  async enter(ref: MeetingRef, who: RoomTicket): Promise<RoomEntry> {
    const r = this.room(this.bookingOf(ref));
    return { server: this.cfg.publicUrl, room: r.room, pin: r.pin, participantId: randomInt(1, 2 ** 47), display: who.name, audioGroup: WEB_GROUP };
  }

  async participants(ref: MeetingRef): Promise<RoomParticipant[]> {
    const r = this.room(this.bookingOf(ref));
    const [video, audio] = await Promise.all([this.request(VIDEO, { request: 'listparticipants', room: r.room }), this.request(AUDIO, { request: 'listparticipants', room: r.room })]);
    const byId = new Map<number, RoomParticipant>();
    for (const p of listOf(video)) byId.set(p.id, { id: p.id, display: p.display ?? '', publishing: p.publisher === true, audioMuted: null });
    for (const p of listOf(audio)) {
      const seen = byId.get(p.id);
      byId.set(p.id, { id: p.id, display: seen?.display || p.display || '', publishing: seen?.publishing ?? false, audioMuted: p.muted === true });
    }
    return [...byId.values()];
  }

  async participantCount(ref: MeetingRef): Promise<number> {
    const r = this.room(this.bookingOf(ref));
    try {
      return listOf(await this.request(VIDEO, { request: 'listparticipants', room: r.room })).length;
    } catch (e) {
      if ((e as { code?: string }).code === 'MEETING_NOT_FOUND') return 0;
      throw e;
    }
  }

  /** audiobridge "mute"/"unmute" (the room's secret): the participant's audio leaves the mix. */
  async mute(ref: MeetingRef, participantId: number, muted: boolean): Promise<void> {
    const r = this.room(this.bookingOf(ref));
    await this.request(AUDIO, { request: muted ? 'mute' : 'unmute', room: r.room, secret: r.secret, id: participantId });
  }

  /** "kick" in both rooms; gone from one of them already is fine, from both is not found. */
  async remove(ref: MeetingRef, participantId: number): Promise<void> {
    const r = this.room(this.bookingOf(ref));
    let found = 0;
    let lastMissing: unknown = null;
    for (const plugin of [VIDEO, AUDIO]) {
      try {
        await this.request(plugin, { request: 'kick', room: r.room, secret: r.secret, id: participantId });
        found++;
      } catch (e) {
        if ((e as { code?: string }).code !== 'PARTICIPANT_NOT_FOUND') throw e;
        lastMissing = e;
      }
    }
    if (found === 0) throw lastMissing;
  }

  async listMeetings(): Promise<{ ref: MeetingRef; bookingId: string }[]> {
    // videoroom "list" shows private rooms only with the admin_key.
    const rooms = ((await this.request(VIDEO, { request: 'list', admin_key: this.cfg.adminKey })).list ?? []) as { room: number; description?: string }[];
    return rooms.flatMap((room) => {
      const bookingId = bookingIdOfHandle((room.description ?? '').split(' ')[0] ?? '');
      return bookingId && this.secrets.roomOf(bookingId) === room.room ? [{ ref: { id: bookingHandle(bookingId), data: { room: String(room.room) } }, bookingId }] : [];
    });
  }

  /** Callers reach the AudioBridge room through an RTP participant in G.711 µ-law (Asterisk's ulaw). */
  roomAudio(): RoomAudio {
    return { mode: 'external-media', format: 'ulaw' };
  }

  openExternalMedia(ref: MeetingRef, onLost: () => void): Promise<ExternalMediaPeer> {
    const r = this.room(this.bookingOf(ref));
    return openPhoneLeg({ api: this.api, room: r.room, pin: r.pin, secret: r.secret, adminKey: this.cfg.adminKey, rtpHost: this.cfg.rtpHost, onLost });
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      await this.request(VIDEO, { request: 'list', admin_key: this.cfg.adminKey });
      return { ok: true, detail: 'Janus answers and accepts the admin key.' };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.control.close();
  }
}

type Listed = { id: number; display?: string; publisher?: boolean; muted?: boolean };
const listOf = (data: PluginData): Listed[] => ((data.participants ?? []) as Listed[]).filter((p) => typeof p.id === 'number');
