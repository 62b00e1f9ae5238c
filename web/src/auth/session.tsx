import type { TFunction } from 'i18next';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setUnauthenticatedHandler } from '../api/client.ts';
import type { Me, Settings } from '../api/types.ts';
import i18n, { currentLanguage, type Language } from '../i18n/index.ts';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; expired: boolean }
  | { status: 'signed-in'; me: Me }
  | { status: 'unreachable' };

interface SessionValue {
  state: SessionState;
  settings: Settings | null;
  /** Resolves to where the person may go now: `next` as the server judged it ("/" when not acceptable). */
  signIn(email: string, password: string, next?: string): Promise<string>;
  signOut(): Promise<void>;
  /** Shows the portal in `language` and, when someone is signed in, saves it as theirs. */
  chooseLanguage(language: Language): Promise<void>;
}

/** A person's saved language follows them to every browser they sign in on. */
function adoptSavedLanguage(me: Me) {
  if (me.locale && me.locale !== currentLanguage()) void i18n.changeLanguage(me.locale);
}

const SessionContext = createContext<SessionValue | null>(null);

const FALLBACK_SETTINGS: Settings = {
  seatPool: 0,
  turnaroundMinutes: 0,
  minDurationMinutes: 15,
  maxDurationMinutes: 480,
  maxDaysAhead: 365,
  granularityMinutes: 15,
  defaultTimeZone: 'Europe/Rome',
};

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [settings, setSettings] = useState<Settings | null>(null);

  const load = useCallback(async () => {
    try {
      const [me, s] = await Promise.all([
        api.get<Me>('/api/v1/me').catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 401) return null;
          throw e;
        }),
        api.get<Settings>('/api/v1/settings').catch(() => FALLBACK_SETTINGS),
      ]);
      setSettings(s);
      if (me) {
        setCsrfToken(me.csrfToken);
        adoptSavedLanguage(me);
        setState({ status: 'signed-in', me });
      } else {
        setState({ status: 'signed-out', expired: false });
      }
    } catch {
      setState({ status: 'unreachable' });
    }
  }, []);

  useEffect(() => {
    void load();
    setUnauthenticatedHandler(() => {
      setCsrfToken(null);
      setState((s) => (s.status === 'signed-in' ? { status: 'signed-out', expired: true } : s));
    });
    return () => setUnauthenticatedHandler(null);
  }, [load]);

  const signIn = useCallback(async (email: string, password: string, next?: string) => {
    const answer = await api.post<{ user: Me; csrfToken: string; next: string }>('/api/v1/session', { email, password, ...(next ? { next } : {}) });
    setCsrfToken(answer.csrfToken);
    // GET /me carries canBook and the institution, which the sign-in answer may leave out.
    const me = await api.get<Me>('/api/v1/me').catch(() => answer.user);
    adoptSavedLanguage(me);
    setState({ status: 'signed-in', me: { ...me, csrfToken: answer.csrfToken } });
    return answer.next ?? '/';
  }, []);

  // A form POST to /auth/logout with the CSRF token, not a fetch: for people who came through
  // their institution's IdP the server answers with a redirect to its single logout, which the
  // browser must follow as a page; everyone else lands back on the sign-in page.
  const signOut = useCallback(async () => {
    const csrf = state.status === 'signed-in' ? state.me.csrfToken : null;
    if (!csrf) {
      setState({ status: 'signed-out', expired: false });
      return;
    }
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/auth/logout';
    const field = document.createElement('input');
    field.type = 'hidden';
    field.name = 'csrf';
    field.value = csrf;
    form.append(field);
    document.body.append(form);
    setCsrfToken(null);
    form.submit();
  }, [state]);

  const signedIn = state.status === 'signed-in';
  const chooseLanguage = useCallback(
    async (language: Language) => {
      await i18n.changeLanguage(language);
      if (!signedIn) return;
      // Saved on the account: mails, server messages and the next browser use it too. A failed save
      // leaves the page in the chosen language; the next sign-in shows the saved one again.
      const me = await api.patch<Me>('/api/v1/me', { locale: language }).catch(() => null);
      if (me) setState((s) => (s.status === 'signed-in' ? { status: 'signed-in', me: { ...s.me, locale: me.locale } } : s));
    },
    [signedIn],
  );

  const value = useMemo(() => ({ state, settings, signIn, signOut, chooseLanguage }), [state, settings, signIn, signOut, chooseLanguage]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user and the public settings; only for pages behind sign-in. */
export function useMe(): { me: Me; settings: Settings } {
  const { state, settings } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe without a signed-in user');
  return { me: state.me, settings: settings ?? FALLBACK_SETTINGS };
}

/**
 * Why the user may not book, in the page's language. The API's `cannotBookReason` is an English
 * sentence, so it is only the basis for choosing one of ours.
 */
export function cannotBookReason(t: TFunction, me: Me): string {
  if (!me.institution) return t('booking.noInstitution');
  return t('booking.subscriptionInactive', { institution: me.institution.name });
}
