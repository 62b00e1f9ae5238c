import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useGet } from '../api/useGet.ts';
import { bookingLoadMessage } from '../api/problems.ts';
import { Link } from '../app/router.tsx';
import { formatInstant, formatSlot, TIME } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useStackedTable } from '../ui/stackedTable.ts';

export type AttendanceReport = {
  bookingId: string;
  title: string;
  start: string;
  end: string;
  timeZone: string;
  presenceTracked: boolean;
  people: { name: string; kind: 'web' | 'guest' | 'phone'; firstSeen: string; lastSeen: string; totalSeconds: number }[];
};

export const attendancePath = (bookingId: string) => `/bookings/${encodeURIComponent(bookingId)}/attendance`;

/** "1 h 05 min" / "12 min": whole minutes, rounded, as a course certificate counts them. */
function duration(seconds: number, t: TFunction): string {
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(minutes / 60);
  return h > 0 ? t('attendance.hoursMinutes', { h, m: String(minutes % 60).padStart(2, '0') }) : t('attendance.minutes', { m: minutes });
}

/**
 * A meeting's attendance report (issue #15), printable: who joined, from when to when, for how long.
 * The API gives it to the booker, their institution's managers and administrators only.
 */
export function AttendancePage({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const table = useStackedTable();
  const id = params.id ?? '';
  const { data: report, error } = useGet<AttendanceReport>(`/api/v1/bookings/${encodeURIComponent(id)}/attendance`);

  const back = (
    <p className="breadcrumb no-print">
      <Link to={`/bookings/${encodeURIComponent(id)}`}>← {t('attendance.back')}</Link>
    </p>
  );
  if (error) {
    return (
      <section className="page page-medium">
        {back}
        <PageHeader title={t('attendance.title')} />
        <Notice tone="error">{bookingLoadMessage(t, error)}</Notice>
      </section>
    );
  }
  if (!report) {
    return (
      <section className="page page-medium">
        <p role="status">{t('common.loading')}</p>
      </section>
    );
  }
  const zone = report.timeZone;
  const sameDay = (a: string, b: string) => formatInstant(a, zone, { day: 'numeric', month: 'numeric', year: 'numeric' }) === formatInstant(b, zone, { day: 'numeric', month: 'numeric', year: 'numeric' });
  const when = (v: string) => (sameDay(v, report.start) ? formatInstant(v, zone, TIME) : formatInstant(v, zone));
  return (
    <section className="page page-medium attendance-page">
      {back}
      <PageHeader
        title={t('attendance.titleOf', { title: report.title })}
        subtitle={`${formatSlot(report.start, report.end, zone, true)} · ${zone}`}
        actions={
          <span className="no-print button-row">
            <button type="button" className="button button-secondary" onClick={() => window.print()}>
              {t('attendance.print')}
            </button>
            <a className="button button-quiet" href={`/api/v1/bookings/${encodeURIComponent(id)}/attendance?format=csv`} download>
              {t('attendance.csv')}
            </a>
          </span>
        }
      />
      {!report.presenceTracked && <Notice>{t('attendance.untracked')}</Notice>}
      {report.people.length === 0 ? (
        <p className="muted">{t('attendance.empty')}</p>
      ) : (
        <div className="table-wrap card">
          <table ref={table} className="data-table data-table-stack">
            <caption className="visually-hidden">{t('attendance.caption', { count: report.people.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('attendance.name')}</th>
                <th scope="col">{t('attendance.kind')}</th>
                <th scope="col">{t('attendance.from')}</th>
                <th scope="col">{t('attendance.to')}</th>
                <th scope="col">{t('attendance.total')}</th>
              </tr>
            </thead>
            <tbody>
              {report.people.map((p, i) => (
                <tr key={i}>
                  <th scope="row">{p.name}</th>
                  <td>{t(`attendance.kinds.${p.kind}`)}</td>
                  <td>
                    <time dateTime={p.firstSeen}>{when(p.firstSeen)}</time>
                  </td>
                  <td>
                    <time dateTime={p.lastSeen}>{when(p.lastSeen)}</time>
                  </td>
                  <td>{duration(p.totalSeconds, t)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">{t('attendance.note')}</p>
    </section>
  );
}
