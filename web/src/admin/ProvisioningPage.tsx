import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { Link } from '../app/router.tsx';
import { problemMessage } from '../api/problems.ts';
import { useMe } from '../auth/session.tsx';
import { formatInstant, formatSlot } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { useStackedTable } from '../ui/stackedTable.ts';

interface Attempt {
  id: string;
  bookingId: string | null;
  bookingTitle: string | null;
  provider: string;
  action: string;
  ok: boolean;
  errorCode: string | null;
  error: string | null;
  durationMs: number;
  at: string;
}

interface Parked {
  bookingId: string;
  provider: string;
  state: string;
  attempts: number;
  lastError: string | null;
  lastErrorCode: string | null;
  updatedAt: string;
  booking: { title: string; start: string; end: string; cancelled: boolean; roomName: string; timeZone: string; bookerName: string };
}

interface Stalled {
  jobId: string;
  bookingId: string | null;
  startedAt: string;
  heartbeatAt: string | null;
}

type Jobs = { attempts: Attempt[]; deadLetter: Parked[]; stalled: Stalled[] };

const WHEN: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' };

/** A booking named by its title (its id's first characters once it is gone), leading to its page. */
function BookingRef({ id, title }: { id: string | null; title: string | null }) {
  if (!id) return <>—</>;
  if (title === null) return <code className="small">{id.slice(0, 8)}</code>;
  return <Link to={`/bookings/${encodeURIComponent(id)}`}>{title}</Link>;
}

/** Whether the meeting is still to come, under way, over or cancelled: how urgent its room is. */
function MeetingWhen({ booking }: { booking: Parked['booking'] }) {
  const { t } = useTranslation();
  const now = Date.now();
  const status = booking.cancelled ? 'cancelled' : Date.parse(booking.end) <= now ? 'ended' : Date.parse(booking.start) <= now ? 'now' : null;
  return (
    <>
      <span className="nowrap">{formatSlot(booking.start, booking.end, booking.timeZone, true)}</span>
      {status && (
        <>
          {' '}
          <span className={`tag ${status === 'now' ? 'tag-warn' : 'tag-muted'}`}>{t(`admin.provisioning.meeting.${status}`)}</span>
        </>
      )}
    </>
  );
}

