// The portal's own Janus session for room management: one session with a VideoRoom and an
// AudioBridge handle, reused while it is fresh (a request every few seconds keeps it alive; an idle
// one is replaced rather than kept alive by a timer), made again when Janus forgot it (restart,
// session_timeout). Synchronous plugin requests may run concurrently on one handle.
import type { JanusApi} from './api.ts';
import { JanusSessionGone, type Plugin, type PluginData } from './api.ts';

type Handles = { session: number; handles: Record<Plugin, number>; usedAt: number };

/** Below Janus' default session_timeout (60 s), with room for a slow request. */
const FRESH_MS = 25_000;

export class ControlSession {
  private readonly api: JanusApi;
  private current: Promise<Handles> | null = null;

  constructor(api: JanusApi) {
    this.api = api;
  }

  private async open(): Promise<Handles> {
    const session = await this.api.createSession();
    const [video, audio] = await Promise.all([this.api.attach(session, 'janus.plugin.videoroom'), this.api.attach(session, 'janus.plugin.audiobridge')]);
    return { session, handles: { 'janus.plugin.videoroom': video, 'janus.plugin.audiobridge': audio }, usedAt: Date.now() };
  }

  private async get(): Promise<Handles> {
    const held = this.current && (await this.current.catch(() => null));
    if (held && Date.now() - held.usedAt < FRESH_MS) return held;
    if (held) void this.api.destroySession(held.session).catch(() => undefined);
    const opening = this.open();
    this.current = opening;
    opening.catch(() => {
      if (this.current === opening) this.current = null;
    });
    return opening;
  }

  async request(plugin: Plugin, body: Record<string, unknown>): Promise<PluginData> {
    for (let attempt = 0; ; attempt++) {
      const h = await this.get();
      try {
        const data = await this.api.request(h.session, h.handles[plugin], body);
        h.usedAt = Date.now();
        return data;
      } catch (e) {
        if (e instanceof JanusSessionGone && attempt === 0) {
          this.current = null;
          continue;
        }
        // A transport failure may have been a restart: start afresh next time.
        if ((e as { retryable?: boolean }).retryable) this.current = null;
        throw e;
      }
    }
  }

  async close(): Promise<void> {
    const held = this.current && (await this.current.catch(() => null));
    this.current = null;
    if (held) await this.api.destroySession(held.session).catch(() => undefined);
  }
}
