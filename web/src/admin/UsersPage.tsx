import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Institution, ListedUser, PasswordLinkIssued, Role, User } from '../api/types.ts';
import { Link, navigate, useLocation } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { formatInstant } from '../i18n/format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { EmailText } from '../ui/EmailText.tsx';
import { Field } from '../ui/Field.tsx';
import { LanguageSelect } from '../ui/LanguageSelect.tsx';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';
import { AdminTable, useEditDialog } from './AdminTable.tsx';
import { EditDialog, useEditForm } from './EditDialog.tsx';
import { useList, usePagedList } from './useList.ts';
import { SearchBar } from '../ui/SearchBar.tsx';

const ROLES: Role[] = ['member', 'institution-manager', 'admin'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface Draft {
  name: string;
  email: string;
  role: Role;
  institutionId: string;
  locale: '' | 'it' | 'en';
  sendLink: boolean;
}

type Saved = { user: User; link: PasswordLinkIssued | null; linkError: unknown };

/** The page of a person's bookings (theirs, and those they made for others). */
const bookingsOf = (user: User) => `/people/${encodeURIComponent(user.id)}/bookings`;

const sendLink = (user: User) => api.postOnce<PasswordLinkIssued>(`/api/v1/users/${encodeURIComponent(user.id)}/password-link`);

/** Add a person (administrators: any role and institution; managers: a member of their own) or edit one's name and language. */
function UserDialog({ user, open, institutions, onClose, onSaved }: { user: User | null; open: boolean; institutions: Institution[]; onClose(): void; onSaved(s: Saved): void }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const isAdmin = me.role === 'admin';
  // One object per person edited: a new one at each render started the draft again at each render
  // (React's "too many re-renders", a blank page on Edit).
  const item = useMemo(() => user && { user, link: null, linkError: null }, [user]);
  const { draft, set, errors, general, busy, submit } = useEditForm<Saved, Draft>({
    open,
    item,
    onSaved,
    toDraft: (s) => ({
      name: s?.user.name ?? '',
      email: s?.user.email ?? '',
      role: s?.user.role ?? 'member',
      institutionId: s?.user.institutionId ?? (isAdmin ? '' : (me.institution?.id ?? '')),
      locale: s?.user.locale ?? '',
      sendLink: true,
    }),
    validate: (d) => {
      const local: Record<string, string> = {};
      if (!d.name.trim()) local.name = t('admin.errors.nameRequired');
      if (!user && !EMAIL.test(d.email.trim())) local.email = t('admin.users.emailInvalid');
      return local;
    },
    save: async (d) => {
      const locale = d.locale || null;
      if (user) {
        return { user: await api.patch<User>(`/api/v1/users/${encodeURIComponent(user.id)}`, { name: d.name.trim(), locale }), link: null, linkError: null };
      }
      const body = isAdmin
        ? { name: d.name.trim(), email: d.email.trim(), role: d.role, institutionId: d.institutionId || null, locale }
        : { name: d.name.trim(), email: d.email.trim(), locale };
      const created = await api.post<User>('/api/v1/users', body);
      if (!d.sendLink) return { user: created, link: null, linkError: null };
      // The person exists now; a failed link is said beside it, not as a failed save.
      try {
        return { user: created, link: await sendLink(created), linkError: null };
      } catch (e) {
        return { user: created, link: null, linkError: e };
      }
    },
  });
  const text = (k: 'name' | 'email') => (e: { target: { value: string } }) => set(k, e.target.value);
  const myInstitution = me.institution?.name ?? '';

  return (
    <EditDialog
      open={open}
      title={user ? t('admin.users.edit', { name: user.name }) : isAdmin ? t('admin.users.add') : t('admin.users.invite')}
      formId="user-form"
      busy={busy}
      general={general}
      onClose={onClose}
      onSubmit={submit}
    >
      {draft && (
        <>
          {!user && !isAdmin && <p className="field-hint dialog-intro">{t('admin.users.inviteHint', { institution: myInstitution })}</p>}
          <Field label={t('admin.users.name')} required error={errors.name}>
            <input type="text" value={draft.name} onChange={text('name')} maxLength={200} autoComplete="off" />
          </Field>
          {user ? (
            <p className="small">
              <span className="muted">{t('admin.users.email')}:</span> {user.email}
            </p>
          ) : (
            <Field label={t('admin.users.email')} required error={errors.email}>
              <input type="email" value={draft.email} onChange={text('email')} maxLength={320} autoComplete="off" spellCheck={false} />
            </Field>
          )}
          {!user && isAdmin && (
            <div className="field-row">
              <Field label={t('admin.users.role')} error={errors.role}>
                <select value={draft.role} onChange={(e) => set('role', e.target.value as Role)}>
                  <RoleOptions roles={ROLES} />
                </select>
              </Field>
              <Field label={t('admin.users.institution')} error={errors.institutionId}>
                <select value={draft.institutionId} onChange={(e) => set('institutionId', e.target.value)}>
                  <option value="">{t('admin.users.noInstitution')}</option>
                  <InstitutionOptions institutions={institutions} />
                </select>
              </Field>
            </div>
          )}
          <Field label={t('admin.users.language')} error={errors.locale} hint={t('admin.users.languageHint')}>
            <LanguageSelect value={draft.locale} onChange={(v) => set('locale', v)} defaultLabel={t('admin.users.languageDefault')} />
          </Field>
          {!user && (
            <label className="check">
              <input type="checkbox" checked={draft.sendLink} onChange={(e) => set('sendLink', e.target.checked)} />
              {t('admin.users.sendLinkLabel')}
            </label>
          )}
        </>
      )}
    </EditDialog>
  );
}

/** A password link, when the portal has no mail server: shown once, to be handed over. */
function ShownLinkDialog({ shown, onClose }: { shown: { user: User; link: PasswordLinkIssued } | null; onClose(): void }) {
  const { t } = useTranslation();
  const { settings } = useMe();
  const [copied, setCopied] = useState(false);
  const url = shown?.link.url ?? '';
  return (
    <Dialog
      open={shown !== null}
      title={t('admin.users.linkTitle', { name: shown?.user.name ?? '' })}
      onClose={() => {
        setCopied(false);
        onClose();
      }}
      actions={
        <button type="button" className="button button-primary" onClick={onClose}>
          {t('common.close')}
        </button>
      }
    >
      {shown && (
        <>
          <Notice tone="warning">{t('admin.users.linkOnce')}</Notice>
          <Field label={t('admin.users.linkLabel')} hint={t('admin.users.linkExpires', { when: formatInstant(shown.link.expiresAt, settings.defaultTimeZone, { dateStyle: 'long', timeStyle: 'short' }) })}>
            <input type="text" readOnly value={url} onFocus={(e) => e.target.select()} spellCheck={false} />
          </Field>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              void navigator.clipboard?.writeText(url).then(() => setCopied(true));
            }}
          >
            {t('admin.users.copyLink')}
          </button>
          <span role="status" className="small muted">
            {copied ? ` ${t('admin.users.copied')}` : ''}
          </span>
        </>
      )}
    </Dialog>
  );
}

