import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitcher } from '../app/LanguageSwitcher.tsx';

/** The page around the sign-in and password forms: language switch, brand, one card, footer. */
export function AuthFrame({ title, lead, children }: { title: string; lead?: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="signin-page">
      <header className="signin-top">
        <LanguageSwitcher />
      </header>
      <main id="main" className="signin-main">
        <div className="signin-card">
          <div className="signin-brand" aria-hidden="true">
            <svg viewBox="0 0 32 32" width="44" height="44">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <rect x="7" y="9" width="18" height="15" rx="2.5" fill="none" stroke="#fff" strokeWidth="2" />
              <path d="M7 14h18M12 6v5M20 6v5" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </div>
          <h1>{title}</h1>
          {lead && <p className="signin-lead">{lead}</p>}
          {children}
        </div>
        <p className="signin-foot muted small">{t('app.footer')}</p>
      </main>
    </div>
  );
}

const EMAIL_KEY = 'wm-sign-in-email';

/** The sign-in form starts with this address once (kept in this tab only, never in a URL). */
export function rememberEmail(email: string): void {
  try {
    sessionStorage.setItem(EMAIL_KEY, email);
  } catch {
    /* storage off: the person types it */
  }
}

/** The remembered address; it stays for this tab until someone signs in (a page may mount twice). */
export function rememberedEmail(): string {
  try {
    return sessionStorage.getItem(EMAIL_KEY) ?? '';
  } catch {
    return '';
  }
}

export function forgetEmail(): void {
  try {
    sessionStorage.removeItem(EMAIL_KEY);
  } catch {
    /* nothing kept */
  }
}
