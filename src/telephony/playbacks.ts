// Prompts that the application waits for: a playback ends with PlaybackFinished (`done`, or `failed`
// when the sound is missing or the caller hangs up). A playback of an unsupported media scheme may
// never finish (recording c), so every wait has a limit.
import { randomUUID } from 'node:crypto';
import { isGone, type AriRest } from './ari/client.ts';

// Longest a single prompt is waited for before going on regardless.
export const PROMPT_LIMIT_MS = 15_000;

export class Playbacks {
  private readonly rest: AriRest;
  private readonly waiters = new Map<string, () => void>();

  constructor(rest: AriRest) {
    this.rest = rest;
  }

  /** Plays media in order to a channel or a bridge and resolves when it has finished. */
  async playAndWait(target: { channel: string } | { bridge: string }, media: string[]): Promise<void> {
    const id = `wm-say-${randomUUID()}`;
    const finished = new Promise<void>((resolve) => this.waiters.set(id, resolve));
    try {
      await this.rest.play(target, media, id);
    } catch (e) {
      this.waiters.delete(id);
      if (isGone(e)) return;
      throw e;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, PROMPT_LIMIT_MS * media.length)))]);
    clearTimeout(timer);
    this.waiters.delete(id);
  }

  /** Plays without waiting (tones, announcements); a caller who left meanwhile is fine. */
  play(target: { channel: string } | { bridge: string }, media: string[], idPrefix: string): void {
    this.rest.play(target, media, `${idPrefix}-${randomUUID()}`).catch(() => undefined);
  }

  finished(playbackId: string): void {
    this.waiters.get(playbackId)?.();
  }

  /** Stops every wait: PlaybackFinished events sent while no socket was connected are lost for good. */
  releaseAll(): void {
    for (const done of this.waiters.values()) done();
    this.waiters.clear();
  }
}
