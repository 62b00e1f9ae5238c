import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { SignInMethods } from '../api/types.ts';
import { problemMessage } from '../api/problems.ts';
import { useMe } from '../auth/session.tsx';
import { formatInstant } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { useStackedTable } from '../ui/stackedTable.ts';

type LocalAccounts = 'everyone' | 'admins-only';

interface MetadataSource {
  source: string;
  idps: number;
  fetchedAt: string | null;
  validUntil: string | null;
  refreshAfter: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

const WHEN: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };

/** Admins: who may sign in with a password, and the state of the federation's metadata. */
export function SignInSettingsPage() {
  const { t } = useTranslation();
  const table = useStackedTable();
  const { settings } = useMe();
  const toast = useToast();
  const zone = settings.defaultTimeZone;
  const [local, setLocal] = useState<LocalAccounts | null>(null);
  const [saved, setSaved] = useState<LocalAccounts | null>(null);
  const [sources, setSources] = useState<MetadataSource[] | null>(null);
  const [methods, setMethods] = useState<SignInMethods | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([
      api.get<{ localAccounts: LocalAccounts }>('/api/v1/auth/settings'),
      api.get<{ items: MetadataSource[] }>('/api/v1/auth/federation'),
      api.get<SignInMethods>('/api/v1/auth/methods'),
    ])
      .then(([s, f, m]) => {
        setLocal(s.localAccounts);
        setSaved(s.localAccounts);
        setSources(f.items);
        setMethods(m);
      })
      .catch(setError);
  }, []);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!local) return;
    setBusy(true);
    try {
      const answer = await api.put<{ localAccounts: LocalAccounts }>('/api/v1/auth/settings', { localAccounts: local });
      setSaved(answer.localAccounts);
      toast(t(`admin.signIn.saved_${answer.localAccounts === 'everyone' ? 'everyone' : 'admins'}`));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const now = Date.now();
  // The institutional ways in; without one, passwords for administrators only would lock everyone
  // else out (the server refuses it too: NO_FEDERATED_SIGN_IN).
  const ways = methods ? [...(methods.institution.enabled ? [t('admin.signIn.federation')] : []), ...methods.oidc.map((p) => p.name)] : null;
  const noWayIn = ways !== null && ways.length === 0;
  return (
    <section className="page page-medium">
      <PageHeader title={t('admin.signIn.title')} subtitle={t('admin.signIn.subtitle')} />
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {local === null && !error ? (
        <p role="status">{t('common.loading')}</p>
      ) : (
        <>
          {noWayIn && saved === 'admins-only' ? <Notice tone="warning">{t('admin.signIn.lockedOut')}</Notice> : null}
          {local && (
            <form className="card form-card" onSubmit={save}>
              <fieldset className="repeat-mode">
                <legend>{t('admin.signIn.localLegend')}</legend>
                <label className="check">
                  <input type="radio" name="local-accounts" checked={local === 'everyone'} onChange={() => setLocal('everyone')} />
                  {t('admin.signIn.everyone')}
                </label>
                <label className="check">
                  <input
                    type="radio"
                    name="local-accounts"
                    checked={local === 'admins-only'}
                    disabled={noWayIn && local !== 'admins-only'}
                    aria-describedby="sign-in-ways"
                    onChange={() => setLocal('admins-only')}
                  />
                  {t('admin.signIn.adminsOnly')}
                </label>
                <p className="field-hint" id="sign-in-ways">
                  {ways === null ? null : noWayIn ? t('admin.signIn.noWayIn') : t('admin.signIn.ways', { ways: ways.join(', ') })}
                </p>
                <p className="field-hint">{t('admin.signIn.localHint')}</p>
              </fieldset>
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={busy || local === saved}>
                  {busy ? t('common.saving') : t('common.save')}
                </button>
              </div>
            </form>
          )}
          <h2 className="section-title">{t('admin.signIn.federationTitle')}</h2>
          {sources && sources.length === 0 ? (
            <div className="empty-state">{t('admin.signIn.noFederation')}</div>
          ) : sources ? (
            <div className="table-wrap card">
              <table ref={table} className="data-table data-table-stack" data-slot="federation">
                <caption className="visually-hidden">{t('admin.signIn.federationTitle')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.signIn.source')}</th>
                    <th scope="col">{t('admin.signIn.idps')}</th>
                    <th scope="col">{t('admin.signIn.fetchedAt')}</th>
                    <th scope="col">{t('admin.signIn.validUntil')}</th>
                    <th scope="col">{t('admin.signIn.lastError')}</th>
                  </tr>
                </thead>
                <tbody>
                  {sources.map((s) => {
                    const expired = s.validUntil !== null && Date.parse(s.validUntil) < now;
                    return (
                      <tr key={s.source}>
                        <td className="small">
                          <code>{s.source}</code>
                        </td>
                        <td>{s.idps}</td>
                        <td className="nowrap">{s.fetchedAt ? formatInstant(s.fetchedAt, zone, WHEN) : t('admin.signIn.never')}</td>
                        <td className="nowrap">
                          {s.validUntil ? formatInstant(s.validUntil, zone, WHEN) : '—'}
                          {expired && <span className="tag tag-warn">{t('admin.signIn.expired')}</span>}
                        </td>
                        <td className="small">
                          {s.lastError ? `${s.lastErrorAt ? `${formatInstant(s.lastErrorAt, zone, WHEN)}: ` : ''}${s.lastError}` : <span className="tag tag-ok">{t('admin.signIn.noError')}</span>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}
