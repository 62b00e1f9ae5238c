import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Column } from '../admin/AdminTable.tsx';
import type { BookingRequest, RequestState } from '../api/types.ts';
import { formatSlot } from '../i18n/format.ts';

const TONE: Record<RequestState, string> = { pending: 'tag-warn', approved: 'tag-ok', denied: 'tag-muted', expired: 'tag-muted', withdrawn: 'tag-muted' };

export function StateTag({ state }: { state: RequestState }) {
  const { t } = useTranslation();
  return <span className={`tag ${TONE[state]}`}>{t(`requests.states.${state}`)}</span>;
}

/** The headers of the cells below, in their order. */
export const requestColumns = (t: TFunction): Column[] => [
  { label: t('form.title') },
  { label: t('requests.when') },
  { label: t('requests.room') },
  { label: t('requests.seats'), numeric: true },
  { label: t('requests.askedFor') },
  { label: t('requests.state') },
];

/** The cells both lists share: what, when, where, how many, what it asks for, and its state. */
export function RequestCells({ q }: { q: BookingRequest }) {
  const { t } = useTranslation();
  return (
    <>
      <th scope="row">
        {q.title}
        {q.reason && <div className="muted small request-reason">{q.reason}</div>}
      </th>
      <td>{formatSlot(q.start, q.end, q.timeZone, true)}</td>
      <td>{q.room?.name ?? <span className="muted">{t('requests.anyRoom')}</span>}</td>
      <td className="num">{q.seats}</td>
      <td>{t(`requests.codes.${q.askedFor}`, { defaultValue: q.askedFor })}</td>
      <td>
        <StateTag state={q.state} />
        {q.decisionNote && (
          <div className="small">
            {t('requests.note')}: {q.decisionNote}
          </div>
        )}
      </td>
    </>
  );
}
