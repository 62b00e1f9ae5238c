import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { Link } from '../app/router.tsx';
import { problemMessage } from '../api/problems.ts';
import type { Room } from '../api/types.ts';
import { useMe } from '../auth/session.tsx';
import { formatInstant } from '../i18n/format.ts';
import { DateField } from '../ui/DateField.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { TimeField } from '../ui/TimeField.tsx';
import { EditDialog } from './EditDialog.tsx';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { PersonPicker, type PickedPerson } from './PersonPicker.tsx';
import { useStackedTable } from '../ui/stackedTable.ts';

interface OutsideMeeting {
  id: string;
  provider: string;
  providerMeetingId: string;
  name: string;
  url: string | null;
  start: string | null;
  end: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  status: 'open' | 'adopted';
  bookingId: string | null;
}

const WHEN: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };

/** "YYYY-MM-DDTHH:MM" of an instant in a zone, for a datetime-local field. */
function localInput(iso: string | null, zone: string): string {
  if (!iso) return '';
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

type Draft = { roomId: string; owner: PickedPerson | null; date: string; startTime: string; endTime: string; title: string };

/** Admins: meetings on the conferencing services that were not made through the portal, to adopt as bookings or remove. */
export function OutsideMeetingsPage() {
  const { t } = useTranslation();
  const table = useStackedTable();
  const { settings } = useMe();
  const toast = useToast();
  const zone = settings.defaultTimeZone;
  const [items, setItems] = useState<OutsideMeeting[] | null>(null);
  const [rooms, setRooms] = useState<Room[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [adopting, setAdopting] = useState<OutsideMeeting | null>(null);
  const [removing, setRemoving] = useState<OutsideMeeting | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setItems((await api.get<{ items: OutsideMeeting[] }>('/api/v1/admin/outside-meetings')).items);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);

  useEffect(() => {
    void load();
    api
      .get<{ items: Room[] }>('/api/v1/rooms')
      .then((r) => setRooms(r.items))
      .catch(() => setRooms([]));
  }, [load]);

  function openAdopt(m: OutsideMeeting) {
    const room = rooms[0];
    const roomZone = room?.timeZone ?? zone;
    const start = localInput(m.start, roomZone);
    setDraft({ roomId: room?.id ?? '', owner: null, date: start.slice(0, 10), startTime: start.slice(11), endTime: localInput(m.end, roomZone).slice(11), title: m.name.slice(0, 200) });
    setDialogError(null);
    setAdopting(m);
  }

  async function adopt(event: FormEvent) {
    event.preventDefault();
    if (!adopting || !draft) return;
    if (!draft.roomId || !draft.owner || !draft.date || !draft.startTime || !draft.endTime || !draft.title.trim()) {
      setDialogError(t('admin.outside.incomplete'));
      return;
    }
    setBusy(true);
    setDialogError(null);
    try {
      await api.post(`/api/v1/admin/outside-meetings/${encodeURIComponent(adopting.id)}/adopt`, { roomId: draft.roomId, ownerId: draft.owner.id, start: `${draft.date}T${draft.startTime}`, end: `${draft.date}T${draft.endTime}`, title: draft.title.trim() });
      toast(t('admin.outside.adopted', { name: adopting.name }));
      setAdopting(null);
      await load();
    } catch (e) {
      setDialogError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!removing) return;
    setBusy(true);
    setDialogError(null);
    try {
      await api.post(`/api/v1/admin/outside-meetings/${encodeURIComponent(removing.id)}/remove`);
      toast(t('admin.outside.removed', { name: removing.name }));
      setRemoving(null);
      await load();
    } catch (e) {
      setDialogError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => (d ? { ...d, [key]: value } : d));
    setDialogError(null);
  };

  return (
    <section className="page page-wide">
      <PageHeader
        title={t('admin.outside.title')}
        subtitle={t('admin.outside.subtitle')}
        actions={
          <>
            <Link className="button button-quiet" to="/admin/provisioning">
              {t('nav.provisioning')}
            </Link>
            <button type="button" className="button button-secondary" onClick={() => void load()}>
              {t('admin.outside.refresh')}
            </button>
          </>
        }
      />
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {!items && !error ? (
        <p role="status">{t('common.loading')}</p>
      ) : items && items.length === 0 ? (
        <div className="empty-state">{t('admin.outside.none')}</div>
      ) : items ? (
        <div className="table-wrap card">
          <table ref={table} className="data-table data-table-stack" data-slot="outside-meetings">
            <caption className="visually-hidden">{t('admin.outside.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.outside.name')}</th>
                <th scope="col">{t('admin.outside.provider')}</th>
                <th scope="col">{t('admin.outside.when')}</th>
                <th scope="col">{t('admin.outside.seen')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id}>
                  <td>
                    <strong>{m.name}</strong>
                    <div className="muted">{m.providerMeetingId}</div>
                  </td>
                  <td>{t(`admin.providers.${m.provider}`, { defaultValue: m.provider })}</td>
                  <td>{m.start ? `${formatInstant(m.start, zone, WHEN)}${m.end ? ` – ${formatInstant(m.end, zone, { hour: '2-digit', minute: '2-digit' })}` : ''}` : t('admin.outside.noTime')}</td>
                  <td>{formatInstant(m.lastSeenAt, zone, WHEN)}</td>
                  <td className="actions-cell">
                    {m.status === 'adopted' && m.bookingId ? (
                      <Link to={`/bookings/${m.bookingId}`}>
                        {t('admin.outside.adoptedBooking')}
                        <span className="visually-hidden">: {m.name}</span>
                      </Link>
                    ) : (
                      <button type="button" className="button button-secondary button-small" onClick={() => openAdopt(m)}>
                        {t('admin.outside.adopt')}
                        <span className="visually-hidden">: {m.name}</span>
                      </button>
                    )}{' '}
                    <button
                      type="button"
                      className="button button-danger button-small"
                      onClick={() => {
                        setDialogError(null);
                        setRemoving(m);
                      }}
                    >
                      {t('admin.outside.remove')}
                      <span className="visually-hidden">: {m.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <EditDialog open={adopting !== null} title={t('admin.outside.adoptTitle', { name: adopting?.name ?? '' })} formId="adopt-outside" busy={busy} general={dialogError} onClose={() => setAdopting(null)} onSubmit={(e) => void adopt(e)}>
        {draft && (
          <>
            <p>{t('admin.outside.adoptHint')}</p>
            <Field label={t('admin.outside.bookingTitle')} required>
              <input type="text" value={draft.title} maxLength={200} onChange={(e) => set('title', e.target.value)} />
            </Field>
            <Field label={t('admin.outside.room')} required>
              <select value={draft.roomId} onChange={(e) => set('roomId', e.target.value)}>
                {rooms.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </Field>
            <div className="field-row">
              <Field label={t('admin.outside.date')} required>
                <DateField value={draft.date} onChange={(v) => set('date', v)} />
              </Field>
              <Field label={t('admin.outside.start')} required hint={t('admin.outside.roomTime')}>
                <TimeField value={draft.startTime} onChange={(v) => set('startTime', v)} />
              </Field>
              <Field label={t('admin.outside.end')} required>
                <TimeField value={draft.endTime} onChange={(v) => set('endTime', v)} />
              </Field>
            </div>
            <PersonPicker label={t('admin.outside.owner')} value={draft.owner} onChange={(p) => set('owner', p)} />
          </>
        )}
      </EditDialog>

      <Dialog
        open={removing !== null}
        title={t('admin.outside.removeTitle', { name: removing?.name ?? '' })}
        onClose={() => setRemoving(null)}
        actions={
          <>
            <button type="button" className="button button-quiet" onClick={() => setRemoving(null)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="button button-danger" disabled={busy} onClick={() => void remove()}>
              {t('admin.outside.removeConfirm')}
            </button>
          </>
        }
      >
        {dialogError && <Notice tone="error">{dialogError}</Notice>}
        <p>{t('admin.outside.removeWarning', { service: removing ? t(`admin.providers.${removing.provider}`, { defaultValue: removing.provider }) : '' })}</p>
      </Dialog>
    </section>
  );
}
