// The Stasis application against the ARI double: callers with the right PIN land in their booking's
// bridge and nowhere else; wrong, early, late and cancelled callers hear why and are hung up; the
// end of a booking hangs everyone up; the host mutes, removes and locks from the portal's API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { book, bridgeOf, dialIn, hungUp, inBridge, listed, NUMBER, SIP_DOMAIN, startPhonePortal, stopPhonePortal, type Phone } from './support.ts';

let p: Phone;
beforeAll(async () => {
  p = await startPhonePortal();
});
afterAll(async () => {
  await stopPhonePortal(p);
});

// The clock stands at 09:20Z; a booking 09:30–10:30Z opens its conference at 09:15Z (with the room).
const NOW_SLOT = { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:30:00Z' };

describe('dial-in details', () => {
  it('gives a booking a PIN and a host PIN, numbers with one-tap links and a SIP URI', async () => {
    const b = await book(p, NOW_SLOT);
    const view = (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body;
    expect(view.enabled).toBe(true);
    expect(view.pin).toMatch(/^[1-9]\d{6}$/);
    expect(view.hostPin).toMatch(/^[1-9]\d{6}$/);
    expect(view.hostPin).not.toBe(view.pin);
    expect(view.numbers).toEqual([{ number: NUMBER, country: 'IT', tel: `tel:${NUMBER},,${view.pin}%23` }]);
    expect(view.sipUri).toBe(`sip:${view.pin}@${SIP_DOMAIN}`);
    expect(view.opensAt).toBe('2026-03-20T09:15:00.000Z');
    expect(view.closesAt).toBe('2026-03-20T10:45:00.000Z');
    expect(view.participants).toEqual([]);
    // Someone else does not see it.
    const other = await p.t.user('member');
    expect((await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: other })).status).toBe(404);
  });

  it('has no conference when the booker asks for none, and turns it on later', async () => {
    const b = await book(p, { start: '2026-03-21T09:30:00Z', end: '2026-03-21T10:00:00Z', audio: false });
    expect(b.pin).toBeNull();
    const on = await p.t.api('PUT', `/api/v1/bookings/${b.id}/audio`, { as: p.booker, body: { enabled: true } });
    expect(on.status).toBe(200);
    expect(on.body.pin).toMatch(/^\d{7}$/);
  });
});

