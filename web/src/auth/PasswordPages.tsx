import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { Link } from '../app/router.tsx';
import { browserZone, formatInstant } from '../i18n/format.ts';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { AuthFrame, rememberEmail } from './AuthFrame.tsx';
import { newPasswordErrors, NewPasswordFields, PasswordRules, ShowPasswords, type NewPassword } from './newPassword.tsx';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function BackToSignIn() {
  const { t } = useTranslation();
  return (
    <p className="signin-forgot small">
      <Link to="/">{t('password.backToSignIn')}</Link>
    </p>
  );
}

/** "Forgot password": one answer for every address, so the page never tells who has an account. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!EMAIL.test(email.trim())) {
      setInvalid(t('password.emailInvalid'));
      return;
    }
    setInvalid(null);
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/v1/password/forgot', { email: email.trim() });
      setSent(true);
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t('password.forgotTitle')} lead={sent ? undefined : t('password.forgotLead')}>
      {sent ? (
        <>
          <Notice tone="success" title={t('password.sentTitle')}>
            {t('password.sent')}
          </Notice>
          <BackToSignIn />
        </>
      ) : (
        <>
          {error && <Notice tone="error">{error}</Notice>}
          <form onSubmit={submit} noValidate>
            <Field label={t('signIn.email')} required error={invalid}>
              <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
            </Field>
            <button type="submit" className="button button-primary button-block" disabled={busy}>
              {busy ? t('password.sending') : t('password.sendLink')}
            </button>
          </form>
          <BackToSignIn />
        </>
      )}
    </AuthFrame>
  );
}

interface LinkInfo {
  email: string;
  name: string;
  purpose: 'invitation' | 'reset';
  expiresAt: string;
}

/** The page a password link opens: whom it is for, the rules, two password fields. */
export function SetPasswordPage() {
  const { t } = useTranslation();
  // The secret is in the fragment (never sent to a server); it is read once and taken off the address bar.
  const [token] = useState(() => window.location.hash.replace(/^#/, ''));
  const [info, setInfo] = useState<LinkInfo | null>(null);
  const [linkError, setLinkError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<NewPassword>({ password: '', repeat: '' });
  const [show, setShow] = useState(false);
  const [errors, setErrors] = useState<{ password?: string; repeat?: string }>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) {
      setLinkError(new ApiError(404, { code: 'PASSWORD_LINK_UNKNOWN' }));
      return;
    }
    api
      .post<LinkInfo>('/api/v1/password/link', { token })
      .then(setInfo)
      .catch(setLinkError);
  }, [token]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!info) return;
    const local = newPasswordErrors(t, chosen.password, chosen.repeat, info);
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    setGeneral(null);
    try {
      await api.post('/api/v1/password', { token, password: chosen.password });
      rememberEmail(info.email);
      setDone(true);
    } catch (e) {
      if (e instanceof ApiError && e.code.startsWith('PASSWORD_LINK_')) setLinkError(e);
      else if (e instanceof ApiError && e.code.startsWith('PASSWORD_')) setErrors({ password: problemMessage(t, e) });
      else setGeneral(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <AuthFrame title={t('password.doneTitle')}>
        <Notice tone="success">{t('password.done')}</Notice>
        {/* A full load: the sessions this account had are over, so the app starts signed out. */}
        <a className="button button-primary button-block" href="/">
          {t('password.signInNow')}
        </a>
      </AuthFrame>
    );
  }
  if (linkError) {
    return (
      <AuthFrame title={t('password.linkProblemTitle')}>
        <Notice tone="error">{problemMessage(t, linkError)}</Notice>
        <p>
          <Link to="/password/forgot">{t('password.askNew')}</Link>
        </p>
        <BackToSignIn />
      </AuthFrame>
    );
  }
  if (!info) {
    return (
      <AuthFrame title={t('password.setTitle')}>
        <p role="status">{t('common.loading')}</p>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title={info.purpose === 'invitation' ? t('password.chooseTitle') : t('password.setTitle')} lead={t('password.forWhom', { name: info.name, email: info.email })}>
      {general && <Notice tone="error">{general}</Notice>}
      <PasswordRules />
      <form onSubmit={submit} noValidate>
        {/* For password managers: the account this password belongs to. */}
        <input type="text" name="username" autoComplete="username" value={info.email} readOnly hidden />
        <NewPasswordFields
          value={chosen}
          onChange={setChosen}
          errors={errors}
          show={show}
          autoFocus
          hint={t('password.expires', { when: formatInstant(info.expiresAt, browserZone(), { dateStyle: 'long', timeStyle: 'short' }) })}
        />
        <ShowPasswords show={show} onChange={setShow} />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? t('common.saving') : t('password.save')}
        </button>
      </form>
    </AuthFrame>
  );
}
