// The browser's side of a Janus room (janus-gateway's janus.js over Janus' HTTP API): everyone's
// audio goes through the AudioBridge room (one mixed stream back, the phone callers in it too),
// cameras and screens through the VideoRoom room (one publisher handle, one multistream subscriber
// handle for all the others). Participants join both under the id the portal gave them, so the
// AudioBridge's list (names, mutes, raised hands) and the VideoRoom's feeds line up.
import Janus, { type JanusJS } from 'janus-gateway';
import adapter from 'webrtc-adapter';
import type { RoomVisit } from './api.ts';

export type Person = { id: number; display: string; muted: boolean; hand: boolean; me: boolean };
export type ConferenceStatus = 'connecting' | 'joined' | 'left' | 'removed' | 'ended' | 'failed';
export type ConferenceState = {
  status: ConferenceStatus;
  people: Person[];
  /** Remote cameras and screens by participant id. */
  videos: Map<number, MediaStream>;
  local: MediaStream | null;
  remoteAudio: MediaStream | null;
  micMuted: boolean;
  cameraOn: boolean;
  sharing: boolean;
  hand: boolean;
  /** No microphone (none present or not allowed): listening only. */
  listenOnly: boolean;
  hasCamera: boolean;
  mutedByHost: boolean;
  error: string | null;
};

/** A raised hand travels as a mark at the end of the AudioBridge display name (configure "display"). */
const HAND = ' ✋';
const VIDEO = 'janus.plugin.videoroom';
const AUDIO = 'janus.plugin.audiobridge';

type Listed = { id: number; display?: string; muted?: boolean };

let ready: Promise<void> | null = null;
const init = () => (ready ??= new Promise<void>((resolve) => Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies({ adapter }), callback: resolve })));

export class Conference {
  private state: ConferenceState;
  private readonly listeners = new Set<() => void>();
  private readonly visit: RoomVisit;
  private janus: Janus | null = null;
  private audio: JanusJS.PluginHandle | null = null;
  private video: JanusJS.PluginHandle | null = null;
  private subscriber: JanusJS.PluginHandle | null = null;
  private subscribing: Promise<void> | null = null;
  private privateId: number | null = null;
  private readonly feedOfMid = new Map<string, number>();
  private mic: MediaStreamTrack | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;
  private publishing = false;

  constructor(visit: RoomVisit) {
    this.visit = visit;
    this.state = { status: 'connecting', people: [], videos: new Map(), local: null, remoteAudio: null, micMuted: false, cameraOn: false, sharing: false, hand: false, listenOnly: true, hasCamera: false, mutedByHost: false, error: null };
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  snapshot = () => this.state;
  private set(patch: Partial<ConferenceState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
  private get me(): number {
    return this.visit.janus.participantId;
  }
  private get room() {
    return { room: this.visit.janus.room, pin: this.visit.janus.pin };
  }

  /** Camera and microphone where allowed and present; listening only otherwise. */
  private async devices(): Promise<void> {
    const ask = (c: MediaStreamConstraints) => navigator.mediaDevices?.getUserMedia(c).catch(() => null) ?? Promise.resolve(null);
    const both = await ask({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 } } });
    const stream = both ?? (await ask({ audio: true })) ?? (await ask({ video: { width: { ideal: 640 }, height: { ideal: 360 } } }));
    this.mic = stream?.getAudioTracks()[0] ?? null;
    this.camera = stream?.getVideoTracks()[0] ?? null;
    this.set({ listenOnly: !this.mic, hasCamera: !!this.camera, cameraOn: !!this.camera, local: this.camera ? new MediaStream([this.camera]) : null });
  }

  async start(): Promise<void> {
    await Promise.all([init(), this.devices()]);
    try {
      this.janus = await new Promise<Janus>((resolve, reject) => {
        const j: Janus = new Janus({ server: this.visit.janus.server, success: () => resolve(j), error: (e: unknown) => reject(new Error(String(e))), destroyOnUnload: true });
      });
      this.audio = await this.attach(AUDIO, {
        onmessage: (msg, jsep) => this.onAudio(msg, jsep),
        onremotetrack: (track, _mid, on) => {
          if (track.kind === 'audio') this.set({ remoteAudio: on ? new MediaStream([track]) : null });
        },
      });
      this.video = await this.attach(VIDEO, { onmessage: (msg, jsep) => this.onVideo(msg, jsep) });
      this.audio.send({ message: { request: 'join', ...this.room, id: this.me, group: this.visit.janus.audioGroup, display: this.visit.janus.display, muted: !this.mic } });
      this.video.send({ message: { request: 'join', ptype: 'publisher', ...this.room, id: this.me, display: this.visit.janus.display } });
    } catch (e) {
      this.fail(e);
    }
  }

