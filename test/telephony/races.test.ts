// Two races the benchmark found, pinned down with a scripted ARI REST whose answers the test holds
// back: a caller who hangs up while being added to the bridge, and calls arriving while an adoption
// reads Asterisk's state. (The ARI double cannot hold an answer back at a chosen moment.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { AriRest } from '../../src/telephony/ari/client.ts';
import type { AriApplication, AriBridge, AriChannel, AriEvent } from '../../src/telephony/ari/types.ts';
import { ConferenceApp } from '../../src/telephony/conference-app.ts';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

let t: TestPortal;
beforeAll(async () => {
  t = await startTestPortal({ now: '2026-03-20T09:20:00Z' });
});
afterAll(async () => {
  await t.close();
});

type Gate = { wait: Promise<void>; open(): void };
const gate = (): Gate => {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
};

/** ARI REST as the application calls it, recording each call; `hold` keeps a method's answer back. */
function scriptedRest(state: { bridges: AriBridge[]; channels: AriChannel[]; app: AriApplication }) {
  const calls: { method: string; args: unknown[] }[] = [];
  const holds = new Map<string, Gate>();
  const method =
    (name: string, answer: (...args: never[]) => unknown = () => null) =>
    async (...args: unknown[]) => {
      calls.push({ method: name, args });
      await holds.get(name)?.wait;
      return answer(...(args as never[]));
    };
  const rest = {
    answer: method('answer'),
    play: method('play', () => ({ id: 'pb', media_uri: '', target_uri: '', state: 'queued' })),
    stopPlayback: method('stopPlayback'),
    createBridge: method('createBridge'),
    destroyBridge: method('destroyBridge'),
    addChannel: method('addChannel'),
    hangup: method('hangup'),
    mute: method('mute'),
    originate: method('originate'),
    externalMedia: method('externalMedia'),
    application: method('application', () => state.app),
    bridges: method('bridges', () => state.bridges),
    channels: method('channels', () => state.channels),
  };
  return { rest: rest as unknown as AriRest, calls, hold: (name: string) => holds.set(name, gate()).get(name)!, release: (name: string) => holds.get(name)?.open() };
}

const channel = (id: string, number = '+393470000000'): AriChannel => ({ id, name: `PJSIP/sipp-${id}`, state: 'Ring', caller: { name: '', number }, creationtime: '2026-03-20T09:20:00.000+0000' });
const start = (ch: AriChannel, args: string[]): AriEvent => ({ type: 'StasisStart', channel: ch, args });
const end = (ch: AriChannel): AriEvent => ({ type: 'StasisEnd', channel: ch });

let rooms = 0;
async function bookingWithPin(): Promise<{ id: string; pin: string }> {
  const member = await t.user('member', (await t.institution()).id);
  const res = await t.api('POST', '/api/v1/bookings', { as: member, body: { title: 'Race', roomId: t.rooms[rooms++]!.id, start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:00:00Z', seats: 5 } });
  expect(res.status).toBe(201);
  // This portal has no telephony: give the booking its conference directly.
  const conf = await t.portal.services.uow.transaction((r) =>
    r.audio.assign({ bookingId: res.body.id, seriesId: null, window: { opens: new Date('2026-03-20T09:15:00Z'), closes: new Date('2026-03-20T10:15:00Z') }, draw: () => String(4_000_000 + rooms * 111_111 + 17), hostPin: false, enabled: true }),
  );
  return { id: res.body.id, pin: conf.pin! };
}

const app = (rest: AriRest) =>
  new ConferenceApp({
    rest,
    uow: t.portal.services.uow,
    clock: t.clock,
    logger: pino({ level: 'silent' }),
    settings: { pinAttempts: 3, digitTimeoutMs: 5000, pinDigits: 7, roomLegRetryMs: 60_000 },
    roomAudio: async () => null,
    webCount: async () => 0,
    onJoined: async () => undefined,
  });
const until = async (what: string, pred: () => boolean) => {
  for (let i = 0; i < 400 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
};

describe('races', () => {
  it('a caller who hangs up while being added to the bridge is not left as a member; the empty bridge goes', async () => {
    const b = await bookingWithPin();
    const s = scriptedRest({ bridges: [], channels: [], app: { name: 'webmeetings', channel_ids: [], bridge_ids: [], endpoint_ids: [], device_names: [] } });
    const a = app(s.rest);
    s.hold('addChannel');
    const ch = channel('1.1');
    a.handle(start(ch, ['+390612345678', `pin=${b.pin}`]));
    await until('addChannel sent', () => s.calls.some((c) => c.method === 'addChannel'));
    a.handle(end(ch)); // StasisEnd before addChannel's answer
    s.release('addChannel');
    await until('the bridge destroyed', () => s.calls.some((c) => c.method === 'destroyBridge'));
    expect(a.snapshot()).toEqual([]);
    expect(await t.portal.services.uow.repos.audio.participants(b.id)).toEqual([]);
  });

  it('calls arriving while an adoption reads Asterisk’s state are kept and served', async () => {
    const b = await bookingWithPin();
    const old = channel('2.1');
    const s = scriptedRest({
      bridges: [{ id: `wm-conf-${b.id}`, technology: 'simple_bridge', bridge_type: 'mixing', bridge_class: 'stasis', name: `wm-conf-${b.id}`, channels: [old.id] }],
      channels: [old],
      app: { name: 'webmeetings', channel_ids: [old.id], bridge_ids: [`wm-conf-${b.id}`], endpoint_ids: [], device_names: [] },
    });
    const a = app(s.rest);
    s.hold('channels');
    const adopting = a.adopt();
    await until('the snapshot asked for', () => s.calls.some((c) => c.method === 'channels'));
    // A new caller arrives after Asterisk answered GET /bridges but before the adoption finished.
    const fresh = channel('2.2');
    a.handle(start(fresh, ['+390612345678', `pin=${b.pin}`]));
    s.release('channels');
    await adopting;
    await until('the new caller added to the bridge', () => s.calls.some((c) => c.method === 'addChannel' && c.args[1] === fresh.id));
    await until('both in the conference', () => a.snapshot()[0]?.members.length === 2);
    expect(a.snapshot()).toEqual([{ bookingId: b.id, members: [old.id, fresh.id], legs: [] }]);
  });
});
