import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Institution } from '../api/types.ts';
import { Link } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { formatInstant } from '../i18n/format.ts';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { useStackedTable } from '../ui/stackedTable.ts';

interface UsageMonth {
  month: string; // YYYY-MM
  bookedHours: number;
  quotaHours: number | null;
}

interface Requirement {
  requiredEntitlement: string | null;
  requiredAffiliation: string | null;
}

const monthName = (month: string) => formatInstant(`${month}-15T12:00:00Z`, 'UTC', { month: 'long', year: 'numeric' });

/** Admins' requirement form: the entitlement or affiliation the institution's members must have to book. */
function RequirementsForm({ institutionId }: { institutionId: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [draft, setDraft] = useState<{ entitlement: string; affiliation: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .get<Requirement>(`/api/v1/institutions/${encodeURIComponent(institutionId)}/requirements`)
      .then((r) => setDraft({ entitlement: r.requiredEntitlement ?? '', affiliation: r.requiredAffiliation ?? '' }))
      .catch(setError);
  }, [institutionId]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    try {
      await api.put<Requirement>(`/api/v1/institutions/${encodeURIComponent(institutionId)}/requirements`, {
        requiredEntitlement: draft.entitlement.trim() || null,
        requiredAffiliation: draft.affiliation.trim() || null,
      });
      toast(t('admin.institution.requirementsSaved'));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (path: string) =>
    error instanceof ApiError ? error.errors.find((e) => e.path.includes(path))?.message : undefined;

  return (
    <form className="card form-card" onSubmit={save} aria-labelledby="requirements-title">
      <h2 id="requirements-title" className="section-title">
        {t('admin.institution.requirementsTitle')}
      </h2>
      <p className="field-hint">{t('admin.institution.requirementsHint')}</p>
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {draft && (
        <>
          <Field label={t('admin.institution.entitlement')} hint={t('admin.institution.entitlementHint')} error={fieldError('requiredEntitlement')}>
            <input type="text" spellCheck={false} value={draft.entitlement} onChange={(e) => setDraft({ ...draft, entitlement: e.target.value })} />
          </Field>
          <Field label={t('admin.institution.affiliation')} hint={t('admin.institution.affiliationHint')} error={fieldError('requiredAffiliation')}>
            <input type="text" spellCheck={false} value={draft.affiliation} onChange={(e) => setDraft({ ...draft, affiliation: e.target.value })} />
          </Field>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? t('common.saving') : t('common.save')}
            </button>
          </div>
        </>
      )}
    </form>
  );
}

/** One institution: booked hours per month beside the quota (admins and the institution's managers), and for admins the sign-in requirement. */
export function InstitutionPage({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const table = useStackedTable();
  const { me } = useMe();
  const id = params.id ?? '';
  const [institution, setInstitution] = useState<Institution | null>(null);
  const [usage, setUsage] = useState<UsageMonth[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const path = `/api/v1/institutions/${encodeURIComponent(id)}`;
    Promise.all([api.get<Institution>(path).catch(() => null), api.get<{ items: UsageMonth[] }>(`${path}/usage`, { months: 6 })])
      .then(([i, u]) => {
        setInstitution(i);
        setUsage(u.items);
      })
      .catch(setError);
  }, [id]);

  const name = institution?.name ?? (me.institution?.id === id ? me.institution.name : '');
  return (
    <section className="page page-medium">
      <PageHeader title={name || t('admin.institution.title')} subtitle={t('admin.institution.subtitle')} />
      <p className="page-links">
        {me.role === 'admin' && (
          <>
            <Link to="/admin/institutions">{t('admin.institution.back')}</Link>
            <Link to={`/admin/users?institution=${encodeURIComponent(id)}`}>{t('admin.institution.people')}</Link>
          </>
        )}
        {me.role === 'institution-manager' && me.institution?.id === id && <Link to="/people">{t('admin.institution.people')}</Link>}
      </p>
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {!usage && !error ? (
        <p role="status">{t('common.loading')}</p>
      ) : usage ? (
        <div className="table-wrap card">
          <table ref={table} className="data-table data-table-stack" data-slot="usage">
            <caption className="table-caption">{t('admin.institution.usageTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.institution.month')}</th>
                <th scope="col" className="num">{t('admin.institution.booked')}</th>
                <th scope="col" className="num">{t('admin.institution.quota')}</th>
                <th scope="col">{t('admin.institution.share')}</th>
              </tr>
            </thead>
            <tbody>
              {usage.map((m) => {
                const share = m.quotaHours ? Math.min(100, Math.round((m.bookedHours / m.quotaHours) * 100)) : null;
                return (
                  <tr key={m.month}>
                    <th scope="row">{monthName(m.month)}</th>
                    <td className="num">{t('admin.institution.hours', { count: m.bookedHours })}</td>
                    <td className="num">{m.quotaHours == null ? t('admin.institutions.unlimited') : t('admin.institution.hours', { count: m.quotaHours })}</td>
                    <td>
                      {share == null ? (
                        <span className="muted">—</span>
                      ) : (
                        <span className="usage-bar" role="img" aria-label={t('admin.institution.shareLabel', { percent: share })}>
                          <span className={`usage-fill${share >= 90 ? ' usage-high' : ''}`} style={{ width: `${share}%` }} />
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {me.role === 'admin' && <RequirementsForm institutionId={id} />}
    </section>
  );
}
