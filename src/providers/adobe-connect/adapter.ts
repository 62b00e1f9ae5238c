// Adobe Connect over its XML Web Services (shared/reference/adobe-connect-api.md, which cites
// Adobe's pages section by section). Two models, chosen per room in provider_settings:
// - per booking (default): a fresh meeting per booking at url-path /wm-<meeting key>/ (the booking's
//   secret key, port.ts meetingName: with public access the path is the way in, so it must not come
//   from the booking id), deleted on release; prepare looks it up by url-path first, so preparing
//   twice leaves one meeting; an update keeps the path the meeting has (one prepared before
//   migration 007 keeps its /wm-<booking id>/ until released);
// - fixed room (`scoId` set): the room's own meeting is reassigned to each booking (name, dates,
//   host) and reset on release, as in the reference deployment.
// Phone audio: with a Universal Voice provider configured, each meeting gets a telephony profile
// (universal-voice.ts) and the room dials the booking's audio conference itself.
import { randomBytes } from 'node:crypto';
import { httpCall, parseXml } from '../http.ts';
import {
  bookingIdOfHandle,
  meetingKeyOfName,
  meetingName,
  permanent,
  retryable,
  type AttendanceReport,
  type AudioLeg,
  type ConferenceProvider,
  type ListedMeeting,
  type OutsideMeeting,
  type OutsideMeetingLister,
  type MeetingLister,
  type MeetingRecording,
  type MeetingRef,
  type RecordingStore,
  type MeetingSpec,
  type Participant,
  type ParticipantCounter,
  type ProviderError,
  type RoomAudio,
  type GuestLobby,
} from '../port.ts';
import type { AdobeTelephony } from '../settings.ts';
import { UniversalVoice } from './universal-voice.ts';

export type AdobeConnectConfig = {
  /** e.g. https://connect.example.org (the API is at /api/xml) */
  url: string;
  login: string;
  password: string;
  /** §4.3: the HTTP header the server's HeaderAuthenticationFilter reads (HTTP_AUTH_HEADER). */
  ssoHeader: string;
  folderId?: string | undefined;
  /** Universal Voice settings; null or absent: the room takes no phone audio. */
  telephony?: AdobeTelephony | null | undefined;
  timeoutMs: number;
};

type Node = Record<string, unknown>;
type Params = Record<string, string | number | undefined | (string | number)[]>;

const SERVICE = 'Adobe Connect';
// §6.1: public-access permission per guest policy. "pin" stays public in Connect: the portal's guest
// page asks for the PIN before it hands out the room URL.
const PUBLIC_ACCESS = { open: 'view-hidden', pin: 'view-hidden', lobby: 'remove' } as const;