/** Disabling ends the person's sessions and tokens at once: asked before it is done. */
function DisableDialog({ user, onClose, onDone }: { user: User | null; onClose(): void; onDone(u: User): void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function confirm() {
    if (!user) return;
    setBusy(true);
    try {
      onDone(await api.patch<User>(`/api/v1/users/${encodeURIComponent(user.id)}`, { disabled: true }));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      open={user !== null}
      title={t('admin.users.disableTitle', { name: user?.name ?? '' })}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button-quiet" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="button" className="button button-danger" disabled={busy} onClick={() => void confirm()}>
            {t('admin.users.disable')}
          </button>
        </>
      }
    >
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      <p>{t('admin.users.disableExplain')}</p>
      {user && (
        <p>
          <Link to={bookingsOf(user)}>{t('admin.users.seeBookings', { name: user.name })}</Link>
        </p>
      )}
    </Dialog>
  );
}

function RoleCell({ user, isSelf, busy, onChanged }: { user: User; isSelf: boolean; busy: boolean; onChanged(u: User): void }) {
  const { t } = useTranslation();
  return (
    <>
      <label className="visually-hidden" htmlFor={`role-${user.id}`}>
        {t('admin.users.roleOf', { name: user.name })}
      </label>
      <select id={`role-${user.id}`} value={user.role} disabled={isSelf || busy} onChange={(e) => onChanged({ ...user, role: e.target.value as Role })}>
        <RoleOptions roles={ROLES} />
      </select>
    </>
  );
}

/** The roles as choices of a list, in the person's language. */
function RoleOptions({ roles }: { roles: readonly Role[] }) {
  const { t } = useTranslation();
  return roles.map((r) => (
    <option key={r} value={r}>
      {t(`roles.${r}`)}
    </option>
  ));
}

/** The institutions as choices of a list: the new person's, each row's, the filter's. */
function InstitutionOptions({ institutions }: { institutions: readonly Institution[] }) {
  return institutions.map((i) => (
    <option key={i.id} value={i.id}>
      {i.name}
    </option>
  ));
}

export function UsersPage() {
  const { t } = useTranslation();
  const { me, settings } = useMe();
  const toast = useToast();
  const isAdmin = me.role === 'admin';
  const [query, setQuery] = useState('');
  // Narrowing a long list ("the managers", "the people of Padova") applies at once, with the search;
  // the address keeps it (an institution's page links to its people), so Back and a shared link hold it.
  const { path, query: address } = useLocation();
  // A manager's people are members and managers of their institution: no administrator to filter for.
  const roles = isAdmin ? ROLES : ROLES.filter((r) => r !== 'admin');
  const role = roles.find((r) => r === address.get('role')) ?? '';
  const institutionId = isAdmin ? (address.get('institution') ?? '') : '';
  const narrow = (next: { role?: string; institution?: string }) => {
    const p = new URLSearchParams();
    const r = next.role ?? role;
    const i = next.institution ?? institutionId;
    if (r) p.set('role', r);
    if (i) p.set('institution', i);
    const search = p.toString();
    navigate(search ? `${path}?${search}` : path, { replace: true });
  };
  const users = usePagedList<ListedUser>('/api/v1/users', { q: query || undefined, role: role || undefined, institutionId: institutionId || undefined });
  const institutions = useList<Institution>('/api/v1/institutions');
  const dialog = useEditDialog<User>();
  const [shown, setShown] = useState<{ user: User; link: PasswordLinkIssued } | null>(null);
  const [disabling, setDisabling] = useState<User | null>(null);
  const [rowError, setRowError] = useState<{ id: string; error: unknown } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function act(user: User, work: () => Promise<void>) {
    setBusy(user.id);
    setRowError(null);
    try {
      await work();
    } catch (e) {
      setRowError({ id: user.id, error: e });
    } finally {
      setBusy(null);
    }
  }
  // What a row's save changes, shown at once: its lists would otherwise spring back to the old
  // choice until the answer and the list read after it came (and again between the two).
  const [saving, setSaving] = useState<{ id: string; body: Partial<Pick<User, 'role' | 'institutionId'>> } | null>(null);
  const patch = (user: User, body: Partial<Pick<User, 'role' | 'institutionId' | 'disabled'>>) => {
    setSaving({ id: user.id, body });
    return act(user, async () => {
      const changed = await api.patch<User>(`/api/v1/users/${encodeURIComponent(user.id)}`, body);
      toast(t(body.disabled === false ? 'admin.users.enabled' : 'admin.users.saved', { name: changed.name }));
      await users.reload();
    }).finally(() => setSaving(null));
  };
  // How the person gets in, and whether they have: what an administrator asks first when someone cannot.
  const signInNote = ({ signIn }: ListedUser) => {
    const how = signIn.password && signIn.institution ? 'both' : signIn.password ? 'password' : signIn.institution ? 'institution' : 'none';
    const last = signIn.lastAt
      ? t('admin.users.lastSignIn', { when: formatInstant(signIn.lastAt, settings.defaultTimeZone, { day: 'numeric', month: 'short', year: 'numeric' }) })
      : t('admin.users.neverSignedIn');
    return `${t(`admin.users.signIn.${how}`)} · ${last}`;
  };
  const linkSent = (user: User, link: PasswordLinkIssued) => {
    if (link.delivery === 'shown') setShown({ user, link });
    else toast(t('admin.users.linkSent', { name: user.name, email: user.email }));
  };

  return (
    <AdminTable
      title={isAdmin ? t('admin.users.title') : t('admin.users.membersTitle')}
      subtitle={isAdmin ? t('admin.users.subtitle') : t('admin.users.membersSubtitle', { institution: me.institution?.name ?? '' })}
      addLabel={isAdmin ? t('admin.users.add') : me.institution ? t('admin.users.invite') : undefined}
      onAdd={dialog.add}
      width="wide"
      filter={
        <SearchBar id="user-search" label={t('admin.users.search')} placeholder={t('admin.users.searchPlaceholder')} onSearch={setQuery}>
          <span className="filter-field">
            <label htmlFor="user-role">{t('admin.users.role')}</label>
            <select id="user-role" value={role} onChange={(e) => narrow({ role: e.target.value })}>
              <option value="">{t('admin.users.anyRole')}</option>
              <RoleOptions roles={roles} />
            </select>
          </span>
          {isAdmin && (
            <span className="filter-field">
              <label htmlFor="user-institution">{t('admin.users.institution')}</label>
              <select id="user-institution" value={institutionId} onChange={(e) => narrow({ institution: e.target.value })}>
                <option value="">{t('admin.users.anyInstitution')}</option>
                <InstitutionOptions institutions={institutions.items ?? []} />
              </select>
            </span>
          )}
        </SearchBar>
      }
      items={users.items}
      more={users.more ? users.showMore : undefined}
      error={users.error}
      empty={t('admin.users.none')}
      columns={[
        { label: t('admin.users.name') },
        { label: t('admin.users.emailAndSignIn') },
        { label: t('admin.users.role') },
        // A manager's list is one institution: no column repeats its name.
        ...(isAdmin ? [{ label: t('admin.users.institution') }] : []),
        { label: t('common.actions'), hiddenLabel: true },
      ]}
      row={(listed) => {
        const user = saving?.id === listed.id ? { ...listed, ...saving.body } : listed;
        const isSelf = user.id === me.id;
        // Managers look after the members of their institution; administrators after everyone.
        const manageable = isAdmin || (user.role === 'member' && user.institutionId === me.institution?.id);
        return (
          <tr key={user.id} className={user.disabled ? 'row-muted' : undefined}>
            <th scope="row">
              {user.name}
              {isSelf && <span className="tag tag-muted">{t('admin.users.you')}</span>}
              {user.disabled && <span className="tag tag-warn">{t('admin.users.disabledTag')}</span>}
              {rowError?.id === user.id && (
                <p className="field-error" role="alert">
                  {problemMessage(t, rowError.error)}
                </p>
              )}
            </th>
            <td className="cell-address">
              <EmailText address={user.email} />
              <div className="muted small">{signInNote(user)}</div>
            </td>
            <td>{isAdmin ? <RoleCell user={user} isSelf={isSelf} busy={busy === user.id} onChanged={(u) => void patch(user, { role: u.role })} /> : t(`roles.${user.role}`)}</td>
            {isAdmin && (
              <td>
                <label className="visually-hidden" htmlFor={`inst-${user.id}`}>
                  {t('admin.users.institutionOf', { name: user.name })}
                </label>
                <select id={`inst-${user.id}`} value={user.institutionId ?? ''} disabled={busy === user.id} onChange={(e) => void patch(user, { institutionId: e.target.value || null })}>
                  <option value="">{t('admin.users.noInstitution')}</option>
                  <InstitutionOptions institutions={institutions.items ?? []} />
                </select>
              </td>
            )}
            <td className="row-actions">
              <Link className="button button-quiet button-small" to={bookingsOf(user)}>
                {t('personBookings.link')}
                <span className="visually-hidden">: {user.name}</span>
              </Link>
              {manageable && (
                <button type="button" className="button button-quiet button-small" onClick={() => dialog.edit(user)}>
                  {t('common.edit')}
                  <span className="visually-hidden">: {user.name}</span>
                </button>
              )}
              {manageable && !user.disabled && (
                <button type="button" className="button button-quiet button-small" disabled={busy === user.id} onClick={() => void act(user, async () => linkSent(user, await sendLink(user)))}>
                  {t('admin.users.sendLink')}
                  <span className="visually-hidden">: {user.name}</span>
                </button>
              )}
              {isAdmin && !isSelf && (
                <button
                  type="button"
                  className="button button-quiet button-small"
                  disabled={busy === user.id}
                  onClick={() => (user.disabled ? void patch(user, { disabled: false }) : setDisabling(user))}
                >
                  {user.disabled ? t('admin.users.enable') : t('admin.users.disable')}
                  <span className="visually-hidden">: {user.name}</span>
                </button>
              )}
            </td>
          </tr>
        );
      }}
    >
      <UserDialog
        user={dialog.item}
        open={dialog.open}
        institutions={institutions.items ?? []}
        onClose={dialog.close}
        onSaved={({ user, link, linkError }) => {
          dialog.close();
          toast(t(dialog.item ? 'admin.users.saved' : 'admin.users.added', { name: user.name }));
          if (link) linkSent(user, link);
          if (linkError) setRowError({ id: user.id, error: linkError });
          void users.reload();
        }}
      />
      <ShownLinkDialog shown={shown} onClose={() => setShown(null)} />
      <DisableDialog
        user={disabling}
        onClose={() => setDisabling(null)}
        onDone={(u) => {
          setDisabling(null);
          toast(t('admin.users.disabled', { name: u.name }));
          void users.reload();
        }}
      />
    </AdminTable>
  );
}
