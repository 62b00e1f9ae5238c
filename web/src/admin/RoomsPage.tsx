import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { Room, Settings } from '../api/types.ts';
import { useMe } from '../auth/session.tsx';
import { Field } from '../ui/Field.tsx';
import { useToast } from '../ui/toasts.tsx';
import { AdminTable, useEditDialog } from './AdminTable.tsx';
import { EditDialog, useEditForm } from './EditDialog.tsx';
import { useList } from './useList.ts';

const PROVIDERS = ['bigbluebutton', 'jitsi', 'adobe-connect', 'janus'];

interface RoomDraft {
  name: string;
  capacity: string;
  timeZone: string;
  provider: string;
  active: boolean;
  onApproval: boolean;
}

/** "Jitsi Meet (meet.jit.si, public)": the service rooms without their own use. */
export function defaultServiceLabel(t: TFunction, settings: Settings): string | null {
  const d = settings.defaultService;
  if (!d) return null;
  const name = t(`admin.providers.${d.provider}`, { defaultValue: d.provider });
  if (!d.host) return name;
  return t(d.public ? 'admin.rooms.servicePublic' : 'admin.rooms.serviceAt', { name, host: d.host });
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
      onApproval: r?.onApproval ?? false,
    }),
    validate: (d) => {
      const local: Record<string, string> = {};
      if (!d.name.trim()) local.name = t('admin.errors.nameRequired');
      const capacity = Number(d.capacity);
      if (!Number.isInteger(capacity) || capacity < 1) local.capacity = t('admin.errors.capacityPositive');
      return local;
    },
    save: (d) => {
      const body = { name: d.name.trim(), capacity: Number(d.capacity), timeZone: d.timeZone, provider: d.provider || null, active: d.active, onApproval: d.onApproval };
      return room ? api.patch<Room>(`/api/v1/rooms/${encodeURIComponent(room.id)}`, body) : api.post<Room>('/api/v1/rooms', body);
    },
  });
  const text = (k: 'name' | 'capacity' | 'timeZone' | 'provider') => (e: { target: { value: string } }) => set(k, e.target.value);
  const defaultLabel = defaultServiceLabel(t, settings);

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
              <option value="">{defaultLabel ? t('admin.rooms.providerDefault', { service: defaultLabel }) : t('admin.rooms.providerNone')}</option>
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
          <label className="check">
            <input type="checkbox" checked={draft.onApproval} onChange={(e) => set('onApproval', e.target.checked)} />
            {t('admin.rooms.onApprovalLabel')}
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
  const dialog = useEditDialog<Room>();
  const { settings } = useMe();
  const defaultLabel = defaultServiceLabel(t, settings);
  const defaultFrom = settings.defaultService?.setting;

  return (
    <AdminTable
      title={t('admin.rooms.title')}
      subtitle={t('admin.rooms.subtitle')}
      addLabel={t('admin.rooms.add')}
      onAdd={dialog.add}
      filter={
        defaultLabel && (
          <p className="page-note" data-slot="default-service">
            {defaultFrom === 'PROVIDER_DEFAULT' ? t('admin.rooms.defaultFromSetting', { service: defaultLabel }) : t('admin.rooms.defaultFromFirst', { service: defaultLabel, setting: defaultFrom })}
          </p>
        )
      }
      items={items}
      error={error}
      empty={t('admin.rooms.none')}
      columns={[
        { label: t('admin.rooms.name') },
        { label: t('admin.rooms.capacity'), numeric: true },
        { label: t('admin.rooms.zone') },
        { label: t('admin.rooms.provider') },
        { label: t('admin.rooms.status') },
        { label: t('common.actions'), hiddenLabel: true },
      ]}
      row={(room) => (
        <tr key={room.id}>
          <th scope="row">{room.name}</th>
          <td className="num">{room.capacity}</td>
          <td>{room.timeZone}</td>
          <td>{room.provider ? t(`admin.providers.${room.provider}`, { defaultValue: room.provider }) : <span className="muted">{defaultLabel ? t('admin.rooms.providerDefault', { service: defaultLabel }) : t('admin.rooms.providerNone')}</span>}</td>
          <td>
            <span className={`tag ${room.active ? 'tag-ok' : 'tag-muted'}`}>{room.active ? t('admin.rooms.active') : t('admin.rooms.inactive')}</span>
            {room.onApproval && <span className="tag tag-warn"> {t('admin.rooms.onApproval')}</span>}
          </td>
          <td className="row-actions">
            <button type="button" className="button button-quiet button-small" onClick={() => dialog.edit(room)}>
              {t('common.edit')}
              <span className="visually-hidden">: {room.name}</span>
            </button>
          </td>
        </tr>
      )}
    >
      <RoomDialog
        room={dialog.item}
        open={dialog.open}
        onClose={dialog.close}
        onSaved={(r) => {
          dialog.close();
          toast(t('admin.rooms.saved', { name: r.name }));
          void reload();
        }}
      />
    </AdminTable>
  );
}
