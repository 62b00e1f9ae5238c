// Real RTP for the ARI double's externalMedia channels (chan_rtp's UnicastRTP, ARI
// "externalMedia" with encapsulation rtp, transport udp): a UDP socket of its own, reported as
// UNICASTRTP_LOCAL_ADDRESS/PORT, sending G.711 µ-law every 20 ms to `external_host` (RFC 3550
// header, payload type 0 per RFC 3551) what the bridge mixes for it, and keeping what it receives
// so a test can tell whether the callers hear the room.
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';

const FRAME = 160; // 20 ms at 8 kHz
const PT_PCMU = 0;

/** ITU-T G.711 µ-law, from a 16-bit linear sample. */
export function ulawEncode(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function ulawDecode(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** A 20 ms frame: a 440 Hz tone from `phase` (samples), or silence. */
export function frame(tone: boolean, phase: number): Buffer {
  const out = Buffer.alloc(FRAME);
  for (let i = 0; i < FRAME; i++) out[i] = ulawEncode(tone ? 8000 * Math.sin((2 * Math.PI * 440 * (phase + i)) / 8000) : 0);
  return out;
}

/** Root mean square of a µ-law payload, in linear units (silence ≈ 0, the tone above ≈ 5600). */
export function level(payload: Buffer): number {
  let sum = 0;
  for (const b of payload) sum += ulawDecode(b) ** 2;
  return payload.length ? Math.sqrt(sum / payload.length) : 0;
}

/** One RTP endpoint: sends a frame every 20 ms once it knows where to, keeps the levels it receives. */
export class RtpPeer {
  readonly socket: Socket;
  private remote: { host: string; port: number } | null = null;
  private readonly ssrc = randomInt(1, 2 ** 31);
  private seq = randomInt(0, 65_535);
  private ts = randomInt(0, 2 ** 31);
  private timer: NodeJS.Timeout | null = null;
  /** Received payload levels with their arrival time, the last few seconds. */
  private readonly heard: { at: number; level: number }[] = [];
  sent = 0;
  received = 0;
  /** What goes out next (the bridge's mix for an externalMedia channel). */
  speaking: () => boolean = () => false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (msg) => {
      // RFC 3550 §5.1: 12-byte header (no CSRC, no extension from Janus for PCMU).
      if (msg.length <= 12 || (msg[0]! & 0xc0) !== 0x80) return;
      const cc = msg[0]! & 0x0f;
      const payload = msg.subarray(12 + 4 * cc);
      this.received++;
      this.heard.push({ at: Date.now(), level: level(payload) });
      while (this.heard.length > 250) this.heard.shift();
    });
  }

  static async open(address: string): Promise<RtpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return new RtpPeer(socket);
  }

  get address(): { address: string; port: number } {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  sendTo(host: string, port: number): void {
    this.remote = { host, port };
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), 20);
    this.timer.unref();
  }

  private tick(): void {
    if (!this.remote) return;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = PT_PCMU;
    header.writeUInt16BE(this.seq, 2);
    header.writeUInt32BE(this.ts >>> 0, 4);
    header.writeUInt32BE(this.ssrc, 8);
    const payload = frame(this.speaking(), this.ts);
    this.seq = (this.seq + 1) & 0xffff;
    this.ts = (this.ts + FRAME) >>> 0;
    this.sent++;
    this.socket.send(Buffer.concat([header, payload]), this.remote.port, this.remote.host);
  }

  /** The loudest level received in the last `ms` milliseconds (0 when nothing came). */
  loudest(ms = 600): number {
    const since = Date.now() - ms;
    return this.heard.filter((h) => h.at >= since).reduce((m, h) => Math.max(m, h.level), 0);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.socket.close();
  }
}
