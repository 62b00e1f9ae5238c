import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '../api/client.ts';
import { useTranslation } from 'react-i18next';
import { cannotBookReason, useMe, useSession } from '../auth/session.tsx';
import { useBarFit } from './barFit.ts';
import { LanguageSwitcher } from './LanguageSwitcher.tsx';
import { helpUrl } from './help.ts';
import { currentLanguage } from '../i18n/index.ts';
import { Link, useLocation } from './router.tsx';

function NavLink({ to, children, exact }: { to: string; children: ReactNode; exact?: boolean }) {
  const { path } = useLocation();
  const active = exact ? path === to || (to === '/' && path === '/calendar') : path === to || path.startsWith(`${to}/`);
  return (
    <Link to={to} className={`nav-link${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

/** Pending requests for the navigation's badges, read again on each page and after a decision. */
function useRequestCounts(path: string): { pending: number | null; minePending: number } {
  const [counts, setCounts] = useState<{ pending: number | null; minePending: number }>({ pending: null, minePending: 0 });
  useEffect(() => {
    let live = true;
    const load = () => void api.get<{ pending: number | null; minePending: number }>('/api/v1/requests/counts').then((c) => live && setCounts(c), () => {});
    load();
    window.addEventListener('requests-changed', load);
    return () => {
      live = false;
      window.removeEventListener('requests-changed', load);
    };
  }, [path]);
  return counts;
}

function Badge({ count, label }: { count: number | null; label: string }) {
  if (!count) return null;
  return (
    <span className="nav-badge">
      <span aria-hidden="true">{count}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const { path } = useLocation();
  const { me } = useMe();
  const { signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const counts = useRequestCounts(path);
  const bar = useRef<HTMLDivElement>(null);
  const fit = useBarFit(bar, [i18n.language, me.role, me.name, counts.pending, counts.minePending]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className={`topbar${me.role === 'admin' ? ' topbar-admin' : ''}${fit === 'roomy' ? '' : ` topbar-${fit}`}`}>
        <div className="topbar-inner" ref={bar}>
          <Link to="/" className="brand">
            <svg aria-hidden="true" viewBox="0 0 32 32" width="28" height="28">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <rect x="7" y="9" width="18" height="15" rx="2.5" fill="none" stroke="#fff" strokeWidth="2" />
              <path d="M7 14h18M12 6v5M20 6v5" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
            </svg>
            <span>{t('app.name')}</span>
          </Link>
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="primary-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            {t('nav.menu')}
          </button>
          <nav id="primary-nav" aria-label={t('nav.primary')} className={menuOpen ? 'open' : ''} onClick={() => setMenuOpen(false)}>
            <ul className="nav-list">
              <li>
                <NavLink to="/" exact>
                  {t('nav.calendar')}
                </NavLink>
              </li>
              <li>
                <NavLink to="/bookings" exact>
                  {t('nav.myBookings')}
                </NavLink>
              </li>
              <li>
                <NavLink to="/bookings/new">{t('nav.newBooking')}</NavLink>
              </li>
              {/* Administrators decide what others ask for (the queue below). Delegates are set up
                  once: from My bookings and Help, so every bar keeps to one line at 1366 px. */}
              {me.role !== 'admin' && (
                <li>
                  <NavLink to="/requests">
                    {t('nav.myRequests')}
                    <Badge count={counts.minePending} label={t('requests.pendingBadge', { count: counts.minePending })} />
                  </NavLink>
                </li>
              )}
              {me.role === 'institution-manager' && me.institution && (
                <li>
                  <NavLink to={`/institutions/${me.institution.id}`}>{t('nav.myInstitution')}</NavLink>
                </li>
              )}
              {me.role === 'institution-manager' && me.institution && (
                <li>
                  <NavLink to="/statistics">{t('nav.statistics')}</NavLink>
                </li>
              )}
              {me.role === 'admin' && (
                <>
                  <li className="nav-sep" aria-hidden="true" />
                  <li>
                    <NavLink to="/admin/requests">
                      {t('nav.requests')}
                      <Badge count={counts.pending} label={t('requests.pendingBadge', { count: counts.pending ?? 0 })} />
                    </NavLink>
                  </li>
                  <li>
                    <NavLink to="/admin/rooms">{t('nav.rooms')}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/admin/institutions">{t('nav.institutions')}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/admin/users">{t('nav.users')}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/statistics">{t('nav.statistics')}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/admin/provisioning">{t('nav.provisioning')}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/admin/sign-in">{t('nav.signInSettings')}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/admin/audit">{t('nav.audit')}</NavLink>
                  </li>
                </>
              )}
            </ul>
          </nav>
          <div className="topbar-tools">
            <a className="button button-quiet" href={helpUrl(path, currentLanguage(i18n.language))}>
              {t('nav.help')}
            </a>
            <LanguageSwitcher />
            {/* The person's own account (password, API tokens): their name, or only its icon where
                the bar has no room for the name. */}
            <Link to="/account" className="account-link" title={me.email} aria-label={`${t('nav.account')}: ${me.name}`} aria-current={path === '/account' ? 'page' : undefined}>
              <svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18">
                <circle cx="10" cy="6.5" r="3.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
                <path d="M3.5 17.5c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
              </svg>
              <span className="user-name">{me.name}</span>
            </Link>
            <button type="button" className="button button-quiet" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {/* Inside the main landmark, so screen-reader users who jump to it hear why they cannot book. */}
        {!me.canBook && (
          <div className="banner" role="note">
            {t('booking.cannotBook', { reason: cannotBookReason(t, me) })}
          </div>
        )}
        {children}
      </main>
      <footer className="site-footer">
        <p>{t('app.footer')}</p>
      </footer>
    </div>
  );
}
