import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Booking, Room, Suggestion } from '../api/types.ts';
import { Link } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { currentLocale } from '../i18n/index.ts';
import { formatInstant, formatSlot, zoneAbbreviation } from '../i18n/format.ts';
import { formatDayRange } from '../i18n/day-range.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { CalendarToolbar } from './CalendarToolbar.tsx';
import { ConflictPanel } from './ConflictPanel.tsx';
import { setDragProblem, useDragProblem } from './dragFeedback.ts';
import { displayZone, slotOf, toCalendarEvents, type SlotProps } from './events.ts';
import { subscribeLiveStatus, type LiveStatus } from './live.ts';
import { QuickBookDialog, type QuickSlot } from './QuickBookDialog.tsx';
import { isDayView, isListView, RoomCalendar, type CalendarView, type GridMove, type GridSlot, type RoomCalendarHandlers } from './RoomCalendar.tsx';
import { RoomFilter } from './RoomFilter.tsx';
import { loadHiddenRooms, saveHiddenRooms, visibleRooms } from './roomFilter.ts';
import { ShortcutHelp } from './ShortcutHelp.tsx';
import { slotFromClick } from './slots.ts';
import { useCalendarShortcuts, type ShortcutAction } from './shortcuts.ts';
import { checkSlot, lowestSeatsLeft, type SlotProblem } from './rules.ts';
import { SeatPoolStrip } from './SeatPoolStrip.tsx';
import { SlotDialog } from './SlotDialog.tsx';
import { SeriesMoveDialog, type SeriesMove } from './SeriesMoveDialog.tsx';
import { cancelledMessage } from '../bookings/cancelBooking.tsx';
import { useCalendarData } from './useCalendarData.ts';
import { addDays, offsetString, wallClock, zonedToInstant } from './zone.ts';
import { mayManage } from '../bookings/access.ts';

const VIEW_KEY = 'wm.calendar.view';
const WEEKEND_KEY = 'wm.calendar.weekend';
const isPhone = () => window.matchMedia('(max-width: 720px)').matches;
const VIEWS: CalendarView[] = ['resourceTimelineWeek', 'resourceTimeGridDay', 'listWeek', 'listDay'];

interface Conflict {
  message: string;
  suggestions: Suggestion[];
  /** The booking whose move failed; taking a suggestion moves it there. */
  booking: { id: string; title: string };
}

/** Weekdays (0 Sunday … 6 Saturday) the view leaves out: the weekend of a week, unless asked for. */
const hiddenDaysOf = (view: CalendarView, showWeekend: boolean): number[] => (showWeekend || isDayView(view) ? [] : [0, 6]);

const weekdayOf = (day: string) => new Date(`${day}T12:00:00Z`).getUTCDay();

/**
 * The day the calendar opens on (and Today goes to): today in the zone, or the first day after it
 * that the view shows: on a weekend the week hides, the coming Monday, the week still to book in.
 */
function landingDay(zone: string, view: CalendarView, showWeekend: boolean): string {
  const hidden = hiddenDaysOf(view, showWeekend);
  let day = wallClock(new Date(), zone).slice(0, 10);
  while (hidden.includes(weekdayOf(day))) day = addDays(day, 1);
  return day;
}

function initialView(): CalendarView {
  if (isPhone()) return 'resourceTimeGridDay';
  const stored = localStorage.getItem(VIEW_KEY);
  return VIEWS.find((v) => v === stored) ?? 'resourceTimelineWeek';
}

