// The phone callers' leg in a booking's AudioBridge room (janus_audiobridge.c 1.1.2, "plain RTP
// participants" and "rtp_forward"). Janus 1.1.2 connects a plain-RTP participant's socket only when
// the remote address comes with the `join` (its `configure` takes no `rtp`, and an unconnected
// participant never sends), while Asterisk's externalMedia channel needs Janus' port before it says
// its own. So the leg is two halves: the callers' voice goes into the mix through a plain-RTP
// participant joined without a remote (Janus reads from any source), and the room comes back to
// Asterisk through an RTP forwarder of the mix of the browsers' group only, so callers do not hear
// themselves. The participant lives in a session of its own, kept alive while the leg lasts; when
// Janus forgets it (restart, expiry) the leg is reported lost so the telephony side can hang up
// and connect again.
import type { JanusApi, PluginData } from './api.ts';
import { retryable, type ExternalMediaPeer } from '../port.ts';

const KEEPALIVE_MS = 20_000;
/** What the callers' leg is called in the room's participant list. */
export const PHONE_DISPLAY = '☎';
/** AudioBridge groups (room "groups", participant "group"): forwarders can mix one group only. */
export const WEB_GROUP = 'web';
export const PHONE_GROUP = 'phone';

export async function openPhoneLeg(o: { api: JanusApi; room: number; pin: string; secret: string; adminKey: string; rtpHost?: string | undefined; onLost: () => void }): Promise<ExternalMediaPeer> {
  const session = await o.api.createSession();
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let forwarder: number | null = null;
  let handle = 0;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (timer) clearInterval(timer);
    if (forwarder !== null) await o.api.request(session, handle, { request: 'stop_rtp_forward', room: o.room, secret: o.secret, stream_id: forwarder, admin_key: o.adminKey }).catch(() => undefined);
    await o.api.destroySession(session).catch(() => undefined);
  };
  try {
    handle = await o.api.attach(session, 'janus.plugin.audiobridge');
    // A forwarder left by a leg whose instance died would still send to a closed port: one leg per room.
    const listed = await o.api.request(session, handle, { request: 'listforwarders', room: o.room, secret: o.secret, admin_key: o.adminKey });
    for (const f of (listed.rtp_forwarders ?? []) as { stream_id: number; group?: string }[]) {
      if (f.group === WEB_GROUP) await o.api.request(session, handle, { request: 'stop_rtp_forward', room: o.room, secret: o.secret, stream_id: f.stream_id, admin_key: o.adminKey });
    }
    // G.711 µ-law is payload type 0 (RFC 3551): nothing to negotiate with Asterisk's ulaw.
    const joined: PluginData = await o.api.requestAsync(session, handle, { request: 'join', room: o.room, pin: o.pin, display: PHONE_DISPLAY, group: PHONE_GROUP, codec: 'pcmu', rtp: {} });
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
        const f = await o.api.request(session, handle, { request: 'rtp_forward', room: o.room, secret: o.secret, group: WEB_GROUP, host: asterisk.address, port: asterisk.port, codec: 'pcmu', ptype: 0, admin_key: o.adminKey });
        forwarder = Number(f.stream_id);
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
