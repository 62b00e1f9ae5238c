import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Booking, VirtualRoom } from '../api/types.ts';
import { useGet } from '../api/useGet.ts';
import { DialIn, telephonyOffered } from '../audio/DialIn.tsx';
import { PhoneConference } from '../audio/PhoneConference.tsx';
import { useAudioConference } from '../audio/useAudioConference.ts';
import { formatInstant, formatSlot, slotInOwnZone, zoneAbbreviation } from '../i18n/format.ts';
import { CopyText } from '../ui/CopyText.tsx';

/** The virtual room of a booking (state, join and guest links); null while unknown or not offered. */
export function useVirtualRoom(bookingId: string | null): VirtualRoom | null {
  return useGet<VirtualRoom>(bookingId ? `/api/v1/bookings/${encodeURIComponent(bookingId)}/room` : null).data;
}

/** The virtual room as a page holds it: read once, then replaced by what a change (guest access) answered. */
export function useVirtualRoomState(bookingId: string | null): [VirtualRoom | null, (room: VirtualRoom) => void] {
  const read = useVirtualRoom(bookingId);
  const [changed, setChanged] = useState<VirtualRoom | null>(null);
  const room = changed?.bookingId === bookingId ? changed : read;
  return [room, setChanged];
}

/** Whether a booking's time is over: its room, guest link and dial-in are closed then. */
export const hasEnded = (booking: Booking) => new Date(booking.end).getTime() <= Date.now();

/**
 * Everything known about one booking. The virtual room (join and guest links, its state) comes
 * from GET /bookings/{id}/room; dial-in and, for those who may manage it, the live audio
 * conference from GET /bookings/{id}/audio.
 */
export function BookingDetails({ booking, room: given }: { booking: Booking; /** The room's state where the page holds it (it changes it); else read here. */ room?: VirtualRoom | null }) {
  const { t } = useTranslation();
  const confirmed = booking.status === 'confirmed';
  const read = useVirtualRoom(confirmed && given === undefined ? booking.id : null);
  const room = given === undefined ? read : given;
  const audio = useAudioConference(confirmed ? booking.id : null);
  const offersTelephony = audio.state.status === 'ready' && telephonyOffered(audio.state.view);
  const joinUrl = booking.joinUrl ?? room?.joinUrl ?? null;
  // Over or cancelled, the links and PINs lead nowhere (the join page says so): not offered to copy
  // or follow, nor promised as "appears here once prepared".
  const shut = !confirmed || hasEnded(booking) || room?.state === 'ended';
  // Someone abroad reads the meeting in their own time too (the room's stays first: it is the meeting's).
  const own = slotInOwnZone(booking.start, booking.end, booking.timeZone, true);
  const closed = <span className="muted">{t(confirmed ? 'details.closed' : 'details.closedCancelled')}</span>;
  return (
    <dl className="details-list">
      <div>
        <dt>{t('details.when')}</dt>
        <dd>
          {formatSlot(booking.start, booking.end, booking.timeZone, true)}{' '}
          <span className="muted">({zoneAbbreviation(booking.timeZone, booking.start)})</span>
          {own && (
            <div className="muted small" data-slot="own-time">
              {t('details.ownTime', { zone: own.zone })}: {own.text}
            </div>
          )}
        </dd>
      </div>
      <div>
        <dt>{t('details.room')}</dt>
        <dd>{booking.roomName}</dd>
      </div>
      <div>
        <dt>{t('details.seats')}</dt>
        <dd>{booking.seats}</dd>
      </div>
      <div>
        <dt>{t('details.booker')}</dt>
        <dd>{booking.bookedBy ? t('details.bookedByFor', { by: booking.bookedBy.name, owner: booking.booker.name }) : booking.booker.name}</dd>
      </div>
      {booking.description && (
        <div>
          <dt>{t('details.description')}</dt>
          <dd className="pre-line">{booking.description}</dd>
        </div>
      )}
      {room && (
        <div data-slot="room-state">
          <dt>{t('details.virtualRoom')}</dt>
          <dd>
            <span className={`tag ${room.state === 'ready' ? 'tag-ok' : room.state === 'failed' ? 'tag-warn' : 'tag-muted'}`}>
              {t(`details.state.${room.state}`)}
            </span>{' '}
            {room.state !== 'ended' && <span className="muted small">{t('details.opensAt', { time: formatInstant(room.opensAt, booking.timeZone) })}</span>}
          </dd>
        </div>
      )}
      <div data-slot="join-link">
        <dt>{t('details.joinLink')}</dt>
        <dd>
          {shut ? (
            closed
          ) : joinUrl ? (
            <a href={joinUrl}>{t('details.join')}</a>
          ) : (
            <span className="placeholder">{t('details.joinPending')}</span>
          )}
        </dd>
      </div>
      <div data-slot="guest-link">
        <dt>{t('details.guestLink')}</dt>
        <dd>{shut ? closed : room?.guestUrl ? <CopyText text={room.guestUrl} label={t('details.guestLink')} /> : <span className="placeholder">{t('details.guestPending')}</span>}</dd>
      </div>
      {!shut && room?.guestPolicy === 'pin' && room.guestPin && (
        <div data-slot="guest-pin">
          <dt>{t('details.guestPin')}</dt>
          <dd>
            <CopyText text={room.guestPin} label={t('details.guestPin')} secret />
          </dd>
        </div>
      )}
      {/* The audio view says whether the portal has telephony at all: without it, no dial-in to promise. */}
      {offersTelephony && (
        <>
          <div data-slot="dial-in">
            <dt>{t('details.dialIn')}</dt>
            <dd>{shut ? closed : <DialIn state={audio.state} timeZone={booking.timeZone} />}</dd>
          </div>
          {!shut && <PhoneConference state={audio.state} actions={audio.actions} timeZone={booking.timeZone} />}
        </>
      )}
    </dl>
  );
}

export const icsUrl = (id: string) => `/api/v1/bookings/${encodeURIComponent(id)}/ics`;
