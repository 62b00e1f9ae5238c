// Adobe Connect test double: the XML Web Services as shared/reference/adobe-connect-api.md restates
// them (section numbers below), with state: sessions, principals, meetings, permissions, telephony
// profiles and ACL fields (§9).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { legacyNameOf, meetingNameOf as meetingKey } from './meeting-keys.ts';
import { HttpDouble, xmlEscape, type DoubleMeeting, type JoinOutcome, type ProviderDouble } from './http-double.ts';

type Principal = { id: string; login: string; email: string; name: string; password: string | null; admin: boolean; extLogin: string | null };
type TelephonyProfile = { id: string; name: string; providerId: string | null; principalId: string; status: 'enabled' | 'disabled'; confNumbers: { number: string; location: string }[]; fields: Map<string, string> };
/** A recording is a `content` SCO with icon `archive` inside its meeting ("Get meeting archives"). */
type Sco = { id: string; folderId: string; type: 'folder' | 'meeting' | 'content'; icon?: 'archive'; name: string; urlPath: string; dateBegin: string | null; dateEnd: string | null; created: number; duration?: string };

const FOLDER_ID = '2006258750';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

export class AdobeConnectDouble implements ProviderDouble {
  readonly http: HttpDouble;
  readonly ssoHeader = 'x-user-id';
  readonly admin: Principal;
  readonly principals = new Map<string, Principal>();
  readonly scos = new Map<string, Sco>();
  /** acl-id → principal-id → permission-id (§6.1). */
  readonly permissions = new Map<string, Map<string, string>>();
  readonly active = new Map<string, number>();
  /** sco-id → people who entered (hosts excluded, §8.2). */
  readonly attendance = new Map<string, { name: string; at: string }[]>();
  /** §9: telephony providers (provider-id → its field ids) and the profiles made of them. */
  readonly telephonyProviders = new Map<string, Set<string>>();
  readonly profiles = new Map<string, TelephonyProfile>();
  /** acl-id → field-id → value (acl-field-update, §9). */
  readonly aclFields = new Map<string, Map<string, string>>();
  private readonly sessions = new Map<string, string | null>();
  private readonly created = new Map<string, number>();
  private nextId = 3_000_000;
  /** Every action called, in order (tests read it to check the protocol was followed). */
  readonly log: string[] = [];

  constructor(opts: { login?: string; password?: string } = {}) {
    this.admin = { id: '1000', login: opts.login ?? 'portal@example.org', email: opts.login ?? 'portal@example.org', name: 'Portal', password: opts.password ?? 'secret-pw', admin: true, extLogin: null };
    this.principals.set(this.admin.id, this.admin);
    this.scos.set(FOLDER_ID, { id: FOLDER_ID, folderId: '0', type: 'folder', name: 'My Meetings', urlPath: '/my-meetings/', dateBegin: null, dateEnd: null, created: 0 });
    this.http = new HttpDouble((req, res, url) => this.handle(req, res, url));
  }

  get folderId() {
    return FOLDER_ID;
  }

  private handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (url.pathname !== '/api/xml') {
      this.room(res, url);
      return;
    }
    const p = url.searchParams;
    const action = p.get('action') ?? '';
    this.log.push(action);
    const token = p.get('session') ?? /BREEZESESSION=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
    const who = token && this.sessions.has(token) ? this.sessions.get(token)! : null;
    const me = who ? this.principals.get(who) ?? null : null;

