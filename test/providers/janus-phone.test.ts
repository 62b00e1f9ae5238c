// Phone callers in a Janus room: the telephony application connects the booking's AudioBridge room
// as its room leg through an ARI externalMedia channel (the ARI double, sending and taking real
// G.711 RTP) to the room's plain-RTP participant on a real Janus; a caller and a participant of the
// web room hear each other, and the leg leaves the room after the last caller.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PHONE_DISPLAY } from '../../src/providers/janus/phone-leg.ts';
import { RoomSecrets } from '../../src/providers/janus/secrets.ts';
import { roomState, settled } from '../api/provisioning-support.ts';
import { AriDouble } from '../doubles/ari/index.ts';
import { RtpPeer } from '../doubles/ari/media.ts';
import { JanusTestClient } from '../doubles/janus.ts';
import { describeWithJanus, startJanus, type JanusServer } from '../support/janus.ts';
import { book, bridgeOf, dialIn, hungUp, inBridge, room, startPhonePortal, stopPhonePortal, type Phone } from '../telephony/support.ts';

const SECRET = 'phone-leg-test-secret-0123456789';

describeWithJanus('phone callers in a Janus room', () => {
  let janus: JanusServer;
  let p: Phone;
  let client: JanusTestClient;
  const secrets = new RoomSecrets(SECRET);

  beforeAll(async () => {
    janus = await startJanus();
    // Asterisk's side of the RTP is on this side of the namespace's veth.
    const ari = await AriDouble.start({ playbackMs: 10, rtpAddress: janus.ns.hostAddress });
    p = await startPhonePortal({ ari, env: { JANUS_URL: janus.url, JANUS_ADMIN_KEY: janus.adminKey, JANUS_SECRET: SECRET } });
    client = new JanusTestClient(janus.url);
  });
  afterAll(async () => {
    if (p) await stopPhonePortal(p);
    await janus?.stop();
  });

  const inRoom = async (bookingId: string) =>
    (((await client.once('janus.plugin.audiobridge', { request: 'listparticipants', room: secrets.roomOf(bookingId) })).participants ?? []) as { display: string }[]).map((x) => x.display).sort();

  /** Someone in the web room, as plain RTP of our own (what a browser's audio is to the mixer). */
  async function webParticipant(bookingId: string): Promise<{ rtp: RtpPeer; leave(): Promise<void> }> {
    const rtp = await RtpPeer.open(janus.ns.hostAddress);
    const s = await client.session();
    const h = await client.attach(s, 'janus.plugin.audiobridge');
    const joined = await client.event(s, h, { request: 'join', room: secrets.roomOf(bookingId), pin: secrets.pinOf(bookingId), display: 'Web', group: 'web', codec: 'pcmu', rtp: { ip: rtp.address.address, port: rtp.address.port } });
    const there = joined.rtp as { ip: string; port: number };
    rtp.sendTo(there.ip, there.port);
    return { rtp, leave: async () => (rtp.close(), await client.destroy(s)) };
  }

  it('connects the AudioBridge room through externalMedia when a caller arrives; caller and web hear each other; the leg leaves after the caller', async () => {
    const b = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:30:00Z', roomId: await room(p, 'janus') });
    await settled(p.t, b.id);
    expect(await roomState(p.t, b.id)).toBe('ready');
    const web = await webParticipant(b.id);
    try {
      const caller = await dialIn(p, b.pin);
      await inBridge(p, caller, b.id);
      const leg = () => p.ari.channels().find((c) => c.id.startsWith(`wm-leg-${b.id}`));
      await p.ari.waitFor(() => leg()?.bridgeId === bridgeOf(b.id), 'the Janus leg in the bridge', 10_000);
      expect(leg()!.endpoint).toMatch(new RegExp(`^UnicastRTP/${janus.ns.innerAddress.replace(/\./g, '\\.')}:\\d+$`));
      expect(await inRoom(b.id)).toEqual(['Web', PHONE_DISPLAY].sort());

      // Nobody speaks: silence both ways.
      await p.ari.waitFor(() => p.ari.rtp(leg()!.id)!.received > 25 && web.rtp.received > 25, 'RTP flowing both ways', 10_000).catch((e: unknown) => {
        throw new Error(`${String(e)}: leg ${JSON.stringify(p.ari.rtp(leg()!.id))}, web sent ${web.rtp.sent} received ${web.rtp.received}\n${janus.log().split('\n').slice(-15).join('\n')}`);
      });
      expect(web.rtp.loudest()).toBeLessThan(300);
      expect(p.ari.hears(caller)).toBeLessThan(300);

      p.ari.speak(caller, true);
      await expect.poll(() => web.rtp.loudest(), { timeout: 5000, message: 'the web room hears the caller' }).toBeGreaterThan(1500);
      // The room sends the phone leg the web's mix only: callers do not hear themselves back.
      expect(p.ari.hears(caller)).toBeLessThan(300);
      p.ari.speak(caller, false);

      web.rtp.speaking = () => true;
      await expect.poll(() => p.ari.hears(caller), { timeout: 5000, message: 'the caller hears the web room' }).toBeGreaterThan(1500);
      web.rtp.speaking = () => false;

      p.ari.hangup(caller);
      await hungUp(p, leg()!.id);
      await expect.poll(() => inRoom(b.id), { timeout: 5000 }).toEqual(['Web']);
    } finally {
      await web.leave();
    }
  });

  it('connects the room again when a new process adopts a leg whose Janus peer it does not hold', async () => {
    const b = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:30:00Z', roomId: await room(p, 'janus') });
    await settled(p.t, b.id);
    const web = await webParticipant(b.id);
    try {
      const caller = await dialIn(p, b.pin);
      await inBridge(p, caller, b.id);
      const legs = () => p.ari.channels().filter((c) => c.id.startsWith(`wm-leg-${b.id}`) && !c.hungUp);
      await p.ari.waitFor(() => legs()[0]?.bridgeId === bridgeOf(b.id), 'the first leg in the bridge', 10_000);
      const first = legs()[0]!.id;
      // What a restart leaves: the application's memory (and the leg's Janus session) gone, Asterisk's
      // bridge still holding the caller and the leg; the new holder adopts on its events socket.
      p.t.portal.telephony!.app.reset();
      await expect.poll(() => inRoom(b.id), { timeout: 5000 }).toEqual(['Web']);
      p.ari.dropSockets();
      await hungUp(p, first);
      await p.ari.waitFor(() => legs().some((l) => l.id !== first && l.bridgeId === bridgeOf(b.id)), 'a new leg in the bridge', 15_000);
      await expect.poll(() => inRoom(b.id), { timeout: 5000 }).toEqual(['Web', PHONE_DISPLAY].sort());
      p.ari.speak(caller, true);
      await expect.poll(() => web.rtp.loudest(), { timeout: 5000, message: 'the web room hears the caller again' }).toBeGreaterThan(1500);
      p.ari.speak(caller, false);
      p.ari.hangup(caller);
    } finally {
      await web.leave();
    }
  });
});
