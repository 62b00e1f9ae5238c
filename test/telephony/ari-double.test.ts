// The ARI double's scripting API, as the telephony tests use it (the protocol itself is checked
// against the recordings in ari-double-replay.test.ts).
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AriDouble, type AriDoubleOptions } from '../doubles/ari/index.ts';
import { RtpPeer } from '../doubles/ari/media.ts';

type Event = { type: string } & Record<string, unknown>;

let double: AriDouble;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await double?.close();
});

async function start(opts: AriDoubleOptions = {}) {
  double = await AriDouble.start(opts);
  return double;
}

async function rest(method: string, path: string, query: Record<string, string> = {}, body?: unknown) {
  const url = new URL(double.url + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${double.username}:${double.password}`).toString('base64')}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & Record<string, unknown>[] };
}

/** An events socket like the application's; `events` fills as they arrive. */
async function connect() {
  const events: Event[] = [];
  const ws = new WebSocket(`${double.url.replace(/^http/, 'ws')}/events?app=webmeetings&api_key=${double.username}:${double.password}`);
  sockets.push(ws);
  ws.on('error', () => undefined); // a refused upgrade is reported through unexpected-response
  ws.on('message', (d) => events.push(JSON.parse(d.toString()) as Event));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const next = async (type: string, after = 0) => {
    await double.waitFor(() => events.slice(after).some((e) => e.type === type), type, 2000);
    return events.slice(after).find((e) => e.type === type)!;
  };
  return { ws, events, next, types: () => events.map((e) => e.type) };
}

describe('ARI double: calls and the events socket', () => {
  it('refuses a call while no socket holds the app, and takes it once one does', async () => {
    await start();
    expect(await double.call({ args: ['+390212345678'] })).toBeNull();
    expect((await rest('GET', '/channels')).body).toEqual([]);
    const app = await connect();
    const id = await double.call({ args: ['+390212345678', 'pin=123456'], callerNumber: '+41791234567' });
    const start_ = await app.next('StasisStart');
    expect(start_.args).toEqual(['+390212345678', 'pin=123456']);
    expect(start_.channel).toMatchObject({ id, state: 'Ring', caller: { name: '', number: '+41791234567' }, dialplan: { app_name: 'Stasis', app_data: 'webmeetings,+390212345678,pin=123456' } });
  });

  it('keeps channels, bridges and REST when the sockets drop, and replays nothing on reconnect', async () => {
    await start();
    const first = await connect();
    const id = (await double.call({ args: ['4711'] }))!;
    expect((await rest('POST', `/channels/${id}/answer`)).status).toBe(204);
    await rest('POST', '/bridges', { type: 'mixing', bridgeId: 'wm-conf-1' });
    expect((await rest('POST', '/bridges/wm-conf-1/addChannel', { channel: id })).status).toBe(204);
    double.dropSockets();
    await double.waitFor(() => double.socketCount() === 0, 'the socket to close');
    expect(first.ws.readyState).not.toBe(WebSocket.OPEN);

    expect(await double.call({ args: ['4711'] })).toBeNull();
    expect((await rest('GET', '/applications/webmeetings')).body).toMatchObject({ channel_ids: [id], bridge_ids: ['wm-conf-1'] });
    expect((await rest('GET', '/bridges/wm-conf-1')).body).toMatchObject({ channels: [id] });
    expect((await rest('POST', `/channels/${id}/mute`, { direction: 'in' })).status).toBe(204);
    await double.waitFor(() => double.channel(id)!.muted.in, 'the mute');

    const second = await connect();
    await new Promise((r) => setTimeout(r, 100));
    expect(second.events).toEqual([]);
    await double.pressDigits(id, '1#');
    await second.next('ChannelDtmfReceived');
    expect(second.events.map((e) => e.digit)).toEqual(['1', '#']);
    expect(double.channel(id)).toMatchObject({ inStasis: true, bridgeId: 'wm-conf-1', hungUp: false });
  });

  it('refuses events upgrades with 503 while told to', async () => {
    await start();
    double.refuseSockets(true);
    await expect(connect()).rejects.toThrow('HTTP 503');
    double.refuseSockets(false);
    await connect();
    expect(double.socketCount()).toBe(1);
  });

  it('tells the older socket ApplicationReplaced and sends events only to the newer one', async () => {
    await start();
    const older = await connect();
    const newer = await connect();
    await older.next('ApplicationReplaced');
    await double.call({ args: ['4711'] });
    await newer.next('StasisStart');
    expect(older.types()).toEqual(['ApplicationReplaced']);
  });

  it('sends StasisEnd but no ChannelDestroyed when a caller hangs up, and forgets the channel', async () => {
    await start();
    const app = await connect();
    const id = (await double.call({ args: ['4711'] }))!;
    double.hangup(id);
    await app.next('StasisEnd');
    await new Promise((r) => setTimeout(r, 50));
    expect(app.types()).toEqual(['StasisStart', 'ChannelHangupRequest', 'StasisEnd']);
    expect((await rest('GET', `/channels/${id}`)).status).toBe(404);
    expect(double.channel(id)).toMatchObject({ hungUp: true, inStasis: false });
    expect(double.channels()).toEqual([]);
  });
});

describe('ARI double: media, mute and bridges', () => {
  it('records what each channel heard: its own playbacks, and bridge playbacks while bridged', async () => {
    await start({ playbackMs: 10, soundExists: (s) => s !== 'missing' });
    const app = await connect();
    const a = (await double.call({ args: ['4711'] }))!;
    const b = (await double.call({ args: ['4711'] }))!;
    await rest('POST', `/channels/${a}/answer`);
    await rest('POST', `/channels/${b}/answer`);
    await rest('POST', `/channels/${a}/play`, { media: 'sound:conf-getpin,sound:missing', playbackId: 'p1' });
    await double.waitFor(() => app.events.some((e) => e.type === 'PlaybackFinished'), 'the prompt');
    await rest('POST', '/bridges', { bridgeId: 'br' });
    await rest('POST', '/bridges/br/addChannel', { channel: `${a},${b}` });
    await rest('POST', '/bridges/br/play', { media: 'sound:confbridge-join' });
    await double.waitFor(() => app.events.filter((e) => e.type === 'PlaybackFinished').length === 2, 'the bridge playback');
    await rest('POST', '/bridges/br/removeChannel', { channel: b });
    await rest('POST', '/bridges/br/play', { media: 'sound:confbridge-leave' });
    await double.waitFor(() => app.events.filter((e) => e.type === 'PlaybackFinished').length === 3, 'the second bridge playback');

    expect(double.channel(a)!.heard).toEqual(['sound:conf-getpin', 'sound:confbridge-join', 'sound:confbridge-leave']);
    expect(double.channel(b)!.heard).toEqual(['sound:confbridge-join']);
    const first = app.events.filter((e) => e.type.startsWith('Playback') && (e.playback as { id: string }).id === 'p1');
    expect(first.map((e) => [e.type, (e.playback as { state: string }).state])).toEqual([
      ['PlaybackStarted', 'playing'],
      ['PlaybackContinuing', 'continuing'],
      ['PlaybackStarted', 'playing'],
      ['PlaybackFinished', 'failed'],
    ]);
    expect(double.bridges()).toEqual([{ id: 'br', name: '', channels: [a] }]);
  });

  it('mutes and unmutes by direction, and rejects an unknown direction', async () => {
    await start();
    await connect();
    const id = (await double.call({ args: ['4711'] }))!;
    await rest('POST', `/channels/${id}/answer`);
    expect((await rest('POST', `/channels/${id}/mute`, { direction: 'in' })).status).toBe(204);
    await double.waitFor(() => double.channel(id)!.muted.in, 'muted in');
    expect(double.channel(id)!.muted).toEqual({ in: true, out: false });
    await rest('POST', `/channels/${id}/mute`); // direction defaults to both (channels.json)
    await double.waitFor(() => double.channel(id)!.muted.out, 'muted both');
    await rest('DELETE', `/channels/${id}/mute`, { direction: 'in' });
    await double.waitFor(() => !double.channel(id)!.muted.in, 'unmuted in');
    expect(double.channel(id)!.muted).toEqual({ in: false, out: true });
    expect(await rest('POST', `/channels/${id}/mute`, { direction: 'sideways' })).toEqual({ status: 400, body: { message: 'Invalid direction specified' } });
  });

  it('makes a channel operation wait while a channel playback runs', async () => {
    await start({ playbackMs: 300 });
    const app = await connect();
    const id = (await double.call({ args: ['4711'] }))!;
    await rest('POST', `/channels/${id}/answer`);
    await rest('POST', '/bridges', { bridgeId: 'br' });
    await rest('POST', `/channels/${id}/play`, { media: 'sound:conf-getpin' });
    await app.next('PlaybackStarted');
    const mute = await rest('POST', `/channels/${id}/mute`, { direction: 'in' }); // asynchronous: 204 at once
    expect(mute.status).toBe(204);
    expect(double.channel(id)!.muted.in).toBe(false);
    const added = await rest('POST', '/bridges/br/addChannel', { channel: id }); // synchronous: waits
    expect(added.status).toBe(204);
    const finished = app.types().indexOf('PlaybackFinished');
    expect(finished).toBeGreaterThan(-1);
    expect(app.types().indexOf('ChannelEnteredBridge')).toBeGreaterThan(finished);
    expect(double.channel(id)).toMatchObject({ muted: { in: true, out: false }, bridgeId: 'br' });
  });
});

describe('ARI double: bridge types (bridges.json "type": mixing, holding, dtmf_events, ...)', () => {
  /** Two answered callers in a new bridge of this type; the app's events. */
  async function twoInBridge(type: string) {
    const app = await connect();
    const [a, b] = [(await double.call({ args: ['4711'] }))!, (await double.call({ args: ['4711'] }))!];
    for (const id of [a, b]) await rest('POST', `/channels/${id}/answer`);
    const created = await rest('POST', '/bridges', { type, bridgeId: 'br' });
    expect(created.status).toBe(200);
    await rest('POST', '/bridges/br/addChannel', { channel: `${a},${b}` });
    return { app, a, b };
  }

  it('bridges two channels natively in a plain mixing bridge, and their DTMF never reaches the app', async () => {
    await start();
    const { app, a } = await twoInBridge('mixing');
    expect((await rest('GET', '/bridges/br')).body).toMatchObject({ technology: 'native_rtp', bridge_type: 'mixing' });
    await double.pressDigits(a, '*6');
    await new Promise((r) => setTimeout(r, 50));
    expect(app.types()).not.toContain('ChannelDtmfReceived');
    expect(double.dtmfLost.map((x) => x.digit)).toEqual(['*', '6']);
  });

  it('keeps DTMF events flowing with mixing,dtmf_events (simple_bridge for two, softmix for three)', async () => {
    await start();
    const { app, a } = await twoInBridge('mixing,dtmf_events');
    expect((await rest('GET', '/bridges/br')).body).toMatchObject({ technology: 'simple_bridge', bridge_type: 'mixing' });
    await double.pressDigits(a, '*6');
    await double.waitFor(() => app.events.filter((e) => e.type === 'ChannelDtmfReceived').length === 2, 'both digits');
    const c = (await double.call({ args: ['4711'] }))!;
    await rest('POST', `/channels/${c}/answer`);
    await rest('POST', '/bridges/br/addChannel', { channel: c });
    expect(double.technology('br')).toBe('softmix');
  });

  it('applies the attributes in order, as stasis.c does: dtmf_events before mixing is undone by it', async () => {
    await start();
    await twoInBridge('dtmf_events,mixing');
    expect(double.technology('br')).toBe('native_rtp');
  });

  it('refuses a type that makes no bridge: no capability, or holding with mixing', async () => {
    await start();
    for (const type of ['dtmf_events', 'bogus-type', 'holding,mixing']) {
      expect(await rest('POST', '/bridges', { type, bridgeId: 'x' }), type).toEqual({ status: 500, body: { message: "Unable to create bridge. Possible duplicate bridge id 'x'" } });
    }
    expect((await rest('POST', '/bridges', { type: 'holding', bridgeId: 'h' })).body).toMatchObject({ bridge_type: 'holding', technology: 'holding_bridge' });
  });
});

describe('ARI double: scripted playback and what a destroyed bridge loses', () => {
  it('holds a media item playing until released; stop still ends it', async () => {
    await start({ playbackMs: 10 });
    const app = await connect();
    const id = (await double.call({ args: ['4711'] }))!;
    await rest('POST', `/channels/${id}/answer`);
    double.holdMedia('sound:conf-locked');
    await rest('POST', `/channels/${id}/play`, { media: 'sound:conf-locked,sound:vm-goodbye', playbackId: 'p' });
    await app.next('PlaybackStarted');
    await new Promise((r) => setTimeout(r, 60));
    expect(app.types()).not.toContain('PlaybackContinuing');
    double.releaseMedia('sound:conf-locked');
    await app.next('PlaybackFinished');
    expect(double.channel(id)!.heard).toEqual(['sound:conf-locked', 'sound:vm-goodbye']);

    double.holdMedia('sound:conf-locked');
    await rest('POST', `/channels/${id}/play`, { media: 'sound:conf-locked', playbackId: 'q' });
    await double.waitFor(() => app.events.filter((e) => e.type === 'PlaybackStarted').length === 3, 'the second playback');
    expect((await rest('DELETE', '/playbacks/q')).status).toBe(204);
    await double.waitFor(() => app.events.filter((e) => e.type === 'PlaybackFinished').length === 2, 'the stopped playback');
  });

  it('counts the playbacks queued or playing on a bridge when it is destroyed, not stopped ones', async () => {
    await start({ playbackMs: 10 });
    await connect();
    const id = (await double.call({ args: ['4711'] }))!;
    await rest('POST', `/channels/${id}/answer`);
    await rest('POST', '/bridges', { type: 'mixing,dtmf_events', bridgeId: 'br' });
    await rest('POST', '/bridges/br/addChannel', { channel: id });
    double.holdMedia('sound:confbridge-leave');
    for (const n of [1, 2, 3]) await rest('POST', '/bridges/br/play', { media: 'sound:confbridge-leave', playbackId: `tone-${n}` });
    expect((await rest('DELETE', '/playbacks/tone-3')).status).toBe(204);
    await rest('DELETE', '/bridges/br');
    expect(double.warnings).toEqual([
      'bridge br destroyed with playback tone-1 (sound:confbridge-leave) playing',
      'bridge br destroyed with playback tone-2 (sound:confbridge-leave) queued',
    ]);
  });
});

describe('ARI double: originate and external media', () => {
  it('answers, refuses busy or never answers an originate as onOriginate says', async () => {
    await start({ secondsMs: 10 });
    const app = await connect();
    const seen: unknown[] = [];
    double.onOriginate((req) => {
      seen.push(req);
      return req.channelId === 'wm-leg-1' ? 'answer' : req.channelId === 'wm-leg-2' ? 'busy' : 'no-answer';
    });
    const leg = await rest('POST', '/channels', { endpoint: 'PJSIP/adobe/sip:1@example.org', app: 'webmeetings', appArgs: 'room-leg,1', channelId: 'wm-leg-1', callerId: 'Room <4711>' }, { variables: { X_PIN: '123456' } });
    expect(leg.body).toMatchObject({ id: 'wm-leg-1', state: 'Down', caller: { name: 'Room', number: '4711' } });
    const started = await app.next('StasisStart');
    expect(started.args).toEqual(['room-leg', '1']);
    expect(seen[0]).toEqual({ endpoint: 'PJSIP/adobe/sip:1@example.org', channelId: 'wm-leg-1', appArgs: ['room-leg', '1'], variables: { X_PIN: '123456' }, callerId: 'Room <4711>' });
    expect(double.channel('wm-leg-1')).toMatchObject({ originated: true, inStasis: true, state: 'Up', endpoint: 'PJSIP/adobe/sip:1@example.org', variables: { X_PIN: '123456' } });
    expect(app.types()).toEqual(['Dial', 'ChannelStateChange', 'Dial', 'ChannelStateChange', 'Dial', 'StasisStart']);

    let from = app.events.length;
    await rest('POST', '/channels', { endpoint: 'PJSIP/adobe', app: 'webmeetings', channelId: 'wm-leg-2' });
    const busy = await app.next('ChannelDestroyed', from);
    expect(busy).toMatchObject({ cause: 17, cause_txt: 'User busy', tech_cause: 486 });
    expect(app.types().slice(from)).toEqual(['Dial', 'ChannelStateChange', 'Dial', 'ChannelHangupRequest', 'Dial', 'ChannelDestroyed']);

    from = app.events.length;
    await rest('POST', '/channels', { endpoint: 'PJSIP/adobe', app: 'webmeetings', channelId: 'wm-leg-3', timeout: '5' });
    const noAnswer = await app.next('ChannelDestroyed', from);
    expect(noAnswer).toMatchObject({ cause: 19, cause_txt: 'User alerting, no answer', tech_cause: 480 });
    expect(app.types().slice(from)).toEqual(['Dial', 'ChannelDestroyed']);

    from = app.events.length;
    expect((await rest('DELETE', '/channels/wm-leg-1', { reason: 'normal' })).status).toBe(204);
    await app.next('ChannelDestroyed', from);
    expect(app.types().slice(from)).toEqual(['ChannelHangupRequest', 'StasisEnd', 'ChannelDestroyed']);
  });

  it('answers externalMedia with the channel and its RTP address, then StasisStart', async () => {
    await start();
    const app = await connect();
    const res = await rest('POST', '/channels/externalMedia', { channelId: 'wm-rtp-1', app: 'webmeetings', external_host: '127.0.0.1:40000', format: 'slin16' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'wm-rtp-1', state: 'Down', channelvars: { UNICASTRTP_LOCAL_ADDRESS: '127.0.0.1' } });
    const started = await app.next('StasisStart');
    expect(started.channel).toMatchObject({ id: 'wm-rtp-1', state: 'Up' });
    expect(double.channel('wm-rtp-1')).toMatchObject({ endpoint: 'UnicastRTP/127.0.0.1:40000', inStasis: true });
    expect((await rest('POST', '/channels/externalMedia', { app: 'webmeetings', external_host: 'nohost', format: 'slin16' })).body).toEqual({ message: 'external_host must be <host>:<port>' });
  });

  it('sends and takes real µ-law RTP on an externalMedia channel, at the address it reports', async () => {
    await start();
    await connect();
    const far = await RtpPeer.open('127.0.0.1');
    try {
      const res = await rest('POST', '/channels/externalMedia', { channelId: 'wm-rtp-2', app: 'webmeetings', external_host: `127.0.0.1:${far.address.port}`, format: 'ulaw' });
      const vars = (res.body as unknown as { channelvars: Record<string, string> }).channelvars;
      await double.waitFor(() => far.loudest(1000) === 0 && double.rtp('wm-rtp-2')!.sent > 5, 'silence from the channel (nobody speaks in its bridge)');
      far.speaking = () => true;
      far.sendTo(vars.UNICASTRTP_LOCAL_ADDRESS!, Number(vars.UNICASTRTP_LOCAL_PORT));
      await double.waitFor(() => double.rtp('wm-rtp-2')!.received > 5, 'RTP reaching the channel');
      expect(far.received).toBeGreaterThan(5);
    } finally {
      far.close();
    }
  });
});

describe('ARI double: waitFor', () => {
  it('resolves once the condition holds, and names what it waited for when it times out', async () => {
    await start();
    let ready = false;
    setTimeout(() => (ready = true), 20);
    await double.waitFor(() => ready, 'ready');
    await expect(double.waitFor(() => false, 'the impossible', 50)).rejects.toThrow(/timed out after 50 ms waiting for the impossible/);
  });
});
