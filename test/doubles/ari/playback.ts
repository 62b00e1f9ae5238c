// Playbacks as res_stasis_playback.c runs them, with the behaviour the recordings show: a playback
// is a command on its channel's (or bridge announcer's) queue, so later commands wait for it
// (README "A channel operation ... waits"); `queued` in the 201 answer, PlaybackStarted `playing`,
// PlaybackFinished `done`/`failed`; a missing sound fails at once; an unsupported scheme starts and
// never finishes (c-errors, d-originate); a media list plays in order with PlaybackContinuing.

/** A target's Stasis command queue. After flush() (the channel hung up) queued commands never run. */
export class CommandQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private flushed = false;

  run<T>(fn: () => T | Promise<T>): Promise<T | undefined> {
    const next = this.tail.then(() => (this.flushed ? undefined : fn()));
    this.tail = next.catch(() => undefined);
    return next;
  }

  flush(): void {
    this.flushed = true;
  }
}

export type PlaybackState = 'queued' | 'playing' | 'continuing' | 'done' | 'failed';
type Holder = { playing: Playback | null };

export class Playback {
  readonly id: string;
  readonly media: string[];
  readonly targetUri: string;
  readonly language: string;
  index = 0;
  state: PlaybackState = 'queued';
  /** DELETE while queued: it finishes `done` when its turn comes, without starting (playback_cancel). */
  canceled = false;
  ended = false;
  wake: ((why: 'end' | 'stop') => void) | null = null;

  constructor(id: string, media: string[], targetUri: string, language: string) {
    this.id = id;
    this.media = media;
    this.targetUri = targetUri;
    this.language = language;
  }

  /** playbacks.json "Playback"; `next_media_uri` only while a later list item is left. */
  json(): Record<string, unknown> {
    const next = this.media[this.index + 1];
    return {
      id: this.id,
      media_uri: this.media[this.index],
      ...(next !== undefined && { next_media_uri: next }),
      target_uri: this.targetUri,
      language: this.language,
      state: this.state,
    };
  }
}

export type PlayerDeps = {
  /** Sends a Playback* event if the target's events reach the app. */
  publish: (pb: Playback, type: 'PlaybackStarted' | 'PlaybackContinuing' | 'PlaybackFinished') => void;
  /** A media item really plays to the target (for the scripting API's `heard`). */
  heard: (pb: Playback, media: string) => void;
  soundExists: (name: string) => boolean;
  durationMs: number;
  later: (ms: number, fn: () => void) => NodeJS.Timeout;
};

const PLAYABLE = /^(sound|recording|number|digits|characters|tone):(.*)$/;

export class Player {
  private readonly deps: PlayerDeps;
  /** GET/DELETE /playbacks/{id} find the oldest registered one with that id (c-errors "pb-dup"). */
  private readonly registry: Playback[] = [];
  /** Held media → the playbacks waiting for its release. */
  private readonly held = new Map<string, Set<() => void>>();

  constructor(deps: PlayerDeps) {
    this.deps = deps;
  }

  find(id: string): Playback | undefined {
    return this.registry.find((p) => p.id === id);
  }

  /** Playbacks of a target not yet finished nor stopped (queued or playing). */
  pending(targetUri: string): Playback[] {
    return this.registry.filter((p) => p.targetUri === targetUri && !p.ended && !p.canceled);
  }

  /** Test control, not ARI: a media item that starts while held plays until released (or stopped). */
  hold(media: string): void {
    if (!this.held.has(media)) this.held.set(media, new Set());
  }

  /** Lets the held media play out: each waiting playback ends its item one durationMs later. */
  release(media: string): void {
    const waiting = this.held.get(media);
    this.held.delete(media);
    for (const go of waiting ?? []) go();
  }

  /** Registers the playback (answered `queued`) and queues it behind the target's earlier commands. */
  enqueue(pb: Playback, queue: CommandQueue, holder: Holder): void {
    this.registry.push(pb);
    void queue.run(() => this.play(pb, holder)).then((ran) => {
      if (ran === undefined) this.unregister(pb); // flushed by a hangup: dropped without events
    });
  }

  /** DELETE /playbacks/{id}: `done` (a, c-errors); a queued one is cancelled. */
  stop(pb: Playback): void {
    if (pb.state === 'queued') pb.canceled = true;
    else pb.wake?.('stop');
  }

  /** Hangup during a playback: PlaybackFinished `failed`, before StasisEnd (d-originate). */
  interrupt(pb: Playback): void {
    if (pb.ended) return;
    this.finish(pb, 'failed');
    pb.wake?.('end');
  }

  private async play(pb: Playback, holder: Holder): Promise<boolean> {
    try {
      for (let i = 0; i < pb.media.length && !pb.ended; i++) {
        pb.index = i;
        if (pb.canceled) return this.finish(pb, 'done');
        pb.state = 'playing';
        holder.playing = pb;
        this.deps.publish(pb, 'PlaybackStarted');
        const media = pb.media[i]!;
        const m = PLAYABLE.exec(media);
        if (!m) continue; // "scheme is unsupported": no final update, no PlaybackFinished
        const found = m[1] !== 'sound' || this.deps.soundExists(m[2]!);
        let why: 'end' | 'stop' = 'end';
        if (found) {
          this.deps.heard(pb, media);
          why = await this.wait(pb, media);
        }
        if (pb.ended) break;
        if (why === 'stop') return this.finish(pb, 'done');
        if (i === pb.media.length - 1) this.finish(pb, found ? 'done' : 'failed');
        else {
          pb.state = 'continuing';
          this.deps.publish(pb, 'PlaybackContinuing');
        }
      }
      return true;
    } finally {
      if (holder.playing === pb) holder.playing = null;
      this.unregister(pb);
    }
  }

  private wait(pb: Playback, media: string): Promise<'end' | 'stop'> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiting = this.held.get(media);
      const go = () => (timer = this.deps.later(this.deps.durationMs, () => done('end')));
      const done = (why: 'end' | 'stop') => {
        clearTimeout(timer);
        waiting?.delete(go);
        pb.wake = null;
        resolve(why);
      };
      pb.wake = done;
      if (waiting) waiting.add(go);
      else go();
    });
  }

  private finish(pb: Playback, state: 'done' | 'failed'): true {
    pb.state = state;
    pb.ended = true;
    this.deps.publish(pb, 'PlaybackFinished');
    return true;
  }

  private unregister(pb: Playback): void {
    const i = this.registry.indexOf(pb);
    if (i >= 0) this.registry.splice(i, 1);
  }
}
