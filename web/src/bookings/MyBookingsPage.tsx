import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Booking, Page, SeriesScope } from '../api/types.ts';
import { Link } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { subscribeBookingReloads } from '../calendar/live.ts';
import { formatInstant, formatSlot, formatTimeRange, DATE_LONG } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { BookingDetails, icsUrl } from './BookingDetails.tsx';
import { editPath } from './BookingPage.tsx';
import { CalendarFeedPanel } from './CalendarFeedPanel.tsx';
import { InvitedMeetings } from './InvitedMeetings.tsx';
import { cancelledMessage, useCancelBooking } from './cancelBooking.tsx';
import { WaitingEntries } from '../waiting/WaitingList.tsx';
import { bookAgainPath } from '../requests/ask.ts';
import { SearchBar } from '../ui/SearchBar.tsx';

type Tab = 'upcoming' | 'past';
type OnCancelled = (b: Booking, scope: SeriesScope | null) => void;

const pagePath = (b: Booking) => `/bookings/${encodeURIComponent(b.id)}`;

function DateBox({ booking }: { booking: Booking }) {
  return (
    <div className="booking-date" aria-hidden="true">
      <span className="booking-day">{formatInstant(booking.start, booking.timeZone, { day: 'numeric' })}</span>
      <span className="booking-month">{formatInstant(booking.start, booking.timeZone, { month: 'short' })}</span>
    </div>
  );
}