/** Admins: the virtual rooms that could not be prepared (with "retry now") and the recent calls to the services. */
export function ProvisioningPage() {
  const { t } = useTranslation();
  const deadTable = useStackedTable();
  const stalledTable = useStackedTable();
  const attemptsTable = useStackedTable();
  const { settings } = useMe();
  const toast = useToast();
  const zone = settings.defaultTimeZone;
  const [failedOnly, setFailedOnly] = useState(false);
  const [data, setData] = useState<Jobs | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [retryError, setRetryError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await api.get<Jobs>('/api/v1/admin/provisioning/jobs', { failed: failedOnly, limit: 100 }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [failedOnly]);

  useEffect(() => {
    void load();
  }, [load]);

  async function retry(bookingId: string) {
    setRetrying(bookingId);
    setRetryError(null);
    try {
      const answer = await api.post<{ state: string; lastError: string | null }>(`/api/v1/admin/provisioning/${encodeURIComponent(bookingId)}/retry`);
      toast(t('admin.provisioning.retried', { state: t(`details.state.${answer.state}`, { defaultValue: answer.state }) }));
      await load();
    } catch (e) {
      setRetryError(problemMessage(t, e));
    } finally {
      setRetrying(null);
    }
  }

  return (
    <section className="page page-wide">
      <PageHeader
        title={t('admin.provisioning.title')}
        subtitle={t('admin.provisioning.subtitle')}
        actions={
          <>
            <Link className="button button-quiet" to="/admin/outside-meetings">
              {t('nav.outsideMeetings')}
            </Link>
            <button type="button" className="button button-secondary" onClick={() => void load()}>
              {t('admin.provisioning.refresh')}
            </button>
          </>
        }
      />
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {retryError && <Notice tone="error">{retryError}</Notice>}
      {!data && !error ? (
        <p role="status">{t('common.loading')}</p>
      ) : data ? (
        <>
          <h2 className="section-title">{t('admin.provisioning.failedTitle')}</h2>
          {data.deadLetter.length === 0 ? (
            <div className="empty-state">{t('admin.provisioning.noneFailed')}</div>
          ) : (
            <div className="table-wrap card">
              <table ref={deadTable} className="data-table data-table-stack" data-slot="dead-letter">
                <caption className="visually-hidden">{t('admin.provisioning.failedTitle')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.provisioning.booking')}</th>
                    <th scope="col">{t('admin.provisioning.meetingWhen')}</th>
                    <th scope="col">{t('admin.provisioning.provider')}</th>
                    <th scope="col">{t('admin.provisioning.state')}</th>
                    <th scope="col">{t('admin.provisioning.attempts')}</th>
                    <th scope="col">{t('admin.provisioning.lastError')}</th>
                    <th scope="col">{t('admin.provisioning.updated')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.deadLetter.map((d) => (
                    <tr key={d.bookingId}>
                      <td>
                        <BookingRef id={d.bookingId} title={d.booking.title} />
                        <div className="small muted">
                          {d.booking.roomName} · {t('admin.provisioning.bookedBy', { name: d.booking.bookerName })}
                        </div>
                      </td>
                      <td>
                        <MeetingWhen booking={d.booking} />
                      </td>
                      <td className="nowrap">{t(`admin.providers.${d.provider}`, { defaultValue: d.provider })}</td>
                      <td>
                        <span className={`tag ${d.state === 'failed' ? 'tag-warn' : d.state === 'ready' ? 'tag-ok' : 'tag-muted'}`}>
                          {t(`details.state.${d.state}`, { defaultValue: d.state })}
                        </span>
                      </td>
                      <td>{d.attempts}</td>
                      <td className="small">
                        {d.lastErrorCode && <code>{d.lastErrorCode}</code>} {d.lastError ?? '—'}
                      </td>
                      <td className="nowrap">{formatInstant(d.updatedAt, zone, WHEN)}</td>
                      <td>
                        <button type="button" className="button button-primary button-small" disabled={retrying !== null} onClick={() => void retry(d.bookingId)}>
                          {retrying === d.bookingId ? t('admin.provisioning.retrying') : t('admin.provisioning.retry')}
                          <span className="visually-hidden">: {d.booking.title}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {data.stalled.length > 0 && (
            <>
              <h2 className="section-title">{t('admin.provisioning.stalledTitle')}</h2>
              <p className="muted">{t('admin.provisioning.stalledHelp')}</p>
              <div className="table-wrap card">
                <table ref={stalledTable} className="data-table data-table-stack" data-slot="stalled">
                  <caption className="visually-hidden">{t('admin.provisioning.stalledTitle')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.provisioning.booking')}</th>
                      <th scope="col">{t('admin.provisioning.started')}</th>
                      <th scope="col">{t('admin.provisioning.lastSign')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.stalled.map((j) => (
                      <tr key={j.jobId}>
                        <td>
                          <BookingRef id={j.bookingId} title={null} />
                        </td>
                        <td className="nowrap">{formatInstant(j.startedAt, zone, WHEN)}</td>
                        <td className="nowrap">{j.heartbeatAt ? formatInstant(j.heartbeatAt, zone, WHEN) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          <div className="section-head">
            <h2 className="section-title">{t('admin.provisioning.recentTitle')}</h2>
            <label className="check">
              <input type="checkbox" checked={failedOnly} onChange={(e) => setFailedOnly(e.target.checked)} />
              {t('admin.provisioning.failedOnly')}
            </label>
          </div>
          {data.attempts.length === 0 ? (
            <div className="empty-state">{t('admin.provisioning.noneRecent')}</div>
          ) : (
            <div className="table-wrap card">
              <table ref={attemptsTable} className="data-table data-table-stack" data-slot="attempts">
                <caption className="visually-hidden">{t('admin.provisioning.recentTitle')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.provisioning.at')}</th>
                    <th scope="col">{t('admin.provisioning.booking')}</th>
                    <th scope="col">{t('admin.provisioning.provider')}</th>
                    <th scope="col">{t('admin.provisioning.action')}</th>
                    <th scope="col">{t('admin.provisioning.outcome')}</th>
                    <th scope="col">{t('admin.provisioning.duration')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.attempts.map((a) => (
                    <tr key={a.id}>
                      <td className="nowrap">{formatInstant(a.at, zone, WHEN)}</td>
                      <td>
                        <BookingRef id={a.bookingId} title={a.bookingTitle} />
                      </td>
                      <td className="nowrap">{t(`admin.providers.${a.provider}`, { defaultValue: a.provider })}</td>
                      <td>{a.action}</td>
                      <td>
                        {a.ok ? (
                          <span className="tag tag-ok">{t('admin.provisioning.ok')}</span>
                        ) : (
                          <>
                            <span className="tag tag-warn">{t('admin.provisioning.error')}</span>{' '}
                            <span className="small">{[a.errorCode, a.error].filter(Boolean).join(': ')}</span>
                          </>
                        )}
                      </td>
                      <td className="nowrap">{t('admin.provisioning.ms', { ms: a.durationMs })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}
