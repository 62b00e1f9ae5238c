import { createCalendar, destroyCalendar, Interaction, List, ResourceTimeGrid, ResourceTimeline, type Calendar } from '@event-calendar/core';
import '@event-calendar/core/index.css';
import { useEffect, useRef, type CSSProperties } from 'react';
import type { Room } from '../api/types.ts';
import type { CalendarEventInput, SlotProps } from './events.ts';
import { localFields } from './zone.ts';

/** The week is a resource timeline (rooms as rows, time across); the day has the rooms as columns. */
export type CalendarView = 'resourceTimelineWeek' | 'resourceTimeGridDay' | 'listWeek' | 'listDay';

export const isDayView = (view: CalendarView) => view === 'resourceTimeGridDay' || view === 'listDay';
export const isListView = (view: CalendarView) => view === 'listWeek' || view === 'listDay';

/** Width of a half hour in the week timeline: an hour-long booking has room for its title on two lines. */
export const TIMELINE_SLOT_PX = 52;
const SLOT_PX = 22; // the time grid's slot height (slotHeight below)
const EVENT_LINE_PX = 15.6; // an event's line: 0.78rem at line-height 1.25 (styles/calendar.css)
// A room's row in the week timeline is two lines high (its name and seats). A block's time and title
// end in "…" on its second line: a short booking with a long title wrapped letter by letter and made
// its room's row three times as tall for the whole week.
const TIMELINE_LINES = 2;

/** How many lines of text a booking's block in the time grid holds (its padding is 4 px). */
function linesOfBlock(event: Calendar.Event, slotMinutes: number): number {
  const minutes = (event.end.getTime() - event.start.getTime()) / 60_000;
  return Math.floor(((minutes / slotMinutes) * SLOT_PX - 4) / EVENT_LINE_PX);
}

/** A slot as the grid reports it: wall-clock strings in the display zone. */
export interface GridSlot {
  roomId: string;
  start: string;
  end: string;
}

export interface GridMove extends GridSlot {
  bookingId: string;
  seats: number;
  revert(): void;
}

export interface RoomCalendarHandlers {
  onRange(start: string, end: string): void;
  onSelect(slot: GridSlot): void;
  /** A click (no drag) on free space: the wall-clock time under the pointer. */
  onClickFree(at: { roomId: string; start: string }): void;
  /** Return false to show the slot as not allowed while dragging or selecting. */
  allow(slot: GridSlot & { bookingId: string | null; seats: number }): boolean;
  onMove(move: GridMove, kind: 'move' | 'resize'): void;
  onOpen(props: SlotProps): void;
  onInteractionEnd(): void;
}

