import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Institution } from '../api/types.ts';
import { formatInstant } from '../i18n/format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { fieldErrors, useList } from './useList.ts';

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
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [openedFor, setOpenedFor] = useState<Institution | null | undefined>(undefined);

  if (open && openedFor !== institution) {
    setOpenedFor(institution);
    setDraft({
      name: institution?.name ?? '',
      scopes: institution?.scopes.join(', ') ?? '',
      subscriptionStart: institution?.subscriptionStart ?? '',
      subscriptionEnd: institution?.subscriptionEnd ?? '',
      monthlyQuotaHours: institution?.monthlyQuotaHours == null ? '' : String(institution.monthlyQuotaHours),
    });
    setErrors({});
    setGeneral(null);
  }
  if (!open && openedFor !== undefined) setOpenedFor(undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    const local: Record<string, string> = {};
    if (!draft.name.trim()) local.name = t('admin.errors.nameRequired');
    const quota = draft.monthlyQuotaHours.trim() === '' ? null : Number(draft.monthlyQuotaHours);
    if (quota !== null && (!Number.isFinite(quota) || quota < 0)) local.monthlyQuotaHours = t('admin.errors.quotaPositive');
    if (draft.subscriptionStart && draft.subscriptionEnd && draft.subscriptionEnd < draft.subscriptionStart) {
      local.subscriptionEnd = t('admin.errors.endBeforeStart');
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    setGeneral(null);
    const body = {
      name: draft.name.trim(),
      scopes: draft.scopes.split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean),
      subscriptionStart: draft.subscriptionStart || null,
      subscriptionEnd: draft.subscriptionEnd || null,
      monthlyQuotaHours: quota,
    };
    try {
      const saved = institution
        ? await api.patch<Institution>(`/api/v1/institutions/${encodeURIComponent(institution.id)}`, body)
        : await api.post<Institution>('/api/v1/institutions', body);
      onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) setErrors(fieldErrors(e.errors));
      else setGeneral(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => (d ? { ...d, [k]: e.target.value } : d));
  return (
    <Dialog
      open={open}
      title={institution ? t('admin.institutions.edit', { name: institution.name }) : t('admin.institutions.add')}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button-quiet" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="institution-form" className="button button-primary" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </>
      }
    >
      {draft && (
        <form id="institution-form" onSubmit={submit} noValidate>
          {general && <Notice tone="error">{general}</Notice>}
          <Field label={t('admin.institutions.name')} required error={errors.name}>
            <input type="text" value={draft.name} onChange={set('name')} maxLength={200} />
          </Field>
          <Field label={t('admin.institutions.scopes')} error={errors.scopes} hint={t('admin.institutions.scopesHint')}>
            <input type="text" value={draft.scopes} onChange={set('scopes')} placeholder="unipd.it, studenti.unipd.it" />
          </Field>
          <div className="field-row">
            <Field label={t('admin.institutions.subscriptionStart')} error={errors.subscriptionStart}>
              <input type="date" value={draft.subscriptionStart} onChange={set('subscriptionStart')} />
            </Field>
            <Field label={t('admin.institutions.subscriptionEnd')} error={errors.subscriptionEnd}>
              <input type="date" value={draft.subscriptionEnd} onChange={set('subscriptionEnd')} />
            </Field>
          </div>
          <Field label={t('admin.institutions.quota')} error={errors.monthlyQuotaHours} hint={t('admin.institutions.quotaHint')}>
            <input type="number" min={0} step={1} inputMode="numeric" value={draft.monthlyQuotaHours} onChange={set('monthlyQuotaHours')} />
          </Field>
        </form>
      )}
    </Dialog>
  );
}

export function InstitutionsPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const { items, error, reload } = useList<Institution>('/api/v1/institutions');
  const [editing, setEditing] = useState<Institution | null>(null);
  const [open, setOpen] = useState(false);
  const today = new Date().toISOString().slice(0, 10);

  return (
    <section className="page page-medium">
      <PageHeader
        title={t('admin.institutions.title')}
        subtitle={t('admin.institutions.subtitle')}
        actions={
          <button type="button" className="button button-primary" onClick={() => { setEditing(null); setOpen(true); }}>
            {t('admin.institutions.add')}
          </button>
        }
      />
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {!items ? (
        <p role="status">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <div className="empty-state">{t('admin.institutions.none')}</div>
      ) : (
        <div className="table-wrap card">
          <table className="data-table">
            <caption className="visually-hidden">{t('admin.institutions.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.institutions.name')}</th>
                <th scope="col">{t('admin.institutions.scopes')}</th>
                <th scope="col">{t('admin.institutions.subscription')}</th>
                <th scope="col" className="num">{t('admin.institutions.quota')}</th>
                <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const state = subscriptionState(i, today);
                return (
                  <tr key={i.id}>
                    <th scope="row">{i.name}</th>
                    <td>{i.scopes.length ? i.scopes.join(', ') : <span className="muted">—</span>}</td>
                    <td>
                      <span className={`tag ${state === 'active' ? 'tag-ok' : state === 'none' ? 'tag-muted' : 'tag-warn'}`}>
                        {t(`admin.institutions.state.${state}`)}
                      </span>{' '}
                      {(i.subscriptionStart || i.subscriptionEnd) && (
                        <span className="muted small">
                          {i.subscriptionStart ? formatDay(i.subscriptionStart) : '…'} – {i.subscriptionEnd ? formatDay(i.subscriptionEnd) : '…'}
                        </span>
                      )}
                    </td>
                    <td className="num">{i.monthlyQuotaHours == null ? t('admin.institutions.unlimited') : t('admin.institutions.hours', { count: i.monthlyQuotaHours })}</td>
                    <td className="row-actions">
                      <button type="button" className="button button-quiet button-small" onClick={() => { setEditing(i); setOpen(true); }}>
                        {t('common.edit')}
                        <span className="visually-hidden">: {i.name}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <InstitutionDialog
        institution={editing}
        open={open}
        onClose={() => setOpen(false)}
        onSaved={(i) => {
          setOpen(false);
          toast(t('admin.institutions.saved', { name: i.name }));
          void reload();
        }}
      />
    </section>
  );
}
