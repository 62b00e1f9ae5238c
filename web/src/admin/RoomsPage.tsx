import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Room } from '../api/types.ts';
import { useMe } from '../auth/session.tsx';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { EditDialog, useEditForm } from './EditDialog.tsx';
import { useList } from './useList.ts';

const PROVIDERS = ['bigbluebutton', 'jitsi', 'adobe-connect', 'janus'];

interface RoomDraft {
  name: string;
  capacity: string;
  timeZone: string;
  provider: string;
  active: boolean;
}

function zones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['Europe/Rome', 'UTC'];
  }
}

function RoomDialog({ room, open, onClose, onSaved }: { room: Room | null; open: boolean; onClose(): void; onSaved(r: Room): void }) {
  const { t } = useTranslation();
  const { settings } = useMe();
  const { draft, set, errors, general, busy, submit } = useEditForm<Room, RoomDraft>({
    open,
    item: room,
    onSaved,
    toDraft: (r) => ({
      name: r?.name ?? '',
      capacity: String(r?.capacity ?? 25),
      timeZone: r?.timeZone ?? settings.defaultTimeZone,
      provider: r?.provider ?? '',
      active: r?.active ?? true,
    }),
    validate: (d) => {
      const local: Record<string, string> = {};
      if (!d.name.trim()) local.name = t('admin.errors.nameRequired');
      const capacity = Number(d.capacity);
      if (!Number.isInteger(capacity) || capacity < 1) local.capacity = t('admin.errors.capacityPositive');
      return local;
    },
    save: (d) => {
      const body = { name: d.name.trim(), capacity: Number(d.capacity), timeZone: d.timeZone, provider: d.provider || null, active: d.active };
      return room ? api.patch<Room>(`/api/v1/rooms/${encodeURIComponent(room.id)}`, body) : api.post<Room>('/api/v1/rooms', body);
    },
  });
  const text = (k: 'name' | 'capacity' | 'timeZone' | 'provider') => (e: { target: { value: string } }) => set(k, e.target.value);

  return (
    <EditDialog
      open={open}
      title={room ? t('admin.rooms.edit', { name: room.name }) : t('admin.rooms.add')}
      formId="room-form"
      busy={busy}
      general={general}
      onClose={onClose}
      onSubmit={submit}
    >
      {draft && (
        <>
          <Field label={t('admin.rooms.name')} required error={errors.name}>
            <input type="text" value={draft.name} onChange={text('name')} maxLength={120} />
          </Field>
          <div className="field-row">
            <Field label={t('admin.rooms.capacity')} required error={errors.capacity} hint={t('admin.rooms.capacityHint')}>
              <input type="number" min={1} inputMode="numeric" value={draft.capacity} onChange={text('capacity')} />
            </Field>
            <Field label={t('admin.rooms.zone')} error={errors.timeZone}>
              <select value={draft.timeZone} onChange={text('timeZone')}>
                {zones().map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <Field label={t('admin.rooms.provider')} error={errors.provider} hint={t('admin.rooms.providerHint')}>
            <select value={draft.provider} onChange={text('provider')}>
              <option value="">{t('admin.rooms.providerNone')}</option>
              {[...new Set([...PROVIDERS, ...(draft.provider ? [draft.provider] : [])])].map((p) => (
                <option key={p} value={p}>
                  {t(`admin.providers.${p}`, { defaultValue: p })}
                </option>
              ))}
            </select>
          </Field>
          <label className="check">
            <input type="checkbox" checked={draft.active} onChange={(e) => set('active', e.target.checked)} />
            {t('admin.rooms.activeLabel')}
          </label>
        </>
      )}
    </EditDialog>
  );
}

export function RoomsPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const { items, error, reload } = useList<Room>('/api/v1/rooms', { includeInactive: 'true' });
  const [editing, setEditing] = useState<Room | null>(null);
  const [open, setOpen] = useState(false);

  return (
    <section className="page page-medium">
      <PageHeader
        title={t('admin.rooms.title')}
        subtitle={t('admin.rooms.subtitle')}
        actions={
          <button type="button" className="button button-primary" onClick={() => { setEditing(null); setOpen(true); }}>
            {t('admin.rooms.add')}
          </button>
        }
      />
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {!items ? (
        <p role="status">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <div className="empty-state">{t('admin.rooms.none')}</div>
      ) : (
        <div className="table-wrap card">
          <table className="data-table">
            <caption className="visually-hidden">{t('admin.rooms.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.rooms.name')}</th>
                <th scope="col" className="num">{t('admin.rooms.capacity')}</th>
                <th scope="col">{t('admin.rooms.zone')}</th>
                <th scope="col">{t('admin.rooms.provider')}</th>
                <th scope="col">{t('admin.rooms.status')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((room) => (
                <tr key={room.id}>
                  <th scope="row">{room.name}</th>
                  <td className="num">{room.capacity}</td>
                  <td>{room.timeZone}</td>
                  <td>{room.provider ? t(`admin.providers.${room.provider}`, { defaultValue: room.provider }) : <span className="muted">{t('admin.rooms.providerNone')}</span>}</td>
                  <td>
                    <span className={`tag ${room.active ? 'tag-ok' : 'tag-muted'}`}>{room.active ? t('admin.rooms.active') : t('admin.rooms.inactive')}</span>
                  </td>
                  <td className="row-actions">
                    <button type="button" className="button button-quiet button-small" onClick={() => { setEditing(room); setOpen(true); }}>
                      {t('common.edit')}
                      <span className="visually-hidden">: {room.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RoomDialog
        room={editing}
        open={open}
        onClose={() => setOpen(false)}
        onSaved={(r) => {
          setOpen(false);
          toast(t('admin.rooms.saved', { name: r.name }));
          void reload();
        }}
      />
    </section>
  );
}