  private attach(plugin: string, callbacks: JanusJS.PluginCallbacks): Promise<JanusJS.PluginHandle> {
    return new Promise((resolve, reject) => this.janus!.attach({ plugin, ...callbacks, success: resolve, error: (e) => reject(new Error(e)) }));
  }

  private fail(e: unknown): void {
    this.set({ status: 'failed', error: e instanceof Error ? e.message : String(e) });
  }

  private people(update: (people: Map<number, Person>) => void): void {
    const byId = new Map(this.state.people.map((p) => [p.id, p]));
    update(byId);
    this.set({ people: [...byId.values()].sort((a, b) => Number(b.me) - Number(a.me) || a.display.localeCompare(b.display)) });
  }

  private static person(p: Listed, me: boolean): Person {
    const display = p.display ?? '';
    return { id: p.id, display: display.endsWith(HAND) ? display.slice(0, -HAND.length) : display, hand: display.endsWith(HAND), muted: p.muted === true, me };
  }

  // janus_audiobridge.c: "joined" (ours with `id`, others' without), "event" (participants' changes,
  // leaving, kicked), "destroyed".
  private onAudio(msg: JanusJS.Message, jsep?: JanusJS.JSEP): void {
    const ev = msg.audiobridge as string | undefined;
    if (msg.error) return this.fail(msg.error);
    const listed = (msg.participants ?? []) as Listed[];
    if (ev === 'joined' && msg.id === this.me) {
      this.people((all) => {
        all.set(this.me, { id: this.me, display: this.visit.janus.display, muted: !this.mic, hand: false, me: true });
        for (const p of listed) all.set(p.id, Conference.person(p, false));
      });
      this.set({ status: 'joined', micMuted: !this.mic });
      this.audio!.createOffer({
        tracks: [{ type: 'audio', capture: this.mic ?? false, recv: true }],
        success: (offer) => this.audio!.send({ message: { request: 'configure', muted: !this.mic }, jsep: offer }),
        error: (e) => this.fail(e),
      });
    } else if (ev === 'joined' || ev === 'event') {
      const mine = listed.find((p) => p.id === this.me);
      if (mine && mine.muted === true && !this.state.micMuted) this.set({ micMuted: true, mutedByHost: true });
      this.people((all) => {
        for (const p of listed) if (p.id !== this.me) all.set(p.id, Conference.person(p, false));
        if (typeof msg.leaving === 'number') all.delete(msg.leaving);
        if (typeof msg.kicked === 'number') all.delete(msg.kicked);
      });
      if (msg.kicked === this.me) this.removed();
    } else if (ev === 'destroyed') {
      this.close('ended');
    } else if (ev === 'left' && this.state.status === 'joined') {
      this.removed();
    }
    if (jsep) this.audio!.handleRemoteJsep({ jsep });
  }

  // janus_videoroom.c: "joined" (with publishers and our private_id), "event" (publishers,
  // unpublished, leaving, kicked), "destroyed".
  private onVideo(msg: JanusJS.Message, jsep?: JanusJS.JSEP): void {
    const ev = msg.videoroom as string | undefined;
    if (ev === 'joined') {
      this.privateId = msg.private_id as number;
      this.follow((msg.publishers ?? []) as { id: number }[]);
      if (this.camera) this.publish(this.camera);
    } else if (ev === 'event') {
      if (msg.publishers) this.follow(msg.publishers as { id: number }[]);
      const gone = [msg.unpublished, msg.leaving, msg.kicked].find((x) => typeof x === 'number') as number | undefined;
      if (gone !== undefined) this.dropVideo(gone);
      if ((msg.leaving === 'ok' && msg.reason === 'kicked') || msg.kicked === this.me) this.removed();
    } else if (ev === 'destroyed') {
      this.close('ended');
    }
    if (jsep) this.video!.handleRemoteJsep({ jsep });
  }

  private publish(track: MediaStreamTrack): void {
    this.publishing = true;
    this.video!.createOffer({
      // dontStop: janus.js stops a track it replaces; the camera must outlive a screen share.
      tracks: [{ type: 'video', capture: track, recv: false, dontStop: true }],
      success: (offer) => this.video!.send({ message: { request: 'publish' }, jsep: offer }),
      error: (e) => this.fail(e),
    });
  }

