import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { formatInstant } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';

type Recording = { id: string; name: string; start: string; end: string | null; lengthMinutes: number | null; published: boolean; url: string | null };
type RecordingList = { bookingId: string; available: boolean; canManage: boolean; items: Recording[] };

/**
 * The recordings of a meeting after it ended (issue #15): date and length; the booker and managers
 * publish (guests then get the link), unpublish or delete them. Nothing shows where the room's
 * service keeps no recordings.
 */
export function Recordings({ bookingId, timeZone }: { bookingId: string; timeZone: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [list, setList] = useState<RecordingList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const base = `/api/v1/bookings/${encodeURIComponent(bookingId)}/recordings`;

  const load = useCallback(async () => {
    try {
      setList(await api.get<RecordingList>(base));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [base]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (r: Recording, action: 'publish' | 'unpublish' | 'delete') => {
    setBusy(r.id);
    try {
      if (action === 'delete') await api.delete(`${base}/${encodeURIComponent(r.id)}`);
      else await api.post(`${base}/${encodeURIComponent(r.id)}/${action}`);
      toast(t(`recordings.done.${action}`));
      setConfirming(null);
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  if (list && !list.available) return null;
  return (
    <section aria-labelledby="recordings-title">
      <h2 id="recordings-title" className="section-title">
        {t('recordings.title')}
      </h2>
      {error !== null && <Notice tone="error">{problemMessage(t, error)}</Notice>}
      {list === null ? (
        error === null && <p role="status">{t('common.loading')}</p>
      ) : list.items.length === 0 ? (
        <p className="muted">{t('recordings.empty')}</p>
      ) : (
        <ul className="recording-list">
          {list.items.map((r) => {
            const label = formatInstant(r.start, timeZone);
            return (
              <li key={r.id} className="card recording">
                <div>
                  {r.url ? (
                    <a href={r.url} target="_blank" rel="noopener noreferrer">
                      {label}
                    </a>
                  ) : (
                    <strong>{label}</strong>
                  )}
                  {r.lengthMinutes !== null && <span className="muted"> · {t('recordings.length', { count: r.lengthMinutes })}</span>}{' '}
                  <span className="tag">{r.published ? t('recordings.published') : t('recordings.private')}</span>
                </div>
                {list.canManage && (
                  <div className="button-row">
                    <button type="button" className="button button-secondary" disabled={busy === r.id} onClick={() => void act(r, r.published ? 'unpublish' : 'publish')}>
                      {r.published ? t('recordings.unpublish') : t('recordings.publish')}
                    </button>
                    {confirming === r.id ? (
                      <>
                        <button type="button" className="button button-danger" disabled={busy === r.id} onClick={() => void act(r, 'delete')}>
                          {t('recordings.confirmDelete', { when: label })}
                        </button>
                        <button type="button" className="button button-quiet" onClick={() => setConfirming(null)}>
                          {t('recordings.keep')}
                        </button>
                      </>
                    ) : (
                      <button type="button" className="button button-quiet" aria-label={t('recordings.deleteOne', { when: label })} onClick={() => setConfirming(r.id)}>
                        {t('recordings.delete')}
                      </button>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
