// The doubles find a booking's meeting by the name the adapter gave it, wm-<meeting key>
// (providers/port.ts meetingName). Portal tests tell them the keys the database chose
// (provisioning-support.ts settled); otherwise the key is the one the contract's specs carry.
import { contractMeetingKey } from '../../src/providers/contract.ts';
import { meetingName } from '../../src/providers/port.ts';

const known = new Map<string, string>();

export const rememberMeetingKey = (bookingId: string, meetingKey: string) => void known.set(bookingId, meetingKey);
export const meetingKeyOf = (bookingId: string) => known.get(bookingId) ?? contractMeetingKey(bookingId);
/** The name of the booking's meeting on the service. */
export const meetingNameOf = (bookingId: string) => meetingName({ meetingKey: meetingKeyOf(bookingId) });
/** The name a meeting had before migration 007 (and an orphan still may have). */
export const legacyNameOf = (bookingId: string) => `wm-${bookingId}`;
