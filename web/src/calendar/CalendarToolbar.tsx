import type { ReactNode, RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { LiveStatus } from './live.ts';
import { isDayView, type CalendarView } from './RoomCalendar.tsx';

const VIEWS: Array<{ view: CalendarView; key: string }> = [
  { view: 'resourceTimeGridDay', key: 'calendar.viewDay' },
  { view: 'resourceTimelineWeek', key: 'calendar.viewWeek' },
  { view: 'listWeek', key: 'calendar.viewList' },
];

export function CalendarToolbar({
  title,
  view,
  onView,
  onPrev,
  onNext,
  onToday,
  date,
  onDate,
  dateInput,
  showWeekend,
  onWeekend,
  live,
  roomFilter,
  help,
}: {
  title: string;
  view: CalendarView;
  onView(v: CalendarView): void;
  onPrev(): void;
  onNext(): void;
  onToday(): void;
  /** "YYYY-MM-DD" the calendar shows (a day, or a day of the week shown). */
  date: string;
  onDate(date: string): void;
  dateInput: RefObject<HTMLInputElement | null>;
  showWeekend: boolean;
  onWeekend(v: boolean): void;
  live: LiveStatus;
  roomFilter: ReactNode;
  help: ReactNode;
}) {
  const { t } = useTranslation();
  const day = isDayView(view);
  return (
    <div className="cal-toolbar">
      <div className="cal-nav" role="group" aria-label={t('calendar.navigation')}>
        <button type="button" className="button button-secondary" onClick={onToday}>
          {t('calendar.today')}
        </button>
        <button type="button" className="icon-button bordered" onClick={onPrev} aria-label={t(day ? 'calendar.prevDay' : 'calendar.prevWeek')}>
          <span aria-hidden="true">‹</span>
        </button>
        <button type="button" className="icon-button bordered" onClick={onNext} aria-label={t(day ? 'calendar.nextDay' : 'calendar.nextWeek')}>
          <span aria-hidden="true">›</span>
        </button>
        <input
          ref={dateInput}
          type="date"
          className="cal-date"
          aria-label={t('calendar.goToDate')}
          value={date}
          onChange={(e) => {
            if (/^\d{4}-\d{2}-\d{2}$/.test(e.target.value)) onDate(e.target.value);
          }}
        />
        <h2 className="cal-title" aria-live="polite">
          {title}
        </h2>
      </div>
      <div className="cal-options">
        <span className={`live-badge live-${live}`} title={t(`calendar.live.${live}Hint`)}>
          <span className="live-dot" aria-hidden="true" />
          {t(`calendar.live.${live}`)}
        </span>
        {!day && (
          <label className="check">
            <input type="checkbox" checked={showWeekend} onChange={(e) => onWeekend(e.target.checked)} />
            {t('calendar.weekend')}
          </label>
        )}
        {roomFilter}
        <div className="segmented" role="group" aria-label={t('calendar.viewLabel')}>
          {VIEWS.map((v) => (
            <button
              key={v.view}
              type="button"
              aria-pressed={view === v.view || (v.view === 'listWeek' && view === 'listDay')}
              onClick={() => onView(v.view)}
            >
              {t(v.key)}
            </button>
          ))}
        </div>
        {help}
      </div>
    </div>
  );
}
