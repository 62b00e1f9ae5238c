// What the portal derives from JANUS_SECRET for each booking, so that nothing needs storing and
// every instance agrees: the room's number, its secret (edit, kick, mute, destroy: never leaves the
// server), its PIN (given to admitted browsers), and the key of the room tickets in join URLs.
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { RoomTicket } from '../port.ts';
import { signHs256 } from '../signed-token.ts';

const TICKET_AUDIENCE = 'webmeetings-room';

export class RoomSecrets {
  private readonly key: Buffer;
  private readonly ticketKey: Buffer;
  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('webmeetings/janus/rooms').digest();
    this.ticketKey = createHmac('sha256', secret).update('webmeetings/janus/tickets').digest();
  }

  private derive(what: string, bookingId: string): Buffer {
    return createHmac('sha256', this.key).update(`${what}/${bookingId}`).digest();
  }

  /**
   * Janus room ids are unsigned 64-bit numbers (videoroom/audiobridge "room"); 48 bits stay exact
   * in a JavaScript number and make a collision between bookings negligible.
   */
  roomOf(bookingId: string): number {
    return this.derive('room', bookingId).readUIntBE(0, 6) || 1;
  }

  secretOf(bookingId: string): string {
    return this.derive('secret', bookingId).toString('base64url');
  }

  pinOf(bookingId: string): string {
    return this.derive('pin', bookingId).subarray(0, 12).toString('base64url');
  }

  /** A signed ticket (HS256 JWT) naming the booking, the role and the name; valid until `until`. */
  ticket(t: RoomTicket, until: Date): string {
    const exp = Math.floor(until.getTime() / 1000);
    return signHs256({ sub: t.bookingId, role: t.role, name: t.name, uid: t.userId, lobby: t.lobby, exp, aud: TICKET_AUDIENCE }, this.ticketKey);
  }

  verify(token: string, now: Date): RoomTicket | null {
    if (token.length > 2048) return null;
    try {
      const c = jwt.verify(token, this.ticketKey, { algorithms: ['HS256'], audience: TICKET_AUDIENCE, clockTimestamp: Math.floor(now.getTime() / 1000) }) as Record<string, unknown>;
      if (typeof c.sub !== 'string' || (c.role !== 'host' && c.role !== 'attendee') || typeof c.name !== 'string' || typeof c.uid !== 'string') return null;
      return { bookingId: c.sub, role: c.role, name: c.name, userId: c.uid, lobby: c.lobby === true };
    } catch {
      return null;
    }
  }
}
