import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { bookingLoadMessage } from '../api/problems.ts';
import type { Booking } from '../api/types.ts';
import { Link, navigate } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { subscribeBookingReloads } from '../calendar/live.ts';
import { formatSlot } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { BookingDetails, hasEnded, icsUrl, useVirtualRoomState } from './BookingDetails.tsx';
import { GuestAccess } from './GuestAccess.tsx';
import { BookingHistory } from './BookingHistory.tsx';
import { InvitationText } from './InvitationText.tsx';
import { cancelledMessage, useCancelBooking } from './cancelBooking.tsx';
import { Invitees, inviteesPath } from './Invitees.tsx';
import { attendancePath } from './AttendancePage.tsx';
import { Recordings } from './Recordings.tsx';
import { mayManage } from './access.ts';
import { bookAgainPath } from '../requests/ask.ts';

export const editPath = (b: Booking) => `/bookings/${encodeURIComponent(b.id)}/edit${b.seriesId ? `?series=${encodeURIComponent(b.seriesId)}` : ''}`;

/** Edit and cancel while the meeting is to come; "book again" for any meeting, past and cancelled ones too. */
function ManageActions({
  booking,
  editable,
  againPath,
  onCancelled,
}: {
  booking: Booking;
  editable: boolean;
  againPath: string | null;
  onCancelled(b: Booking, scope: Parameters<typeof cancelledMessage>[2]): void;
}) {
  const { t } = useTranslation();
  const cancel = useCancelBooking(booking, onCancelled);
  return (
    <section aria-labelledby="booking-actions-title">
      <h2 id="booking-actions-title" className="section-title">
        {t('bookingPage.actions')}
      </h2>
      <div className="button-row">
        {editable && (
          <>
            <Link className="button button-secondary" to={editPath(booking)}>
              {t('myBookings.edit')}
            </Link>
            <button type="button" className="button button-secondary" aria-expanded={cancel.confirming} onClick={cancel.open}>
              {t('myBookings.cancel')}
            </button>
          </>
        )}
        {againPath && (
          <Link className="button button-secondary" to={againPath}>
            {t('bookingPage.bookAgain')}
          </Link>
        )}
      </div>
      {againPath && <p className="field-hint">{t('bookingPage.bookAgainHint')}</p>}
      {editable && cancel.box}
    </section>
  );
}

/**
 * A booking's own page, at the address every mail, reminder, feed and .ics file links to
 * (/bookings/{id}): when and where, the ways in (join, guest link, dial-in), invitees, edit and
 * cancel (with the series scope for an occurrence) and, for administrators, its history.
 */
export function BookingPage({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const toast = useToast();
  const id = params.id ?? '';
  const [booking, setBooking] = useState<Booking | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [room, setRoom] = useVirtualRoomState(booking?.status === 'confirmed' ? booking.id : null);

  const load = useCallback(async () => {
    try {
      setBooking(await api.get<Booking>(`/api/v1/bookings/${encodeURIComponent(id)}`));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  // This booking's changes only: not a read for every booking anyone makes.
  useEffect(() => subscribeBookingReloads(() => void load(), (change) => change.bookingId === id), [load, id]);

  if (error && !booking) {
    return (
      <section className="page page-medium">
        <PageHeader title={t('details.title')} />
        <Notice tone="error">{bookingLoadMessage(t, error)}</Notice>
        <p>
          <Link to="/bookings">{t('bookingPage.back')}</Link>
        </p>
      </section>
    );
  }
  if (!booking) {
    return (
      <section className="page page-medium">
        <p role="status">{t('common.loading')}</p>
      </section>
    );
  }

  const confirmed = booking.status === 'confirmed';
  const ended = hasEnded(booking);
  const manages = mayManage(me, booking);
  const manage = manages && confirmed && !ended;
  // The same meeting again, for whoever may manage this one and may book.
  const againPath = me.canBook && manages ? bookAgainPath(booking, me.id) : null;
  // Up to the list the booking belongs in: one's own, or (an administrator's or a manager's view of
  // someone else's) that person's bookings.
  const theirs = booking.booker.id !== me.id && booking.bookedBy?.id !== me.id;
  return (
    <section className="page page-medium booking-page">
      <p className="breadcrumb">
        {theirs ? (
          <Link to={`/people/${encodeURIComponent(booking.booker.id)}/bookings`}>← {t('personBookings.title', { name: booking.booker.name })}</Link>
        ) : (
          <Link to="/bookings">← {t('bookingPage.back')}</Link>
        )}
      </p>
      <PageHeader
        title={booking.title}
        subtitle={`${formatSlot(booking.start, booking.end, booking.timeZone, true)} · ${booking.roomName}`}
        actions={
          <>
            {confirmed && !ended && (
              <a className="button button-primary" href={booking.joinUrl ?? `/join/${encodeURIComponent(booking.id)}`}>
                {t('bookingPage.join')}
              </a>
            )}
            {confirmed && (
              <a className="button button-quiet" href={icsUrl(booking.id)} download>
                {t('myBookings.ics')}
              </a>
            )}
          </>
        }
      />
      {!confirmed && <Notice tone="warning">{t('bookingPage.cancelledNotice')}</Notice>}
      {confirmed && ended && <Notice>{t('bookingPage.endedNotice')}</Notice>}
      {booking.seriesId && (
        <p className="muted">
          <span className="tag">{t('seriesActions.recurring')}</span> {t('bookingPage.partOfSeries')}
        </p>
      )}
      <div className="card booking-page-card">
        <BookingDetails booking={booking} room={room} />
      </div>
      {(manage || againPath) && (
        <ManageActions
          booking={booking}
          editable={manage}
          againPath={againPath}
          onCancelled={(b, scope) => {
            toast(cancelledMessage(t, b, scope));
            navigate('/bookings');
          }}
        />
      )}
      {manages && confirmed && <Invitees booking={booking} ended={ended} />}
      {manage && room && <GuestAccess bookingId={booking.id} room={room} onChange={setRoom} invitees={inviteesPath(booking)} />}
      {manages && confirmed && !ended && <InvitationText bookingId={booking.id} guestPin={room?.guestPolicy === 'pin' && room.guestPin !== null} />}
      {manages && confirmed && new Date(booking.start).getTime() <= Date.now() && (
        <section aria-labelledby="attendance-title">
          <h2 id="attendance-title" className="section-title">
            {t('attendance.title')}
          </h2>
          <p>
            <Link to={attendancePath(booking.id)}>{t('attendance.open')}</Link>
          </p>
        </section>
      )}
      {confirmed && ended && <Recordings bookingId={booking.id} timeZone={booking.timeZone} />}
      <BookingHistory bookingId={booking.id} timeZone={booking.timeZone} />
    </section>
  );
}
