import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { BookingRequest, Institution, Room, Suggestion } from '../api/types.ts';
import { AdminTable } from '../admin/AdminTable.tsx';
import { EditDialog } from '../admin/EditDialog.tsx';
import { usePagedList } from '../admin/useList.ts';
import { Link } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { Suggestions } from '../calendar/Suggestions.tsx';
import { wallClock, zonedToInstant } from '../calendar/zone.ts';
import { TimeField } from '../ui/TimeField.tsx';
import { DateField } from '../ui/DateField.tsx';
import { Field } from '../ui/Field.tsx';
import { useToast } from '../ui/toasts.tsx';
import { RequestCells, requestColumns } from './RequestCells.tsx';
import { STATES } from './states.ts';

type Decision = { kind: 'approve' | 'deny'; q: BookingRequest };

/** The asked-for day and times on the room's clock (a request within one day; a longer one keeps its own times unless changed). */
function localWhen(q: BookingRequest) {
  const s = wallClock(q.start, q.timeZone);
  const e = wallClock(q.end, q.timeZone);
  return { date: s.slice(0, 10), start: s.slice(11, 16), end: e.slice(11, 16) };
}

/** Approve (optionally in another room, or at one of the nearest free slots after a lost race) or deny with a reason. */
function DecisionDialog({ decision, rooms, onClose, onDone }: { decision: Decision | null; rooms: Room[]; onClose(): void; onDone(message: string): void }) {
  const { t } = useTranslation();
  const [roomId, setRoomId] = useState('');
  const [when, setWhen] = useState({ date: '', start: '', end: '' });
  const [text, setText] = useState('');
  const [general, setGeneral] = useState<string | null>(null);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [busy, setBusy] = useState(false);
  const [openedFor, setOpenedFor] = useState<Decision | null>(null);
  if (decision !== openedFor) {
    setOpenedFor(decision);
    setRoomId(decision?.q.room?.id ?? '');
    setWhen(decision ? localWhen(decision.q) : { date: '', start: '', end: '' });
    setText('');
    setGeneral(null);
    setSuggestions([]);
  }
  if (!decision) return null;
  const { q, kind } = decision;

  async function send(slot?: Suggestion) {
    setBusy(true);
    setGeneral(null);
    try {
      if (kind === 'deny') {
        await api.post(`/api/v1/requests/${encodeURIComponent(q.id)}/deny`, { reason: text.trim() });
        onDone(t('requests.denied'));
      } else {
        const asked = localWhen(q);
        const moved = when.date !== asked.date || when.start !== asked.start || when.end !== asked.end;
        const time = moved ? { start: `${when.date}T${when.start}:00`, end: `${when.date}T${when.end}:00` } : {};
        const where = slot ? { roomId: slot.roomId, start: slot.start, end: slot.end } : { ...(roomId && { roomId }), ...time };
        await api.post(`/api/v1/requests/${encodeURIComponent(q.id)}/approve`, { ...where, ...(text.trim() && { note: text.trim() }) });
        onDone(t('requests.approved', { title: q.title }));
      }
    } catch (e) {
      const lost = e instanceof ApiError && (e.code === 'ROOM_TAKEN' || e.code === 'SEAT_POOL_FULL');
      setSuggestions(lost ? e.suggestions : []);
      setGeneral(lost ? `${problemMessage(t, e)} ${t('requests.lostRace')}` : problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (kind === 'deny' && !text.trim()) {
      setGeneral(t('requests.reasonRequired'));
      return;
    }
    void send();
  }

  return (
    <EditDialog
      open
      title={t(kind === 'approve' ? 'requests.approveTitle' : 'requests.denyTitle', { title: q.title })}
      formId="request-decision"
      busy={busy}
      general={general}
      onClose={onClose}
      onSubmit={submit}
      submitLabel={t(kind === 'approve' ? 'requests.approve' : 'requests.deny')}
    >
      {suggestions.length > 0 && <Suggestions suggestions={suggestions} zoneOf={(id) => rooms.find((r) => r.id === id)?.timeZone ?? q.timeZone} busy={busy} onTake={(s) => void send(s)} />}
      {kind === 'approve' && (
        <>
          <p className="field-hint">{t('requests.approveHint')}</p>
          <Field label={t('requests.room')}>
            <select value={roomId} onChange={(e) => setRoomId(e.target.value)}>
              <option value="">{t('requests.anyRoom')}</option>
              {rooms.map((r) => (
                <option key={r.id} value={r.id}>
                  {t('form.roomOption', { name: r.name, count: r.capacity })}
                </option>
              ))}
            </select>
          </Field>
          <div className="field-row">
            <Field label={t('form.date')}>
              <DateField value={when.date} onChange={(date) => setWhen((w) => ({ ...w, date }))} />
            </Field>
            <Field label={t('form.start')}>
              <TimeField value={when.start} onChange={(start) => setWhen((w) => ({ ...w, start }))} />
            </Field>
            <Field label={t('form.end')}>
              <TimeField value={when.end} onChange={(end) => setWhen((w) => ({ ...w, end }))} />
            </Field>
          </div>
        </>
      )}
      <Field label={kind === 'approve' ? t('requests.approveNote') : t('requests.denyReason')} required={kind === 'deny'}>
        <textarea rows={3} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
    </EditDialog>
  );
}

/** What an empty queue says: nothing waiting, nobody has asked yet, or the filters match nothing. */
function emptyQueue(state: string, unfiltered: boolean): string {
  if (unfiltered && state === 'pending') return 'requests.nonePending';
  if (unfiltered && state === '') return 'requests.noneYet';
  return 'requests.none';
}

/** The administrators' queue: pending first and soonest first, with filters by state, institution, room and date. */
export function RequestQueuePage() {
  const { t } = useTranslation();
  const toast = useToast();
  const [state, setState] = useState('pending');
  const [institutionId, setInstitutionId] = useState('');
  const [roomId, setRoomId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rooms, setRooms] = useState<Room[]>([]);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [decision, setDecision] = useState<Decision | null>(null);
  const { settings } = useMe();
  // Days in the portal's zone, both ends included.
  const day = (d: string, time: string) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? zonedToInstant(`${d}T${time}`, settings.defaultTimeZone).toISOString() : undefined);
  const { items, error, reload, more, showMore } = usePagedList<BookingRequest>('/api/v1/requests', {
    state: state || undefined,
    institutionId: institutionId || undefined,
    roomId: roomId || undefined,
    from: day(from, '00:00'),
    to: day(to, '23:59:59'),
  });

  useEffect(() => {
    void api.get<{ items: Room[] }>('/api/v1/rooms').then((r) => setRooms(r.items), () => {});
    void api.get<{ items: Institution[] }>('/api/v1/institutions').then((r) => setInstitutions(r.items), () => {});
  }, []);

  return (
    <AdminTable
      title={t('requests.queueTitle')}
      subtitle={t('requests.queueSubtitle')}
      width="wide"
      filter={
        <form className="card filters" role="search" aria-label={t('requests.filters')} onSubmit={(e) => e.preventDefault()}>
            <Field label={t('requests.state')}>
              <select value={state} onChange={(e) => setState(e.target.value)}>
                <option value="">{t('requests.allStates')}</option>
                {STATES.map((s) => (
                  <option key={s} value={s}>
                    {t(`requests.states.${s}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('nav.institutions')}>
              <select value={institutionId} onChange={(e) => setInstitutionId(e.target.value)}>
                <option value="">{t('requests.allInstitutions')}</option>
                {institutions.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('requests.room')}>
              <select value={roomId} onChange={(e) => setRoomId(e.target.value)}>
                <option value="">{t('requests.allRooms')}</option>
                {rooms.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('requests.from')}>
              <DateField value={from} onChange={setFrom} />
            </Field>
            <Field label={t('requests.to')}>
              <DateField value={to} onChange={setTo} />
            </Field>
        </form>
      }
      items={items}
      more={more ? showMore : undefined}
      error={error}
      empty={t(emptyQueue(state, !institutionId && !roomId && !from && !to))}
      columns={[
        ...requestColumns(t),
        { label: t('requests.requester') },
        { label: t('common.actions'), hiddenLabel: true },
      ]}
      row={(q) => (
        <tr key={q.id}>
          <RequestCells q={q} />
          <td>
            {q.requester.name}
            <div className="muted small">{q.institution?.name ?? q.requester.email}</div>
          </td>
          <td className="row-actions">
            {q.bookingId && <Link to={`/bookings/${encodeURIComponent(q.bookingId)}`}>{t('requests.openBooking')}</Link>}
            {q.state === 'pending' && (
              <>
                <button type="button" className="button button-primary button-small" onClick={() => setDecision({ kind: 'approve', q })}>
                  {t('requests.approve')}
                  <span className="visually-hidden">: {q.title}</span>
                </button>
                <button type="button" className="button button-quiet button-small" onClick={() => setDecision({ kind: 'deny', q })}>
                  {t('requests.deny')}
                  <span className="visually-hidden">: {q.title}</span>
                </button>
              </>
            )}
          </td>
        </tr>
      )}
    >
      <DecisionDialog
        decision={decision}
        rooms={rooms}
        onClose={() => setDecision(null)}
        onDone={(message) => {
          setDecision(null);
          toast(message);
          void reload();
          window.dispatchEvent(new Event('requests-changed'));
        }}
      />
    </AdminTable>
  );
}