/** §3: Connect accepts ISO 8601 with a numeric offset; UTC with Z is what we send. */
const connectDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class AdobeConnectProvider implements ConferenceProvider, ParticipantCounter, AttendanceReport, MeetingLister, OutsideMeetingLister, AudioLeg, RecordingStore, GuestLobby {
  readonly kind = 'adobe-connect';
  readonly guestLobby = true as const;
  private readonly cfg: AdobeConnectConfig;
  private session: Promise<string> | null = null;
  private folder: Promise<string> | null = null;
  private readonly voice: UniversalVoice | null;

  constructor(cfg: AdobeConnectConfig) {
    this.cfg = { ...cfg, url: cfg.url.replace(/\/+$/, '') };
    this.voice = cfg.telephony ? new UniversalVoice((action, params) => this.call(action, params), cfg.telephony) : null;
  }

  private apiUrl(action: string, params: Params, session?: string): string {
    const q = new URLSearchParams({ action });
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
    }
    if (session) q.append('session', session);
    return `${this.cfg.url}/api/xml?${q.toString()}`;
  }

  /** §1, §2: every answer is <results><status code=…/>…</results>. */
  private async raw(action: string, params: Params, opts: { session?: string; headers?: Record<string, string> } = {}) {
    const res = await httpCall(SERVICE, this.apiUrl(action, params, opts.session), { method: 'GET', headers: opts.headers ?? {}, timeoutMs: this.cfg.timeoutMs });
    const results = parseXml(SERVICE, res.text).results as Node | undefined;
    const status = results?.status as Node | undefined;
    if (!results || !status) throw retryable('PROVIDER_BAD_ANSWER', `${SERVICE} answered ${action} without <results><status>.`);
    return { results, status, code: String(status['@code'] ?? ''), headers: res.headers };
  }

  /** §4.1: log in once, keep the BREEZESESSION, log in again when the server says no-login. */
  private async call(action: string, params: Params): Promise<Node> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.adminSession();
      const r = await this.raw(action, params, { session });
      if (r.code === 'no-access' && r.status['@subcode'] === 'no-login' && attempt === 0) {
        this.session = null;
        continue;
      }
      if (r.code !== 'ok') throw this.failure(action, r.code, r.status);
      return r.results;
    }
  }

  private failure(action: string, code: string, status: Node): ProviderError {
    const invalid = (status.invalid as Node[] | undefined)?.[0];
    switch (code) {
      case 'invalid':
        return permanent('PROVIDER_REFUSED', `${SERVICE} refused ${action}: parameter "${String(invalid?.['@field'] ?? '?')}" is ${String(invalid?.['@subcode'] ?? 'invalid')}.`);
      case 'no-access':
        return permanent('PROVIDER_AUTH', `${SERVICE} denied ${action} (${String(status['@subcode'] ?? 'no-access')}); check that the portal's account may manage meetings.`);
      case 'no-data':
        return permanent('MEETING_NOT_FOUND', `${SERVICE} has no data for ${action}; the meeting or folder may have been deleted.`);
      case 'too-much-data':
        return permanent('PROVIDER_REFUSED', `${SERVICE} found several matches for ${action}.`);
      default:
        return retryable('PROVIDER_BAD_ANSWER', `${SERVICE} answered ${action} with status "${code}".`);
    }
  }

  private adminSession(): Promise<string> {
    this.session ??= this.login().catch((e: unknown) => {
      this.session = null;
      throw e;
    });
    return this.session;
  }

  private async login(): Promise<string> {
    const r = await this.raw('login', { login: this.cfg.login, password: this.cfg.password });
    if (r.code === 'no-data') throw permanent('PROVIDER_AUTH', `${SERVICE} refused the login of ${this.cfg.login}; check ADOBE_CONNECT_LOGIN and ADOBE_CONNECT_PASSWORD.`);
    if (r.code !== 'ok') throw this.failure('login', r.code, r.status);
    return breezeSession(r.headers) ?? Promise.reject(retryable('PROVIDER_BAD_ANSWER', `${SERVICE} logged in without a BREEZESESSION cookie.`));
  }

  /** §5.1: the meetings folder furthest down the tree, unless configured. */
  private meetingsFolder(spec?: MeetingSpec): Promise<string> {
    const own = spec?.settings.folderId;
    if (typeof own === 'string' && own) return Promise.resolve(own);
    if (this.cfg.folderId) return Promise.resolve(this.cfg.folderId);
    this.folder ??= this.call('sco-shortcuts', {}).then((r) => {
      const scos = ((r.shortcuts as Node | undefined)?.sco as Node[] | undefined) ?? [];
      for (const type of ['my-meetings', 'user-meetings', 'meetings']) {
        const found = scos.find((s) => s['@type'] === type);
        if (found) return String(found['@sco-id']);
      }
      throw permanent('PROVIDER_REFUSED', `${SERVICE} shows the portal's account no meetings folder; make it a Meeting Host.`);
    });
    return this.folder.catch((e: unknown) => {
      this.folder = null;
      throw e;
    });
  }

  private async findByUrlPath(folderId: string, urlPath: string): Promise<Node | null> {
    const r = await this.call('sco-contents', { 'sco-id': folderId, 'filter-type': 'meeting', 'filter-url-path': `/${urlPath}/` });
    return (((r.scos as Node | undefined)?.sco as Node[] | undefined) ?? [])[0] ?? null;
  }

  async prepare(spec: MeetingSpec): Promise<MeetingRef> {
    return this.prepareAt(spec, undefined);
  }

  /** `pathKey`: the url-path (without slashes) of the per-booking meeting the booking already has. */
  private async prepareAt(spec: MeetingSpec, pathKey: string | undefined): Promise<MeetingRef> {
    const fixed = typeof spec.settings.scoId === 'string' && spec.settings.scoId ? spec.settings.scoId : null;
    const fields = { type: 'meeting', name: spec.title.slice(0, 60), 'date-begin': connectDate(spec.start), 'date-end': connectDate(spec.end), lang: 'en' };
    let scoId: string;
    let urlPath: string;
    if (fixed) {
      // §5.4: update with sco-id (never folder-id); the echo of <sco> on update is not guaranteed.
      await this.call('sco-update', { 'sco-id': fixed, name: fields.name, 'date-begin': fields['date-begin'], 'date-end': fields['date-end'] });
      const info = await this.call('sco-info', { 'sco-id': fixed });
      scoId = fixed;
      urlPath = String((info.sco as Node[] | undefined)?.[0]?.['url-path'] ?? '');
    } else {
      const folderId = await this.meetingsFolder(spec);
      const key = pathKey ?? meetingName(spec);
      const existing = await this.findByUrlPath(folderId, key);
      if (existing) {
        scoId = String(existing['@sco-id']);
        await this.call('sco-update', { 'sco-id': scoId, name: fields.name, 'date-begin': fields['date-begin'], 'date-end': fields['date-end'] });
      } else {
        const r = await this.call('sco-update', { ...fields, 'folder-id': folderId, 'url-path': key });
        scoId = String((r.sco as Node[] | undefined)?.[0]?.['@sco-id'] ?? '');
        if (!scoId) throw retryable('PROVIDER_BAD_ANSWER', `${SERVICE} created a meeting without telling its sco-id.`);
      }
      urlPath = `/${key}/`;
    }
    const hostId = await this.principalFor({ id: spec.host.userId, email: spec.host.email, name: spec.host.name });
    await this.call('permissions-update', {
      'acl-id': [scoId, scoId],
      'principal-id': [hostId, 'public-access'],
      'permission-id': ['host', PUBLIC_ACCESS[spec.guestPolicy]],
    });
    const profileId = this.voice ? await this.voice.prepare(scoId, spec) : null;
    return {
      id: scoId,
      url: `${this.cfg.url}${urlPath}`,
      data: { urlPath, hostPrincipalId: hostId, mode: fixed ? 'fixed' : 'per-booking', ...(profileId ? { telephonyProfileId: profileId } : {}) },
    };
  }

  /** Universal Voice: the room calls our number and keys in the PIN its profile carries. */
  roomAudio(): RoomAudio | null {
    return this.voice ? { mode: 'dials-in' } : null;
  }

  async update(ref: MeetingRef, spec: MeetingSpec): Promise<MeetingRef> {
    const path = ref.data?.mode === 'per-booking' ? ref.data.urlPath?.replace(/^\/|\/$/g, '') : undefined;
    return this.prepareAt(spec, path || undefined);
  }

  /** Connect documents no call that ejects participants; ending closes the door to new guests. */
  async end(ref: MeetingRef): Promise<void> {
    await this.call('permissions-update', { 'acl-id': ref.id, 'principal-id': 'public-access', 'permission-id': 'denied' }).catch(ignoreMissing);
  }

  async release(ref: MeetingRef, spec?: MeetingSpec): Promise<void> {
    await this.voice?.release(ref.data?.telephonyProfileId, spec?.bookingId);
    if (ref.data?.mode === 'fixed') {
      // §6.1: "remove" drops the booker's explicit host permission; the room goes back to private.
      const trios = { 'acl-id': [ref.id], 'principal-id': ['public-access'], 'permission-id': ['denied'] };
      if (ref.data.hostPrincipalId) {
        trios['acl-id'].push(ref.id);
        trios['principal-id'].push(ref.data.hostPrincipalId);
        trios['permission-id'].push('remove');
      }
      await this.call('permissions-update', trios).catch(ignoreMissing);
      return;
    }
    await this.call('sco-delete', { 'sco-id': ref.id }).catch(ignoreMissing);
  }

  /** §7: find the user's principal by login (the e-mail), or create it. */
  private async principalFor(user: Participant): Promise<string> {
    const login = user.email ?? `${user.id}@webmeetings.invalid`;
    const list = await this.call('principal-list', { 'filter-login': login });
    const found = ((list['principal-list'] as Node | undefined)?.principal as Node[] | undefined)?.[0];
    if (found) return String(found['@principal-id']);
    const [first, ...rest] = user.name.split(/\s+/);
    const created = await this.call('principal-update', {
      'first-name': first || login,
      'last-name': rest.join(' ') || '-',
      login,
      email: login,
      password: randomBytes(18).toString('base64url'),
      type: 'user',
      'has-children': 0,
      'send-email': 'false',
    });
    const id = (created.principal as Node[] | undefined)?.[0]?.['@principal-id'];
    if (!id) throw retryable('PROVIDER_BAD_ANSWER', `${SERVICE} created a user without telling its principal-id.`);
    return String(id);
  }

  /** §4.3: a session for the user through HTTP-header authentication, handed to the browser as ?session=. */
  async hostJoinUrl(ref: MeetingRef, user: Participant, _spec: MeetingSpec): Promise<string> {
    const principal = await this.principalFor(user);
    if (principal !== ref.data?.hostPrincipalId) {
      await this.call('permissions-update', { 'acl-id': ref.id, 'principal-id': principal, 'permission-id': 'host' });
    }
    const login = user.email ?? `${user.id}@webmeetings.invalid`;
    const r = await this.raw('login', { 'external-auth': 'use' }, { headers: { [this.cfg.ssoHeader]: login } });
    if (r.code !== 'ok') throw permanent('PROVIDER_AUTH', `${SERVICE} refused single sign-on for ${login} (${r.code}); check that HTTP header authentication is enabled with header ${this.cfg.ssoHeader}.`);
    const token = breezeSession(r.headers);
    if (!token) throw retryable('PROVIDER_BAD_ANSWER', `${SERVICE} signed ${login} in without a BREEZESESSION cookie.`);
    return `${this.roomUrl(ref)}?session=${encodeURIComponent(token)}`;
  }

  /** A guest enters through the room URL; `guestName` pre-fills the guest login box. */
  async attendeeJoinUrl(ref: MeetingRef, guest: Participant, _spec: MeetingSpec): Promise<string> {
    return `${this.roomUrl(ref)}?guestName=${encodeURIComponent(guest.name)}`;
  }

  private roomUrl(ref: MeetingRef): string {
    return ref.url ?? `${this.cfg.url}${ref.data?.urlPath ?? ''}`;
  }

  /** §8.1: only rooms with someone inside are listed. */
  async participantCount(ref: MeetingRef): Promise<number> {
    const r = await this.call('report-active-meetings', {});
    const scos = ((r['report-active-meetings'] as Node | undefined)?.sco as Node[] | undefined) ?? [];
    return Number(scos.find((s) => String(s['@sco-id']) === ref.id)?.['@active-participants'] ?? 0);
  }

  /** §8.2: one row per attendance; hosts are left out, and so is a meeting never started. */
  async attendanceCount(ref: MeetingRef): Promise<number> {
    const r = await this.call('report-meeting-attendance', { 'sco-id': ref.id });
    return (((r['report-meeting-attendance'] as Node | undefined)?.row as Node[] | undefined) ?? []).length;
  }

  /** The meetings in the portal's meetings folder (sco-contents, filter-type=meeting), each with its ref and url-path. */
  private async folderMeetings(): Promise<{ sco: Node; ref: MeetingRef; path: string }[]> {
    const folderId = await this.meetingsFolder();
    const r = await this.call('sco-contents', { 'sco-id': folderId, 'filter-type': 'meeting' });
    const scos = ((r.scos as Node | undefined)?.sco as Node[] | undefined) ?? [];
    return scos.map((sco) => {
      const path = String(sco['url-path'] ?? '').replace(/^\/|\/$/g, '');
      return { sco, path, ref: { id: String(sco['@sco-id']), url: `${this.cfg.url}/${path}/`, data: { urlPath: `/${path}/`, mode: 'per-booking' } } };
    });
  }

  async listMeetings(): Promise<ListedMeeting[]> {
    return (await this.folderMeetings()).flatMap(({ ref, path }): ListedMeeting[] => {
      const meetingKey = meetingKeyOfName(path);
      if (meetingKey) return [{ ref, meetingKey }];
      const bookingId = bookingIdOfHandle(path);
      return bookingId ? [{ ref, bookingId }] : [];
    });
  }

  /** sco-contents gives each meeting's name, date-begin and date-end (ISO 8601 with offset); release deletes it (sco-delete). */
  async listOutsideMeetings(): Promise<OutsideMeeting[]> {
    const at = (v: unknown) => {
      const d = v ? new Date(String(v)) : null;
      return d && !Number.isNaN(d.getTime()) ? d : null;
    };
    return (await this.folderMeetings()).flatMap(({ sco, ref, path }): OutsideMeeting[] =>
      meetingKeyOfName(path) || bookingIdOfHandle(path) ? [] : [{ ref, name: String(sco.name ?? path), start: at(sco['date-begin']), end: at(sco['date-end']) }],
    );
  }

  /**
   * Adobe, "Get meeting archives": a meeting's recordings are its SCOs with type=content and
   * icon=archive, listed by sco-contents&sco-id=<meeting>&filter-icon=archive, each with date-begin,
   * date-end, url-path and duration (hh:mm:ss.mmm). A fixed room keeps every booking's recordings,
   * so only those made during this booking are its. Published = the archive is public (§6.1: the
   * public-access principal has `view`), read with permissions-info per archive.
   */
  async recordings(ref: MeetingRef, window: { start: Date; end: Date }): Promise<MeetingRecording[]> {
    let doc: Node;
    try {
      doc = await this.call('sco-contents', { 'sco-id': ref.id, 'filter-icon': 'archive' });
    } catch (e) {
      if ((e as ProviderError).code === 'MEETING_NOT_FOUND') return [];
      throw e;
    }
    const scos = ((doc.scos as Node | undefined)?.sco as Node[] | undefined) ?? [];
    const fixed = ref.data?.mode === 'fixed';
    const archives = scos.filter((x) => x['@icon'] === 'archive').map((x) => ({ x, start: new Date(String(x['date-begin'] ?? x['date-created'] ?? '')) }));
    const mine = archives.filter(({ start }) => !Number.isNaN(start.getTime()) && (!fixed || (start >= window.start && start < window.end)));
    return Promise.all(
      mine.map(async ({ x, start }) => {
        const id = String(x['@sco-id']);
        const end = x['date-end'] ? new Date(String(x['date-end'])) : null;
        const perm = await this.call('permissions-info', { 'acl-id': id, 'principal-id': 'public-access' });
        const published = ((perm.permission as Node | undefined)?.['@permission-id'] ?? '') === 'view';
        const path = String(x['url-path'] ?? '');
        return { id, name: String(x.name ?? ''), start, end, lengthMinutes: durationMinutes(String(x.duration ?? '')), published, url: path ? `${this.cfg.url}${path}` : null };
      }),
    );
  }

  /** §6.1 permissions-update on the archive: public-access `view` publishes it, `remove` makes it private again. */
  async publishRecording(_ref: MeetingRef, recordingId: string, published: boolean): Promise<void> {
    await this.call('permissions-update', { 'acl-id': recordingId, 'principal-id': 'public-access', 'permission-id': published ? 'view' : 'remove' });
  }

  /** §5.5 sco-delete on the archive; one already gone is fine. */
  async deleteRecording(_ref: MeetingRef, recordingId: string): Promise<void> {
    await this.call('sco-delete', { 'sco-id': recordingId }).catch(ignoreMissing);
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      await this.call('common-info', {});
      return { ok: true, detail: `${SERVICE} answers and accepts the portal's login.` };
    } catch (e) {
      return { ok: false, detail: (e as Error).message };
    }
  }
}

function breezeSession(headers: Headers): string | null {
  for (const c of headers.getSetCookie()) {
    const m = /^BREEZESESSION=([^;]+)/.exec(c);
    if (m) return m[1]!;
  }
  return null;
}

function ignoreMissing(e: unknown) {
  if ((e as { code?: string }).code !== 'MEETING_NOT_FOUND') throw e;
}

/** "Get meeting archives": `duration` is hh:mm:ss.mmm; whole minutes, rounded, or null when absent. */
function durationMinutes(d: string): number | null {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(d.trim());
  return m ? Math.round(Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) / 60) : null;
}