function BookingCard({ booking, onCancelled, past, inSeries = false }: { booking: Booking; onCancelled: OnCancelled; past: boolean; inSeries?: boolean }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const owner = useContext(ListOwner) ?? me.id;
  const [open, setOpen] = useState(false);
  const cancel = useCancelBooking(booking, onCancelled);
  const detailsId = `booking-${booking.id}-details`;
  const cancelled = booking.status === 'cancelled';
  const Heading = inSeries ? 'h4' : 'h3';

  return (
    <li className={`booking-card${cancelled ? ' is-cancelled' : ''}${inSeries ? ' is-occurrence' : ''}`}>
      <DateBox booking={booking} />
      <div className="booking-main">
        <Heading className="booking-title">
          <Link to={pagePath(booking)}>{inSeries ? formatInstant(booking.start, booking.timeZone, DATE_LONG) : booking.title}</Link>
          {booking.seriesId && !inSeries && <span className="tag">{t('seriesActions.recurring')}</span>}
          {cancelled && <span className="tag tag-muted">{t('myBookings.statusCancelled')}</span>}
        </Heading>
        <p className="booking-when">
          {inSeries
            ? formatTimeRange(booking.start, booking.end, booking.timeZone)
            : `${formatInstant(booking.start, booking.timeZone, DATE_LONG)} · ${formatTimeRange(booking.start, booking.end, booking.timeZone)}`}
        </p>
        <p className="booking-where muted">
          {booking.roomName} · {t('calendar.seats', { count: booking.seats })}
        </p>
        {booking.bookedBy && (
          <p className="booking-for muted small">
            {owner !== me.id
              ? t('personBookings.bookedByFor', { by: booking.bookedBy.name, owner: booking.booker.name })
              : booking.bookedBy.id === me.id
                ? t('myBookings.bookedFor', { owner: booking.booker.name })
                : t('myBookings.bookedBy', { by: booking.bookedBy.name })}
          </p>
        )}
        {cancel.box}
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
        {(cancelled || past) && me.canBook && (
          <Link className="button button-quiet" to={bookAgainPath(booking, me.id)}>
            {t('bookingPage.bookAgain')}
            <span className="visually-hidden">: {booking.title}</span>
          </Link>
        )}
        {!cancelled && !past && (
          <>
            <Link className="button button-quiet" to={editPath(booking)}>
              {t('myBookings.edit')}
              <span className="visually-hidden">: {booking.title}</span>
            </Link>
            <button type="button" className="button button-secondary" onClick={cancel.open}>
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

/** The meetings of one series in this list: one row, which opens to show each meeting. */
function SeriesRow({ occurrences, onCancelled, past }: { occurrences: Booking[]; onCancelled: OnCancelled; past: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const first = occurrences[0]!;
  const listId = `series-${first.seriesId}-meetings`;
  return (
    <li className="booking-card series-card">
      <DateBox booking={first} />
      <div className="booking-main">
        <h3 className="booking-title">
          <Link to={pagePath(first)}>{first.title}</Link>
          <span className="tag">{t('seriesActions.recurring')}</span>
        </h3>
        <p className="booking-when">
          {t('myBookings.seriesMeetings', { count: occurrences.length })} · {t('myBookings.seriesNext', { when: formatSlot(first.start, first.end, first.timeZone) })}
        </p>
        <p className="booking-where muted">
          {first.roomName} · {t('calendar.seats', { count: first.seats })}
        </p>
      </div>
      <div className="booking-actions">
        <button type="button" className="button button-secondary" aria-expanded={open} aria-controls={listId} onClick={() => setOpen((o) => !o)}>
          {open ? t('myBookings.hideMeetings') : t('myBookings.showMeetings')}
          <span className="visually-hidden">: {first.title}</span>
        </button>
      </div>
      {open && (
        <ul id={listId} className="booking-list series-meetings" aria-label={first.title}>
          {occurrences.map((b) => (
            <BookingCard key={b.id} booking={b} onCancelled={onCancelled} past={past} inSeries />
          ))}
        </ul>
      )}
    </li>
  );
}

/** Bookings in list order, the occurrences of a series gathered where its first one is. */
function groupSeries(items: Booking[]): Booking[][] {
  const groups: Booking[][] = [];
  const bySeries = new Map<string, Booking[]>();
  for (const b of items) {
    const existing = b.seriesId ? bySeries.get(b.seriesId) : undefined;
    if (existing) {
      existing.push(b);
      continue;
    }
    const group = [b];
    if (b.seriesId) bySeries.set(b.seriesId, group);
    groups.push(group);
  }
  return groups;
}

/** Bookings read at a time, and the most one read may ask for (the API's limit). */
const PAGE = 50;
const MOST = 500;

/** Whose bookings a list shows (null: the signed-in person's): the cards word "booked for" and "booked by" from that side. */
const ListOwner = createContext<string | null>(null);

/**
 * One person's bookings, upcoming or past, as they own them or booked them for others: one's own
 * (My bookings) or, for an administrator or an institution manager, someone else's. `refresh`
 * changes when the page knows the list has changed (a waiting-list place taken).
 */
export function BookingsOf({ person, refresh = 0 }: { person: { id: string; name: string }; refresh?: number }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const toast = useToast();
  const mine = person.id === me.id;
  const [tab, setTab] = useState<Tab>('upcoming');
  // Words of the title, as searched for.
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<Booking[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(
    async (which: Tab, after: string | null, limit = PAGE) => {
      const now = new Date().toISOString();
      // Past meetings the latest first, page after page (they came the earliest first: past the first
      // 50, last week's meetings were behind "Show more" under those of months ago).
      const query = which === 'upcoming' ? { from: now, status: 'confirmed' } : { to: now, order: 'desc' };
      try {
        const page = await api.get<Page<Booking>>('/api/v1/bookings', { ...query, userId: person.id, q: search || undefined, limit, cursor: after });
        setItems((list) => (after && list ? [...list, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        setError(e);
      }
    },
    [person.id, search],
  );

  useEffect(() => {
    setItems(null);
    void load(tab, null);
  }, [tab, load]);
  // Read again in place: as many as are shown (it fell back to the first 50 under whoever had
  // pressed "Show more").
  const shown = useRef(0);
  shown.current = items?.length ?? 0;
  const reload = useCallback(() => void load(tab, null, Math.min(MOST, Math.max(PAGE, shown.current))), [tab, load]);
  // A new `refresh` reads the list again (the tab's change is the effect above).
  useEffect(() => {
    if (refresh > 0) reload();
  }, [refresh]);
  // A change that may be in this tab's list; others' changes elsewhere in time are not read for.
  useEffect(
    () => subscribeBookingReloads(reload, (change) => (tab === 'upcoming' ? Date.parse(change.end) > Date.now() : Date.parse(change.start) < Date.now())),
    [tab, reload],
  );

  const onCancelled: OnCancelled = (c, scope) => {
    toast(cancelledMessage(t, c, scope));
    setItems((list) => (list ?? []).filter((x) => x.id !== c.id));
    // Other meetings of the series went too: read the list again.
    if (scope && scope !== 'one') reload();
  };
  const empty = search
    ? t(tab === 'upcoming' ? 'myBookings.noMatchUpcoming' : 'myBookings.noMatchPast', { words: search })
    : mine
      ? t(tab === 'upcoming' ? 'myBookings.noneUpcoming' : 'myBookings.nonePast')
      : t(tab === 'upcoming' ? 'personBookings.noneUpcoming' : 'personBookings.nonePast', { name: person.name });

  return (
    <ListOwner.Provider value={person.id}>
      <div className="tabs" role="group" aria-label={t('myBookings.which')}>
        {(['upcoming', 'past'] as const).map((which) => (
          <button key={which} type="button" aria-pressed={tab === which} onClick={() => setTab(which)}>
            {t(`myBookings.${which}`)}
          </button>
        ))}
      </div>
      <SearchBar id="booking-search" label={t('myBookings.search')} placeholder={t('myBookings.searchPlaceholder')} onSearch={setSearch} />
      {/* The cards' titles are h3: this level between them and the page's h1 names the list shown. */}
      <h2 id="my-bookings-list" className="visually-hidden">
        {t(`myBookings.${tab}`)}
      </h2>
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {items === null && !error ? (
        <p role="status">{t('common.loading')}</p>
      ) : items && items.length === 0 ? (
        <div className="empty-state">
          <p>{empty}</p>
          {mine && tab === 'upcoming' && me.canBook && !search && <Link to="/">{t('myBookings.goCalendar')}</Link>}
        </div>
      ) : (
        <ul className="booking-list" aria-labelledby="my-bookings-list">
          {groupSeries(items ?? []).map((group) =>
            group.length > 1 ? (
              <SeriesRow key={`series-${group[0]!.seriesId}`} occurrences={group} onCancelled={onCancelled} past={tab === 'past'} />
            ) : (
              <BookingCard key={group[0]!.id} booking={group[0]!} onCancelled={onCancelled} past={tab === 'past'} />
            ),
          )}
        </ul>
      )}
      {cursor && (
        <button type="button" className="button button-secondary" onClick={() => void load(tab, cursor)}>
          {t('common.loadMore')}
        </button>
      )}
    </ListOwner.Provider>
  );
}

export function MyBookingsPage() {
  const { t } = useTranslation();
  const { me, settings } = useMe();
  const [refresh, setRefresh] = useState(0);
  return (
    <section className="page page-medium">
      <PageHeader
        title={t('myBookings.title')}
        actions={
          <>
            {/* Delegates are set up once, not used daily: here and in Help rather than in the top bar. */}
            <Link to="/account/delegates" className="button">
              {t('nav.delegates')}
            </Link>
            {me.canBook && (
              <Link to="/bookings/new" className="button button-primary">
                {t('calendar.newBooking')}
              </Link>
            )}
          </>
        }
      />
      <WaitingEntries onBooked={() => setRefresh((n) => n + 1)} />
      <BookingsOf person={me} refresh={refresh} />
      <InvitedMeetings />
      <CalendarFeedPanel timeZone={settings.defaultTimeZone} />
    </section>
  );
}