export function CalendarPage() {
  const { me, settings } = useMe();
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [roomsError, setRoomsError] = useState<unknown>(null);
  const [view, setView] = useState<CalendarView>(initialView);
  const [showWeekend, setShowWeekend] = useState(() => localStorage.getItem(WEEKEND_KEY) === '1');
  const [range, setRange] = useState<{ start: string; end: string } | null>(null);
  const [quickSlot, setQuickSlot] = useState<QuickSlot | null>(null);
  const [openSlot, setOpenSlot] = useState<SlotProps | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [pending, setPending] = useState(false);
  const [live, setLive] = useState<LiveStatus>('connecting');
  const [hiddenRooms, setHiddenRooms] = useState(loadHiddenRooms);
  const [helpOpen, setHelpOpen] = useState(false);
  const dateInput = useRef<HTMLInputElement>(null);
  const dragProblem = useDragProblem();
  const conflictRef = useRef<HTMLDivElement>(null);

  useEffect(() => subscribeLiveStatus(setLive), []);
  useEffect(() => {
    api
      .get<{ items: Room[] }>('/api/v1/rooms')
      .then((answer) => setRooms(answer.items.filter((r) => r.active)))
      .catch(setRoomsError);
  }, []);

  const zone = useMemo(
    () => displayZone((rooms ?? []).map((r) => r.timeZone), settings.defaultTimeZone),
    [rooms, settings.defaultTimeZone],
  );
  const [date, setDate] = useState(() => landingDay(zone, view, showWeekend));
  const apiRange = useMemo(
    () =>
      range && {
        from: zonedToInstant(range.start, zone).toISOString(),
        to: zonedToInstant(range.end, zone).toISOString(),
      },
    [range, zone],
  );
  const { availability, error: dataError, loading, reload } = useCalendarData(apiRange);

  const shownRooms = useMemo(() => visibleRooms(rooms ?? [], hiddenRooms), [rooms, hiddenRooms]);
  const events = useMemo(() => {
    if (!availability) return [];
    const shown = new Set(shownRooms.map((r) => r.id));
    return toCalendarEvents(availability, me.id, zone, t('calendar.busy')).filter((e) => shown.has(e.extendedProps.roomId));
  }, [availability, me.id, zone, t, shownRooms]);

  // Each block of the grid says its seats: one translation per count, not per block (i18next's
  // t() was a tenth of drawing a busy week, bench/ui-week-render.ts).
  const labels = useMemo(() => {
    const counted = (key: string) => {
      const said = new Map<number, string>();
      return (n: number) => said.get(n) ?? said.set(n, t(key, { count: n })).get(n)!;
    };
    return { capacity: counted('calendar.capacity'), seats: counted('calendar.seats'), noEvents: t('calendar.noEvents'), busy: t('calendar.busy'), grid: t('calendar.gridLabel') };
  }, [t]);

  const roomById = useCallback((id: string) => rooms?.find((r) => r.id === id), [rooms]);
  const zoneOf = useCallback((id: string) => roomById(id)?.timeZone ?? zone, [roomById, zone]);

  const [seriesMove, setSeriesMove] = useState<SeriesMove | null>(null);

  // Latest values for the grid's callbacks, which are bound once.
  const state = useRef({ availability, settings, zone, rooms, me });
  state.current = { availability, settings, zone, rooms, me };

  const showConflict = useCallback(
    (error: unknown, booking: { id: string; title: string }) => {
      setConflict({
        message: problemMessage(t, error),
        suggestions: error instanceof ApiError ? error.suggestions : [],
        booking,
      });
      window.setTimeout(() => conflictRef.current?.focus(), 0);
    },
    [t],
  );

  const moveBooking = useCallback(
    async (bookingId: string, target: { roomId: string; start: string; end: string }) => {
      const booking = await api.patch<Booking>(`/api/v1/bookings/${encodeURIComponent(bookingId)}`, target);
      toast(t('calendar.moved', { title: booking.title, room: booking.roomName, when: formatSlot(booking.start, booking.end, booking.timeZone) }));
      void reload();
      return booking;
    },
    [reload, t, toast],
  );

  const handlers: RoomCalendarHandlers = useMemo(() => {
    const problemOf = (slot: GridSlot & { bookingId: string | null; seats: number }) => {
      const s = state.current;
      return checkSlot(
        {
          roomId: slot.roomId,
          start: zonedToInstant(slot.start, s.zone),
          end: zonedToInstant(slot.end, s.zone),
          seats: slot.seats,
          bookingId: slot.bookingId,
        },
        s.settings,
        s.availability,
        new Date(),
      );
    };
    const openQuick = (slot: GridSlot) => {
      setDragProblem(null);
      const s = state.current;
      const room = s.rooms?.find((r) => r.id === slot.roomId);
      if (!room) return;
      const start = zonedToInstant(slot.start, s.zone).toISOString();
      const end = zonedToInstant(slot.end, s.zone).toISOString();
      const left = s.availability ? lowestSeatsLeft(s.availability, Date.parse(start), Date.parse(end)) : null;
      setConflict(null);
      setQuickSlot({ room, start, end, seatsLeft: left });
    };
    return {
      onRange: (start, end) => setRange((r) => (r && r.start === start && r.end === end ? r : { start, end })),
      allow: (slot) => {
        const problem = problemOf(slot);
        setDragProblem(problem);
        return problem === null;
      },
      onInteractionEnd: () => setDragProblem(null),
      onSelect: openQuick,
      onClickFree: ({ roomId, start }) => {
        const { settings } = state.current;
        const slot = { roomId, ...slotFromClick(start, settings.minDurationMinutes, settings.maxDurationMinutes) };
        const problem = problemOf({ ...slot, bookingId: null, seats: 1 });
        if (problem) {
          setDragProblem(problem);
          return;
        }
        openQuick(slot);
      },
      onMove: (move: GridMove) => {
        setDragProblem(null);
        const s = state.current;
        const moved = slotOf(s.availability, move.bookingId);
        const title = moved?.title ?? '';
        setConflict(null);
        const seriesId = moved?.seriesId;
        if (seriesId) {
          // An occurrence of a series: ask whether only this meeting or the whole series moves.
          setSeriesMove({ move, seriesId, title, zone: s.zone });
          return;
        }
        setPending(true);
        moveBooking(move.bookingId, {
          roomId: move.roomId,
          start: zonedToInstant(move.start, s.zone).toISOString(),
          end: zonedToInstant(move.end, s.zone).toISOString(),
        })
          .catch((error: unknown) => {
            // Someone was faster, or a rule the browser could not see: put the block back and say why.
            move.revert();
            showConflict(error, { id: move.bookingId, title });
            void reload();
          })
          .finally(() => setPending(false));
      },
      onOpen: (props) => setOpenSlot(props),
    };
  }, [moveBooking, reload, showConflict]);

  async function takeSuggestion(s: Suggestion) {
    if (!conflict) return;
    setPending(true);
    try {
      await moveBooking(conflict.booking.id, { roomId: s.roomId, start: s.start, end: s.end });
      setConflict(null);
    } catch (error) {
      showConflict(error, conflict.booking);
    } finally {
      setPending(false);
    }
  }

  function go(direction: -1 | 1) {
    setDate((d) => addDays(d, direction * (isDayView(view) ? 1 : 7)));
  }

  const today = () => setDate(landingDay(zone, view, showWeekend));

  function changeHiddenRooms(next: Set<string>) {
    setHiddenRooms(next);
    saveHiddenRooms(next);
  }

  useCalendarShortcuts((action: ShortcutAction) => {
    if (!rooms?.length) return;
    const act: Record<ShortcutAction, () => void> = {
      today,
      previous: () => go(-1),
      next: () => go(1),
      day: () => changeView('resourceTimeGridDay'),
      week: () => changeView('resourceTimelineWeek'),
      list: () => changeView('listWeek'),
      goTo: () => dateInput.current?.focus(),
      help: () => setHelpOpen((o) => !o),
    };
    act[action]();
  });

  function changeView(next: CalendarView) {
    setView(next);
    localStorage.setItem(VIEW_KEY, next);
  }

  function changeWeekend(show: boolean) {
    setShowWeekend(show);
    localStorage.setItem(WEEKEND_KEY, show ? '1' : '0');
  }

  const hiddenDays = useMemo(() => hiddenDaysOf(view, showWeekend), [showWeekend, view]);
  const days = useMemo(() => {
    if (!range) return [];
    const list: string[] = [];
    for (let d = range.start.slice(0, 10); d < range.end.slice(0, 10); d = addDays(d, 1)) {
      if (!hiddenDays.includes(weekdayOf(d))) list.push(d);
    }
    return list;
  }, [range, hiddenDays]);

  const title = useMemo(() => {
    if (!days.length) return '';
    const first = zonedToInstant(`${days[0]}T12:00`, zone);
    const last = zonedToInstant(`${days[days.length - 1]}T12:00`, zone);
    const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric' };
    return days.length === 1
      ? formatInstant(first, zone, { weekday: 'long', ...options })
      : formatDayRange(currentLocale(), zone, first, last, options);
  }, [days, zone, i18n.language]);

  // A block's booking, read when its dialog opens, and again when the calendar hears of a change
  // (what it shows stays until the new answer comes).
  const [opened, setOpened] = useState<{ id: string; booking: Booking | null; error: unknown } | null>(null);
  const openId = openSlot?.bookingId ?? null;
  useEffect(() => {
    if (!openId) return;
    let current = true;
    setOpened((o) => (o?.id === openId ? o : { id: openId, booking: null, error: null }));
    api.get<Booking>(`/api/v1/bookings/${encodeURIComponent(openId)}`).then(
      (booking) => current && setOpened({ id: openId, booking, error: null }),
      (error: unknown) => current && setOpened({ id: openId, booking: null, error }),
    );
    return () => {
      current = false;
    };
  }, [openId, availability]);
  const openRead = opened?.id === openId ? opened : null;
  const openBooking = openRead?.booking ?? null;
  const problemText = (p: SlotProblem) => t(`rules.${p.code}`, { ...p, turnaround: settings.turnaroundMinutes, context: p.code === 'ROOM_TAKEN' && p.turnaround ? 'turnaround' : undefined });
  const shownProblem = dragProblem;

  return (
    <section className="page page-wide calendar-page">
      <PageHeader
        title={t('calendar.title')}
        subtitle={t('calendar.subtitle', { zone, abbr: zoneAbbreviation(zone) })}
      />
      {roomsError ? <Notice tone="error">{problemMessage(t, roomsError)}</Notice> : null}
      {dataError ? <Notice tone="error">{problemMessage(t, dataError)}</Notice> : null}
      {rooms && rooms.length === 0 && (
        <Notice tone="info" title={t('calendar.noRoomsTitle')}>
          {me.role === 'admin' ? <Link to="/admin/rooms">{t('calendar.noRoomsAdmin')}</Link> : t('calendar.noRooms')}
        </Notice>
      )}
      {rooms && rooms.length > 0 && (
        <>
          <CalendarToolbar
            title={title}
            view={view}
            onView={changeView}
            onPrev={() => go(-1)}
            onNext={() => go(1)}
            onToday={today}
            date={date}
            onDate={setDate}
            dateInput={dateInput}
            showWeekend={showWeekend}
            onWeekend={changeWeekend}
            live={live}
            roomFilter={<RoomFilter rooms={rooms} hidden={hiddenRooms} onChange={changeHiddenRooms} />}
            help={<ShortcutHelp open={helpOpen} onOpenChange={setHelpOpen} />}
          />
          <SeatPoolStrip
            availability={availability}
            days={days}
            zone={zone}
            firstHour={7}
            lastHour={21}
            step={days.length > 1 ? 60 : 30}
          />
          <div className={`drag-feedback${isListView(view) ? ' drag-feedback-list' : ''}`} role="status" aria-live="polite">
            {shownProblem ? (
              <span className="drag-feedback-bad">{t('rules.notAllowed', { reason: problemText(shownProblem) })}</span>
            ) : pending ? (
              <span>{t('common.saving')}</span>
            ) : me.canBook && !isListView(view) ? (
              <span className="muted">{t('calendar.hint')}</span>
            ) : null}
          </div>
          {conflict && (
            <ConflictPanel
              ref={conflictRef}
              title={conflict.booking.title}
              message={conflict.message}
              suggestions={conflict.suggestions}
              zoneOf={zoneOf}
              busy={pending}
              onTake={(s) => void takeSuggestion(s)}
              onDismiss={() => setConflict(null)}
            />
          )}
          <RoomCalendar
            rooms={shownRooms}
            events={events}
            view={view}
            date={date}
            offset={offsetString(zonedToInstant(`${date}T12:00`, zone), zone)}
            locale={currentLocale()}
            hiddenDays={hiddenDays}
            slotMinutes={30}
            turnaroundMinutes={settings.turnaroundMinutes}
            snapMinutes={Math.max(5, settings.granularityMinutes)}
            selectable={me.canBook}
            busy={loading}
            labels={labels}
            handlers={handlers}
          />
        </>
      )}
      <QuickBookDialog
        slot={quickSlot}
        zoneOf={zoneOf}
        onClose={() => setQuickSlot(null)}
        onBooked={(b) => {
          setQuickSlot(null);
          toast(t('calendar.booked', { title: b.title, when: formatSlot(b.start, b.end, b.timeZone) }));
          void reload();
        }}
      />
      <SeriesMoveDialog
        pending={seriesMove}
        onDone={(answer) => {
          setSeriesMove(null);
          if (answer.ok) {
            toast(answer.message);
          } else if (answer.error !== undefined && seriesMove) {
            showConflict(answer.error, { id: seriesMove.move.bookingId, title: seriesMove.title });
          }
          void reload();
        }}
      />
      <SlotDialog
        slot={openSlot}
        booking={openBooking}
        loadError={openRead?.error}
        roomName={openSlot ? (roomById(openSlot.roomId)?.name ?? '') : ''}
        zone={openSlot ? zoneOf(openSlot.roomId) : zone}
        canEdit={openBooking ? mayManage(me, openBooking) : false}
        seriesId={openBooking?.seriesId ?? undefined}
        onClose={() => setOpenSlot(null)}
        onCancelled={(b, scope) => {
          setOpenSlot(null);
          toast(cancelledMessage(t, b, scope));
          void reload();
        }}
      />
    </section>
  );
}
