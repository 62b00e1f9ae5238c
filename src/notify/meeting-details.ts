// The join link, guest link and dial-in details a mail and its iCalendar part show. Provisioning
// and audio (other modules) know them; they plug in through `MeetingDetailsSource`, registered with
// `portal.notify.setMeetingDetails(source)`. Until one is registered, mails link to the booking's
// page in the portal.

/** `tel` is a one-tap link (first number, PIN as DTMF); `sipUri` dials the conference over SIP. */
export type DialIn = { numbers: string[]; pin: string | null; tel?: string | null | undefined; sipUri?: string | null | undefined };

export type MeetingDetails = {
  /** Where the booker and invitees join the meeting (provider URL or the portal's join page). */
  joinUrl: string | null;
  /** A link for guests without an account, if the booker made one. */
  guestUrl: string | null;
  /** The PIN guests enter at that link, when the booker asks for one. */
  guestPin?: string | null | undefined;
  dialIn: DialIn | null;
};

/** For a booking, or for a series (then `bookingId` is the first upcoming occurrence). */
export type MeetingRef = { bookingId: string; seriesId: string | null };

export type MeetingDetailsSource = (ref: MeetingRef) => Promise<MeetingDetails>;

export const noMeetingDetails: MeetingDetailsSource = async () => ({ joinUrl: null, guestUrl: null, dialIn: null });
