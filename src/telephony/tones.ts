// The join and leave tones of the conference bridges. A bridge plays its playbacks one after
// another (its announcer channel's queue, recording e), and each still queued or playing when the
// bridge is destroyed is lost with a WARNING in Asterisk's log (issue #11: 27 when a meeting ended
// and its callers hung up together). So a bridge has at most one tone waiting behind the one
// playing (a second would say the same), and its tones are stopped before it is destroyed.
import { randomUUID } from 'node:crypto';
import type { AriRest } from './ari/client.ts';
import { PROMPT_LIMIT_MS } from './playbacks.ts';

type Tone = { id: string; bridgeId: string; at: number; started: boolean; sent: Promise<unknown> };

export class BridgeTones {
  private readonly rest: AriRest;
  private readonly byId = new Map<string, Tone>();
  private readonly byBridge = new Map<string, Set<Tone>>();

  constructor(rest: AriRest) {
    this.rest = rest;
  }

  /** Queues the tone unless one is already waiting to start on this bridge. */
  play(bridgeId: string, media: string): void {
    this.prune();
    let tones = this.byBridge.get(bridgeId);
    if (!tones) this.byBridge.set(bridgeId, (tones = new Set()));
    if ([...tones].some((t) => !t.started)) return;
    const id = `wm-tone-${randomUUID()}`;
    // Known before the request goes: PlaybackStarted may come before the answer.
    const tone: Tone = { id, bridgeId, at: Date.now(), started: false, sent: Promise.resolve() };
    tones.add(tone);
    this.byId.set(id, tone);
    // A bridge gone meanwhile (404) is fine: nothing plays.
    tone.sent = this.rest.play({ bridge: bridgeId }, [media], id).catch(() => this.forget(tone));
  }

  /** PlaybackStarted. */
  started(playbackId: string): void {
    const tone = this.byId.get(playbackId);
    if (tone) tone.started = true;
  }

  /** PlaybackFinished. */
  finished(playbackId: string): void {
    const tone = this.byId.get(playbackId);
    if (tone) this.forget(tone);
  }

  /** Stops the bridge's tones, queued or playing; before the bridge is destroyed. */
  async silence(bridgeId: string): Promise<void> {
    const tones = [...(this.byBridge.get(bridgeId) ?? [])];
    for (const t of tones) this.forget(t);
    await Promise.all(
      tones.map(async (t) => {
        await t.sent;
        await this.rest.stopPlayback(t.id).catch(() => undefined); // 404: it had ended
      }),
    );
  }

  /** Forgets every tone (another instance takes the conferences over). */
  reset(): void {
    this.byId.clear();
    this.byBridge.clear();
  }

  /** Drops the tones whose PlaybackFinished never came: lost in a socket gap (nothing is replayed),
   *  or a sound that never ends (recording c). A tone lasts a second or two. */
  private prune(): void {
    for (const t of this.byId.values()) if (Date.now() - t.at > PROMPT_LIMIT_MS) this.forget(t);
  }

  private forget(tone: Tone): void {
    this.byId.delete(tone.id);
    const tones = this.byBridge.get(tone.bridgeId);
    tones?.delete(tone);
    if (tones?.size === 0) this.byBridge.delete(tone.bridgeId);
  }
}
