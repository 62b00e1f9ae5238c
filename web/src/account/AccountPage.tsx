import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { fieldErrorsOf, problemMessage } from '../api/problems.ts';
import type { ApiToken, Me } from '../api/types.ts';
import { Link } from '../app/router.tsx';
import { newPasswordErrors, NewPasswordFields, PasswordRules, ShowPasswords, type NewPassword } from '../auth/newPassword.tsx';
import { useMe } from '../auth/session.tsx';
import { DATE_LONG, DATE_TIME, formatInstant } from '../i18n/format.ts';
import { CopyText } from '../ui/CopyText.tsx';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';

/** The signed-in person's own account: who the portal knows them as, their password, their API tokens. */
export function AccountPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  return (
    <section className="page page-medium">
      <PageHeader title={t('account.title')} />
      <section className="card account-card" aria-labelledby="account-who">
        <h2 id="account-who">{t('account.who')}</h2>
        <dl className="details-list">
          <div>
            <dt>{t('account.name')}</dt>
            <dd>{me.name}</dd>
          </div>
          <div>
            <dt>{t('account.email')}</dt>
            <dd>{me.email}</dd>
          </div>
          <div>
            <dt>{t('account.role')}</dt>
            <dd>{t(`roles.${me.role}`)}</dd>
          </div>
          <div>
            <dt>{t('account.institution')}</dt>
            <dd>{me.institution?.name ?? t('account.noInstitution')}</dd>
          </div>
          <div>
            <dt>{t('account.signIn')}</dt>
            <dd>{t(me.hasPassword ? 'account.withPassword' : 'account.withInstitution')}</dd>
          </div>
        </dl>
        <p className="small">
          <Link to="/account/delegates">{t('account.delegatesLink')}</Link> · <Link to="/bookings">{t('account.feedLink')}</Link>
        </p>
      </section>
      <MailCard />
      <PasswordCard />
      <SessionsCard />
      <TokensCard />
    </section>
  );
}

