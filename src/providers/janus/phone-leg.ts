// The phone callers' leg in a booking's AudioBridge room: a plain-RTP participant
// (janus_audiobridge.c, "plain RTP participants"). Janus reserves its port first (`rtp.generate_offer`),
// Asterisk's externalMedia channel is made towards it, then `configure` tells Janus where Asterisk
// listens. The participant lives in a session of its own, kept alive while the leg lasts; when
// Janus forgets it (restart, expiry) the leg is reported lost so the telephony side can hang up
// and connect again.
import type { JanusApi} from './api.ts';
import { type PluginData } from './api.ts';
import { retryable, type ExternalMediaPeer } from '../port.ts';

const KEEPALIVE_MS = 20_000;
/** What the callers' leg is called in the room's participant list. */
export const PHONE_DISPLAY = '☎';

export async function openPhoneLeg(o: { api: JanusApi; room: number; pin: string; rtpHost?: string | undefined; onLost: () => void }): Promise<ExternalMediaPeer> {
  const session = await o.api.createSession();
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (timer) clearInterval(timer);
    await o.api.destroySession(session).catch(() => undefined);
  };
  try {
    const handle = await o.api.attach(session, 'janus.plugin.audiobridge');
    // G.711 µ-law is payload type 0 (RFC 3551): nothing to negotiate with Asterisk's ulaw.
    const joined: PluginData = await o.api.requestAsync(session, handle, { request: 'join', room: o.room, pin: o.pin, display: PHONE_DISPLAY, codec: 'pcmu', rtp: { generate_offer: true } });
    const rtp = joined.rtp as { ip?: string; port?: number } | undefined;
    if (!rtp?.port || !(o.rtpHost ?? rtp.ip)) throw retryable('PROVIDER_BAD_ANSWER', 'Janus did not say where it takes the phone leg’s RTP.');
    timer = setInterval(() => {
      o.api.keepalive(session).catch(() => {
        if (closed) return;
        void close();
        o.onLost();
      });
    }, KEEPALIVE_MS);
    timer.unref();
    return {
      host: `${o.rtpHost ?? rtp.ip}:${rtp.port}`,
      async connect(asterisk) {
        await o.api.requestAsync(session, handle, { request: 'configure', rtp: { ip: asterisk.address, port: asterisk.port } });
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
