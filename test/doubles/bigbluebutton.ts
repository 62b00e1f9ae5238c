// BigBlueButton test double: the bbb-web API as shared/reference/bigbluebutton-api.md restates it
// (section numbers below), with state, so that a wrong parameter fails here as on a real server.
import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { meetingNameOf as meetingKey } from './meeting-keys.ts';
import { HttpDouble, xmlEscape, type DoubleMeeting, type JoinOutcome, type ProviderDouble } from './http-double.ts';

type Attendee = { userID: string; fullName: string; role: 'MODERATOR' | 'VIEWER'; guest: boolean };
/** A recording as bbb-web keeps it (get-recordings.ftl): one playback format, `presentation`. */
type Recording = { recordID: string; meetingID: string; name: string; published: boolean; state: string; startTime: number; endTime: number; lengthMinutes: number; metadata: Record<string, string> };
type Meeting = {
  meetingID: string;
  name: string;
  internalMeetingID: string;
  attendeePW: string;
  moderatorPW: string;
  createTime: number;
  voiceBridge: number;
  dialNumber: string;
  welcome: string;
  maxParticipants: number;
  guestPolicy: string;
  metadata: Record<string, string>;
  attendees: Attendee[];
  extraParticipants: number;
  ended: boolean;
  creations: number;
  logoutURL?: string | undefined;
};

