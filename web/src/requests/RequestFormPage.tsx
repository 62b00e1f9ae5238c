import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { fieldErrorsOf, problemMessage } from '../api/problems.ts';
import type { BookingRequest, Room } from '../api/types.ts';
import { Link, navigate } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { displayZone } from '../calendar/events.ts';
import { zoneAbbreviation } from '../i18n/format.ts';
import { DateField } from '../ui/DateField.tsx';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { TimeField } from '../ui/TimeField.tsx';
import { timeOfDayError } from '../ui/timeEntry.ts';
import { useToast } from '../ui/toasts.tsx';
import { bookPath } from './ask.ts';

type Draft = { title: string; description: string; roomId: string; date: string; startTime: string; endTime: string; seats: string; reason: string };

/** Asks an administrator for what the booking form refused; the refused values come in the query. */
export function RequestFormPage() {
  const { t } = useTranslation();
  const { settings } = useMe();
  const toast = useToast();
  const [rooms, setRooms] = useState<Room[]>([]);
  const [draft, setDraft] = useState<Draft>(() => {
    const q = new URLSearchParams(window.location.search);
    const get = (k: string) => q.get(k) ?? '';
    return { title: get('title'), description: get('description'), roomId: get('roomId'), date: get('date'), startTime: get('start'), endTime: get('end'), seats: get('seats'), reason: '' };
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  // The API found nothing here that needs an administrator: the booking form takes it as it is.
  const [bookable, setBookable] = useState(false);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api
      .get<{ items: Room[] }>('/api/v1/rooms')
      .then((r) => setRooms(r.items))
      .catch(() => setRooms([]));
  }, []);

  const room = rooms.find((r) => r.id === draft.roomId);
  const zone = room?.timeZone ?? displayZone(rooms.map((r) => r.timeZone), settings.defaultTimeZone);
  const set = (k: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [k]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!draft.title.trim()) local.title = t('form.errors.titleRequired');
    if (!draft.reason.trim()) local.reason = t('requests.reasonRequired');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.date)) local.date = t('form.errors.dateRequired');
    const startProblem = timeOfDayError(draft.startTime);
    const endProblem = timeOfDayError(draft.endTime);
    if (startProblem) local.start = t(startProblem);
    if (endProblem) local.end = t(endProblem);
    // "Any room" is chosen by its seats (the API asks for them then); with a room they are optional.
    const seats = Number(draft.seats);
    if ((draft.seats.trim() || !draft.roomId) && !(Number.isInteger(seats) && seats >= 1)) local.seats = t('form.errors.seatsPositive');
    setErrors(local);
    setGeneral(null);
    setBookable(false);
    if (Object.keys(local).length > 0) {
      window.setTimeout(() => summaryRef.current?.focus(), 0);
      return;
    }
    setBusy(true);
    try {
      const q = await api.post<BookingRequest>('/api/v1/requests', {
        title: draft.title.trim(),
        ...(draft.description.trim() && { description: draft.description.trim() }),
        ...(draft.roomId && { roomId: draft.roomId }),
        ...(draft.seats && { seats: Number(draft.seats) }),
        start: `${draft.date}T${draft.startTime}:00`,
        end: `${draft.date}T${draft.endTime}:00`,
        reason: draft.reason.trim(),
      });
      toast(t('requests.sent', { title: q.title }));
      navigate('/requests');
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) setErrors(fieldErrorsOf(e, t));
      else setGeneral(problemMessage(t, e));
      setBookable(e instanceof ApiError && e.code === 'NOTHING_TO_ASK');
      window.setTimeout(() => summaryRef.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  }

  const shown = Object.entries(errors);
  return (
    <section className="page page-narrow">
      <PageHeader title={t('requests.newTitle')} subtitle={t('requests.newSubtitle')} />
      {(general || shown.length > 0) && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
          <h2>{general ? t('requests.notSent') : t('form.fixFields', { count: shown.length })}</h2>
          {general && <p>{general}</p>}
          {bookable && (
            <p>
              <Link to={bookPath(draft)}>{t('requests.bookInstead')}</Link>
            </p>
          )}
          {shown.length > 0 && (
            <ul>
              {shown.map(([k, m]) => (
                <li key={k}>{m}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <form className="card form-card" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset>
          <legend>{t('form.whereWhen')}</legend>
          <Field id="request-room" label={t('form.room')} error={errors.roomId}>
            <select value={draft.roomId} onChange={(e) => set('roomId')(e.target.value)}>
              <option value="">{t('form.anyRoom')}</option>
              {rooms.map((r) => (
                <option key={r.id} value={r.id}>
                  {t('form.roomOption', { name: r.name, count: r.capacity })}
                </option>
              ))}
            </select>
          </Field>
          <div className="field-row">
            <Field id="request-date" label={t('form.date')} required error={errors.date}>
              <DateField value={draft.date} onChange={set('date')} />
            </Field>
            <Field id="request-start" label={t('form.start')} required error={errors.start}>
              <TimeField value={draft.startTime} onChange={set('startTime')} />
            </Field>
            <Field id="request-end" label={t('form.end')} required error={errors.end}>
              <TimeField value={draft.endTime} onChange={set('endTime')} />
            </Field>
          </div>
          <p className="field-hint zone-hint">
            {t('form.zoneHint', { zone, abbr: zoneAbbreviation(zone) })} {t('form.timeHint')}
          </p>
          <Field
            id="request-seats"
            label={t('form.seats')}
            required={!draft.roomId}
            error={errors.seats}
            hint={room ? t('form.seatsHint', { capacity: room.capacity }) : t('form.seatsAnyHint')}
          >
            <input type="number" inputMode="numeric" min={1} value={draft.seats} onChange={(e) => set('seats')(e.target.value)} />
          </Field>
        </fieldset>
        <fieldset>
          <legend>{t('form.about')}</legend>
          <Field id="request-title" label={t('form.title')} required error={errors.title}>
            <input type="text" maxLength={200} value={draft.title} onChange={(e) => set('title')(e.target.value)} />
          </Field>
          <Field id="request-description" label={t('form.description')} error={errors.description}>
            <textarea rows={3} maxLength={2000} value={draft.description} onChange={(e) => set('description')(e.target.value)} />
          </Field>
          <Field id="request-reason" label={t('requests.reason')} required error={errors.reason} hint={t('requests.reasonHint')}>
            <textarea rows={4} maxLength={2000} value={draft.reason} onChange={(e) => set('reason')(e.target.value)} />
          </Field>
        </fieldset>
        <Notice tone="info">{t('requests.askHint')}</Notice>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('common.saving') : t('requests.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
