import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { problemMessage } from '../api/problems.ts';
import type { Booking } from '../api/types.ts';
import { Link } from '../app/router.tsx';
import { BookingDetails, icsUrl } from '../bookings/BookingDetails.tsx';
import { CancelMessageField, requestCancel } from '../bookings/cancelBooking.tsx';
import { formatSlot } from '../i18n/format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Notice } from '../ui/Notice.tsx';
import type { SlotProps } from './events.ts';

/** What a click on a block in the grid opens: details where visible, "busy" otherwise. */
export function SlotDialog({
  slot,
  booking,
  loadError,
  roomName,
  zone,
  canEdit,
  seriesId,
  onClose,
  onCancelled,
}: {
  slot: SlotProps | null;
  /** The slot's booking, read when the dialog opens (null while it comes, or for a busy slot). */
  booking: Booking | null;
  /** Why the slot's booking could not be read. */
  loadError?: unknown;
  roomName: string;
  zone: string;
  canEdit: boolean;
  /** Set when the booking is an occurrence of a series: cancel and edit then ask which meetings. */
  seriesId?: string | undefined;
  onClose(): void;
  onCancelled(b: Booking, scope: 'one' | 'following' | 'all' | null): void;
}) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');

  function close() {
    setConfirming(false);
    setError(null);
    setMessage('');
    onClose();
  }

  async function cancelBooking(scope?: 'one' | 'following' | 'all') {
    if (!booking) return;
    setBusy(true);
    try {
      const cancelled = await requestCancel(booking, seriesId ?? null, scope ?? null, message);
      setConfirming(false);
      setMessage('');
      onCancelled(cancelled, seriesId && scope ? scope : null);
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  const title = booking ? booking.title : slot?.kind === 'busy' ? t('calendar.busy') : t('details.title');
  const coming = !booking && !!slot?.bookingId;
  return (
    <Dialog
      open={slot !== null}
      title={title}
      onClose={close}
      actions={
        booking && canEdit ? (
          confirming ? (
            <>
              <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
                {t('myBookings.keep')}
              </button>
              {seriesId ? (
                (['one', 'following', 'all'] as const).map((scope) => (
                  <button key={scope} type="button" className="button button-danger" disabled={busy} onClick={() => void cancelBooking(scope)}>
                    {t(`seriesActions.cancel${scope === 'one' ? 'One' : scope === 'following' ? 'Following' : 'All'}`)}
                  </button>
                ))
              ) : (
                <button type="button" className="button button-danger" disabled={busy} onClick={() => void cancelBooking()}>
                  {t('myBookings.confirmCancel')}
                </button>
              )}
            </>
          ) : (
            <>
              <a className="button button-quiet" href={icsUrl(booking.id)} download>
                {t('myBookings.ics')}
              </a>
              <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
                {t('myBookings.cancel')}
              </button>
              <Link
                className="button button-primary"
                to={`/bookings/${encodeURIComponent(booking.id)}/edit${seriesId ? `?series=${encodeURIComponent(seriesId)}` : ''}`}
              >
                {t('myBookings.edit')}
              </Link>
            </>
          )
        ) : (
          <button type="button" className="button button-primary" onClick={close}>
            {t('common.close')}
          </button>
        )
      }
    >
      {error && <Notice tone="error">{error}</Notice>}
      {confirming && booking && (
        <>
          <Notice tone="warning">{t(seriesId ? 'seriesActions.cancelQuestion' : 'myBookings.cancelQuestion', { title: booking.title })}</Notice>
          <CancelMessageField value={message} onChange={setMessage} />
        </>
      )}
      {booking ? (
        <BookingDetails booking={booking} />
      ) : coming ? (
        loadError ? (
          <Notice tone="error">{problemMessage(t, loadError)}</Notice>
        ) : (
          <p role="status">{t('common.loading')}</p>
        )
      ) : (
        slot && (
          <>
            <p>{t('calendar.busyExplained')}</p>
            <dl className="details-list">
              <div>
                <dt>{t('details.room')}</dt>
                <dd>{roomName}</dd>
              </div>
              <div>
                <dt>{t('details.when')}</dt>
                <dd>{formatSlot(slot.start, slot.end, zone, true)}</dd>
              </div>
            </dl>
          </>
        )
      )}
    </Dialog>
  );
}