  /** Subscribes to every publisher's streams on one handle (videoroom multistream "join" then "subscribe"). */
  private follow(publishers: { id: number }[]): void {
    const streams = publishers.filter((p) => p.id !== this.me).map((p) => ({ feed: p.id }));
    if (streams.length === 0) return;
    const previous = this.subscribing ?? Promise.resolve();
    this.subscribing = previous.then(async () => {
      if (this.subscriber) return this.subscriber.send({ message: { request: 'subscribe', streams } });
      this.subscriber = await this.attach(VIDEO, {
        onmessage: (msg, jsep) => {
          for (const s of (msg.streams ?? []) as { mid: string; feed_id?: number }[]) if (s.feed_id !== undefined) this.feedOfMid.set(s.mid, s.feed_id);
          if (jsep) {
            this.subscriber!.createAnswer({
              jsep,
              tracks: [],
              success: (answer) => this.subscriber!.send({ message: { request: 'start' }, jsep: answer }),
              error: (e) => this.fail(e),
            });
          }
        },
        onremotetrack: (track, mid, on) => {
          const feed = this.feedOfMid.get(mid);
          if (track.kind !== 'video' || feed === undefined) return;
          const videos = new Map(this.state.videos);
          if (on) videos.set(feed, new MediaStream([track]));
          else videos.delete(feed);
          this.set({ videos });
        },
      });
      this.subscriber.send({ message: { request: 'join', ptype: 'subscriber', ...this.room, streams, private_id: this.privateId } });
    });
    this.subscribing.catch((e: unknown) => this.fail(e));
  }

  private dropVideo(feed: number): void {
    if (!this.state.videos.has(feed)) return;
    const videos = new Map(this.state.videos);
    videos.delete(feed);
    this.set({ videos });
  }

  toggleMic(): void {
    if (!this.mic || !this.audio) return;
    const muted = !this.state.micMuted;
    this.audio.send({ message: { request: 'configure', muted } });
    this.set({ micMuted: muted, mutedByHost: false });
    this.people((all) => {
      const me = all.get(this.me);
      if (me) all.set(this.me, { ...me, muted });
    });
  }

  toggleCamera(): void {
    if (!this.camera || !this.video) return;
    const on = !this.state.cameraOn;
    this.camera.enabled = on;
    this.set({ cameraOn: on });
  }

  toggleHand(): void {
    if (!this.audio) return;
    const hand = !this.state.hand;
    this.audio.send({ message: { request: 'configure', display: this.visit.janus.display + (hand ? HAND : '') } });
    this.set({ hand });
    this.people((all) => {
      const me = all.get(this.me);
      if (me) all.set(this.me, { ...me, hand });
    });
  }

  /** The screen takes the camera's place in the published stream, and gives it back when it stops. */
  async toggleScreen(): Promise<void> {
    if (!this.video) return;
    if (this.state.sharing) return this.stopScreen();
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true }).catch(() => null);
    const track = stream?.getVideoTracks()[0];
    if (!track) return;
    this.screen = track;
    track.addEventListener('ended', () => void this.stopScreen());
    if (this.publishing) this.video.replaceTracks({ tracks: [{ type: 'video', mid: this.videoMid(), capture: track, dontStop: true }] });
    else this.publish(track);
    this.set({ sharing: true, local: new MediaStream([track]) });
  }

  private async stopScreen(): Promise<void> {
    if (!this.screen) return;
    this.screen.stop();
    this.screen = null;
    if (this.camera) this.video?.replaceTracks({ tracks: [{ type: 'video', mid: this.videoMid(), capture: this.camera, dontStop: true }] });
    else this.video?.send({ message: { request: 'unpublish' } });
    if (!this.camera) this.publishing = false;
    this.set({ sharing: false, local: this.camera ? new MediaStream([this.camera]) : null });
  }

  private videoMid(): string {
    return this.video?.getLocalTracks().find((t) => t.type === 'video')?.mid ?? '0';
  }

  private removed(): void {
    this.close('removed');
  }

  leave(): void {
    this.close('left');
  }

  private close(status: ConferenceStatus): void {
    if (this.state.status === 'left' || this.state.status === 'removed' || this.state.status === 'ended') return;
    for (const t of [this.mic, this.camera, this.screen]) t?.stop();
    this.janus?.destroy({ cleanupHandles: true });
    this.set({ status, videos: new Map(), local: null, remoteAudio: null });
  }
}