const ALGORITHMS: Record<number, string> = { 40: 'sha1', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

export class BigBlueButtonDouble implements ProviderDouble {
  readonly http: HttpDouble;
  readonly secret: string;
  readonly meetings = new Map<string, Meeting>();
  private readonly sessions = new Map<string, { meetingID: string; role: string; fullName: string; userID: string; waiting: boolean }>();
  private readonly created = new Map<string, number>();
  /** Every create call per meetingID, repeats (duplicateWarning) included. */
  readonly createCalls = new Map<string, number>();
  /** Creates refused because the voice bridge asked for is a running meeting's (nonUniqueVoiceBridge), per meeting ID. */
  readonly bridgeRefusals = new Map<string, number>();
  readonly recordings = new Map<string, Recording>();

  constructor(secret = randomBytes(16).toString('hex')) {
    this.secret = secret;
    this.http = new HttpDouble((req, res, url) => this.handle(res, url, req.url ?? ''));
  }

  get apiUrl() {
    return `${this.http.baseUrl}/bigbluebutton/api`;
  }

  private handle(res: ServerResponse, url: URL, rawUrl: string) {
    if (url.pathname === '/html5client/join' || url.pathname === '/guestWait') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>client</html>');
      return;
    }
    const m = /^\/bigbluebutton\/api\/?([A-Za-z]*)$/.exec(url.pathname);
    if (!m) return void res.writeHead(404).end();
    const call = m[1]!;
    if (call === '') return this.xml(res, '<returncode>SUCCESS</returncode><version>2.0</version>');
    // §2: checksum over callName + the raw query minus the checksum parameter; algorithm by length.
    const query = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
    const given = url.searchParams.get('checksum') ?? '';
    const stripped = query.replace(`&checksum=${given}`, '').replace(`checksum=${given}&`, '').replace(`checksum=${given}`, '');
    const algorithm = ALGORITHMS[given.length];
    const expected = algorithm ? createHash(algorithm).update(call + stripped + this.secret).digest('hex') : null;
    if (!expected || expected !== given) return this.failed(res, 'checksumError', 'Checksums do not match');
    const p = url.searchParams;
    switch (call) {
      case 'create':
        return this.create(res, p);
      case 'join':
        return this.join(res, p);
      case 'isMeetingRunning': {
        const meeting = this.meetings.get(p.get('meetingID') ?? '');
        return this.xml(res, `<returncode>SUCCESS</returncode><running>${Boolean(meeting && !meeting.ended && this.count(meeting) > 0)}</running>`);
      }
      case 'getMeetingInfo': {
        const meeting = this.meetings.get(p.get('meetingID') ?? '');
        if (!meeting) return this.failed(res, 'notFound', 'A meeting with that ID does not exist');
        return this.xml(res, `<returncode>SUCCESS</returncode>${this.info(meeting)}`);
      }
      case 'getMeetings': {
        const all = [...this.meetings.values()];
        if (all.length === 0) return this.xml(res, '<returncode>SUCCESS</returncode><meetings/><messageKey>noMeetings</messageKey><message>no meetings were found on this server</message>');
        return this.xml(res, `<returncode>SUCCESS</returncode><meetings>${all.map((x) => `<meeting>${this.info(x)}</meeting>`).join('')}</meetings>`);
      }
      case 'end': {
        const meeting = this.meetings.get(p.get('meetingID') ?? '');
        if (!meeting) return this.failed(res, 'notFound', 'A meeting with that ID does not exist');
        // §5: ended meetings reject joins until removed from memory; the double removes it at once
        // afterwards is not modelled: it stays, forcibly ended, until `forget`.
        meeting.ended = true;
        meeting.attendees = [];
        meeting.extraParticipants = 0;
        return this.xml(res, '<returncode>SUCCESS</returncode><messageKey>sentEndMeetingRequest</messageKey><message>A request to end the meeting was sent.</message>');
      }
      case 'getRecordings':
        return this.getRecordings(res, p);
      case 'publishRecordings': {
        // api.md publishRecordings: recordID (comma-separated) and publish=true|false, both required.
        const ids = this.recordIds(p);
        const publish = p.get('publish');
        if (ids.length === 0) return this.failed(res, 'missingParamRecordID', 'You must specify one or more a recordIDs.');
        if (publish !== 'true' && publish !== 'false') return this.failed(res, 'missingParamPublish', 'You must specify a publish value true or false.');
        if (!ids.some((id) => this.recordings.has(id))) return this.failed(res, 'notFound', 'We could not find recordings');
        for (const id of ids) {
          const r = this.recordings.get(id);
          if (r) Object.assign(r, { published: publish === 'true', state: publish === 'true' ? 'published' : 'unpublished' });
        }
        return this.xml(res, `<returncode>SUCCESS</returncode><published>${publish}</published>`);
      }
      case 'deleteRecordings': {
        // api.md deleteRecordings: recordID (comma-separated) → <deleted>true</deleted>.
        const ids = this.recordIds(p);
        if (ids.length === 0) return this.failed(res, 'missingParamRecordID', 'You must specify one or more a recordIDs.');
        if (!ids.some((id) => this.recordings.has(id))) return this.failed(res, 'notFound', 'We could not find recordings');
        for (const id of ids) this.recordings.delete(id);
        return this.xml(res, '<returncode>SUCCESS</returncode><deleted>true</deleted>');
      }
      default:
        return this.failed(res, 'unsupportedRequest', 'This request is not supported.');
    }
  }

  private recordIds(p: URLSearchParams): string[] {
    return (p.get('recordID') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  }

  /**
   * api.md getRecordings: filtered by meetingID and/or recordID (comma-separated) and `state`
   * (default processed,published,unpublished); the body is get-recordings.ftl after <#compress>,
   * and get-recordings-empty.ftl (messageKey noRecordings) when none match.
   */
  private getRecordings(res: ServerResponse, p: URLSearchParams) {
    const meetings = (p.get('meetingID') ?? '').split(',').filter(Boolean);
    const ids = this.recordIds(p);
    const states = (p.get('state') || 'published,unpublished').split(',');
    const found = [...this.recordings.values()].filter(
      (r) => (meetings.length === 0 || meetings.includes(r.meetingID)) && (ids.length === 0 || ids.includes(r.recordID)) && (states.includes('any') || states.includes(r.state)),
    );
    if (found.length === 0) return this.xml(res, '<returncode>SUCCESS</returncode><recordings></recordings><messageKey>noRecordings</messageKey><message>There are not recordings for the meetings</message>');
    const body = found
      .map((r) => {
        const meta = Object.entries(r.metadata).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('');
        const url = `${this.http.baseUrl}/playback/presentation/2.3/${r.recordID}`;
        return `<recording><recordID>${r.recordID}</recordID><meetingID>${xmlEscape(r.meetingID)}</meetingID><name><![CDATA[${r.name}]]></name><published>${r.published}</published><state>${r.state}</state><startTime>${r.startTime}</startTime><endTime>${r.endTime}</endTime><metadata>${meta}</metadata><playback><format><type>presentation</type><url>${url}</url><length>${r.lengthMinutes}</length></format></playback></recording>`;
      })
      .join('');
    return this.xml(res, `<returncode>SUCCESS</returncode><recordings>${body}</recordings>`);
  }

  /** §3 create: validation (2.4+), idempotent repeat with duplicateWarning, idNotUnique on other passwords. */
  private create(res: ServerResponse, p: URLSearchParams) {
    const meetingID = p.get('meetingID') ?? '';
    const name = p.get('name') ?? '';
    this.createCalls.set(meetingID, (this.createCalls.get(meetingID) ?? 0) + 1);
    if (meetingID.length < 2 || meetingID.length > 256) return this.failed(res, 'validationError', 'Meeting ID must be between 2 and 256 characters');
    if (meetingID.includes(',')) return this.failed(res, 'validationError', "Meeting ID cannot contain ','");
    if (name.length < 2 || name.length > 64) return this.failed(res, 'validationError', 'Meeting name must be between 2 and 64 characters');
    for (const b of ['record']) if (p.has(b) && !['true', 'false'].includes(p.get(b)!)) return this.failed(res, 'validationError', `${b} must be true or false`);
    const policy = p.get('guestPolicy') ?? 'ALWAYS_ACCEPT';
    if (!['ALWAYS_ACCEPT', 'ALWAYS_DENY', 'ASK_MODERATOR'].includes(policy)) return this.failed(res, 'validationError', 'Invalid guestPolicy');
    const maxP = p.get('maxParticipants');
    if (maxP !== null && !/^\d+$/.test(maxP)) return this.failed(res, 'validationError', 'maxParticipants must be a number');
    const vb = p.get('voiceBridge');
    if (vb !== null && !/^\d+$/.test(vb)) return this.failed(res, 'validationError', 'Voice bridge must be an integer.');
    const existing = this.meetings.get(meetingID);
    // §5: a forcibly ended meeting stays in memory (joins refused) until forgotten; create answers
    // duplicateWarning meanwhile.
    if (existing) {
      const a = p.get('attendeePW');
      const mo = p.get('moderatorPW');
      if ((a && a !== existing.attendeePW) || (mo && mo !== existing.moderatorPW)) {
        return this.failed(res, 'idNotUnique', 'A meeting already exists with that meeting ID. Please use a different meeting ID.');
      }
      return this.xml(res, `<returncode>SUCCESS</returncode>${this.createBody(existing)}<messageKey>duplicateWarning</messageKey><message>This conference was already in existence and may currently be in progress.</message>`);
    }
    // ApiController.create: only a new meeting checks its voice bridge against the running ones
    // (nonUniqueVoiceBridge); without one the server draws a free 5-digit number (§7).
    const running = new Set([...this.meetings.values()].filter((x) => !x.ended).map((x) => x.voiceBridge));
    if (vb !== null && running.has(Number(vb))) {
      this.bridgeRefusals.set(meetingID, (this.bridgeRefusals.get(meetingID) ?? 0) + 1);
      return this.failed(res, 'nonUniqueVoiceBridge', 'The selected voice bridge is already in use.');
    }
    let voiceBridge = vb === null ? 0 : Number(vb);
    while (voiceBridge === 0 || running.has(voiceBridge)) voiceBridge = 10000 + Math.floor(Math.random() * 90000);
    const createTime = Date.now() + this.meetings.size;
    const metadata: Record<string, string> = {};
    for (const [k, v] of p) if (k.startsWith('meta_')) metadata[k.slice(5).toLowerCase()] = v;
    const meeting: Meeting = {
      meetingID,
      name,
      internalMeetingID: `${createHash('sha1').update(meetingID).digest('hex')}-${createTime}`,
      attendeePW: p.get('attendeePW') ?? randomBytes(4).toString('hex'),
      moderatorPW: p.get('moderatorPW') ?? randomBytes(4).toString('hex'),
      createTime,
      voiceBridge,
      dialNumber: p.get('dialNumber') ?? '613-555-1234',
      welcome: p.get('welcome') ?? '',
      maxParticipants: maxP ? Number(maxP) : 0,
      guestPolicy: policy,
      metadata,
      attendees: [],
      extraParticipants: 0,
      ended: false,
      creations: 1,
      logoutURL: p.get('logoutURL') ?? undefined,
    };
    this.meetings.set(meetingID, meeting);
    this.created.set(meetingID, (this.created.get(meetingID) ?? 0) + 1);
    return this.xml(res, `<returncode>SUCCESS</returncode>${this.createBody(meeting)}<messageKey></messageKey><message></message>`);
  }

  private createBody(m: Meeting) {
    return `<meetingID>${xmlEscape(m.meetingID)}</meetingID><internalMeetingID>${m.internalMeetingID}</internalMeetingID><parentMeetingID>bbb-none</parentMeetingID><attendeePW>${m.attendeePW}</attendeePW><moderatorPW>${m.moderatorPW}</moderatorPW><createTime>${m.createTime}</createTime><voiceBridge>${m.voiceBridge}</voiceBridge><dialNumber>${xmlEscape(m.dialNumber)}</dialNumber><createDate>${new Date(m.createTime).toUTCString()}</createDate><hasUserJoined>${m.attendees.length > 0}</hasUserJoined><duration>0</duration><hasBeenForciblyEnded>${m.ended}</hasBeenForciblyEnded>`;
  }

  /** §4 join: role or password, createTime, maxParticipants, guest policy; 302 or XML. */
  private join(res: ServerResponse, p: URLSearchParams) {
    const fullName = p.get('fullName');
    if (!fullName) return this.failed(res, 'missingParamFullName', 'You must provide your name');
    const meeting = this.meetings.get(p.get('meetingID') ?? '');
    if (!meeting) return this.failed(res, 'notFound', 'A meeting with that ID does not exist');
    if (meeting.ended) return this.failed(res, 'meetingForciblyEnded', 'You can not re-join a meeting that has already been forcibly ended');
    const createTime = p.get('createTime');
    if (createTime !== null && createTime !== String(meeting.createTime)) return this.failed(res, 'mismatchCreateTimeParam', 'The createTime parameter submitted mismatches with the current meeting.');
    const roleParam = (p.get('role') ?? '').toUpperCase();
    let role: 'MODERATOR' | 'VIEWER' | null = roleParam === 'MODERATOR' || roleParam === 'VIEWER' ? roleParam : null;
    if (!role) {
      const pw = p.get('password');
      if (pw === meeting.moderatorPW) role = 'MODERATOR';
      else if (pw === meeting.attendeePW) role = 'VIEWER';
      else return this.failed(res, 'Params required', pw ? 'You must enter a valid password' : 'You must provide either role or password');
    }
    if (meeting.maxParticipants > 0 && this.count(meeting) >= meeting.maxParticipants) return this.failed(res, 'maxParticipantsReached', 'The number of participants allowed for this meeting has been reached.');
    const guest = p.get('guest') === 'true';
    if (guest && meeting.guestPolicy === 'ALWAYS_DENY') return this.failed(res, 'guestDeniedAccess', 'You have been denied access to this meeting based on the meeting\'s guest policy');
    const waiting = guest && meeting.guestPolicy === 'ASK_MODERATOR';
    const userID = p.get('userID') ?? `w_${randomBytes(6).toString('hex')}`;
    const sessionToken = randomBytes(8).toString('hex');
    this.sessions.set(sessionToken, { meetingID: meeting.meetingID, role, fullName, userID, waiting });
    if (!waiting) meeting.attendees.push({ userID, fullName, role, guest });
    const target = `${this.http.baseUrl}/${waiting ? 'guestWait' : 'html5client/join'}?sessionToken=${sessionToken}`;
    if (p.get('redirect') === 'false') {
      return this.xml(res, `<returncode>SUCCESS</returncode><messageKey>${waiting ? 'guestWait' : 'successfullyJoined'}</messageKey><message>You have joined successfully.</message><meeting_id>${meeting.internalMeetingID}</meeting_id><user_id>${xmlEscape(userID)}</user_id><auth_token>${randomBytes(6).toString('hex')}</auth_token><session_token>${sessionToken}</session_token><url>${target}</url>`);
    }
    res.writeHead(302, { location: target }).end();
  }

  private count(m: Meeting) {
    return m.attendees.length + m.extraParticipants;
  }

  private info(m: Meeting) {
    const mods = m.attendees.filter((a) => a.role === 'MODERATOR').length;
    const attendees = m.attendees
      .map((a) => `<attendee><userID>${xmlEscape(a.userID)}</userID><fullName>${xmlEscape(a.fullName)}</fullName><role>${a.role}</role><isPresenter>false</isPresenter><isListeningOnly>false</isListeningOnly><hasJoinedVoice>false</hasJoinedVoice><hasVideo>false</hasVideo><clientType>HTML5</clientType><customdata/></attendee>`)
      .join('');
    const meta = Object.entries(m.metadata).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
    return `<meetingName>${xmlEscape(m.name)}</meetingName><meetingID>${xmlEscape(m.meetingID)}</meetingID><internalMeetingID>${m.internalMeetingID}</internalMeetingID><createTime>${m.createTime}</createTime><voiceBridge>${m.voiceBridge}</voiceBridge><attendeePW>${m.attendeePW}</attendeePW><moderatorPW>${m.moderatorPW}</moderatorPW><running>${!m.ended && this.count(m) > 0}</running><duration>0</duration><hasUserJoined>${m.attendees.length > 0}</hasUserJoined><recording>false</recording><hasBeenForciblyEnded>${m.ended}</hasBeenForciblyEnded><startTime>${m.createTime}</startTime><endTime>0</endTime><participantCount>${this.count(m)}</participantCount><listenerCount>0</listenerCount><voiceParticipantCount>0</voiceParticipantCount><videoCount>0</videoCount><maxUsers>${m.maxParticipants}</maxUsers><moderatorCount>${mods}</moderatorCount><attendees>${attendees}</attendees><metadata>${meta}</metadata><isBreakout>false</isBreakout>`;
  }

  private xml(res: ServerResponse, body: string) {
    res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n<response>${body}</response>`);
  }

  private failed(res: ServerResponse, key: string, message: string) {
    this.xml(res, `<returncode>FAILED</returncode><messageKey>${xmlEscape(key)}</messageKey><message>${xmlEscape(message)}</message>`);
  }

  /** The meeting id of a booking: the one created with its metadata, else the name it would have. */
  private nameOf(bookingId: string): string {
    for (const m of this.meetings.values()) if (m.metadata.bookingid === bookingId) return m.meetingID;
    return meetingKey(bookingId);
  }

  // ProviderDouble
  meetingCount(bookingId: string) {
    const m = this.meetings.get(this.nameOf(bookingId));
    return m && !m.ended ? 1 : 0;
  }
  createCount(bookingId: string) {
    return this.created.get(this.nameOf(bookingId)) ?? 0;
  }
  meeting(bookingId: string): DoubleMeeting | null {
    const m = this.meetings.get(this.nameOf(bookingId));
    if (!m || m.ended) return null;
    return { seats: m.maxParticipants, title: m.name, hostIds: m.attendees.filter((a) => a.role === 'MODERATOR').map((a) => a.userID), guestPolicy: m.guestPolicy };
  }
  async follow(url: string): Promise<JoinOutcome> {
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) {
      const text = await res.text();
      return { ok: false, reason: /<messageKey>([^<]*)<\/messageKey>/.exec(text)?.[1] ?? `HTTP ${res.status}` };
    }
    const token = new URL(location).searchParams.get('sessionToken') ?? '';
    const s = this.sessions.get(token);
    if (!s) return { ok: false, reason: 'no session' };
    if (s.waiting) return { ok: false, reason: 'guestWait' };
    return { ok: true, role: s.role === 'MODERATOR' ? 'host' : 'attendee', name: s.fullName, userId: s.userID };
  }
  setParticipants(bookingId: string, n: number) {
    const m = this.meetings.get(this.nameOf(bookingId));
    if (m) m.extraParticipants = Math.max(0, n - m.attendees.length);
  }
  plantOrphan(bookingId: string) {
    const id = meetingKey(bookingId);
    this.meetings.set(id, { meetingID: id, name: 'orphan', internalMeetingID: `x-${Date.now()}`, attendeePW: 'a', moderatorPW: 'm', createTime: Date.now(), voiceBridge: 12345, dialNumber: '', welcome: '', maxParticipants: 0, guestPolicy: 'ALWAYS_ACCEPT', metadata: {}, attendees: [], extraParticipants: 0, ended: false, creations: 1 });
  }
  deleteMeeting(bookingId: string) {
    this.meetings.delete(this.nameOf(bookingId));
  }
  /** A meeting made on the server without the portal (Greenlight, another LMS): its own id and name. */
  plantOutside(meetingID: string, name: string, createdAt = new Date()) {
    this.meetings.set(meetingID, { meetingID, name, internalMeetingID: `z-${meetingID}`, attendeePW: 'a', moderatorPW: 'm', createTime: createdAt.getTime(), voiceBridge: 54321, dialNumber: '', welcome: '', maxParticipants: 0, guestPolicy: 'ALWAYS_ACCEPT', metadata: {}, attendees: [], extraParticipants: 0, ended: false, creations: 1 });
  }
  /** The server forgot the meeting (it ended and left memory). */
  dropMeeting(meetingID: string) {
    this.meetings.delete(meetingID);
  }
  isEnded(meetingID: string): boolean | null {
    return this.meetings.get(meetingID)?.ended ?? null;
  }
  /** A running meeting of someone else's that holds this voice bridge. */
  occupyVoiceBridge(voiceBridge: number) {
    const id = `other-${voiceBridge}`;
    this.meetings.set(id, { meetingID: id, name: 'other', internalMeetingID: `y-${Date.now()}`, attendeePW: 'a', moderatorPW: 'm', createTime: Date.now(), voiceBridge, dialNumber: '', welcome: '', maxParticipants: 0, guestPolicy: 'ALWAYS_ACCEPT', metadata: {}, attendees: [], extraParticipants: 0, ended: false, creations: 1 });
  }
  /** A processed recording of the booking's meeting (bbb-record made it), unpublished unless said. */
  addRecording(bookingId: string, r: { start: Date; minutes: number; published?: boolean }): string {
    const meetingID = this.nameOf(bookingId);
    const internal = this.meetings.get(meetingID)?.internalMeetingID ?? `${createHash('sha1').update(meetingID).digest('hex')}-${r.start.getTime()}`;
    // bbb-web's record ids are the internal meeting id: <sha1 of the meetingID>-<create time in ms>.
    const recordID = `${internal.split('-')[0]}-${r.start.getTime()}`;
    const published = r.published ?? false;
    this.recordings.set(recordID, {
      recordID,
      meetingID,
      name: this.meetings.get(meetingID)?.name ?? 'Meeting',
      published,
      state: published ? 'published' : 'unpublished',
      startTime: r.start.getTime(),
      endTime: r.start.getTime() + r.minutes * 60_000,
      lengthMinutes: r.minutes,
      metadata: { isBreakout: 'false', meetingId: meetingID },
    });
    return recordID;
  }
  /** Whether a recording is still there, and published. */
  recordingState(id: string): { published: boolean } | null {
    const r = this.recordings.get(id);
    return r ? { published: r.published } : null;
  }
  /** People in the meeting as the service lists them (getMeetingInfo attendees). */
  setAttendees(bookingId: string, people: { userID: string; fullName: string; role?: 'MODERATOR' | 'VIEWER' }[]) {
    const m = this.meetings.get(this.nameOf(bookingId));
    if (m) m.attendees = people.map((a) => ({ userID: a.userID, fullName: a.fullName, role: a.role ?? 'VIEWER', guest: false }));
  }
  /** The server drops ended meetings from memory after a while (§5); tests call this to model it. */
  forgetEnded() {
    for (const [id, m] of this.meetings) if (m.ended) this.meetings.delete(id);
  }
}
