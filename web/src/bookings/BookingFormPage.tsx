import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { bookingLoadMessage, fieldErrorsOf, problemMessage } from '../api/problems.ts';
import type { Booking, Room, SeriesScope, Suggestion } from '../api/types.ts';
import { Link, navigate } from '../app/router.tsx';
import { cannotBookReason, useMe } from '../auth/session.tsx';
import { displayZone } from '../calendar/events.ts';
import { Suggestions } from '../calendar/Suggestions.tsx';
import { addDays, wallClock, zonedToInstant } from '../calendar/zone.ts';
import { formatSlot, zoneAbbreviation } from '../i18n/format.ts';
import { Field } from '../ui/Field.tsx';
import { TimeField } from '../ui/TimeField.tsx';
import { DateField } from '../ui/DateField.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { buildRrule, initialRepeat, validateRepeat, weekdayOf, type RepeatErrors, type RepeatValues } from './repeat.ts';
import { BookForField } from './BookForField.tsx';
import type { PickedPerson } from '../admin/PersonPicker.tsx';
import { RepeatSection, SeriesOutcomePanel, type SeriesMode, type SeriesPreview, type SeriesRefusal } from './RepeatSection.tsx';
import { askPath, beyondSelfService } from '../requests/ask.ts';
import { FIELD_OF_CODE, fieldOfPath, validateBooking, type BookingFormValues, type FormErrors, type FormField } from './bookingForm.ts';
import { WaitForSlot, isWaitable, type WaitRequest } from '../waiting/WaitingList.tsx';

/** Seats a new booking starts with: a small meeting; the room's size when it is smaller. */
const DEFAULT_SEATS = 10;

function nextFreeHour(zone: string): { date: string; start: string; end: string } {
  const wall = wallClock(Date.now() + 60 * 60_000, zone);
  let date = wall.slice(0, 10);
  let hour = Number(wall.slice(11, 13));
  if (hour < 8) hour = 9;
  if (hour > 19) {
    date = addDays(date, 1);
    hour = 9;
  }
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return { date, start: hh(hour), end: hh(hour + 1) };
}

