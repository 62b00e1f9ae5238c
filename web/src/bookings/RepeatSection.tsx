import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatSlot } from '../i18n/format.ts';
import { Field } from '../ui/Field.tsx';
import { nthOfMonth, WEEKDAYS, weekdayOf, type RepeatErrors, type RepeatPreset, type RepeatValues } from './repeat.ts';
import { DateField } from '../ui/DateField.tsx';

export interface PreviewOccurrence {
  start: string;
  end: string;
  startLocal: string;
  endLocal: string;
  /** Would be booked now (false when taken or left out). */
  free: boolean;
  /** One of the dates the booker left out (not checked, not booked). */
  leftOut: boolean;
  refusal: SeriesRefusal | null;
}

/** The dates a rule gives, checked in one room: the one chosen, or the one the series would get. */
export interface SeriesPreview {
  room: { id: string; name: string };
  occurrences: PreviewOccurrence[];
}

export interface SeriesRefusal {
  start: string;
  end: string;
  code: string;
  reason: string;
  alternative: { roomId: string; roomName: string; start: string; end: string } | null;
}

/** Why a date cannot be booked, in the page's language (the API's sentence for codes without one). */
function refusalText(t: TFunction, refusal: SeriesRefusal): string {
  if (refusal.code === 'ROOM_TAKEN') return t('repeat.roomTaken');
  return t(`problems.${refusal.code}`, { defaultValue: refusal.reason });
}

export type SeriesMode = 'all-or-nothing' | 'book-free';

