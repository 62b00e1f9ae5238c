import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { DATE_LONG, formatInstant } from '../i18n/format.ts';
import { useMe } from '../auth/session.tsx';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useToast } from '../ui/toasts.tsx';

type Person = { id: string; name: string; email: string };
type Delegation = { person: Person; delegate: Person; status: 'pending' | 'accepted'; createdAt: string; acceptedAt: string | null };

/**
 * Booking on behalf (issue #17): the delegates I named, with their consent, and the people who
 * named me (accept, decline, stop).
 */
export function DelegatesPage() {
  const { t } = useTranslation();
  const { settings } = useMe();
  const toast = useToast();
  const [delegates, setDelegates] = useState<Delegation[] | null>(null);
  const [bookFor, setBookFor] = useState<Delegation[] | null>(null);
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [mine, theirs] = await Promise.all([api.get<{ items: Delegation[] }>('/api/v1/account/delegates'), api.get<{ items: Delegation[] }>('/api/v1/account/delegations')]);
      setDelegates(mine.items);
      setBookFor(theirs.items);
    } catch (e) {
      setError(problemMessage(t, e));
    }
  }, [t]);
  useEffect(() => void load(), [load]);

  async function act(work: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    try {
      await work();
      toast(done);
      await load();
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  function invite(event: FormEvent) {
    event.preventDefault();
    const address = email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) {
      setEmailError(t('delegates.emailInvalid'));
      return;
    }
    setEmailError(null);
    void act(async () => {
      await api.post('/api/v1/account/delegates', { email: address });
      setEmail('');
    }, t('delegates.invited', { email: address }));
  }

  const since = (d: Delegation) => formatInstant(d.acceptedAt ?? d.createdAt, settings.defaultTimeZone, DATE_LONG);
  return (
    <section className="page page-medium">
      <PageHeader title={t('delegates.title')} />
      <p className="muted">{t('delegates.lead')}</p>
      {error && <Notice tone="error">{error}</Notice>}

      <section className="card delegates-card" aria-labelledby="delegates-title">
        <h2 id="delegates-title">{t('delegates.mine')}</h2>
        <p className="muted small">{t('delegates.mineLead')}</p>
        {delegates === null ? (
          <p role="status">{t('common.loading')}</p>
        ) : delegates.length === 0 ? (
          <p>{t('delegates.noneMine')}</p>
        ) : (
          <ul className="delegation-list">
            {delegates.map((d) => (
              <li key={d.delegate.id}>
                <span>
                  <strong>{d.delegate.name}</strong> <span className="muted small">{d.delegate.email}</span>
                  <br />
                  <span className={`tag${d.status === 'pending' ? ' tag-muted' : ''}`}>{t(`delegates.status.${d.status}`)}</span>{' '}
                  <span className="small muted">{t(d.status === 'accepted' ? 'delegates.acceptedOn' : 'delegates.askedOn', { date: since(d) })}</span>
                </span>
                <button type="button" className="button button-quiet button-small" disabled={busy} onClick={() => void act(() => api.delete(`/api/v1/account/delegates/${encodeURIComponent(d.delegate.id)}`), t('delegates.removed', { name: d.delegate.name }))}>
                  {t('delegates.remove')}
                  <span className="visually-hidden">: {d.delegate.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <form className="inline-form" onSubmit={invite} noValidate>
          <Field id="delegate-email" label={t('delegates.email')} hint={t('delegates.emailHint')} error={emailError}>
            <input type="email" autoComplete="off" maxLength={320} value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('delegates.invite')}
          </button>
        </form>
      </section>

      <section className="card delegates-card" aria-labelledby="book-for-title">
        <h2 id="book-for-title">{t('delegates.bookFor')}</h2>
        <p className="muted small">{t('delegates.bookForLead')}</p>
        {bookFor === null ? (
          <p role="status">{t('common.loading')}</p>
        ) : bookFor.length === 0 ? (
          <p>{t('delegates.noneBookFor')}</p>
        ) : (
          <ul className="delegation-list">
            {bookFor.map((d) => (
              <li key={d.person.id}>
                <span>
                  <strong>{d.person.name}</strong> <span className="muted small">{d.person.email}</span>
                  <br />
                  <span className={`tag${d.status === 'pending' ? ' tag-muted' : ''}`}>{t(d.status === 'pending' ? 'delegates.status.asks' : 'delegates.status.accepted')}</span>{' '}
                  <span className="small muted">{t(d.status === 'accepted' ? 'delegates.acceptedOn' : 'delegates.askedOn', { date: since(d) })}</span>
                </span>
                <span className="button-row">
                  {d.status === 'pending' && (
                    <button type="button" className="button button-primary button-small" disabled={busy} onClick={() => void act(() => api.post(`/api/v1/account/delegations/${encodeURIComponent(d.person.id)}/accept`), t('delegates.acceptedToast', { name: d.person.name }))}>
                      {t('delegates.accept')}
                      <span className="visually-hidden">: {d.person.name}</span>
                    </button>
                  )}
                  <button type="button" className="button button-quiet button-small" disabled={busy} onClick={() => void act(() => api.delete(`/api/v1/account/delegations/${encodeURIComponent(d.person.id)}`), t('delegates.declinedToast', { name: d.person.name }))}>
                    {t(d.status === 'pending' ? 'delegates.decline' : 'delegates.stop')}
                    <span className="visually-hidden">: {d.person.name}</span>
                  </button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
