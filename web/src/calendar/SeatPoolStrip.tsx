import { useTranslation } from 'react-i18next';
import type { Availability } from '../api/types.ts';
import { formatInstant, DATE_SHORT } from '../i18n/format.ts';
import { lowestSeatsLeft } from './rules.ts';
import { addDays, zonedToInstant } from './zone.ts';

interface Props {
  availability: Availability | null;
  /** Visible days, "YYYY-MM-DD" in the display zone. */
  days: string[];
  zone: string;
  firstHour: number;
  lastHour: number;
  /** Minutes per cell. */
  step: number;
}

const clock = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

export type PoolLevel = 'plenty' | 'some' | 'few' | 'full';

export function poolLevel(seatsLeft: number, seatPool: number): PoolLevel {
  if (seatsLeft <= 0) return 'full';
  const share = seatPool > 0 ? seatsLeft / seatPool : 0;
  if (share < 0.2) return 'few';
  if (share < 0.5) return 'some';
  return 'plenty';
}

/** Seats left in the licence pool over the visible days, one cell per `step` minutes. */
export function SeatPoolStrip({ availability, days, zone, firstHour, lastHour, step }: Props) {
  const { t } = useTranslation();
  if (!availability || days.length === 0) return <div className="pool-strip pool-strip-empty" aria-hidden="true" />;
  const pool = availability.seatPool;
  const cellsPerDay = ((lastHour - firstHour) * 60) / step;

  return (
    <section className="pool-strip" aria-labelledby="pool-strip-title">
      <div className="pool-strip-head">
        <h2 id="pool-strip-title">{t('pool.title')}</h2>
        <ul className="pool-legend" aria-label={t('pool.legend')}>
          {(['plenty', 'some', 'few', 'full'] as const).map((level) => (
            <li key={level}>
              <span className={`pool-swatch pool-${level}`} aria-hidden="true" />
              {t(`pool.${level}`)}
            </li>
          ))}
        </ul>
      </div>
      <div className="pool-days" style={{ gridTemplateColumns: `repeat(${days.length}, minmax(0, 1fr))` }}>
        {days.map((day) => {
          const dayStart = zonedToInstant(`${day}T${String(firstHour).padStart(2, '0')}:00`, zone).getTime();
          const dayEnd = zonedToInstant(`${addDays(day, lastHour >= 24 ? 1 : 0)}T${String(lastHour % 24).padStart(2, '0')}:00`, zone).getTime();
          const lowestOfDay = lowestSeatsLeft(availability, dayStart, dayEnd) ?? pool;
          const label = formatInstant(dayStart, zone, DATE_SHORT);
          return (
            <div key={day} className="pool-day">
              <div className="pool-day-label" aria-hidden="true">
                {label}
              </div>
              <div className="pool-cells" style={{ gridTemplateColumns: `repeat(${cellsPerDay}, 1fr)` }} aria-hidden="true">
                {Array.from({ length: cellsPerDay }, (_, i) => {
                  const from = dayStart + i * step * 60_000;
                  const to = from + step * 60_000;
                  const left = lowestSeatsLeft(availability, from, to) ?? pool;
                  // Both languages write times as 24-hour HH:MM, so the label needs no Intl call per cell.
                  const time = `${clock(firstHour * 60 + i * step)}–${clock(firstHour * 60 + (i + 1) * step)}`;
                  return (
                    <span key={i} className={`pool-cell pool-${poolLevel(left, pool)}`} title={t('pool.cell', { time, left, pool })} />
                  );
                })}
              </div>
              <p className="visually-hidden">{t('pool.daySummary', { day: label, left: lowestOfDay, pool })}</p>
            </div>
          );
        })}
      </div>
    </section>
  );
}
