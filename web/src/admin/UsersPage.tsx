import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Institution, Role, User } from '../api/types.ts';
import { useMe } from '../auth/session.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';
import { useList } from './useList.ts';

const ROLES: Role[] = ['member', 'institution-manager', 'admin'];

function UserRow({ user, institutions, isSelf, onChanged }: { user: User; institutions: Institution[]; isSelf: boolean; onChanged(u: User): void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function patch(body: Partial<Pick<User, 'role' | 'institutionId'>>) {
    setBusy(true);
    setError(null);
    try {
      onChanged(await api.patch<User>(`/api/v1/users/${encodeURIComponent(user.id)}`, body));
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <tr>
      <th scope="row">
        {user.name}
        {isSelf && <span className="tag tag-muted">{t('admin.users.you')}</span>}
        {error && <p className="field-error" role="alert">{error}</p>}
      </th>
      <td>{user.email}</td>
      <td>
        <label className="visually-hidden" htmlFor={`role-${user.id}`}>
          {t('admin.users.roleOf', { name: user.name })}
        </label>
        <select id={`role-${user.id}`} value={user.role} disabled={busy || isSelf} onChange={(e) => void patch({ role: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <label className="visually-hidden" htmlFor={`inst-${user.id}`}>
          {t('admin.users.institutionOf', { name: user.name })}
        </label>
        <select
          id={`inst-${user.id}`}
          value={user.institutionId ?? ''}
          disabled={busy}
          onChange={(e) => void patch({ institutionId: e.target.value || null })}
        >
          <option value="">{t('admin.users.noInstitution')}</option>
          {institutions.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
      </td>
    </tr>
  );
}

export function UsersPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const toast = useToast();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const users = useList<User>('/api/v1/users', { q: query || undefined });
  const institutions = useList<Institution>('/api/v1/institutions');

  return (
    <section className="page page-medium">
      <PageHeader title={t('admin.users.title')} subtitle={t('admin.users.subtitle')} />
      <form
        className="filter-bar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q.trim());
        }}
      >
        <label htmlFor="user-search">{t('admin.users.search')}</label>
        <input id="user-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('admin.users.searchPlaceholder')} />
        <button type="submit" className="button button-secondary">
          {t('common.search')}
        </button>
      </form>
      {users.error ? <Notice tone="error">{problemMessage(t, users.error)}</Notice> : null}
      {!users.items ? (
        <p role="status">{t('common.loading')}</p>
      ) : users.items.length === 0 ? (
        <div className="empty-state">{t('admin.users.none')}</div>
      ) : (
        <div className="table-wrap card">
          <table className="data-table">
            <caption className="visually-hidden">{t('admin.users.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                <th scope="col">{t('admin.users.email')}</th>
                <th scope="col">{t('admin.users.role')}</th>
                <th scope="col">{t('admin.users.institution')}</th>
              </tr>
            </thead>
            <tbody>
              {users.items.map((u) => (
                <UserRow
                  key={u.id}
                  user={u}
                  isSelf={u.id === me.id}
                  institutions={institutions.items ?? []}
                  onChanged={(changed) => {
                    toast(t('admin.users.saved', { name: changed.name }));
                    void users.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
