import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Booking, Page } from '../api/types.ts';
import { Link } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { subscribeBookingChanges } from '../calendar/live.ts';
import { formatInstant, formatTimeRange, DATE_LONG } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { BookingDetails, icsUrl } from './BookingDetails.tsx';
import { useSeriesIndex, type SeriesScope } from './seriesIndex.ts';

type Tab = 'upcoming' | 'past';

function BookingCard({
  booking,
  seriesId,
  onCancelled,
  past,
}: {
  booking: Booking;
  seriesId: string | undefined;
  onCancelled(b: Booking, scope: SeriesScope | null): void;
  past: boolean;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const detailsId = `booking-${booking.id}-details`;
  const cancelled = booking.status === 'cancelled';

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.delete<Booking>(`/api/v1/bookings/${encodeURIComponent(booking.id)}`);
      onCancelled(answer ?? { ...booking, status: 'cancelled' }, null);
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  async function cancelInSeries(scope: SeriesScope) {
    if (!seriesId) return;
    setBusy(true);
    setError(null);
    try {
      await api.delete(`/api/v1/series/${encodeURIComponent(seriesId)}/occurrences/${encodeURIComponent(booking.id)}?scope=${scope}`);
      onCancelled({ ...booking, status: 'cancelled' }, scope);
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <li className={`booking-card${cancelled ? ' is-cancelled' : ''}`}>
      <div className="booking-date" aria-hidden="true">
        <span className="booking-day">{formatInstant(booking.start, booking.timeZone, { day: 'numeric' })}</span>
        <span className="booking-month">{formatInstant(booking.start, booking.timeZone, { month: 'short' })}</span>
      </div>
      <div className="booking-main">
        <h3 className="booking-title">
          {booking.title}
          {seriesId && <span className="tag">{t('seriesActions.recurring')}</span>}
          {cancelled && <span className="tag tag-muted">{t('myBookings.statusCancelled')}</span>}
        </h3>
        <p className="booking-when">
          {formatInstant(booking.start, booking.timeZone, DATE_LONG)} · {formatTimeRange(booking.start, booking.end, booking.timeZone)}
        </p>
        <p className="booking-where muted">
          {booking.roomName} · {t('calendar.seats', { count: booking.seats })}
        </p>
        {error && <Notice tone="error">{error}</Notice>}
        {confirming && seriesId && (
          <div className="confirm-box" role="group" aria-label={t('seriesActions.cancelQuestion', { title: booking.title })}>
            <p>{t('seriesActions.cancelQuestion', { title: booking.title })}</p>
            <div className="button-row">
              <button type="button" className="button button-danger" disabled={busy} onClick={() => void cancelInSeries('one')}>
                {t('seriesActions.cancelOne')}
              </button>
              <button type="button" className="button button-danger" disabled={busy} onClick={() => void cancelInSeries('following')}>
                {t('seriesActions.cancelFollowing')}
              </button>
              <button type="button" className="button button-danger" disabled={busy} onClick={() => void cancelInSeries('all')}>
                {t('seriesActions.cancelAll')}
              </button>
              <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
                {t('myBookings.keep')}
              </button>
            </div>
          </div>
        )}
        {confirming && !seriesId && (
          <div className="confirm-box" role="group" aria-label={t('myBookings.cancelQuestion', { title: booking.title })}>
            <p>{t('myBookings.cancelQuestion', { title: booking.title })}</p>
            <div className="button-row">
              <button type="button" className="button button-danger" disabled={busy} onClick={() => void cancel()}>
                {t('myBookings.confirmCancel')}
              </button>
              <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
                {t('myBookings.keep')}
              </button>
            </div>
          </div>
        )}
      </div>
      <div className="booking-actions">
        <button type="button" className="button button-quiet" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen((o) => !o)}>
          {open ? t('myBookings.hideDetails') : t('myBookings.details')}
          <span className="visually-hidden">: {booking.title}</span>
        </button>
        {!cancelled && (
          <a className="button button-quiet" href={icsUrl(booking.id)} download>
            {t('myBookings.ics')}
            <span className="visually-hidden">: {booking.title}</span>
          </a>
        )}
        {!cancelled && !past && (
          <>
            <Link
              className="button button-quiet"
              to={`/bookings/${encodeURIComponent(booking.id)}/edit${seriesId ? `?series=${encodeURIComponent(seriesId)}` : ''}`}
            >
              {t('myBookings.edit')}
              <span className="visually-hidden">: {booking.title}</span>
            </Link>
            <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
              {t('myBookings.cancel')}
              <span className="visually-hidden">: {booking.title}</span>
            </button>
          </>
        )}
      </div>
      {open && (
        <div id={detailsId} className="booking-details">
          <BookingDetails booking={booking} />
        </div>
      )}
    </li>
  );
}

export function MyBookingsPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const toast = useToast();
  const [tab, setTab] = useState<Tab>('upcoming');
  const [items, setItems] = useState<Booking[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { seriesOf, reload: reloadSeries } = useSeriesIndex();

  const load = useCallback(
    async (which: Tab, after: string | null) => {
      const now = new Date().toISOString();
      const query = which === 'upcoming' ? { from: now, status: 'confirmed' } : { to: now };
      try {
        const page = await api.get<Page<Booking>>('/api/v1/bookings', { ...query, userId: me.id, limit: 50, cursor: after });
        const sorted = [...page.items].sort((a, b) =>
          which === 'upcoming' ? a.start.localeCompare(b.start) : b.start.localeCompare(a.start),
        );
        setItems((list) => (after && list ? [...list, ...sorted] : sorted));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        setError(e);
      }
    },
    [me.id],
  );

  useEffect(() => {
    setItems(null);
    void load(tab, null);
  }, [tab, load]);
  useEffect(() => subscribeBookingChanges(() => void load(tab, null)), [tab, load]);

  return (
    <section className="page page-medium">
      <PageHeader
        title={t('myBookings.title')}
        actions={
          me.canBook && (
            <Link to="/bookings/new" className="button button-primary">
              {t('calendar.newBooking')}
            </Link>
          )
        }
      />
      <div className="tabs" role="group" aria-label={t('myBookings.which')}>
        {(['upcoming', 'past'] as const).map((which) => (
          <button key={which} type="button" aria-pressed={tab === which} onClick={() => setTab(which)}>
            {t(`myBookings.${which}`)}
          </button>
        ))}
      </div>
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {items === null && !error ? (
        <p role="status">{t('common.loading')}</p>
      ) : items && items.length === 0 ? (
        <div className="empty-state">
          <p>{t(tab === 'upcoming' ? 'myBookings.noneUpcoming' : 'myBookings.nonePast')}</p>
          {tab === 'upcoming' && me.canBook && <Link to="/">{t('myBookings.goCalendar')}</Link>}
        </div>
      ) : (
        <ul className="booking-list" aria-label={t(`myBookings.${tab}`)}>
          {items?.map((b) => (
            <BookingCard
              key={b.id}
              booking={b}
              seriesId={seriesOf.get(b.id)}
              past={tab === 'past'}
              onCancelled={(c, scope) => {
                toast(scope ? t(`seriesActions.cancelled_${scope}`, { title: c.title }) : t('myBookings.cancelled', { title: c.title }));
                setItems((list) => (list ?? []).filter((x) => x.id !== c.id));
                if (scope) {
                  // Other occurrences went too: read the list again.
                  reloadSeries();
                  void load(tab, null);
                }
              }}
            />
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" className="button button-secondary" onClick={() => void load(tab, cursor)}>
          {t('common.loadMore')}
        </button>
      )}
    </section>
  );
}
