import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { fieldErrorsOf, problemMessage } from '../api/problems.ts';
import type { Booking, Room, Suggestion } from '../api/types.ts';
import { Link, navigate } from '../app/router.tsx';
import { formatSlot } from '../i18n/format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { Suggestions } from './Suggestions.tsx';
import { BookForField } from '../bookings/BookForField.tsx';
import type { PickedPerson } from '../admin/PersonPicker.tsx';
import { fullFormAddress } from './slots.ts';
import { WaitForSlot, isWaitable, type WaitRequest } from '../waiting/WaitingList.tsx';

/** Seats the dialog starts with, as the full form does: a small meeting, or the room's size when smaller. */
const DEFAULT_SEATS = 10;

export interface QuickSlot {
  room: Room;
  /** Instants, RFC 3339. */
  start: string;
  end: string;
  /** Lowest seats left in the licence pool during the slot, when known. */
  seatsLeft: number | null;
}

/** Opens after a click or a drag on free space: the slot is chosen, only the title and seats are asked. */
export function QuickBookDialog({
  slot,
  onClose,
  onBooked,
  zoneOf,
}: {
  slot: QuickSlot | null;
  onClose(): void;
  onBooked(b: Booking): void;
  zoneOf(roomId: string): string;
}) {
  const { t } = useTranslation();
  const [title, setTitle] = useState('');
  const [seats, setSeats] = useState('');
  const [description, setDescription] = useState('');
  const [owner, setOwner] = useState<PickedPerson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [waitFor, setWaitFor] = useState<WaitRequest | null>(null);
  // An administrator may grant what was refused (issue #17): the request form, with these values.
  const [askable, setAskable] = useState(false);
  const [busy, setBusy] = useState(false);
  const [openedFor, setOpenedFor] = useState<QuickSlot | null>(null);

  if (slot !== openedFor) {
    setOpenedFor(slot);
    if (slot) {
      setTitle('');
      setSeats(String(Math.min(DEFAULT_SEATS, slot.room.capacity)));
      setDescription('');
      setOwner(null);
      setError(null);
      setFieldErrors({});
      setSuggestions([]);
      setWaitFor(null);
      setAskable(false);
    }
  }

  async function book(target: { roomId: string; start: string; end: string }) {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    setWaitFor(null);
    const request = { title: title.trim(), description: description.trim() || undefined, roomId: target.roomId, seats: Number(seats), start: target.start, end: target.end };
    setAskable(false);
    try {
      const booking = await api.post<Booking>('/api/v1/bookings', { ...request, ...(owner && { ownerId: owner.id }) });
      onBooked(booking);
    } catch (e) {
      setError(problemMessage(t, e, { seats }));
      if (e instanceof ApiError) {
        setSuggestions(e.suggestions);
        setFieldErrors(fieldErrorsOf(e, t));
        if (isWaitable(e) && !e.conflict?.yours) setWaitFor(request);
        setAskable(e.askable);
      }
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!slot) return;
    const errors: Record<string, string> = {};
    if (!title.trim()) errors.title = t('form.errors.titleRequired');
    const n = Number(seats);
    if (!seats.trim() || !Number.isInteger(n) || n < 1) errors.seats = t('form.errors.seatsPositive');
    else if (n > slot.room.capacity) errors.seats = t('problems.SEATS_OVER_CAPACITY_N', { capacity: slot.room.capacity });
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    void book({ roomId: slot.room.id, start: slot.start, end: slot.end });
  }

  const formId = 'quick-book-form';
  return (
    <Dialog
      open={slot !== null}
      title={t('quickBook.title')}
      onClose={onClose}
      actions={
        <>
          {slot && (
            <button type="button" className="button button-secondary dialog-action-start" onClick={() => navigate(fullFormAddress({ roomId: slot.room.id, timeZone: slot.room.timeZone, start: slot.start, end: slot.end }, { title, seats, description, owner }))}>
              {t('quickBook.more')}
            </button>
          )}
          <button type="button" className="button button-quiet" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={busy}>
            {busy ? t('common.saving') : t('quickBook.submit')}
          </button>
        </>
      }
    >
      {slot && (
        <form id={formId} onSubmit={submit} noValidate>
          <dl className="summary-list">
            <div>
              <dt>{t('form.room')}</dt>
              <dd>
                {slot.room.name} · {t('calendar.capacity', { count: slot.room.capacity })}
              </dd>
            </div>
            <div>
              <dt>{t('form.when')}</dt>
              <dd>{formatSlot(slot.start, slot.end, slot.room.timeZone, true)}</dd>
            </div>
          </dl>
          {error && (
            <Notice tone="error">
              {error}
              {askable && (
                <>
                  {' '}
                  <Link to={fullFormAddress({ roomId: slot.room.id, timeZone: slot.room.timeZone, start: slot.start, end: slot.end }, { title, seats, description }).replace('/bookings/new', '/requests/new')}>
                    {t('requests.ask')}
                  </Link>
                </>
              )}
            </Notice>
          )}
          {suggestions.length > 0 && (
            <Suggestions suggestions={suggestions} zoneOf={zoneOf} busy={busy} onTake={(s) => void book(s)} />
          )}
          {waitFor && <WaitForSlot request={waitFor} />}
          <Field label={t('form.title')} required error={fieldErrors.title}>
            <input type="text" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} autoFocus />
          </Field>
          <BookForField id="quick-ownerId" value={owner} onChange={setOwner} />
          <Field
            label={t('form.seats')}
            required
            hint={
              slot.seatsLeft === null
                ? t('form.seatsHint', { capacity: slot.room.capacity })
                : t('form.seatsPoolHint', { capacity: slot.room.capacity, left: slot.seatsLeft })
            }
            error={fieldErrors.seats}
          >
            <input type="number" inputMode="numeric" min={1} max={slot.room.capacity} value={seats} onChange={(e) => setSeats(e.target.value)} />
          </Field>
          <Field label={t('form.description')} error={fieldErrors.description}>
            <textarea rows={3} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
          </Field>
        </form>
      )}
    </Dialog>
  );
}
