import { useTranslation } from 'react-i18next';
import type { AuditEntry, Page } from '../api/types.ts';
import { useGet } from '../api/useGet.ts';
import { formatInstant } from '../i18n/format.ts';

/** A booking's changes from the audit log, for everyone who may see the booking. */
export function BookingHistory({ bookingId, timeZone }: { bookingId: string; timeZone: string }) {
  const { t } = useTranslation();
  const read = useGet<Page<AuditEntry>>(`/api/v1/bookings/${encodeURIComponent(bookingId)}/history`);
  // Not read: said as no history, under the booking that did read.
  const items = read.error ? [] : (read.data?.items ?? null);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title" className="section-title">
        {t('bookingPage.history')}
      </h2>
      {items === null ? (
        <p role="status">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="muted">{t('bookingPage.historyEmpty')}</p>
      ) : (
        <ol className="history-list">
          {items.map((e) => {
            const action = e.action.replace(/^booking\./, '');
            return (
              <li key={e.id}>
                <time dateTime={e.at}>{formatInstant(e.at, timeZone)}</time> ·{' '}
                <strong>{t(`bookingPage.actionNames.${action}`, { defaultValue: action })}</strong>
                {e.about && <>: {e.about}</>}
                {e.actor?.name && <span className="muted"> {t('bookingPage.by', { name: e.actor.name })}</span>}
                {e.message && <blockquote className="history-message">{e.message}</blockquote>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
