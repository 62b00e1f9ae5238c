import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { BookingRequest } from '../api/types.ts';
import { AdminTable } from '../admin/AdminTable.tsx';
import { usePagedList } from '../admin/useList.ts';
import { Link } from '../app/router.tsx';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';
import { RequestCells, requestColumns } from './RequestCells.tsx';

/** The person's own requests: their state, the administrator's words, the booking an approval made. */
export function MyRequestsPage() {
  const { t } = useTranslation();
  const toast = useToast();
  // A page at a time, so that someone with many requests is not shown the first 200 without a word.
  const { items, error, reload, more, showMore } = usePagedList<BookingRequest>('/api/v1/requests', { mine: 'true' });
  const [failed, setFailed] = useState<unknown>(null);

  async function withdraw(q: BookingRequest) {
    setFailed(null);
    try {
      await api.post(`/api/v1/requests/${encodeURIComponent(q.id)}/withdraw`);
      toast(t('requests.withdrawn'));
      await reload();
    } catch (e) {
      setFailed(e);
    }
  }

  return (
    <AdminTable
      title={t('requests.mineTitle')}
      subtitle={t('requests.mineSubtitle')}
      width="wide"
      actions={
        <Link to="/requests/new" className="button button-secondary">
          {t('requests.newTitle')}
        </Link>
      }
      filter={failed ? <Notice tone="error">{problemMessage(t, failed)}</Notice> : null}
      items={items}
      error={error}
      empty={t('requests.noneMine')}
      more={more ? showMore : undefined}
      columns={[
        ...requestColumns(t),
        { label: t('common.actions'), hiddenLabel: true },
      ]}
      row={(q) => (
        <tr key={q.id}>
          <RequestCells q={q} />
          <td className="row-actions">
            {q.bookingId && <Link to={`/bookings/${encodeURIComponent(q.bookingId)}`}>{t('requests.openBooking')}</Link>}
            {q.state === 'pending' && (
              <button type="button" className="button button-quiet button-small" onClick={() => void withdraw(q)}>
                {t('requests.withdraw')}
                <span className="visually-hidden">: {q.title}</span>
              </button>
            )}
          </td>
        </tr>
      )}
    />
  );
}
