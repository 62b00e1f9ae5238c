import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { CalendarFeed } from '../api/types.ts';
import { DATE_LONG, formatInstant } from '../i18n/format.ts';
import { CopyText } from '../ui/CopyText.tsx';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';

/**
 * The person's calendar feed (their bookings as a secret iCalendar address). The server keeps only
 * a hash of the address, so it is shown when made or reset, never again (docs/security.md).
 */
export function CalendarFeedPanel({ timeZone }: { timeZone: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [feed, setFeed] = useState<CalendarFeed | null | undefined>(undefined);
  const [fresh, setFresh] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .get<{ items: CalendarFeed[] }>('/api/v1/me/feeds')
      .then((r) => setFeed(r.items.find((f) => f.roomId === null) ?? null))
      .catch(() => setFeed(null));
  }, []);

  async function make(reset: boolean) {
    setBusy(true);
    setError(null);
    try {
      const made = await api.postOnce<CalendarFeed>('/api/v1/me/feeds', {});
      setFeed(made);
      setFresh(made.url);
      setConfirming(false);
      if (reset) toast(t('feed.resetDone'));
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  if (feed === undefined) return null;
  return (
    <section className="card feed-panel" aria-labelledby="feed-title">
      <h2 id="feed-title">{t('feed.title')}</h2>
      <p className="muted small">{t('feed.lead')}</p>
      {error && <Notice tone="error">{error}</Notice>}
      {fresh ? (
        <div data-slot="feed-address">
          <CopyText text={fresh} label={t('feed.address')} />
          <p className="field-hint">{t('feed.copyNow')}</p>
        </div>
      ) : feed ? (
        <p className="small">{t('feed.made', { date: formatInstant(feed.createdAt, timeZone, DATE_LONG) })}</p>
      ) : null}
      {!feed ? (
        <button type="button" className="button button-secondary" disabled={busy} onClick={() => void make(false)}>
          {t('feed.make')}
        </button>
      ) : confirming ? (
        <div className="confirm-box" role="group" aria-label={t('feed.resetQuestion')}>
          <p>{t('feed.resetQuestion')}</p>
          <div className="button-row">
            <button type="button" className="button button-danger" disabled={busy} onClick={() => void make(true)}>
              {t('feed.resetConfirm')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
              {t('feed.keep')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="button button-quiet" onClick={() => setConfirming(true)}>
          {t('feed.reset')}
        </button>
      )}
    </section>
  );
}