    switch (action) {
      case 'common-info': {
        // §4.2: a cookie even without login; <user> only when logged in.
        const cookie = token ?? this.newSession(null);
        return this.ok(res, `<common locale="en"><cookie>${cookie}</cookie><date>${new Date().toISOString()}</date><host>${this.http.baseUrl}</host><version>12.0</version>${me ? `<account account-id="7"/><user user-id="${me.id}" type="user"><name>${xmlEscape(me.name)}</name><login>${xmlEscape(me.login)}</login></user>` : ''}</common>`, cookie);
      }
      case 'login':
        return this.login(req, res, p, token);
      case 'logout':
        if (token) this.sessions.delete(token);
        return this.ok(res, '');
    }
    // §2, §10.3: every other action needs a valid session.
    if (!me) return this.status(res, '<status code="no-access" subcode="no-login"/>');
    const adminOnly = ['sco-update', 'sco-delete', 'permissions-update', 'principal-update', 'principal-list', 'sco-contents', 'sco-shortcuts', 'sco-info', 'report-active-meetings', 'report-meeting-attendance', 'permissions-info'];
    if (adminOnly.includes(action) && !me.admin) return this.status(res, '<status code="no-access" subcode="denied"/>');
    switch (action) {
      case 'sco-shortcuts':
        return this.ok(res, `<shortcuts><sco tree-id="624530" sco-id="${FOLDER_ID}" type="my-meetings"><domain-name>${this.http.baseUrl}</domain-name></sco><sco tree-id="624529" sco-id="624529" type="meetings"><domain-name>${this.http.baseUrl}</domain-name></sco></shortcuts>`);
      case 'sco-contents': {
        const folder = p.get('sco-id');
        if (!folder) return this.invalid(res, 'sco-id', 'long', 'missing');
        if (!this.scos.has(folder)) return this.status(res, '<status code="no-data"/>');
        const type = p.get('filter-type');
        const path = p.get('filter-url-path');
        const icon = p.get('filter-icon');
        const items = [...this.scos.values()].filter((s) => s.folderId === folder && (!type || s.type === type) && (!path || s.urlPath === path) && (!icon || (s.icon ?? s.type) === icon));
        return this.ok(res, `<scos>${items.map((s) => this.scoXml(s)).join('')}</scos>`);
      }
      case 'sco-info': {
        const sco = this.scos.get(p.get('sco-id') ?? '');
        if (!sco) return this.status(res, '<status code="no-data"/>');
        return this.ok(res, this.scoXml(sco));
      }
      case 'sco-update':
        return this.scoUpdate(res, p);
      case 'sco-delete': {
        const ids = p.getAll('sco-id');
        if (ids.length === 0) return this.invalid(res, 'sco-id', 'long', 'missing');
        if (ids.some((id) => !this.scos.has(id))) return this.status(res, '<status code="no-data"/>');
        // §5.5: deleting a folder (or a meeting) deletes its contents too: a meeting's archives go with it.
        for (const id of ids) for (const child of [...this.scos.values()].filter((x) => x.folderId === id)) this.scos.delete(child.id);
        for (const id of ids) {
          this.scos.delete(id);
          this.permissions.delete(id);
          this.aclFields.delete(id);
        }
        return this.ok(res, '');
      }
      case 'permissions-update': {
        // §6.1: trios; invalid trios are skipped, the call still answers ok.
        const acl = p.getAll('acl-id');
        const principal = p.getAll('principal-id');
        const perm = p.getAll('permission-id');
        if (acl.length === 0) return this.invalid(res, 'acl-id', 'long', 'missing');
        if (acl.length !== principal.length || acl.length !== perm.length) return this.invalid(res, 'permission-id', 'string', 'missing');
        acl.forEach((a, i) => {
          const pid = principal[i]!;
          const id = perm[i]!;
          if (!this.scos.has(a)) return;
          if (pid !== 'public-access' && !this.principals.has(pid)) return;
          if (!['host', 'mini-host', 'view', 'remove', 'denied', 'view-hidden', 'manage', 'publish'].includes(id)) return;
          const perms = this.permissions.get(a) ?? new Map<string, string>();
          if (id === 'remove' && pid !== 'public-access') perms.delete(pid);
          else perms.set(pid, id);
          this.permissions.set(a, perms);
        });
        return this.ok(res, '');
      }
      case 'permissions-info': {
        const acl = p.get('acl-id') ?? '';
        const one = p.get('principal-id');
        // §6.2: with principal-id, that principal's permission; none explicit shows permission-id="".
        if (one) return this.ok(res, `<permission acl-id="${acl}" permission-id="${this.permissions.get(acl)?.get(one) ?? ''}" principal-id="${one}"/>`);
        const perms = [...(this.permissions.get(acl) ?? new Map<string, string>())];
        return this.ok(res, perms.map(([pid, id]) => `<permission acl-id="${acl}" permission-id="${id}" principal-id="${pid}"/>`).join(''));
      }
      case 'principal-list': {
        const login = p.get('filter-login');
        const email = p.get('filter-email');
        const found = [...this.principals.values()].filter((x) => (!login || x.login === login) && (!email || x.email === email));
        return this.ok(res, `<principal-list>${found.map((x) => `<principal principal-id="${x.id}" account-id="7" type="user" has-children="false" is-primary="false" is-hidden="false"><name>${xmlEscape(x.name)}</name><login>${xmlEscape(x.login)}</login><email>${xmlEscape(x.email)}</email></principal>`).join('')}</principal-list>`);
      }
      case 'principal-update':
        return this.principalUpdate(res, p);
      case 'report-active-meetings': {
        const rows = [...this.active].filter(([id, n]) => n > 0 && this.scos.has(id));
        return this.ok(res, `<report-active-meetings>${rows.map(([id, n]) => `<sco sco-id="${id}" active-participants="${n}" length-minutes="5"><name>${xmlEscape(this.scos.get(id)!.name)}</name><url-path>${this.scos.get(id)!.urlPath}</url-path></sco>`).join('')}</report-active-meetings>`);
      }
      case 'report-meeting-attendance': {
        const scoId = p.get('sco-id') ?? '';
        if (!this.scos.has(scoId)) return this.status(res, '<status code="no-data"/>');
        const rows = this.attendance.get(scoId) ?? [];
        return this.ok(res, `<report-meeting-attendance>${rows.map((r, i) => `<row transcript-id="${i + 1}" sco-id="${scoId}" principal-id="" answered-survey="false"><login/><session-name>${xmlEscape(r.name)}</session-name><sco-name>${xmlEscape(this.scos.get(scoId)!.name)}</sco-name><date-created>${r.at}</date-created><participant-name>${xmlEscape(r.name)}</participant-name></row>`).join('')}</report-meeting-attendance>`);
      }
      case 'telephony-profile-update':
        return this.profileUpdate(res, p, me.id);
      case 'telephony-profile-list': {
        const owner = p.get('principal-id') ?? me.id;
        const mine = [...this.profiles.values()].filter((x) => x.principalId === owner);
        return this.ok(res, `<telephony-profiles>${mine.map((x) => `<profile profile-id="${x.id}" provider-id="${x.providerId ?? ''}" profile-status="${x.status}"><adaptor-id>${x.providerId ?? ''}-adaptor</adaptor-id><name>Universal Voice</name><profile-name>${xmlEscape(x.name)}</profile-name></profile>`).join('')}</telephony-profiles>`);
      }
      case 'telephony-profile-info': {
        const x = this.profiles.get(p.get('profile-id') ?? '');
        if (!x) return this.status(res, '<status code="no-data"/>');
        const attrs = `principal-id="${x.principalId}" profile-id="${x.id}" profile-status="${x.status}" provider-id="${x.providerId ?? ''}"`;
        const fields = [...x.fields].map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
        return this.ok(res, `<telephony-profile ${attrs} provider-type="user-conf"><profile-name>${xmlEscape(x.name)}</profile-name></telephony-profile><telephony-profile-fields disabled="" ${attrs}><profile-name>${xmlEscape(x.name)}</profile-name>${fields}</telephony-profile-fields>`);
      }
      case 'telephony-profile-delete': {
        const id = p.get('profile-id') ?? '';
        if (!this.profiles.has(id)) return this.status(res, '<status code="no-data"/>');
        this.profiles.delete(id);
        this.detachProfile(id);
        return this.ok(res, '');
      }
      case 'acl-field-update': {
        const acl = p.get('acl-id');
        const field = p.get('field-id');
        const value = p.get('value');
        if (!acl || !field || value === null) return this.invalid(res, acl ? (field ? 'value' : 'field-id') : 'acl-id', 'string', 'missing');
        if (!this.scos.has(acl) && !this.principals.has(acl)) return this.status(res, '<status code="no-data"/>');
        // Assumed, like the field name itself (§9 UNCONFIRMED): the value must name a profile.
        if (field === 'telephony-profile' && !this.profiles.has(value)) return this.status(res, '<status code="no-data"/>');
        const fields = this.aclFields.get(acl) ?? new Map<string, string>();
        fields.set(field, value);
        this.aclFields.set(acl, fields);
        return this.ok(res, '');
      }
      default:
        return this.invalid(res, 'action', 'string', 'invalid');
    }
  }

  /**
   * §9 telephony-profile-update: create without profile-id (profile-name required), update with
   * profile-id (profile-status required); conf-number needs location, field-id needs provider-id.
   * Missing parameters answer no-data, as Adobe's telephony introduction says. Unknown providers and
   * fields answer no-data too (assumed: the docs do not say).
   */
  private profileUpdate(res: ServerResponse, p: URLSearchParams, caller: string) {
    const noData = () => this.status(res, '<status code="no-data"/>');
    const id = p.get('profile-id');
    const providerId = p.get('provider-id');
    const fieldId = p.get('field-id');
    if (p.has('conf-number') && !p.get('location')) return noData();
    if (fieldId && !providerId) return noData();
    if (providerId && !this.telephonyProviders.has(providerId)) return noData();
    if (fieldId && !this.telephonyProviders.get(providerId!)!.has(fieldId)) return noData();
    let profile: TelephonyProfile;
    if (id) {
      const found = this.profiles.get(id);
      const status = p.get('profile-status');
      if (!found || (status !== 'enabled' && status !== 'disabled')) return noData();
      profile = found;
      profile.status = status;
      if (status === 'disabled') this.detachProfile(id);
      if (p.get('profile-name')) profile.name = p.get('profile-name')!;
      if (providerId) profile.providerId = providerId;
    } else {
      const name = p.get('profile-name');
      if (!name) return noData();
      profile = { id: String(this.nextId++), name, providerId, principalId: p.get('principal-id') ?? caller, status: 'enabled', confNumbers: [], fields: new Map() };
      this.profiles.set(profile.id, profile);
    }
    if (p.has('conf-number')) profile.confNumbers = [{ number: p.get('conf-number')!, location: p.get('location')! }];
    if (fieldId) profile.fields.set(fieldId, p.get('value') ?? '');
    return this.ok(res, `<telephony-profile profile-status="${profile.status}" provider-id="${profile.providerId ?? ''}" principal-id="${profile.principalId}" profile-id="${profile.id}"><profile-name>${xmlEscape(profile.name)}</profile-name></telephony-profile>`);
  }

  /** §9: a deleted or disabled profile leaves every meeting it was attached to. */
  private detachProfile(profileId: string) {
    for (const fields of this.aclFields.values()) if (fields.get('telephony-profile') === profileId) fields.delete('telephony-profile');
  }

  /** §4.1 and §4.3: password login, or HTTP-header (external) login for SSO. */
  private login(req: IncomingMessage, res: ServerResponse, p: URLSearchParams, token: string | null) {
    let principal: Principal | undefined;
    if (p.get('external-auth') === 'use') {
      const ext = req.headers[this.ssoHeader];
      if (typeof ext !== 'string') return this.status(res, '<status code="no-data"/>');
      principal = [...this.principals.values()].find((x) => x.extLogin === ext || x.login === ext);
      if (principal) principal.extLogin = ext;
    } else {
      if (!p.get('login')) return this.invalid(res, 'login', 'string', 'missing');
      principal = [...this.principals.values()].find((x) => x.login === p.get('login') && x.password !== null && x.password === p.get('password'));
    }
    if (!principal) return this.status(res, '<status code="no-data"/>');
    const session = token && this.sessions.has(token) && this.sessions.get(token) === null ? token : randomBytes(12).toString('hex');
    this.sessions.set(session, principal.id);
    return this.ok(res, '', session);
  }

  /** §5.4: folder-id (create) xor sco-id (update); url-path rules from update-sco-url. */
  private scoUpdate(res: ServerResponse, p: URLSearchParams) {
    const folderId = p.get('folder-id');
    const scoId = p.get('sco-id');
    if (folderId && scoId) return this.invalid(res, 'sco-id', 'long', 'illegal-operation');
    for (const d of ['date-begin', 'date-end']) if (p.has(d) && !ISO.test(p.get(d)!)) return this.invalid(res, d, 'datetime', 'format');
    const urlPath = p.get('url-path');
    if (urlPath !== null) {
      if (urlPath.length < 1 || urlPath.length > 60) return this.invalid(res, 'url-path', 'string', 'range');
      if (!/^[A-Za-z0-9_-]+$/.test(urlPath)) return this.invalid(res, 'url-path', 'string', 'format');
      if ([...this.scos.values()].some((s) => s.urlPath === `/${urlPath}/` && s.id !== scoId)) return this.invalid(res, 'url-path', 'string', 'duplicate');
    }
    if (scoId) {
      const sco = this.scos.get(scoId);
      if (!sco) return this.status(res, '<status code="no-data"/>');
      if (p.has('name')) sco.name = p.get('name')!;
      if (p.has('date-begin')) sco.dateBegin = p.get('date-begin');
      if (p.has('date-end')) sco.dateEnd = p.get('date-end');
      if (urlPath) sco.urlPath = `/${urlPath}/`;
      return this.ok(res, '');
    }
    if (!folderId) return this.invalid(res, 'folder-id', 'long', 'missing');
    if (!this.scos.has(folderId) || this.scos.get(folderId)!.type !== 'folder') return this.invalid(res, 'folder-id', 'id', 'format');
    if (p.get('type') !== 'meeting') return this.invalid(res, 'type', 'string', p.has('type') ? 'invalid-type' : 'missing');
    if (!p.get('name')) return this.invalid(res, 'name', 'string', 'missing');
    const sco: Sco = { id: String(this.nextId++), folderId, type: 'meeting', name: p.get('name')!, urlPath: `/${urlPath ?? randomBytes(5).toString('hex')}/`, dateBegin: p.get('date-begin'), dateEnd: p.get('date-end'), created: Date.now() };
    this.scos.set(sco.id, sco);
    this.created.set(sco.urlPath, (this.created.get(sco.urlPath) ?? 0) + 1);
    return this.ok(res, this.scoXml(sco));
  }

  /** §7.2: create needs first-name, last-name, login, password, type, has-children. */
  private principalUpdate(res: ServerResponse, p: URLSearchParams) {
    if (p.get('principal-id')) return this.ok(res, '');
    for (const f of ['first-name', 'last-name', 'login', 'password', 'type', 'has-children']) if (!p.get(f)) return this.invalid(res, f, 'string', 'missing');
    const login = p.get('login')!;
    if (login.length > 60) return this.invalid(res, 'login', 'string', 'range');
    if ([...this.principals.values()].some((x) => x.login === login)) return this.invalid(res, 'login', 'string', 'duplicate');
    const principal: Principal = { id: String(this.nextId++), login, email: p.get('email') ?? login, name: `${p.get('first-name')} ${p.get('last-name')}`, password: p.get('password'), admin: false, extLogin: null };
    this.principals.set(principal.id, principal);
    return this.ok(res, `<principal has-children="0" type="user" account-id="7" principal-id="${principal.id}"><name>${xmlEscape(principal.name)}</name><login>${xmlEscape(login)}</login></principal>`);
  }

  /** The room page: §4.3 (?session= from header login) and §6.1 (public-access decides guests). */
  private room(res: ServerResponse, url: URL) {
    const sco = [...this.scos.values()].find((s) => s.type === 'meeting' && s.urlPath === url.pathname);
    if (!sco) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not found</html>');
    const perms = this.permissions.get(sco.id) ?? new Map<string, string>();
    const token = url.searchParams.get('session');
    const html = (role: string, name: string) => {
      if (role === 'attendee') this.attendance.set(sco.id, [...(this.attendance.get(sco.id) ?? []), { name, at: new Date().toISOString() }]);
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html data-role="${role}" data-name="${xmlEscape(name)}">meeting</html>`);
    };
    if (token) {
      const pid = this.sessions.get(token);
      const principal = pid ? this.principals.get(pid) : undefined;
      if (!principal) return html('login', '');
      const perm = perms.get(principal.id);
      if (perm === 'host') return html('host', principal.name);
      if (perm === 'denied') return html('denied', principal.name);
      if (perm === 'view' || perms.get('public-access') !== 'denied') return html('attendee', principal.name);
      return html('denied', principal.name);
    }
    const guest = url.searchParams.get('guestName');
    const access = perms.get('public-access') ?? 'remove';
    if (!guest) return html('login', '');
    if (access === 'view-hidden') return html('attendee', guest);
    if (access === 'remove') return html('knock', guest);
    return html('denied', guest);
  }

  private scoXml(s: Sco) {
    if (s.icon === 'archive') {
      // "Get meeting archives": the archive's <sco> as Adobe's example shows it.
      return `<sco sco-id="${s.id}" source-sco-id="" folder-id="${s.folderId}" type="content" icon="archive" display-seq="0" is-folder="0"><name>${xmlEscape(s.name)}</name><url-path>${s.urlPath}</url-path><date-begin>${s.dateBegin}</date-begin><date-end>${s.dateEnd}</date-end><date-modified>${s.dateEnd}</date-modified><duration>${s.duration}</duration></sco>`;
    }
    return `<sco account-id="7" disabled="" display-seq="0" folder-id="${s.folderId}" icon="${s.type}" lang="en" max-retries="" sco-id="${s.id}" source-sco-id="" type="${s.type}" version="0" is-folder="${s.type === 'folder' ? 1 : 0}"><name>${xmlEscape(s.name)}</name><url-path>${s.urlPath}</url-path>${s.dateBegin ? `<date-begin>${s.dateBegin}</date-begin>` : ''}${s.dateEnd ? `<date-end>${s.dateEnd}</date-end>` : ''}</sco>`;
  }

  private newSession(principal: string | null) {
    const token = randomBytes(12).toString('hex');
    this.sessions.set(token, principal);
    return token;
  }

  private ok(res: ServerResponse, body: string, cookie?: string) {
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', ...(cookie ? { 'set-cookie': `BREEZESESSION=${cookie}; Path=/; HttpOnly` } : {}) });
    res.end(`<?xml version="1.0" encoding="utf-8"?>\n<results><status code="ok"/>${body}</results>`);
  }

  private status(res: ServerResponse, status: string) {
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(`<?xml version="1.0" encoding="utf-8"?>\n<results>${status}</results>`);
  }

  private invalid(res: ServerResponse, field: string, type: string, subcode: string) {
    this.status(res, `<status code="invalid"><invalid field="${field}" type="${type}" subcode="${subcode}"/></status>`);
  }

  // ProviderDouble
  private scoOf(bookingId: string) {
    return [...this.scos.values()].find((s) => s.urlPath === `/${meetingKey(bookingId)}/`);
  }
  meetingCount(bookingId: string) {
    return [...this.scos.values()].filter((s) => s.urlPath === `/${meetingKey(bookingId)}/`).length;
  }
  createCount(bookingId: string) {
    return this.created.get(`/${meetingKey(bookingId)}/`) ?? 0;
  }
  meeting(bookingId: string): DoubleMeeting | null {
    const s = this.scoOf(bookingId);
    if (!s) return null;
    const perms = this.permissions.get(s.id) ?? new Map<string, string>();
    const hostIds = [...perms].filter(([, id]) => id === 'host').map(([pid]) => this.principals.get(pid)?.login ?? pid);
    return { seats: null, title: s.name, hostIds, start: s.dateBegin ? new Date(s.dateBegin) : undefined, end: s.dateEnd ? new Date(s.dateEnd) : undefined, guestPolicy: perms.get('public-access') ?? 'remove' };
  }
  async follow(url: string): Promise<JoinOutcome> {
    const res = await fetch(url, { redirect: 'manual' });
    const text = await res.text();
    const role = /data-role="([^"]*)"/.exec(text)?.[1];
    const name = /data-name="([^"]*)"/.exec(text)?.[1] ?? '';
    if (role === 'host' || role === 'attendee') return { ok: true, role, name };
    return { ok: false, reason: role ?? `HTTP ${res.status}` };
  }
  setParticipants(bookingId: string, n: number) {
    const s = this.scoOf(bookingId);
    if (s) this.active.set(s.id, n);
  }
  plantOrphan(bookingId: string) {
    const sco: Sco = { id: String(this.nextId++), folderId: FOLDER_ID, type: 'meeting', name: 'orphan', urlPath: `/${meetingKey(bookingId)}/`, dateBegin: null, dateEnd: null, created: Date.now() };
    this.scos.set(sco.id, sco);
  }
  deleteMeeting(bookingId: string) {
    const s = this.scoOf(bookingId);
    if (s) this.scos.delete(s.id);
  }
  /** A Universal Voice provider the account has, with the fields its profiles may set. */
  addTelephonyProvider(providerId: string, fieldIds: string[]) {
    this.telephonyProviders.set(providerId, new Set(fieldIds));
  }
  /** The booking's telephony profiles (0 or 1 when the adapter is right). */
  audioSetups(bookingId: string) {
    return [...this.profiles.values()].filter((x) => x.name === legacyNameOf(bookingId)).length;
  }
  /** The booking's profile as the room would use it: number, fields and the meetings it is attached to. */
  profileOf(bookingId: string) {
    const x = [...this.profiles.values()].find((pr) => pr.name === legacyNameOf(bookingId));
    if (!x) return null;
    const attachedTo = [...this.aclFields].filter(([, f]) => f.get('telephony-profile') === x.id).map(([acl]) => acl);
    return { ...x, attachedTo };
  }
  /** A recording the room made of the booking's meeting (an archive inside it), private unless said. */
  addRecording(bookingId: string, r: { start: Date; minutes: number; published?: boolean }): string {
    const meeting = this.scoOf(bookingId);
    if (!meeting) throw new Error('no meeting to record');
    const pad = (n: number) => String(n).padStart(2, '0');
    const sco: Sco = {
      id: String(this.nextId++),
      folderId: meeting.id,
      type: 'content',
      icon: 'archive',
      name: `${meeting.name}_0`,
      urlPath: `/p${randomBytes(4).toString('hex')}/`,
      dateBegin: r.start.toISOString(),
      dateEnd: new Date(r.start.getTime() + r.minutes * 60_000).toISOString(),
      created: r.start.getTime(),
      duration: `${pad(Math.floor(r.minutes / 60))}:${pad(r.minutes % 60)}:00.000`,
    };
    this.scos.set(sco.id, sco);
    if (r.published) this.permissions.set(sco.id, new Map([['public-access', 'view']]));
    return sco.id;
  }
  /** Whether a recording is still there, and public. */
  recordingState(id: string): { published: boolean } | null {
    const sco = this.scos.get(id);
    return sco?.icon === 'archive' ? { published: this.permissions.get(id)?.get('public-access') === 'view' } : null;
  }
  /** A fixed room for the "reassigned to each booking" model. */
  fixedRoom(urlPath: string): string {
    const sco: Sco = { id: String(this.nextId++), folderId: FOLDER_ID, type: 'meeting', name: 'Fixed room', urlPath: `/${urlPath}/`, dateBegin: null, dateEnd: null, created: 0 };
    this.scos.set(sco.id, sco);
    this.permissions.set(sco.id, new Map([['public-access', 'denied']]));
    return sco.id;
  }
}
