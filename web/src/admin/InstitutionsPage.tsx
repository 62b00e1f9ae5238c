import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { Institution } from '../api/types.ts';
import { Link } from '../app/router.tsx';
import { formatInstant } from '../i18n/format.ts';
import { Field } from '../ui/Field.tsx';
import { useToast } from '../ui/toasts.tsx';
import { AdminTable, useEditDialog } from './AdminTable.tsx';
import { EditDialog, useEditForm } from './EditDialog.tsx';
import { useList } from './useList.ts';
import { DateField } from '../ui/DateField.tsx';

interface Draft {
  name: string;
  scopes: string;
  subscriptionStart: string;
  subscriptionEnd: string;
  monthlyQuotaHours: string;
}

const formatDay = (d: string) => formatInstant(`${d}T12:00:00Z`, 'UTC', { day: 'numeric', month: 'short', year: 'numeric' });

function subscriptionState(i: Institution, today: string): 'active' | 'none' | 'expired' | 'future' {
  if (!i.subscriptionStart && !i.subscriptionEnd) return 'none';
  if (i.subscriptionStart && i.subscriptionStart > today) return 'future';
  if (i.subscriptionEnd && i.subscriptionEnd < today) return 'expired';
  return 'active';
}

function InstitutionDialog({ institution, open, onClose, onSaved }: { institution: Institution | null; open: boolean; onClose(): void; onSaved(i: Institution): void }) {
  const { t } = useTranslation();
  const quotaOf = (d: Draft) => (d.monthlyQuotaHours.trim() === '' ? null : Number(d.monthlyQuotaHours));
  const { draft, set, errors, general, busy, submit } = useEditForm<Institution, Draft>({
    open,
    item: institution,
    onSaved,
    toDraft: (i) => ({
      name: i?.name ?? '',
      scopes: i?.scopes.join(', ') ?? '',
      subscriptionStart: i?.subscriptionStart ?? '',
      subscriptionEnd: i?.subscriptionEnd ?? '',
      monthlyQuotaHours: i?.monthlyQuotaHours == null ? '' : String(i.monthlyQuotaHours),
    }),
    validate: (d) => {
      const local: Record<string, string> = {};
      if (!d.name.trim()) local.name = t('admin.errors.nameRequired');
      const quota = quotaOf(d);
      if (quota !== null && (!Number.isFinite(quota) || quota < 0)) local.monthlyQuotaHours = t('admin.errors.quotaPositive');
      if (d.subscriptionStart && d.subscriptionEnd && d.subscriptionEnd < d.subscriptionStart) local.subscriptionEnd = t('admin.errors.endBeforeStart');
      return local;
    },
    save: (d) => {
      const body = {
        name: d.name.trim(),
        scopes: d.scopes.split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean),
        subscriptionStart: d.subscriptionStart || null,
        subscriptionEnd: d.subscriptionEnd || null,
        monthlyQuotaHours: quotaOf(d),
      };
      return institution
        ? api.patch<Institution>(`/api/v1/institutions/${encodeURIComponent(institution.id)}`, body)
        : api.post<Institution>('/api/v1/institutions', body);
    },
  });
  const text = (k: keyof Draft) => (e: { target: { value: string } }) => set(k, e.target.value);

  return (
    <EditDialog
      open={open}
      title={institution ? t('admin.institutions.edit', { name: institution.name }) : t('admin.institutions.add')}
      formId="institution-form"
      busy={busy}
      general={general}
      onClose={onClose}
      onSubmit={submit}
    >
      {draft && (
        <>
          <Field label={t('admin.institutions.name')} required error={errors.name}>
            <input type="text" value={draft.name} onChange={text('name')} maxLength={200} />
          </Field>
          <Field label={t('admin.institutions.scopes')} error={errors.scopes} hint={t('admin.institutions.scopesHint')}>
            <input type="text" value={draft.scopes} onChange={text('scopes')} placeholder="unipd.it, studenti.unipd.it" />
          </Field>
          <div className="field-row">
            <Field label={t('admin.institutions.subscriptionStart')} error={errors.subscriptionStart}>
              <DateField value={draft.subscriptionStart} onChange={(value) => text('subscriptionStart')({ target: { value } })} />
            </Field>
            <Field label={t('admin.institutions.subscriptionEnd')} error={errors.subscriptionEnd}>
              <DateField value={draft.subscriptionEnd} onChange={(value) => text('subscriptionEnd')({ target: { value } })} />
            </Field>
          </div>
          <Field label={t('admin.institutions.quota')} error={errors.monthlyQuotaHours} hint={t('admin.institutions.quotaHint')}>
            <input type="number" min={0} step={1} inputMode="numeric" value={draft.monthlyQuotaHours} onChange={text('monthlyQuotaHours')} />
          </Field>
        </>
      )}
    </EditDialog>
  );
}

export function InstitutionsPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const { items, error, reload } = useList<Institution>('/api/v1/institutions');
  const dialog = useEditDialog<Institution>();
  const today = new Date().toISOString().slice(0, 10);

  return (
    <AdminTable
      title={t('admin.institutions.title')}
      subtitle={t('admin.institutions.subtitle')}
      addLabel={t('admin.institutions.add')}
      onAdd={dialog.add}
      items={items}
      error={error}
      empty={t('admin.institutions.none')}
      columns={[
        { label: t('admin.institutions.name') },
        { label: t('admin.institutions.scopes') },
        { label: t('admin.institutions.subscription') },
        { label: t('admin.institutions.quota'), numeric: true },
        { label: t('common.actions'), hiddenLabel: true },
      ]}
      row={(i) => {
        const state = subscriptionState(i, today);
        return (
          <tr key={i.id}>
            <th scope="row">{i.name}</th>
            <td>{i.scopes.length ? i.scopes.join(', ') : <span className="muted">—</span>}</td>
            <td>
              <span className={`tag ${state === 'active' ? 'tag-ok' : state === 'none' ? 'tag-muted' : 'tag-warn'}`}>{t(`admin.institutions.state.${state}`)}</span>{' '}
              {(i.subscriptionStart || i.subscriptionEnd) && (
                <span className="muted small">
                  {i.subscriptionStart ? formatDay(i.subscriptionStart) : '…'} – {i.subscriptionEnd ? formatDay(i.subscriptionEnd) : '…'}
                </span>
              )}
            </td>
            <td className="num">{i.monthlyQuotaHours == null ? t('admin.institutions.unlimited') : t('admin.institutions.hours', { count: i.monthlyQuotaHours })}</td>
            <td className="row-actions">
              <Link className="button button-quiet button-small" to={`/institutions/${encodeURIComponent(i.id)}`}>
                {t('admin.institution.details')}
                <span className="visually-hidden">: {i.name}</span>
              </Link>
              <button type="button" className="button button-quiet button-small" onClick={() => dialog.edit(i)}>
                {t('common.edit')}
                <span className="visually-hidden">: {i.name}</span>
              </button>
            </td>
          </tr>
        );
      }}
    >
      <InstitutionDialog
        institution={dialog.item}
        open={dialog.open}
        onClose={dialog.close}
        onSaved={(i) => {
          dialog.close();
          toast(t('admin.institutions.saved', { name: i.name }));
          void reload();
        }}
      />
    </AdminTable>
  );
}
