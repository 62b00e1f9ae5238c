import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import type { SignInMethods } from '../api/types.ts';
import { currentLanguage } from '../i18n/index.ts';
import { Link, navigate } from '../app/router.tsx';
import { AuthFrame, forgetEmail, rememberedEmail } from './AuthFrame.tsx';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { useSession } from './session.tsx';

/**
 * Where the person was going: the `next` of a link that sent them here (the join page's "Sign in"
 * goes to /?next=/join/…), or the page they opened, which the app shows again once signed in. The
 * server judges it once more (src/identity/return-target.ts): only paths of this portal count.
 */
export function returnPath(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  if (next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')) return next;
  return window.location.pathname + window.location.search;
}

/** Pages the server renders itself (join, guest) need a full load; the app's own pages do not. */
function goOn(path: string): void {
  if (/^\/(join|g|room|auth|api)\//.test(path)) window.location.assign(path);
  else navigate(path, { replace: true });
}

const withReturn = (url: string, lang: string) => {
  const target = new URL(url, window.location.origin);
  target.searchParams.set('return', returnPath());
  target.searchParams.set('lang', lang);
  return target.pathname + target.search;
};

function FederatedButtons({ methods }: { methods: SignInMethods }) {
  const { t, i18n } = useTranslation();
  const lang = currentLanguage(i18n.language);
  return (
    <div className="signin-buttons" role="group" aria-label={t('signIn.federatedLabel')}>
      {methods.institution.lastChoice && (
        <a className="button button-primary button-block" href={withReturn(methods.institution.lastChoice.loginUrl, lang)}>
          {t('signIn.continueWith', { name: methods.institution.lastChoice.name })}
        </a>
      )}
      {methods.institution.enabled && (
        <a
          className={`button button-block ${methods.institution.lastChoice ? 'button-secondary' : 'button-primary'}`}
          href={withReturn(methods.institution.discoveryUrl, lang)}
        >
          {t('signIn.withInstitution')}
        </a>
      )}
      {methods.oidc.map((p) => (
        <a key={p.id} className="button button-secondary button-block" href={withReturn(p.loginUrl, lang)}>
          {t('signIn.withProvider', { name: p.name })}
        </a>
      ))}
    </div>
  );
}

export function SignInPage({ expired }: { expired: boolean }) {
  const { t } = useTranslation();
  const [methods, setMethods] = useState<SignInMethods | null>(null);
  useEffect(() => {
    api
      .get<SignInMethods>('/api/v1/auth/methods')
      .then(setMethods)
      .catch(() => setMethods(null));
  }, []);
  const federated = methods !== null && (methods.institution.enabled || methods.oidc.length > 0);
  const { signIn } = useSession();
  // After choosing a password through a link, the address is filled in (PasswordPages.tsx).
  const [email, setEmail] = useState(rememberedEmail);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const wanted = new URLSearchParams(window.location.search).get('next');
      const next = await signIn(email.trim(), password, wanted ?? undefined);
      // Sent here by a link with `next` (the join page, a mail): go on there. Without it the page
      // the person opened is already the one the app shows.
      forgetEmail();
      if (wanted !== null) goOn(next);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'INVALID_CREDENTIALS') setError(t('signIn.invalid'));
      else if (e instanceof ApiError && e.code === 'ACCOUNT_DISABLED') setError(t('problems.ACCOUNT_DISABLED'));
      else if (e instanceof ApiError && e.status === 0) setError(t('errors.unreachable'));
      else setError(e instanceof ApiError && e.detail ? e.detail : t('errors.generic'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthFrame title={t('signIn.title')} lead={t('signIn.lead')}>
      {expired && <Notice tone="warning">{t('signIn.expired')}</Notice>}
      {error && <Notice tone="error">{error}</Notice>}
      {federated && methods && (
        <>
          <FederatedButtons methods={methods} />
          <p className="signin-divider">
            <span>{t('signIn.orLocal')}</span>
          </p>
        </>
      )}
      {methods?.local.adminsOnly && <p className="muted small">{t('signIn.localAdminsOnly')}</p>}
      <form onSubmit={submit} noValidate={false}>
        <Field label={t('signIn.email')} required>
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </Field>
        <Field label={t('signIn.password')} required>
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? t('signIn.signingIn') : t('signIn.submit')}
        </button>
      </form>
      {methods?.local.passwordReset && (
        <p className="signin-forgot small">
          <Link to="/password/forgot">{t('signIn.forgot')}</Link>
        </p>
      )}
      {!federated && (
        <>
          <p className="signin-divider">
            <span>{t('signIn.federated')}</span>
          </p>
          <p className="muted small">{t('signIn.federatedSoon')}</p>
        </>
      )}
    </AuthFrame>
  );
}
