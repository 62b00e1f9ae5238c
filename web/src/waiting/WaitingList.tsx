// Waiting lists (issue #17): "Tell me if it frees" where a booking was refused because the slot is
// taken, and on "My bookings" the person's waiting entries and holds, with the time a hold has left.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Booking, Room } from '../api/types.ts';
import { useMe } from '../auth/session.tsx';
import { subscribeBookingReloads } from '../calendar/live.ts';
import { formatInstant, formatTimeRange, DATE_LONG } from '../i18n/format.ts';
import { useToast } from '../ui/toasts.tsx';

export type WaitingEntry = {
  id: string;
  roomId: string | null;
  start: string;
  end: string;
  seats: number;
  title: string;
  state: 'waiting' | 'held' | 'booked' | 'expired' | 'withdrawn';
  heldRoomId: string | null;
  holdExpiresAt: string | null;
  bookingId: string | null;
};

/** What a refused booking asked for, to wait for the same. */
export type WaitRequest = { title: string; description?: string | undefined; roomId?: string | undefined; seats?: number | undefined; start: string; end: string };

/** True when a refusal may be waited for (the API says `waitable`: a taken room or a full seat pool). */
export const isWaitable = (e: unknown) => e instanceof ApiError && e.waitable;

export function WaitForSlot({ request }: { request: WaitRequest }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'busy' | WaitingEntry['state']>('idle');
  const [error, setError] = useState<string | null>(null);

  async function join() {
    setState('busy');
    setError(null);
    try {
      const entry = await api.post<WaitingEntry>('/api/v1/waiting-list', request);
      setState(entry.state);
    } catch (e) {
      setState('idle');
      setError(problemMessage(t, e));
    }
  }

  if (state === 'waiting' || state === 'held') {
    return (
      <p className="waiting-joined" role="status">
        {t(state === 'held' ? 'waiting.joinedHeld' : 'waiting.joined')}
      </p>
    );
  }
  return (
    <div className="waiting-offer">
      <p className="muted">{t('waiting.offer')}</p>
      <button type="button" className="button button-secondary" disabled={state === 'busy'} onClick={() => void join()}>
        {t('waiting.join')}
      </button>
      {error && <p role="alert">{error}</p>}
    </div>
  );
}

const minutesLeft = (until: string, now: number) => Math.max(0, Math.ceil((Date.parse(until) - now) / 60_000));

function EntryCard({ entry, room, zone, now, onChanged }: { entry: WaitingEntry; room: Room | undefined; zone: string; now: number; onChanged(): void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const held = entry.state === 'held' && entry.holdExpiresAt !== null;

  async function act(kind: 'confirm' | 'leave') {
    setBusy(true);
    setError(null);
    try {
      if (kind === 'confirm') {
        const booking = await api.post<Booking>(`/api/v1/waiting-list/${encodeURIComponent(entry.id)}/confirm`);
        toast(t('waiting.confirmed', { title: booking.title, room: booking.roomName }));
      } else {
        await api.delete(`/api/v1/waiting-list/${encodeURIComponent(entry.id)}`);
        toast(t(held ? 'waiting.letGone' : 'waiting.left', { title: entry.title }));
      }
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'HOLD_ENDED' ? t('waiting.holdEnded') : problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className={`booking-card waiting-card is-${entry.state}`}>
      <div className="booking-main">
        <h3 className="booking-title">
          {entry.title}
          <span className={`tag${held ? '' : ' tag-muted'}`}>{t(`waiting.state.${entry.state}`)}</span>
        </h3>
        <p className="booking-when">
          {formatInstant(entry.start, zone, DATE_LONG)} · {formatTimeRange(entry.start, entry.end, zone)}
        </p>
        <p className="booking-where muted">
          {room?.name ?? t('waiting.anyRoom')} · {t('calendar.seats', { count: entry.seats })}
        </p>
        {held && (
          <p className="waiting-left">
            <strong>{t('waiting.timeLeft', { count: minutesLeft(entry.holdExpiresAt!, now), until: formatInstant(entry.holdExpiresAt!, zone, { hour: '2-digit', minute: '2-digit' }) })}</strong>
          </p>
        )}
        {error && <p role="alert">{error}</p>}
      </div>
      {(entry.state === 'waiting' || held) && (
        <div className="booking-actions">
          {held && (
            <button type="button" className="button button-primary" disabled={busy} onClick={() => void act('confirm')}>
              {t('waiting.confirm')}
              <span className="visually-hidden">: {entry.title}</span>
            </button>
          )}
          <button type="button" className="button button-secondary" disabled={busy} onClick={() => void act('leave')}>
            {t(held ? 'waiting.letGo' : 'waiting.leave')}
            <span className="visually-hidden">: {entry.title}</span>
          </button>
        </div>
      )}
    </li>
  );
}

/** "My bookings": the person's open waiting entries and holds (none: nothing is shown). */
export function WaitingEntries({ onBooked }: { onBooked(): void }) {
  const { t } = useTranslation();
  const { settings } = useMe();
  const [entries, setEntries] = useState<WaitingEntry[]>([]);
  const [rooms, setRooms] = useState<Room[]>([]);
  const [now, setNow] = useState(() => Date.now());

  const load = useCallback(async () => {
    try {
      const [list, roomList] = await Promise.all([api.get<{ items: WaitingEntry[] }>('/api/v1/waiting-list'), api.get<{ items: Room[] }>('/api/v1/rooms')]);
      setEntries(list.items.filter((e) => e.state === 'waiting' || e.state === 'held'));
      setRooms(roomList.items);
      setNow(Date.now());
    } catch {
      // The bookings above carry the page; the list is tried again on the next change.
    }
  }, []);
  useEffect(() => void load(), [load]);
  useEffect(() => subscribeBookingReloads(() => void load()), [load]);
  // The time a hold has left, kept current; a hold that ended is read again.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  if (entries.length === 0) return null;
  return (
    <section className="waiting-list" aria-labelledby="waiting-title">
      <h2 id="waiting-title">{t('waiting.title')}</h2>
      <p className="muted">{t('waiting.intro')}</p>
      <ul className="booking-list">
        {entries.map((e) => {
          const room = rooms.find((r) => r.id === (e.heldRoomId ?? e.roomId));
          return (
            <EntryCard
              key={e.id}
              entry={e}
              room={room}
              zone={room?.timeZone ?? settings.defaultTimeZone}
              now={now}
              onChanged={() => {
                void load();
                onBooked();
              }}
            />
          );
        })}
      </ul>
    </section>
  );
}