describe('a caller on the phone', () => {
  it('enters the right PIN and lands in that booking’s bridge, alone at first; the host sees them masked', async () => {
    const b = await book(p, NOW_SLOT);
    const caller = await dialIn(p, b.pin, { caller: '+39 347 1234567' });
    await inBridge(p, caller, b.id);
    await p.ari.waitFor(() => p.ari.channel(caller)!.heard.includes('sound:conf-onlyperson'), 'the only-person prompt');
    await listed(p, b.id, [caller]);
    const view = (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body;
    expect(view.participants).toMatchObject([{ id: caller, caller: '•••• 4567', role: 'participant', muted: false }]);
    expect(view.phoneSeats).toBe(1);
    // A second caller, PIN in the SIP URI (the dialplan passes it), skips the prompt; the first hears the join tone.
    const second = await p.ari.call({ args: [b.pin, `pin=${b.pin}`], callerNumber: 'sip:alice@example.org' });
    await inBridge(p, second!, b.id);
    expect(p.ari.channel(second!)!.heard).not.toContain('sound:conf-getpin');
    await p.ari.waitFor(() => p.ari.channel(caller)!.heard.includes('sound:confbridge-join'), 'the join tone');
    // The first hangs up: the second hears the leave tone; the list follows.
    p.ari.hangup(caller);
    await p.ari.waitFor(() => p.ari.channel(second!)!.heard.includes('sound:confbridge-leave'), 'the leave tone');
    await expect.poll(async () => (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body.participants.map((x: { id: string }) => x.id)).toEqual([second]);
    p.ari.hangup(second!);
    await p.ari.waitFor(() => !p.ari.bridges().some((x) => x.id === bridgeOf(b.id)), 'the empty bridge destroyed');
  });

  it('is asked three times for a wrong PIN, then hung up', async () => {
    const id = await dialIn(p, '9999991', { hash: true });
    await p.ari.waitFor(() => p.ari.channel(id)!.heard.filter((m) => m === 'sound:conf-getpin').length === 2, 'the second prompt');
    await p.ari.pressDigits(id, '9999992#');
    await p.ari.waitFor(() => p.ari.channel(id)!.heard.filter((m) => m === 'sound:conf-getpin').length === 3, 'the third prompt');
    await p.ari.pressDigits(id, '9999993#');
    await hungUp(p, id);
    const heard = p.ari.channel(id)!.heard;
    expect(heard.filter((m) => m === 'sound:conf-invalidpin')).toHaveLength(3);
    expect(heard.at(-1)).toBe('sound:vm-goodbye');
    expect(p.ari.channel(id)!.bridgeId).toBeNull();
  });

  it('counts a silent caller’s digit timeouts as failed attempts', async () => {
    const id = await p.ari.call({ args: [NUMBER], callerNumber: '+41445550000' });
    await hungUp(p, id!);
    expect(p.ari.channel(id!)!.heard.filter((m) => m === 'sound:conf-getpin')).toHaveLength(3);
  });

  it('hears "not started" too early, "ended" after the end plus grace, "cancelled" for a cancelled booking', async () => {
    const later = await book(p, { start: '2026-03-20T11:00:00Z', end: '2026-03-20T12:00:00Z' });
    const early = await dialIn(p, later.pin);
    await hungUp(p, early);
    expect(p.ari.channel(early)!.heard.slice(-2)).toEqual(['sound:wm-not-started', 'sound:vm-goodbye']);

    const past = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:00:00Z' });
    p.t.clock.set('2026-03-20T10:15:00Z'); // end 10:00 + 15 minutes of grace
    try {
      const late = await dialIn(p, past.pin);
      await hungUp(p, late);
      expect(p.ari.channel(late)!.heard.slice(-2)).toEqual(['sound:wm-ended', 'sound:vm-goodbye']);
    } finally {
      p.t.clock.set('2026-03-20T09:20:00Z');
    }

    const cancelled = await book(p, NOW_SLOT);
    expect((await p.t.api('DELETE', `/api/v1/bookings/${cancelled.id}`, { as: p.booker })).status).toBe(200);
    const gone = await dialIn(p, cancelled.pin);
    await hungUp(p, gone);
    expect(p.ari.channel(gone)!.heard.slice(-2)).toEqual(['sound:wm-cancelled', 'sound:vm-goodbye']);
  });

  it('keeps two bookings at once in two bridges, nobody in the wrong one', async () => {
    const a = await book(p, NOW_SLOT);
    const b = await book(p, NOW_SLOT);
    const callers = await Promise.all([dialIn(p, a.pin), dialIn(p, b.pin), dialIn(p, a.pin), dialIn(p, b.pin, { hash: true })]);
    await Promise.all(callers.map((c, i) => inBridge(p, c, i % 2 === 0 ? a.id : b.id)));
    const bridges = new Map(p.ari.bridges().map((x) => [x.id, new Set(x.channels)]));
    expect(bridges.get(bridgeOf(a.id))).toEqual(new Set([callers[0], callers[2]]));
    expect(bridges.get(bridgeOf(b.id))).toEqual(new Set([callers[1], callers[3]]));
    for (const c of callers) p.ari.hangup(c);
  });

  it('says the meeting is full when phone callers take all its seats; the host PIN still enters', async () => {
    const b = await book(p, { ...NOW_SLOT, seats: 2 });
    const [one, two] = await Promise.all([dialIn(p, b.pin), dialIn(p, b.pin)]);
    await Promise.all([inBridge(p, one!, b.id), inBridge(p, two!, b.id)]);
    const third = await dialIn(p, b.pin);
    await hungUp(p, third);
    expect(p.ari.channel(third)!.heard.slice(-2)).toEqual(['sound:wm-conference-full', 'sound:vm-goodbye']);
    const host = await dialIn(p, b.hostPin);
    await inBridge(p, host, b.id);
    await listed(p, b.id, [one!, two!, host]);
    const roles = (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body.participants.map((x: { role: string }) => x.role);
    expect(roles.sort()).toEqual(['host', 'participant', 'participant']);
    for (const c of [one, two, host]) p.ari.hangup(c!);
  });
});

describe('the host in the portal', () => {
  it('mutes, unmutes and removes a caller, and locks the conference', async () => {
    const b = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:30:00Z' });
    const caller = await dialIn(p, b.pin);
    await inBridge(p, caller, b.id);
    await listed(p, b.id, [caller]);
    const base = `/api/v1/bookings/${b.id}/audio`;
    expect((await p.t.api('POST', `${base}/participants/${caller}/mute`, { as: p.booker })).status).toBe(204);
    // ARI queues a mute behind the channel's playback and answers at once (channels.json "mute").
    await p.ari.waitFor(() => p.ari.channel(caller)!.muted.in, 'the caller muted');
    expect((await p.t.api('GET', base, { as: p.booker })).body.participants[0].muted).toBe(true);
    expect((await p.t.api('POST', `${base}/participants/${caller}/unmute`, { as: p.booker })).status).toBe(204);
    await p.ari.waitFor(() => !p.ari.channel(caller)!.muted.in, 'the caller unmuted');

    // Someone else's booking's caller id is not found under this booking.
    const other = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:30:00Z' });
    const res = await p.t.api('POST', `/api/v1/bookings/${other.id}/audio/participants/${caller}/mute`, { as: p.booker });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('PARTICIPANT_NOT_FOUND');

    const locked = await p.t.api('PUT', `${base}/lock`, { as: p.booker, body: { locked: true } });
    expect(locked.body.locked).toBe(true);
    await p.ari.waitFor(() => p.ari.channel(caller)!.heard.includes('sound:conf-lockednow'), 'the lock announcement');
    const refused = await dialIn(p, b.pin);
    await hungUp(p, refused);
    expect(p.ari.channel(refused)!.heard.slice(-2)).toEqual(['sound:conf-locked', 'sound:vm-goodbye']);
    const host = await dialIn(p, b.hostPin);
    await inBridge(p, host, b.id);
    await listed(p, b.id, [caller, host]);

    expect((await p.t.api('DELETE', `${base}/participants/${caller}`, { as: p.booker })).status).toBe(204);
    await hungUp(p, caller);
    expect((await p.t.api('GET', base, { as: p.booker })).body.participants.map((x: { id: string }) => x.id)).toEqual([host]);
    expect((await p.t.api('DELETE', `${base}/participants/${caller}`, { as: p.booker })).status).toBe(404);
    p.ari.hangup(host);
  });
});

describe('refused callers', () => {
  it('hear why outside the booking’s lane: six refusals playing do not hold up a host PIN caller', async () => {
    const b = await book(p, NOW_SLOT);
    const first = await dialIn(p, b.pin);
    await inBridge(p, first, b.id);
    expect((await p.t.api('PUT', `/api/v1/bookings/${b.id}/audio/lock`, { as: p.booker, body: { locked: true } })).status).toBe(200);
    // The refusal prompt plays until the test lets it end.
    p.ari.holdMedia('sound:conf-locked');
    let refused: string[] = [];
    try {
      refused = await Promise.all(Array.from({ length: 6 }, (_, i) => dialIn(p, b.pin, { caller: `+3934700000${i}` })));
      const hearing = () => refused.filter((c) => p.ari.channel(c)!.heard.includes('sound:conf-locked')).length;
      await p.ari.waitFor(() => hearing() > 0, 'a refusal playing');
      const host = await dialIn(p, b.hostPin);
      await inBridge(p, host, b.id);
      // Each was decided in turn in the lane; all six hear the refusal at once, none has ended.
      await p.ari.waitFor(() => hearing() === 6, 'all six refusals playing');
      const events = p.ari.events;
      const entered = events.findIndex((e) => e.type === 'ChannelEnteredBridge' && (e.channel as { id: string }).id === host);
      const refusalEnded = events.findIndex((e) => e.type === 'PlaybackFinished' && (e.playback as { media_uri: string }).media_uri === 'sound:conf-locked');
      expect(entered).toBeGreaterThan(-1);
      expect(refusalEnded).toBe(-1);
      expect(refused.some((c) => p.ari.channel(c)!.hungUp)).toBe(false);
      await listed(p, b.id, [first, host]);
      p.ari.hangup(host);
    } finally {
      p.ari.releaseMedia('sound:conf-locked');
    }
    await Promise.all(refused.map((c) => hungUp(p, c)));
    for (const c of refused) expect(p.ari.channel(c)!.heard.slice(-2)).toEqual(['sound:conf-locked', 'sound:vm-goodbye']);
    p.ari.hangup(first);
  });
});

describe('a caller’s keypad in the conference', () => {
  it('mutes and unmutes oneself with *6; the host sees it', async () => {
    const b = await book(p, NOW_SLOT);
    const caller = await dialIn(p, b.pin);
    await inBridge(p, caller, b.id);
    await listed(p, b.id, [caller]);
    await p.ari.pressDigits(caller, '*6');
    await p.ari.waitFor(() => p.ari.channel(caller)!.muted.in && p.ari.channel(caller)!.heard.includes('sound:conf-muted'), 'muted by *6');
    await expect.poll(async () => (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body.participants[0].muted).toBe(true);
    await p.ari.pressDigits(caller, '6*6');
    await p.ari.waitFor(() => !p.ari.channel(caller)!.muted.in && p.ari.channel(caller)!.heard.includes('sound:conf-unmuted'), 'unmuted by *6');
    p.ari.hangup(caller);
  });

  it('works with exactly two in the bridge: the bridge keeps DTMF events (no native RTP bridging)', async () => {
    const b = await book(p, NOW_SLOT);
    const [one, two] = [await dialIn(p, b.pin), await dialIn(p, b.pin)];
    await Promise.all([inBridge(p, one, b.id), inBridge(p, two, b.id)]);
    await listed(p, b.id, [one, two]);
    await p.ari.pressDigits(two, '*6');
    await p.ari.waitFor(() => p.ari.channel(two)!.muted.in && p.ari.channel(two)!.heard.includes('sound:conf-muted'), 'the second caller muted by *6', 2000);
    expect(p.ari.channel(one)!.muted.in).toBe(false);
    // A plain `mixing` bridge of two goes native_rtp, where Asterisk never sees the digits (issue #11).
    expect(p.ari.technology(bridgeOf(b.id))).toBe('simple_bridge');
    expect(p.ari.dtmfLost).toEqual([]);
    for (const c of [one, two]) p.ari.hangup(c);
  });
});

describe('the end of a booking', () => {
  it('says goodbye, hangs everyone up and destroys the bridge at the end plus grace', async () => {
    const b = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:00:00Z' });
    const callers = await Promise.all([dialIn(p, b.pin), dialIn(p, b.pin), dialIn(p, b.hostPin)]);
    await Promise.all(callers.map((c) => inBridge(p, c, b.id)));
    p.t.clock.set('2026-03-20T10:14:00Z');
    await p.t.portal.telephony!.sweepNow();
    expect(callers.every((c) => !p.ari.channel(c)!.hungUp)).toBe(true);
    p.t.clock.set('2026-03-20T10:15:00Z');
    try {
      await p.t.portal.telephony!.sweepNow();
      await Promise.all(callers.map((c) => hungUp(p, c)));
      for (const c of callers) expect(p.ari.channel(c)!.heard.at(-1)).toBe('sound:vm-goodbye');
      expect(p.ari.bridges().some((x) => x.id === bridgeOf(b.id))).toBe(false);
      await expect.poll(async () => (await p.t.api('GET', `/api/v1/bookings/${b.id}/audio`, { as: p.booker })).body.participants).toEqual([]);
    } finally {
      p.t.clock.set('2026-03-20T09:20:00Z');
    }
  });

  it('queues no tone to a bridge being torn down: six callers hang up at once, the bridge loses no playback', async () => {
    const b = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:00:00Z', seats: 10 });
    const callers = await Promise.all(Array.from({ length: 6 }, (_, i) => dialIn(p, b.pin, { caller: `+3934711100${i}` })));
    await Promise.all(callers.map((c) => inBridge(p, c, b.id)));
    await listed(p, b.id, callers);
    // The join tones done first: a join tone still waiting to start stands for a leave tone (at most
    // one waits per bridge), so under load none would be asked for and this test would see none.
    // The portal reads the double's events in order: these come before the hang-ups' StasisEnd.
    const bridgeTones = (media: string) => p.ari.requests.filter((r) => r.path.endsWith(`/bridges/${bridgeOf(b.id)}/play`) && r.query.media === media);
    expect(bridgeTones('sound:confbridge-join').length).toBeGreaterThan(0);
    await p.ari.waitFor(
      () => bridgeTones('sound:confbridge-join').every((r) => p.ari.events.some((e) => e.type === 'PlaybackFinished' && (e.playback as { id?: string } | undefined)?.id === r.query.playbackId)),
      'the join tones played',
    );
    // The leave tones play until the bridge goes: each one still queued or playing then is lost,
    // and Asterisk logs a warning for it (issue #11: 27 when a meeting ended).
    p.ari.holdMedia('sound:confbridge-leave');
    try {
      for (const c of callers) p.ari.hangup(c);
      await p.ari.waitFor(() => !p.ari.bridges().some((x) => x.id === bridgeOf(b.id)), 'the bridge destroyed');
      expect(p.ari.warnings.filter((w) => w.includes(bridgeOf(b.id)))).toEqual([]);
      // One tone playing and at most one waiting behind it stand for the five leaves.
      const tones = bridgeTones('sound:confbridge-leave');
      expect(tones.length).toBeGreaterThan(0);
      expect(tones.length).toBeLessThanOrEqual(2);
    } finally {
      p.ari.releaseMedia('sound:confbridge-leave');
    }
  });

  it('hangs up at once when the booking is cancelled', async () => {
    const b = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:00:00Z' });
    const caller = await dialIn(p, b.pin);
    await inBridge(p, caller, b.id);
    expect((await p.t.api('DELETE', `/api/v1/bookings/${b.id}`, { as: p.booker })).status).toBe(200);
    // No sweepNow: the cancellation's notice wakes the holder.
    await hungUp(p, caller);
    await p.ari.waitFor(() => !p.ari.bridges().some((x) => x.id === bridgeOf(b.id)), 'the bridge destroyed');
  });

  it('hangs up at once when the booker turns the audio conference off', async () => {
    const b = await book(p, { start: '2026-03-20T09:30:00Z', end: '2026-03-20T10:00:00Z' });
    const caller = await dialIn(p, b.pin);
    await inBridge(p, caller, b.id);
    expect((await p.t.api('PUT', `/api/v1/bookings/${b.id}/audio`, { as: p.booker, body: { enabled: false } })).status).toBe(200);
    // No sweepNow (periodic sweeps are off here): the switch's notice wakes the holder.
    await hungUp(p, caller);
    await p.ari.waitFor(() => !p.ari.bridges().some((x) => x.id === bridgeOf(b.id)), 'the bridge destroyed');
  });
});
