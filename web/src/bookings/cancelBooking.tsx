import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Booking, SeriesScope } from '../api/types.ts';
import { formatSlot } from '../i18n/format.ts';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';

/** What was cancelled, said after the fact: one meeting of a series names its date. */
export function cancelledMessage(t: TFunction, booking: Booking, scope: SeriesScope | null): string {
  if (!scope) return t('myBookings.cancelled', { title: booking.title });
  return t(`seriesActions.cancelled_${scope}`, { title: booking.title, when: formatSlot(booking.start, booking.end, booking.timeZone) });
}

/**
 * Cancels a booking, or the chosen meetings of its series (`scope`, with `seriesId`). A message that
 * is not blank goes with the cancellation mailed to the booker and the invitees.
 */
export async function requestCancel(booking: Booking, seriesId: string | null, scope: SeriesScope | null, message: string): Promise<Booking> {
  const said = message.trim() ? { message } : {};
  if (scope && seriesId) {
    await api.post(`/api/v1/series/${encodeURIComponent(seriesId)}/occurrences/${encodeURIComponent(booking.id)}/cancel`, { scope, ...said });
    return { ...booking, status: 'cancelled' };
  }
  return (await api.post<Booking>(`/api/v1/bookings/${encodeURIComponent(booking.id)}/cancel`, said)) ?? { ...booking, status: 'cancelled' };
}

/** The words to send with a cancellation ("the hall is needed; see you on Tuesday"), optional. */
export function CancelMessageField({ value, onChange }: { value: string; onChange(v: string): void }) {
  const { t } = useTranslation();
  return (
    <Field label={t('cancelMessage.label')} hint={t('cancelMessage.hint')}>
      <textarea rows={3} maxLength={1000} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
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
  const [message, setMessage] = useState('');
  const seriesId = booking.seriesId ?? null;

  async function cancel(scope: SeriesScope | null) {
    setBusy(true);
    setError(null);
    try {
      onCancelled(await requestCancel(booking, seriesId, scope, message), scope && seriesId ? scope : null);
      setConfirming(false);
      setMessage('');
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
          <CancelMessageField value={message} onChange={setMessage} />
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