/** The "Repeat" part of the booking form: presets, interval, end, a custom RRULE, and the dates it gives. */
export function RepeatSection({
  repeat,
  onChange,
  errors,
  firstDate,
  zone,
  preview,
  roomChosen,
  previewBusy,
  onPreview,
  mode,
  onMode,
  leaveOut,
  onLeaveOut,
}: {
  repeat: RepeatValues;
  onChange(next: RepeatValues): void;
  errors: RepeatErrors;
  firstDate: string;
  zone: string;
  preview: SeriesPreview | null;
  /** The booker left the room to the portal: the preview says which one it would be. */
  roomChosen: boolean;
  previewBusy: boolean;
  onPreview(): void;
  mode: SeriesMode;
  onMode(mode: SeriesMode): void;
  /** The local dates (YYYY-MM-DD) left out, and how one is left out or put back. */
  leaveOut: readonly string[];
  onLeaveOut(day: string, out: boolean): void;
}) {
  const { t } = useTranslation();
  const set = <K extends keyof RepeatValues>(key: K, value: RepeatValues[K]) => onChange({ ...repeat, [key]: value });
  const weekday = /^\d{4}-\d{2}-\d{2}$/.test(firstDate) ? weekdayOf(firstDate) : 'MO';
  const nth = /^\d{4}-\d{2}-\d{2}$/.test(firstDate) ? nthOfMonth(firstDate) : 1;
  const err = (key: keyof RepeatErrors) => (errors[key] ? t(`repeat.errors.${errors[key]}`) : undefined);
  const kept = preview?.occurrences.filter((o) => !o.leftOut) ?? [];
  const conflicts = kept.filter((o) => !o.free);
  const leftOut = (preview?.occurrences.length ?? 0) - kept.length;

  return (
    <fieldset className="repeat">
      <legend>{t('repeat.legend')}</legend>
      <label className="check">
        <input type="checkbox" checked={repeat.enabled} onChange={(e) => set('enabled', e.target.checked)} />
        {t('repeat.enable')}
      </label>
      {repeat.enabled && (
        <div className="repeat-body">
          <Field id="field-repeat-preset" label={t('repeat.preset')}>
            <select value={repeat.preset} onChange={(e) => set('preset', e.target.value as RepeatPreset)}>
              <option value="daily">{t('repeat.daily')}</option>
              <option value="weekly">{t('repeat.weekly')}</option>
              <option value="monthlyDate">{t('repeat.monthlyDate', { day: Number(firstDate.slice(8, 10)) || 1 })}</option>
              <option value="monthlyNth">
                {/* Sunday is feminine in Italian: "la seconda domenica". */}
                {weekday === 'SU'
                  ? t('repeat.monthlyNthF', { nth: t(`repeat.nthF.${nth}`), weekday: t(`repeat.days.${weekday}`) })
                  : t('repeat.monthlyNth', { nth: t(`repeat.nth.${nth}`), weekday: t(`repeat.days.${weekday}`) })}
              </option>
              <option value="custom">{t('repeat.custom')}</option>
            </select>
          </Field>
          {repeat.preset === 'custom' ? (
            <Field id="field-repeat-custom" label={t('repeat.rrule')} hint={t('repeat.rruleHint')} error={err('custom')} required>
              <input type="text" spellCheck={false} autoComplete="off" value={repeat.custom} onChange={(e) => set('custom', e.target.value)} />
            </Field>
          ) : (
            <>
              <Field id="field-repeat-interval" label={t(`repeat.interval.${repeat.preset === 'daily' ? 'days' : repeat.preset === 'weekly' ? 'weeks' : 'months'}`)} error={err('interval')}>
                <input type="number" inputMode="numeric" min={1} max={99} value={repeat.interval} onChange={(e) => set('interval', e.target.value)} />
              </Field>
              {repeat.preset === 'weekly' && (
                <fieldset className={`repeat-days${errors.byDays ? ' field-invalid' : ''}`} aria-describedby={errors.byDays ? 'repeat-days-error' : undefined}>
                  <legend className="repeat-sublegend">{t('repeat.onDays')}</legend>
                  <div className="repeat-day-list">
                    {WEEKDAYS.map((d) => (
                      <label key={d} className="check">
                        <input
                          type="checkbox"
                          checked={repeat.byDays.includes(d)}
                          onChange={(e) => set('byDays', e.target.checked ? [...repeat.byDays, d] : repeat.byDays.filter((x) => x !== d))}
                        />
                        {t(`repeat.days.${d}`)}
                      </label>
                    ))}
                  </div>
                  {errors.byDays && (
                    <p id="repeat-days-error" className="field-error">
                      {err('byDays')}
                    </p>
                  )}
                </fieldset>
              )}
              <fieldset className="repeat-end">
                <legend className="repeat-sublegend">{t('repeat.ends')}</legend>
                <div className="field-row">
                  <div>
                    <label className="check">
                      <input type="radio" name="repeat-end" checked={repeat.end === 'count'} onChange={() => set('end', 'count')} />
                      {t('repeat.afterCount')}
                    </label>
                    {repeat.end === 'count' && (
                      <Field id="field-repeat-count" label={t('repeat.count')} error={err('count')}>
                        <input type="number" inputMode="numeric" min={1} max={200} value={repeat.count} onChange={(e) => set('count', e.target.value)} />
                      </Field>
                    )}
                  </div>
                  <div>
                    <label className="check">
                      <input type="radio" name="repeat-end" checked={repeat.end === 'until'} onChange={() => set('end', 'until')} />
                      {t('repeat.onDate')}
                    </label>
                    {repeat.end === 'until' && (
                      <Field id="field-repeat-until" label={t('repeat.until')} error={err('until')}>
                        <DateField value={repeat.until} onChange={(value) => set('until', value)} />
                      </Field>
                    )}
                  </div>
                </div>
              </fieldset>
            </>
          )}
          <fieldset className="repeat-mode">
            <legend className="repeat-sublegend">{t('repeat.ifTaken')}</legend>
            <label className="check">
              <input type="radio" name="repeat-mode" checked={mode === 'all-or-nothing'} onChange={() => onMode('all-or-nothing')} />
              {t('repeat.allOrNothing')}
            </label>
            <label className="check">
              <input type="radio" name="repeat-mode" checked={mode === 'book-free'} onChange={() => onMode('book-free')} />
              {t('repeat.bookFree')}
            </label>
          </fieldset>
          <div className="button-row">
            <button type="button" className="button button-secondary" onClick={onPreview} disabled={previewBusy}>
              {previewBusy ? t('common.loading') : t('repeat.check')}
            </button>
          </div>
          {preview && (
            <div className="repeat-preview" role="status" data-slot="series-preview">
              <p className="repeat-preview-summary">
                {conflicts.length === 0 ? t('repeat.allFree', { count: kept.length }) : t('repeat.someTaken', { count: conflicts.length, total: kept.length })}
                {leftOut > 0 && <> {t('repeat.leftOut', { count: leftOut })}</>}
              </p>
              <p className="field-hint">{t('repeat.leaveOutHint')}</p>
              {roomChosen && <p>{t(conflicts.length === 0 ? 'repeat.chosenRoom' : 'repeat.chosenRoomMost', { room: preview.room.name })}</p>}
              <ul className="repeat-dates">
                {preview.occurrences.map((o, i) => (
                  <li key={o.start} className={o.free ? 'repeat-date' : o.leftOut ? 'repeat-date repeat-date-left-out' : 'repeat-date repeat-date-taken'}>
                    <span>{formatSlot(o.start, o.end, zone)}</span>{' '}
                    {/* The first date is the series' start: it cannot be left out (start later instead). */}
                    {i > 0 && (
                      <label className="check repeat-leave-out">
                        <input
                          type="checkbox"
                          checked={leaveOut.includes(o.startLocal.slice(0, 10))}
                          disabled={previewBusy}
                          onChange={(e) => onLeaveOut(o.startLocal.slice(0, 10), e.target.checked)}
                        />
                        {t('repeat.leaveOut')}
                        <span className="visually-hidden"> {formatSlot(o.start, o.end, zone)}</span>
                      </label>
                    )}{' '}
                    {o.leftOut ? (
                      <span className="tag">{t('repeat.leftOutTag')}</span>
                    ) : o.free ? (
                      <span className="tag tag-ok">{t('repeat.free')}</span>
                    ) : (
                      <>
                        <span className="tag tag-warn">{t('repeat.taken')}</span>
                        {o.refusal && <span className="small muted"> {refusalText(t, o.refusal)}</span>}
                        {o.refusal?.alternative && (
                          <span className="small">
                            {' '}
                            {t('repeat.alternative', { room: o.refusal.alternative.roomName, when: formatSlot(o.refusal.alternative.start, o.refusal.alternative.end, zone) })}
                          </span>
                        )}
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}

/** What a series booking answered: the dates booked and the ones skipped, with why. */
export function SeriesOutcomePanel({
  booked,
  skipped,
  zone,
  room,
  leftOut,
}: {
  booked: Array<{ id: string; start: string; end: string }>;
  skipped: SeriesRefusal[];
  zone: string;
  room: string;
  /** How many dates the booker left out. */
  leftOut: number;
}) {
  const { t } = useTranslation();
  return (
    <div className="card repeat-outcome" role="status" data-slot="series-outcome">
      <h2>{t('repeat.outcomeTitle')}</h2>
      <p>
        {t('repeat.booked', { count: booked.length })} {t('repeat.bookedIn', { room })}
      </p>
      <ul className="repeat-dates">
        {booked.map((b) => (
          <li key={b.id}>
            {formatSlot(b.start, b.end, zone)} <span className="tag tag-ok">{t('repeat.bookedTag')}</span>
          </li>
        ))}
        {skipped.map((s) => (
          <li key={s.start}>
            {formatSlot(s.start, s.end, zone)} <span className="tag tag-warn">{t('repeat.skippedTag')}</span>{' '}
            <span className="small muted">{refusalText(t, s)}</span>
          </li>
        ))}
      </ul>
      {skipped.length > 0 && <p>{t('repeat.skipped', { count: skipped.length })}</p>}
      {leftOut > 0 && <p>{t('repeat.leftOut', { count: leftOut })}</p>}
    </div>
  );
}
