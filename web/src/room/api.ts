// The room page's calls to the portal (src/http/routes/room.ts): the ticket from the join link's
// fragment buys the entry; the host's controls send it in the X-Room-Ticket header.
import { request } from '../api/client.ts';

export type RoomVisit = {
  status: 'entered';
  bookingId: string;
  title: string;
  start: string;
  end: string;
  timeZone: string;
  role: 'host' | 'attendee';
  name: string;
  janus: { server: string; room: number; pin: string; participantId: number; display: string; audioGroup: string };
};
export type RoomWaiting = { status: 'waiting'; bookingId: string; title: string };
export type WaitingGuest = { key: string; name: string; askedAt: string };
export type RoomParticipant = { id: number; display: string; publishing: boolean; audioMuted: boolean | null };

const base = (bookingId: string) => `/api/v1/rooms/${encodeURIComponent(bookingId)}`;

export const roomApi = {
  enter: (bookingId: string, ticket: string) => request<RoomVisit | RoomWaiting>('POST', `${base(bookingId)}/entry`, { ticket }),
  lobby: (bookingId: string, ticket: string) => request<{ items: WaitingGuest[] }>('GET', `${base(bookingId)}/lobby`, undefined, { 'X-Room-Ticket': ticket }),
  admit: (bookingId: string, ticket: string, key: string, admit: boolean) => request<void>('PUT', `${base(bookingId)}/lobby/${key}`, { admit }, { 'X-Room-Ticket': ticket }),
  participants: (bookingId: string, ticket: string) => request<{ items: RoomParticipant[] }>('GET', `${base(bookingId)}/participants`, undefined, { 'X-Room-Ticket': ticket }),
  mute: (bookingId: string, ticket: string, id: number, muted: boolean) => request<void>('PUT', `${base(bookingId)}/participants/${id}/muted`, { muted }, { 'X-Room-Ticket': ticket }),
  remove: (bookingId: string, ticket: string, id: number) => request<void>('DELETE', `${base(bookingId)}/participants/${id}`, undefined, { 'X-Room-Ticket': ticket }),
};