function PasswordCard() {
  const { t } = useTranslation();
  const { me } = useMe();
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [chosen, setChosen] = useState<NewPassword>({ password: '', repeat: '' });
  const [show, setShow] = useState(false);
  const [errors, setErrors] = useState<{ currentPassword?: string; password?: string; repeat?: string }>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: typeof errors = { ...(current ? {} : { currentPassword: t('account.currentMissing') }), ...newPasswordErrors(t, chosen.password, chosen.repeat, me) };
    setErrors(local);
    setGeneral(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      // Without an Idempotency-Key: the server keeps nothing of a body that holds passwords.
      const done = await api.postOnce<{ signedOut: number }>('/api/v1/me/password', { currentPassword: current, password: chosen.password });
      setCurrent('');
      setChosen({ password: '', repeat: '' });
      toast(done.signedOut === 0 ? t('account.passwordChangedAlone') : t('account.passwordChanged', { count: done.signedOut }));
    } catch (e) {
      const fields = e instanceof ApiError ? fieldErrorsOf(e, t) : {};
      if (fields.currentPassword || fields.password) setErrors(fields);
      else setGeneral(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card account-card" aria-labelledby="account-password">
      <h2 id="account-password">{t('account.password')}</h2>
      {!me.hasPassword ? (
        <p>{t('account.passwordElsewhere')}</p>
      ) : (
        <>
          <p className="muted small">{t('account.passwordLead')}</p>
          {general && <Notice tone="error">{general}</Notice>}
          <PasswordRules />
          <form onSubmit={submit} noValidate>
            {/* For password managers: the account this password belongs to. */}
            <input type="text" name="username" autoComplete="username" value={me.email} readOnly hidden />
            <Field label={t('account.current')} required error={errors.currentPassword}>
              <input type={show ? 'text' : 'password'} autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
            </Field>
            <NewPasswordFields value={chosen} onChange={setChosen} errors={errors} show={show} />
            <ShowPasswords show={show} onChange={setShow} />
            <div>
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? t('common.saving') : t('account.changePassword')}
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}

/** IANA zones the browser knows, for the choice of one's own (Node and every current browser list them). */
const ZONES: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** A checkbox with its hint below it, read with it by screen readers. */
function CheckField({ label, hint, checked, disabled, onChange }: { label: string; hint: string; checked: boolean; disabled: boolean; onChange: (on: boolean) => void }) {
  const hintId = useId();
  return (
    <div className="field">
      <label className="check">
        <input type="checkbox" checked={checked} disabled={disabled} aria-describedby={hintId} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
      <p id={hintId} className="field-hint">
        {hint}
      </p>
    </div>
  );
}

type MailChoices = Pick<Me, 'reminders' | 'timeZone' | 'requestMails'>;

/**
 * What the person's mails are like: reminders before their meetings or none, the zone their times
 * are shown in besides the room's, and (administrators) the mail of each new booking request. Read
 * fresh (the session's copy may be older); each change is saved at once.
 */
function MailCard() {
  const { t } = useTranslation();
  const toast = useToast();
  const [choices, setChoices] = useState<MailChoices | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<Me>('/api/v1/me').then((me) => setChoices({ reminders: me.reminders, timeZone: me.timeZone, requestMails: me.requestMails }), setError);
  }, []);

  async function change(patch: Partial<MailChoices>, said: (me: Me) => string) {
    if (!choices) return;
    const before = choices;
    // The control shows the choice at once (a controlled box waiting for the answer would spring
    // back meanwhile); a refused save puts it back.
    setChoices({ ...choices, ...patch });
    setBusy(true);
    setError(null);
    try {
      const me = await api.patch<Me>('/api/v1/me', patch);
      setChoices({ reminders: me.reminders, timeZone: me.timeZone, requestMails: me.requestMails });
      toast(said(me));
    } catch (e) {
      setChoices(before);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card account-card mail-card" aria-labelledby="account-mail">
      <h2 id="account-mail">{t('account.mail')}</h2>
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {choices === null ? (
        !error && <p role="status">{t('common.loading')}</p>
      ) : (
        <>
          <CheckField
            label={t('account.reminders')}
            hint={t('account.remindersHint')}
            checked={choices.reminders}
            disabled={busy}
            onChange={(on) => void change({ reminders: on }, (me) => t(me.reminders ? 'account.remindersOn' : 'account.remindersOff'))}
          />
          <Field label={t('account.timeZone')} hint={t('account.timeZoneHint')}>
            <select
              value={choices.timeZone ?? ''}
              disabled={busy}
              onChange={(e) =>
                void change({ timeZone: e.target.value || null }, (me) => (me.timeZone ? t('account.timeZoneSet', { zone: me.timeZone }) : t('account.timeZoneNone')))
              }
            >
              <option value="">{t('account.timeZoneRoom')}</option>
              {/* A zone saved that this browser does not list stays choosable. */}
              {[...(choices.timeZone && !ZONES.includes(choices.timeZone) ? [choices.timeZone] : []), ...ZONES].map((z) => (
                <option key={z} value={z}>
                  {z.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </Field>
          {choices.requestMails !== null && (
            <CheckField
              label={t('account.requestMails')}
              hint={t('account.requestMailsHint')}
              checked={choices.requestMails}
              disabled={busy}
              onChange={(on) => void change({ requestMails: on }, (me) => t(me.requestMails ? 'account.requestMailsOn' : 'account.requestMailsOff'))}
            />
          )}
        </>
      )}
    </section>
  );
}

/** Other browsers and devices signed in as this person, and a way to end them all (a shared computer left signed in). */
function SessionsCard() {
  const { t } = useTranslation();
  const toast = useToast();
  const [others, setOthers] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<{ others: number }>('/api/v1/me/sessions').then((r) => setOthers(r.others), setError);
  }, []);

  async function endOthers() {
    setBusy(true);
    setError(null);
    try {
      const done = await api.post<{ signedOut: number }>('/api/v1/me/sessions/end-others');
      setOthers(0);
      toast(t('account.endedOthers', { count: done.signedOut }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card account-card" aria-labelledby="account-sessions">
      <h2 id="account-sessions">{t('account.sessions')}</h2>
      <p className="muted small">{t('account.sessionsLead')}</p>
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {others === null ? (
        !error && <p role="status">{t('common.loading')}</p>
      ) : (
        <>
          <p role="status">{others === 0 ? t('account.sessionsOnlyHere') : t('account.sessionsOthers', { count: others })}</p>
          {others > 0 && (
            <div>
              <button type="button" className="button button-secondary" disabled={busy} onClick={() => void endOthers()}>
                {t('account.endOthers')}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function TokensCard() {
  const { t } = useTranslation();
  const { settings } = useMe();
  const toast = useToast();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<(ApiToken & { token: string }) | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [kept, setKept] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setTokens((await api.get<{ items: ApiToken[] }>('/api/v1/me/tokens')).items);
    } catch (e) {
      setError(problemMessage(t, e));
    }
  }, [t]);
  useEffect(() => void load(), [load]);

  async function act(work: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await work();
      await load();
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  function create(event: FormEvent) {
    event.preventDefault();
    const label = name.trim();
    if (!label) {
      setNameError(t('account.tokenNameMissing'));
      return;
    }
    setNameError(null);
    void act(async () => {
      // The answer holds the secret, so the server keeps no copy for a replay: sent without a key.
      setFresh(await api.postOnce<ApiToken & { token: string }>('/api/v1/me/tokens', { name: label }));
      setName('');
    });
  }

  function revoke(token: ApiToken) {
    void act(async () => {
      await api.delete(`/api/v1/me/tokens/${encodeURIComponent(token.id)}`);
      setRevoking(null);
      if (fresh?.id === token.id) setFresh(null);
      toast(t('account.tokenRevoked', { name: token.name }));
    });
  }

  const when = (instant: string) => formatInstant(instant, settings.defaultTimeZone, DATE_LONG);
  return (
    <section className="card account-card" aria-labelledby="account-tokens">
      <h2 id="account-tokens">{t('account.tokens')}</h2>
      <p className="muted small">{t('account.tokensLead')}</p>
      {error && <Notice tone="error">{error}</Notice>}
      {fresh && (
        <div className="token-fresh" data-slot="token-fresh">
          <Notice tone="success">{t('account.tokenMade', { name: fresh.name })}</Notice>
          <CopyText text={fresh.token} label={t('account.tokenSecret', { name: fresh.name })} secret />
          <p className="field-hint">{t('account.tokenCopyNow')}</p>
        </div>
      )}
      {tokens === null ? (
        <p role="status">{t('common.loading')}</p>
      ) : tokens.length === 0 ? (
        <p>{t('account.noTokens')}</p>
      ) : (
        <ul className="delegation-list" aria-label={t('account.tokens')}>
          {tokens.map((token) => (
            <li key={token.id}>
              <span>
                <strong>{token.name}</strong>
                <br />
                <span className="small muted">
                  {t('account.tokenMadeOn', { date: when(token.createdAt) })} ·{' '}
                  {token.lastUsedAt ? t('account.tokenUsedAt', { when: formatInstant(token.lastUsedAt, settings.defaultTimeZone, DATE_TIME) }) : t('account.tokenNeverUsed')}
                </span>
              </span>
              {revoking === token.id ? (
                <span className="button-row" role="group" aria-label={t('account.revokeQuestion', { name: token.name })}>
                  <span className="small">{t('account.revokeQuestion', { name: token.name })}</span>
                  {/* Focus follows the question (the button that asked it is gone), and goes back to
                      Revoke when the token is kept. */}
                  <button type="button" className="button button-danger button-small" disabled={busy} onClick={() => revoke(token)} autoFocus>
                    {t('account.revokeConfirm')}
                  </button>
                  <button
                    type="button"
                    className="button button-quiet button-small"
                    onClick={() => {
                      setRevoking(null);
                      setKept(token.id);
                    }}
                  >
                    {t('account.keep')}
                  </button>
                </span>
              ) : (
                <button type="button" className="button button-quiet button-small" disabled={busy} onClick={() => setRevoking(token.id)} autoFocus={kept === token.id}>
                  {t('account.revoke')}
                  <span className="visually-hidden">: {token.name}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={create} noValidate>
        <Field id="token-name" label={t('account.tokenName')} hint={t('account.tokenNameHint')} error={nameError}>
          <input type="text" autoComplete="off" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit" className="button button-secondary" disabled={busy}>
          {t('account.makeToken')}
        </button>
      </form>
    </section>
  );
}