export interface RoomCalendarProps {
  rooms: Room[];
  events: CalendarEventInput[];
  view: CalendarView;
  date: string;
  offset: string;
  locale: string;
  hiddenDays: number[];
  slotMinutes: number;
  turnaroundMinutes: number;
  snapMinutes: number;
  selectable: boolean;
  /** The shown range's bookings are being fetched (aria-busy, so assistive technology waits too). */
  busy?: boolean;
  labels: { capacity(n: number): string; seats(n: number): string; noEvents: string; busy: string; grid: string };
  handlers: RoomCalendarHandlers;
  onReady?(calendar: Calendar): void;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// The library marks its grid up as an ARIA table but puts the events between the rows, which
// screen readers then skip or misread (axe: aria-required-children). The grid is a drawing
// for pointer users; the list view and the booking form are the accessible ways in, and the
// events stay focusable buttons with their full text.
const TABLE_ROLES = '[role="table"],[role="rowgroup"],[role="row"],[role="cell"],[role="columnheader"],[role="rowheader"]';
function repairAria(root: HTMLElement, label: string) {
  for (const el of root.querySelectorAll(TABLE_ROLES)) {
    el.removeAttribute('role');
    el.removeAttribute('aria-colindex');
    el.removeAttribute('aria-colspan');
  }
  const main = root.querySelector<HTMLElement>('.ec-main');
  if (!main) return;
  if (root.querySelector('.ec-list')) {
    // The list view is a list of days (role list > listitem): nothing may stand between them.
    main.removeAttribute('tabindex');
    main.removeAttribute('role');
    main.removeAttribute('aria-label');
    // Its day headings are <h4> under the page's <h2> (axe: heading-order).
    for (const head of root.querySelectorAll('h4.ec-day-head')) head.setAttribute('aria-level', '3');
    return;
  }
  // The grid scrolls (sideways in the week timeline, on a phone): keyboard users must be able to reach it.
  if (main.tabIndex !== 0) {
    main.tabIndex = 0;
    main.setAttribute('role', 'group');
  }
  if (main.getAttribute('aria-label') !== label) main.setAttribute('aria-label', label);
}

/** Eight rooms side by side in the day view: keep them legible and let the grid scroll sideways on a phone. */
const columnWidthFor = (view: CalendarView) => (view === 'resourceTimeGridDay' ? 'minmax(84px, 1fr)' : undefined);

const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

const slotPropsOf = (event: Calendar.Event) => event.extendedProps as unknown as SlotProps;

const duration = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** @event-calendar/core (a Svelte component) mounted imperatively; props flow in through setOption. */
export function RoomCalendar(props: RoomCalendarProps) {
  const host = useRef<HTMLDivElement>(null);
  const calendar = useRef<Calendar | null>(null);
  // The table roles come back whenever the library redraws its grid (new dates, view, rooms,
  // language), never with events alone, so the repair runs after those and not on every change.
  const repairFrame = useRef(0);
  const scheduleRepair = () => {
    cancelAnimationFrame(repairFrame.current);
    repairFrame.current = requestAnimationFrame(() => host.current && repairAria(host.current, latest.current.labels.grid));
  };
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const h = () => latest.current.handlers;
    const roomName = (id: string) => latest.current.rooms.find((r) => r.id === id)?.name ?? '';
    const slotOf = (event: Calendar.Event, resourceId?: string): GridSlot => ({
      roomId: resourceId ?? String(event.resourceIds[0] ?? ''),
      start: localFields(event.start),
      end: localFields(event.end),
    });
    const moveInfo = (info: Calendar.EventDropInfo | Calendar.EventResizeInfo) => {
      const props = slotPropsOf(info.event);
      const slot = slotOf(info.event, 'newResource' in info ? info.newResource?.id?.toString() : undefined);
      return { ...slot, bookingId: props.bookingId ?? '', seats: props.seats, revert: info.revert };
    };
    const p = latest.current;
    const ec = createCalendar(host.current!, [ResourceTimeGrid, ResourceTimeline, List, Interaction], {
      view: p.view,
      columnWidth: columnWidthFor(p.view),
      date: p.date,
      timeZone: p.offset,
      locale: p.locale,
      headerToolbar: { start: '', center: '', end: '' },
      resources: p.rooms.map((r) => ({ id: r.id, title: r.name, extendedProps: { capacity: r.capacity } })),
      events: p.events,
      firstDay: 1,
      allDaySlot: false,
      hiddenDays: p.hiddenDays as Calendar.dayOfWeek[],
      slotMinTime: '07:00',
      slotMaxTime: '21:00',
      flexibleSlotTimeLimits: true,
      scrollTime: '08:00',
      slotDuration: duration(p.slotMinutes),
      snapDuration: duration(p.snapMinutes),
      slotHeight: SLOT_PX,
      nowIndicator: true,
      selectable: p.selectable,
      pointer: p.selectable,
      eventStartEditable: true,
      eventDurationEditable: true,
      eventDragMinDistance: 4,
      height: 'auto',
      dayHeaderFormat: { weekday: 'short', day: 'numeric' },
      views: {
        // Rooms as rows and time across: eight rooms fit the screen and titles get the width of
        // their duration; the week scrolls sideways, a day at a time.
        resourceTimelineWeek: {
          slotWidth: TIMELINE_SLOT_PX,
          slotLabelInterval: '01:00',
          dayHeaderFormat: { weekday: 'long', day: 'numeric', month: 'long' },
        },
      },
      slotLabelFormat: { hour: '2-digit', minute: '2-digit' },
      // English (en-GB) and Italian both write 24-hour HH:MM; Intl's formatRange per event was
      // the largest cost of drawing a busy week (bench/ui-week-render.ts).
      eventTimeFormat: (start: Date, end: Date | null) => (end ? `${hhmm(start)}–${hhmm(end)}` : hhmm(start)),
      listDayFormat: { weekday: 'long', day: 'numeric', month: 'long' },
      listDaySideFormat: false as unknown as Calendar.Options['listDaySideFormat'],
      noEventsContent: () => latest.current.labels.noEvents,
      resourceLabelContent: ({ resource }) => {
        const capacity = Number((resource.extendedProps as { capacity?: number }).capacity ?? 0);
        return {
          html:
            `<span class="wm-room-name">${escapeHtml(String(resource.title))}</span>` +
            `<span class="wm-room-capacity">${escapeHtml(latest.current.labels.capacity(capacity))}</span>`,
        };
      },
      eventContent: ({ event, timeText, view }) => {
        const props = slotPropsOf(event);
        const labels = latest.current.labels;
        const title = props.kind === 'busy' ? labels.busy : String(event.title);
        const list = view.type.startsWith('list');
        const meta = [
          list ? roomName(props.roomId) : '',
          props.kind !== 'busy' ? labels.seats(props.seats) : '',
          props.bookerName && props.kind === 'visible' ? props.bookerName : '',
        ].filter(Boolean);
        // The space lets the timeline wrap between time and title, which run on there.
        const timeAndTitle = `<span class="wm-ev-time">${escapeHtml(timeText)}</span> <span class="wm-ev-title">${escapeHtml(title)}</span>`;
        const metaHtml = (extra: string) => (meta.length ? `<span class="wm-ev-meta${extra}">${escapeHtml(meta.join(' · '))}</span>` : '');
        const lines = view.type.includes('TimeGrid') ? linesOfBlock(event, latest.current.slotMinutes) : view.type.includes('Timeline') ? TIMELINE_LINES : Infinity;
        if (lines >= 4) return { html: timeAndTitle + metaHtml('') };
        // Too short for time, a title on two lines and the seats: time and title run on and fill
        // what lines there are, and the seats are said to screen readers only.
        // What the "…" cuts off is shown on hover.
        const whole = escapeHtml(`${timeText} ${title}`);
        return { html: `<span class="wm-ev-short wm-ev-lines-${Math.max(1, lines)}" title="${whole}">${timeAndTitle}</span>` + metaHtml(' visually-hidden') };
      },
      datesSet: (info) => {
        scheduleRepair();
        h().onRange(localFields(info.start), localFields(info.end));
      },
      select: (info) => {
        h().onSelect({ roomId: String(info.resource?.id ?? ''), start: localFields(info.start), end: localFields(info.end) });
        ec.unselect();
      },
      selectConstraint: (info) =>
        h().allow({
          roomId: String(info.resource?.id ?? ''),
          start: localFields(info.start),
          end: localFields(info.end),
          bookingId: null,
          seats: 1,
        }),
      dragConstraint: (info) => h().allow(moveInfo(info)),
      resizeConstraint: (info) => h().allow(moveInfo(info)),
      eventDragStop: () => h().onInteractionEnd(),
      eventResizeStop: () => h().onInteractionEnd(),
      eventDrop: (info) => h().onMove(moveInfo(info), 'move'),
      eventResize: (info) => h().onMove(moveInfo(info), 'resize'),
      eventClick: ({ event }) => h().onOpen(slotPropsOf(event)),
      dateClick: (info) => {
        if (!info.resource || info.view.type.startsWith('list')) return;
        h().onClickFree({ roomId: String(info.resource.id), start: localFields(info.date) });
      },
    });
    calendar.current = ec;
    latest.current.onReady?.(ec);
    repairAria(host.current!, latest.current.labels.grid);
    return () => {
      cancelAnimationFrame(repairFrame.current);
      calendar.current = null;
      void destroyCalendar(ec);
    };
  }, []);

  const { rooms, events, view, date, offset, locale, hiddenDays, selectable } = props;
  useEffect(() => {
    calendar.current?.setOption(
      'resources',
      rooms.map((r) => ({ id: r.id, title: r.name, extendedProps: { capacity: r.capacity } })),
    );
    scheduleRepair();
  }, [rooms]);
  useEffect(() => {
    calendar.current?.setOption('events', events);
    // The list draws a day (and its heading) only when it has bookings.
    if (isListView(latest.current.view)) scheduleRepair();
    // Read by bench/ui-week-render.ts: the frame after next has these events on screen.
    requestAnimationFrame(() => requestAnimationFrame(() => performance.mark('wm:calendar-painted')));
  }, [events]);
  useEffect(() => {
    if (calendar.current && calendar.current.getOption('view') !== view) {
      calendar.current.setOption('columnWidth', columnWidthFor(view));
      calendar.current.setOption('view', view);
      scheduleRepair();
    }
  }, [view]);
  useEffect(() => {
    // gotoDate (not setOption) also scrolls the week timeline to the day.
    calendar.current?.gotoDate(date);
  }, [date]);
  useEffect(() => {
    calendar.current?.setOption('timeZone', offset);
  }, [offset]);
  useEffect(() => {
    calendar.current?.setOption('locale', locale);
    scheduleRepair();
  }, [locale]);
  useEffect(() => {
    calendar.current?.setOption('hiddenDays', hiddenDays as Calendar.dayOfWeek[]);
    scheduleRepair();
  }, [hiddenDays]);
  useEffect(() => {
    calendar.current?.setOption('selectable', selectable);
    calendar.current?.setOption('pointer', selectable);
  }, [selectable]);

  // The turnaround after each booking is drawn as a band under it (see calendar.css): slot
  // height is SLOT_PX per 30 minutes.
  const turnaroundPx = `${Math.round((props.turnaroundMinutes * SLOT_PX) / 30)}px`;
  return (
    <div
      ref={host}
      className="wm-calendar"
      aria-busy={props.busy ? 'true' : 'false'}
      style={{ '--wm-turnaround': turnaroundPx } as CSSProperties}
    />
  );
}