/** The full booking form: keyboard and screen-reader friendly, and for precise edits. */
export function BookingFormPage({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const { me, settings } = useMe();
  const toast = useToast();
  const editingId = params.id ?? null;
  const [rooms, setRooms] = useState<Room[]>([]);
  const [values, setValues] = useState<BookingFormValues | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  const [repeat, setRepeat] = useState<RepeatValues>(initialRepeat);
  const [repeatErrors, setRepeatErrors] = useState<RepeatErrors>({});
  const [mode, setMode] = useState<SeriesMode>('all-or-nothing');
  const [preview, setPreview] = useState<SeriesPreview | null>(null);
  const [previewBusy, setPreviewBusy] = useState(false);
  const seriesId = editingId ? new URLSearchParams(window.location.search).get('series') : null;
  const [scope, setScope] = useState<SeriesScope>('one');
  const [outcome, setOutcome] = useState<{ booked: Booking[]; skipped: SeriesRefusal[]; zone: string; room: string; leftOut: number } | null>(null);
  // The series' dates the booker left out (local YYYY-MM-DD): ticked in the preview's list.
  const [leaveOut, setLeaveOut] = useState<string[]>([]);
  // Offered for every new booking or series when the portal has telephony.
  const [audio, setAudio] = useState(true);
  // "Book for", also when the calendar's quick dialog hands over (?ownerId=&ownerName=).
  const [owner, setOwner] = useState<PickedPerson | null>(() => {
    const q = new URLSearchParams(window.location.search);
    const id = q.get('ownerId');
    return id && !editingId ? { id, name: q.get('ownerName') ?? '', email: '' } : null;
  });
  const [ownBooking, setOwnBooking] = useState<string | null>(null);
  const [waitFor, setWaitFor] = useState<WaitRequest | null>(null);
  // The API said an administrator may grant what was refused (issue #17): offer to ask.
  const [askable, setAskable] = useState(false);
  // Seats follow the room chosen until the person types a number of their own.
  const seatsTouched = useRef(false);

  useEffect(() => {
    const roomsLoad = api.get<{ items: Room[] }>('/api/v1/rooms');
    const bookingLoad = editingId ? api.get<Booking>(`/api/v1/bookings/${encodeURIComponent(editingId)}`) : Promise.resolve(null);
    Promise.all([roomsLoad, bookingLoad])
      .then(([r, booking]) => {
        const active = r.items.filter((room) => room.active || room.id === booking?.roomId);
        setRooms(active);
        const query = new URLSearchParams(window.location.search);
        if (booking) {
          setValues({
            roomId: booking.roomId,
            date: booking.startLocal.slice(0, 10),
            startTime: booking.startLocal.slice(11, 16),
            endTime: booking.endLocal.slice(11, 16),
            seats: String(booking.seats),
            title: booking.title,
            description: booking.description ?? '',
          });
        } else {
          const zone = displayZone(active.map((x) => x.timeZone), settings.defaultTimeZone);
          const slot = nextFreeHour(zone);
          setValues({
            roomId: query.get('roomId') ?? '',
            date: query.get('date') ?? slot.date,
            startTime: query.get('start') ?? slot.start,
            endTime: query.get('end') ?? slot.end,
            seats: query.get('seats') ?? String(Math.min(DEFAULT_SEATS, active.find((x) => x.id === query.get('roomId'))?.capacity ?? DEFAULT_SEATS)),
            title: query.get('title') ?? '',
            description: query.get('description') ?? '',
          });
          if (query.get('seats')) seatsTouched.current = true;
        }
      })
      .catch(setLoadError);
  }, [editingId, settings.defaultTimeZone]);

  const room = rooms.find((r) => r.id === values?.roomId);
  const zone = room?.timeZone ?? displayZone(rooms.map((r) => r.timeZone), settings.defaultTimeZone);
  const set = (field: FormField) => (e: { target: { value: string } }) => {
    setPreview(null); // the dates checked were for other values
    if (field === 'date') setLeaveOut([]); // another first date, other dates
    if (field === 'seats') seatsTouched.current = true;
    setValues((v) => {
      if (!v) return v;
      const next = { ...v, [field]: e.target.value };
      // A room smaller than the default number of seats: take its size rather than refuse.
      const chosen = field === 'roomId' ? rooms.find((r) => r.id === e.target.value) : undefined;
      if (chosen && !editingId && !seatsTouched.current && Number(next.seats) > chosen.capacity) next.seats = String(chosen.capacity);
      return next;
    });
  };
  const setTime = (field: 'startTime' | 'endTime') => (value: string) => set(field)({ target: { value } });

  // A weekly repeat starts on the first meeting's weekday, and follows the date while only that day is ticked.
  const firstDate = values?.date ?? '';
  useEffect(() => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(firstDate)) return;
    setRepeat((r) => (r.byDays.length <= 1 ? { ...r, byDays: [weekdayOf(firstDate)] } : r));
  }, [firstDate]);

  const fieldLabels = useMemo<Record<FormField, string>>(
    () => ({
      roomId: t('form.room'),
      date: t('form.date'),
      startTime: t('form.start'),
      endTime: t('form.end'),
      seats: t('form.seats'),
      title: t('form.title'),
      description: t('form.description'),
    }),
    [t],
  );

  function focusSummary() {
    window.setTimeout(() => summaryRef.current?.focus(), 0);
  }

  async function save(target?: Suggestion) {
    if (!values) return;
    setBusy(true);
    setGeneral(null);
    setOwnBooking(null);
    setWaitFor(null);
    setSuggestions([]);
    // Local wall-clock times without an offset: the API reads them in the room's zone.
    const body = target
      ? { roomId: target.roomId, start: target.start, end: target.end }
      : {
          roomId: values.roomId || undefined,
          start: `${values.date}T${values.startTime}:00`,
          end: `${values.date}T${values.endTime}:00`,
        };
    const payload = {
      ...body,
      title: values.title.trim(),
      description: values.description.trim() || (editingId ? '' : undefined),
      seats: Number(values.seats),
      // The API's default is on; say so only when the booker turned it off.
      ...(!editingId && settings.telephony && !audio ? { audio: false } : {}),
      ...(!editingId && owner ? { ownerId: owner.id } : {}),
      // Words for the people told of the change (the booker, the invitees), when there are any.
      ...(editingId && message.trim() ? { message } : {}),
    };
    try {
      if (editingId && seriesId && !target) {
        // An occurrence: this one (an exception), this and the following ones, or the whole series.
        const minutes = (h: string) => Number(h.slice(0, 2)) * 60 + Number(h.slice(3, 5));
        const when =
          scope === 'one'
            ? { start: payload.start, end: payload.end }
            : { startTime: values.startTime, durationMinutes: minutes(values.endTime) - minutes(values.startTime) };
        const answer = await api.patch<{ series: { title: string; roomName: string; timeZone: string } }>(
          `/api/v1/series/${encodeURIComponent(seriesId)}/occurrences/${encodeURIComponent(editingId)}`,
          { scope, title: payload.title, description: payload.description, seats: payload.seats, roomId: payload.roomId, message: payload.message, ...when },
        );
        toast(
          t('form.saved', {
            title: answer.series.title,
            room: answer.series.roomName,
            when: formatSlot(zonedToInstant(`${values.date}T${values.startTime}`, zone), zonedToInstant(`${values.date}T${values.endTime}`, zone), zone),
          }),
        );
        navigate('/bookings');
        return;
      }
      const booking = editingId
        ? await api.patch<Booking>(`/api/v1/bookings/${encodeURIComponent(editingId)}`, payload)
        : await api.post<Booking>('/api/v1/bookings', payload);
      toast(
        t(editingId ? 'form.saved' : 'form.created', {
          title: booking.title,
          room: booking.roomName,
          when: formatSlot(booking.start, booking.end, booking.timeZone),
        }),
      );
      navigate('/bookings');
    } catch (e) {
      const next = formErrorsOf(e);
      if (e instanceof ApiError) {
        setSuggestions(e.suggestions);
        setOwnBooking(e.conflict?.yours ? (e.conflict.bookingId ?? null) : null);
        const { audio: _audio, ...request } = payload;
        setWaitFor(isWaitable(e) && !e.conflict?.yours ? request : null);
        setAskable(e.askable && !editingId);
      }
      setErrors(next);
      if (Object.keys(next).length === 0 || e instanceof ApiError === false || e.status === 409 || e.status === 403) {
        setGeneral(problemMessage(t, e, { capacity: room?.capacity }));
      }
      focusSummary();
    } finally {
      setBusy(false);
    }
  }

  const repeating = repeat.enabled && !editingId;

  function seriesBody(left: readonly string[] = leaveOut) {
    if (!values) return null;
    return {
      roomId: values.roomId || undefined,
      start: `${values.date}T${values.startTime}:00`,
      end: `${values.date}T${values.endTime}:00`,
      title: values.title.trim() || '-',
      description: values.description.trim() || undefined,
      seats: Number(values.seats) || undefined,
      rrule: buildRrule(repeat, values.date),
      mode,
      // As for a single booking: on unless the booker turned it off (for every occurrence).
      ...(settings.telephony && !audio ? { audio: false } : {}),
      ...(owner ? { ownerId: owner.id } : {}),
      ...(left.length > 0 ? { leaveOut: left } : {}),
    };
  }

  /** The checks of the form plus the repeat section's. */
  function checkRepeat(forPreview: boolean): boolean {
    if (!values) return false;
    const found = validateBooking(values, room, zone, settings, t);
    if (forPreview) {
      delete found.title;
      delete found.seats;
    }
    const rErrors = validateRepeat(repeat, values.date);
    setErrors(found);
    setRepeatErrors(rErrors);
    setGeneral(null);
    if (Object.keys(found).length > 0 || Object.keys(rErrors).length > 0) {
      if (Object.keys(found).length > 0) focusSummary();
      else document.querySelector<HTMLElement>('.repeat [aria-invalid="true"], .repeat .field-invalid input')?.focus();
      return false;
    }
    return true;
  }

  /** An answer's refusals on the form's fields: its field errors, and the field a rule's code names. */
  function formErrorsOf(e: unknown): FormErrors {
    if (!(e instanceof ApiError)) return {};
    const next: FormErrors = fieldErrorsOf(e, t, fieldOfPath);
    const field = FIELD_OF_CODE[e.code];
    if (field) next[field] = problemMessage(t, e, { capacity: room?.capacity });
    return next;
  }

  function showProblem(e: unknown) {
    if (e instanceof ApiError && e.errors.some((fe) => /rrule/.test(fe.path))) setRepeatErrors({ custom: 'customFreq' });
    setErrors(formErrorsOf(e));
    setGeneral(e instanceof ApiError && e.code === 'SERIES_CONFLICTS' ? t('repeat.conflicts') : problemMessage(t, e, { capacity: room?.capacity }));
    focusSummary();
  }

  async function previewSeries(left: readonly string[] = leaveOut) {
    if (!checkRepeat(true)) return;
    setPreviewBusy(true);
    try {
      setPreview(await api.post<SeriesPreview>('/api/v1/series/preview', seriesBody(left)));
    } catch (e) {
      setPreview(null);
      showProblem(e);
    } finally {
      setPreviewBusy(false);
    }
  }

  async function saveSeries() {
    if (!checkRepeat(false)) return;
    setBusy(true);
    try {
      const answer = await api.post<{ booked: Booking[]; skipped: SeriesRefusal[]; series: { timeZone: string; roomName: string } }>('/api/v1/series', seriesBody());
      setOutcome({ booked: answer.booked, skipped: answer.skipped, zone: answer.series.timeZone, room: answer.series.roomName, leftOut: leaveOut.length });
      toast(t('repeat.booked', { count: answer.booked.length }));
      window.setTimeout(() => outcomeRef.current?.focus(), 0);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'SERIES_CONFLICTS') void previewSeries();
      showProblem(e);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!values) return;
    if (repeating) {
      void saveSeries();
      return;
    }
    const found = validateBooking(values, room, zone, settings, t);
    setErrors(found);
    setGeneral(null);
    setAskable(!editingId && me.role !== 'admin' && beyondSelfService(values, room, settings));
    if (room?.onApproval && !editingId && me.role !== 'admin') {
      setGeneral(t('problems.ROOM_ON_APPROVAL'));
      focusSummary();
      return;
    }
    if (Object.keys(found).length > 0) {
      focusSummary();
      return;
    }
    void save();
  }

  const errorEntries = Object.entries(errors) as Array<[FormField, string]>;
  const pageTitle = editingId ? t('form.editTitle') : t('form.newTitle');

  if (loadError) {
    return (
      <section className="page page-narrow">
        <PageHeader title={pageTitle} />
        <Notice tone="error">{bookingLoadMessage(t, loadError)}</Notice>
      </section>
    );
  }

  return (
    <section className="page page-narrow">
      <PageHeader title={pageTitle} subtitle={t('form.subtitle')} />
      {!me.canBook && !editingId && (
        <Notice tone="warning">
          {t('booking.cannotBook', { reason: cannotBookReason(t, me) })}{' '}
          {values && <Link to={askPath(values)}>{t('requests.ask')}</Link>}
        </Notice>
      )}
      {(errorEntries.length > 0 || general) && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
          <h2>{general ? t('form.notSaved') : t('form.fixFields', { count: errorEntries.length })}</h2>
          {general && <p>{general}</p>}
          {ownBooking && (
            <p>
              <Link to={`/bookings/${encodeURIComponent(ownBooking)}`}>{t('form.openYours')}</Link>
            </p>
          )}
          {askable && values && (
            <p className="ask-offer">
              {t('requests.askHint')}{' '}
              <Link to={askPath(values)} className="button button-secondary">
                {t('requests.ask')}
              </Link>
            </p>
          )}
          {errorEntries.length > 0 && (
            <ul>
              {errorEntries.map(([field, message]) => (
                <li key={field}>
                  <a href={`#field-${field}`} onClick={(e) => { e.preventDefault(); document.getElementById(`field-${field}`)?.focus(); }}>
                    {fieldLabels[field]}: {message}
                  </a>
                </li>
              ))}
            </ul>
          )}
          {suggestions.length > 0 && (
            <Suggestions suggestions={suggestions} zoneOf={(id) => rooms.find((r) => r.id === id)?.timeZone ?? zone} busy={busy} onTake={(s) => void save(s)} />
          )}
          {waitFor && <WaitForSlot request={waitFor} />}
        </div>
      )}
      {outcome ? (
        <div ref={outcomeRef} tabIndex={-1}>
          <SeriesOutcomePanel booked={outcome.booked} skipped={outcome.skipped} zone={outcome.zone} room={outcome.room} leftOut={outcome.leftOut} />
          <div className="form-actions">
            <Link to="/bookings" className="button button-primary">
              {t('repeat.goBookings')}
            </Link>
          </div>
        </div>
      ) : !values ? (
        <p role="status">{t('common.loading')}</p>
      ) : (
        <form className="card form-card" onSubmit={submit} noValidate>
          <fieldset>
            <legend>{t('form.whereWhen')}</legend>
            <Field id="field-roomId" label={fieldLabels.roomId} error={errors.roomId} hint={values.roomId ? undefined : t('form.anyRoomHint')}>
              <select value={values.roomId} onChange={set('roomId')}>
                <option value="">{t('form.anyRoom')}</option>
                {rooms.map((r) => (
                  <option key={r.id} value={r.id}>
                    {t('form.roomOption', { name: r.name, count: r.capacity })}
                  </option>
                ))}
              </select>
            </Field>
            <div className="field-row">
              <Field id="field-date" label={fieldLabels.date} required error={errors.date}>
                <DateField value={values.date} onChange={(value) => set('date')({ target: { value } })} />
              </Field>
              <Field id="field-startTime" label={fieldLabels.startTime} required error={errors.startTime}>
                <TimeField value={values.startTime} onChange={setTime('startTime')} />
              </Field>
              <Field id="field-endTime" label={fieldLabels.endTime} required error={errors.endTime}>
                <TimeField value={values.endTime} onChange={setTime('endTime')} />
              </Field>
            </div>
            <p className="field-hint zone-hint">
              {t('form.zoneHint', { zone, abbr: zoneAbbreviation(zone) })} {t('form.timeHint')}
            </p>
            <Field
              id="field-seats"
              label={fieldLabels.seats}
              required
              error={errors.seats}
              hint={room ? t('form.seatsHint', { capacity: room.capacity }) : t('form.seatsAnyHint')}
            >
              <input type="number" inputMode="numeric" min={1} max={room?.capacity} value={values.seats} onChange={set('seats')} />
            </Field>
          </fieldset>
          <fieldset>
            <legend>{t('form.about')}</legend>
            <Field id="field-title" label={fieldLabels.title} required error={errors.title}>
              <input type="text" maxLength={200} value={values.title} onChange={set('title')} />
            </Field>
            <Field id="field-description" label={fieldLabels.description} error={errors.description} hint={t('form.descriptionHint')}>
              <textarea rows={4} maxLength={2000} value={values.description} onChange={set('description')} />
            </Field>
            {!editingId && <BookForField value={owner} onChange={setOwner} />}
            {!editingId && settings.telephony && (
              <div className="field">
                <label className="check">
                  <input type="checkbox" checked={audio} onChange={(e) => setAudio(e.target.checked)} aria-describedby="field-audio-hint" />
                  {t('form.audio')}
                </label>
                <p id="field-audio-hint" className="field-hint">
                  {t(repeating ? 'form.audioSeriesHint' : 'form.audioHint')}
                </p>
              </div>
            )}
          </fieldset>
          {seriesId && (
            <fieldset className="repeat-mode" aria-describedby="series-scope-hint">
              <legend>{t('seriesActions.scope')}</legend>
              {(['one', 'following', 'all'] as const).map((s) => (
                <label key={s} className="check">
                  <input type="radio" name="series-scope" checked={scope === s} onChange={() => setScope(s)} />
                  {t(`seriesActions.scope${s === 'one' ? 'One' : s === 'following' ? 'Following' : 'All'}`)}
                </label>
              ))}
              <p id="series-scope-hint" className="field-hint">
                {t('seriesActions.scopeHint')}
              </p>
            </fieldset>
          )}
          {!editingId && (
            <RepeatSection
              repeat={repeat}
              onChange={(next) => {
                setRepeat(next);
                setPreview(null);
                setLeaveOut([]); // the rule's dates change with it
              }}
              errors={repeatErrors}
              firstDate={values.date}
              zone={zone}
              preview={preview}
              roomChosen={!values.roomId}
              previewBusy={previewBusy}
              onPreview={() => void previewSeries()}
              mode={mode}
              onMode={setMode}
              leaveOut={leaveOut}
              onLeaveOut={(day, out) => {
                // Asked again at once: the server judges the dates kept (quotas count only those).
                const next = out ? [...leaveOut, day].sort() : leaveOut.filter((d) => d !== day);
                setLeaveOut(next);
                void previewSeries(next);
              }}
            />
          )}
          {editingId && (
            <Field label={t('changeMessage.label')} hint={t('changeMessage.hint')}>
              <textarea rows={3} maxLength={1000} value={message} onChange={(e) => setMessage(e.target.value)} />
            </Field>
          )}
          <div className="form-actions">
            <Link to={editingId ? '/bookings' : '/'} className="button button-quiet">
              {t('common.cancel')}
            </Link>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? t('common.saving') : editingId ? t('form.save') : repeating ? t('repeat.create') : t('form.create')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
