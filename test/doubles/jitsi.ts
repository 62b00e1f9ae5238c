// Jitsi Meet with token authentication, as the server side checks a join (Prosody
// mod_auth_token / luajwtjitsi): HS256 signature with the app secret, aud, iss, nbf/exp, and the
// `room` claim equal to the room in the URL. Jitsi keeps no meetings before someone joins, so
// this double has no meeting state: it only judges join URLs.
import { jwtVerify } from 'jose';
import { meetingNameOf } from './meeting-keys.ts';
import { HttpDouble, type DoubleMeeting, type JoinOutcome, type ProviderDouble } from './http-double.ts';

export class JitsiDouble implements ProviderDouble {
  // GET /room-census: Prosody's mod_muc_census (jitsi-meet resources/prosody-plugins/mod_muc_census.lua),
  // {"room_census": [{"room_name": "<room>@<muc domain>", "participants": N, "created_time": T}]},
  // listing the rooms someone is in now. Anything else: the web app's page.
  readonly http = new HttpDouble((req, res) => {
    if (req.method === 'GET' && req.url === '/room-census') {
      const rooms = [...this.rooms].filter(([, n]) => n > 0).map(([room, n]) => ({ room_name: `${room}@conference.meet.example.org`, participants: n, created_time: 1775000000 }));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ room_census: rooms }));
    }
    return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>jitsi</html>');
  });
  private readonly rooms = new Map<string, number>();
  readonly secret: string | null;
  readonly appId: string;
  readonly audience = 'jitsi';
  now: () => Date = () => new Date();

  constructor(opts: { secret?: string | null; appId?: string } = {}) {
    this.secret = opts.secret === undefined ? 'jitsi-app-secret-for-tests' : opts.secret;
    this.appId = opts.appId ?? 'webmeetings';
  }

  meetingCount() {
    return 0;
  }
  createCount() {
    return 0;
  }
  meeting(): DoubleMeeting | null {
    return null;
  }
  /** People in the booking's room now, as the census will report them. */
  setParticipants(bookingId: string, n: number) {
    this.rooms.set(meetingNameOf(bookingId), n);
  }

  async follow(url: string): Promise<JoinOutcome> {
    const u = new URL(url);
    const room = decodeURIComponent(u.pathname.slice(1));
    const name = JSON.parse(decodeURIComponent(/userInfo\.displayName=([^&]*)/.exec(u.hash)?.[1] ?? '""')) as string;
    const token = u.searchParams.get('jwt');
    if (!this.secret) return token ? { ok: false, reason: 'unexpected token' } : { ok: true, role: 'attendee', name };
    if (!token) return { ok: false, reason: 'no token' };
    try {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(this.secret), {
        algorithms: ['HS256'],
        audience: this.audience,
        issuer: this.appId,
        currentDate: this.now(),
      });
      if (payload.room !== room && payload.room !== '*') return { ok: false, reason: 'room mismatch' };
      const user = (payload.context as { user?: { name?: string; moderator?: boolean | string } } | undefined)?.user;
      const moderator = user?.moderator === true || user?.moderator === 'true';
      return { ok: true, role: moderator ? 'host' : 'attendee', name: user?.name ?? name };
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
  }
}
