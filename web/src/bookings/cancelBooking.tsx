import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Booking, SeriesScope } from '../api/types.ts';
import { formatSlot } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';

/** What was cancelled, said after the fact: one meeting of a series names its date. */
export function cancelledMessage(t: TFunction, booking: Booking, scope: SeriesScope | null): string {
  if (!scope) return t('myBookings.cancelled', { title: booking.title });
  return t(`seriesActions.cancelled_${scope}`, { title: booking.title, when: formatSlot(booking.start, booking.end, booking.timeZone) });
}

/**
 * Cancelling a booking: "Cancel booking" opens a question; for an occurrence of a series it asks
 * which meetings (this one, this and the following, the whole series). The card or page places the
 * button (`open`) and the question (`box`) where they fit.
 */
export function useCancelBooking(booking: Booking, onCancelled: (b: Booking, scope: SeriesScope | null) => void): {
  confirming: boolean;
  open(): void;
  box: ReactNode;
} {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const seriesId = booking.seriesId ?? null;

  async function cancel(scope: SeriesScope | null) {
    setBusy(true);
    setError(null);
    try {
      if (scope && seriesId) {
        await api.delete(`/api/v1/series/${encodeURIComponent(seriesId)}/occurrences/${encodeURIComponent(booking.id)}?scope=${scope}`);
        onCancelled({ ...booking, status: 'cancelled' }, scope);
      } else {
        const answer = await api.delete<Booking>(`/api/v1/bookings/${encodeURIComponent(booking.id)}`);
        onCancelled(answer ?? { ...booking, status: 'cancelled' }, null);
      }
      setConfirming(false);
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  const question = seriesId ? t('seriesActions.cancelQuestion', { title: booking.title }) : t('myBookings.cancelQuestion', { title: booking.title });
  const box = (
    <>
      {error && <Notice tone="error">{error}</Notice>}
      {confirming && (
        <div className="confirm-box" role="group" aria-label={question}>
          <p>{question}</p>
          <div className="button-row">
            {seriesId ? (
              (['one', 'following', 'all'] as const).map((scope) => (
                <button key={scope} type="button" className="button button-danger" disabled={busy} onClick={() => void cancel(scope)}>
                  {t(`seriesActions.cancel${scope === 'one' ? 'One' : scope === 'following' ? 'Following' : 'All'}`)}
                </button>
              ))
            ) : (
              <button type="button" className="button button-danger" disabled={busy} onClick={() => void cancel(null)}>
                {t('myBookings.confirmCancel')}
              </button>
            )}
            <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
              {t('myBookings.keep')}
            </button>
          </div>
        </div>
      )}
    </>
  );
  return { confirming, open: () => setConfirming(true), box };
}
