import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { fieldErrorsOf, problemMessage } from '../api/problems.ts';
import type { Booking, Invitee } from '../api/types.ts';
import { currentLanguage } from '../i18n/index.ts';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';

/**
 * People invited by e-mail to a booking, or to the whole series for an occurrence. A single meeting
 * that has ended keeps its list to read: the server refuses changes to it (BOOKING_ENDED).
 */
export function Invitees({ booking, ended }: { booking: Booking; ended: boolean }) {
  const { t } = useTranslation();
  const editable = Boolean(booking.seriesId) || !ended;
  const toast = useToast();
  const base = booking.seriesId ? `/api/v1/series/${encodeURIComponent(booking.seriesId)}/invitees` : `/api/v1/bookings/${encodeURIComponent(booking.id)}/invitees`;
  const [items, setItems] = useState<Invitee[] | null>(null);
  const [email, setEmail] = useState('');
  const [locale, setLocale] = useState<'it' | 'en'>(currentLanguage());
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setItems((await api.get<{ items: Invitee[] }>(base)).items);
    } catch (e) {
      setError(problemMessage(t, e));
    }
  }, [base, t]);
  useEffect(() => {
    void load();
  }, [load]);

  async function invite(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldError(null);
    try {
      const added = await api.post<Invitee>(base, { email: email.trim(), locale });
      toast(t('bookingPage.invited', { email: added.email }));
      setEmail('');
      await load();
    } catch (e) {
      const fields = e instanceof ApiError ? fieldErrorsOf(e, t) : {};
      if (fields.email) setFieldError(fields.email);
      else setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  async function remove(invitee: Invitee) {
    setError(null);
    try {
      await api.delete(`${base}/${encodeURIComponent(invitee.id)}`);
      toast(t('bookingPage.uninvited', { email: invitee.email }));
      await load();
    } catch (e) {
      setError(problemMessage(t, e));
    }
  }

  return (
    <section aria-labelledby="invitees-title">
      <h2 id="invitees-title" className="section-title">
        {t('bookingPage.invitees')}
      </h2>
      <p className="muted small">{t(editable ? 'bookingPage.inviteesHint' : 'bookingPage.inviteesEnded')}</p>
      {error && <Notice tone="error">{error}</Notice>}
      {items === null ? (
        <p role="status">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="muted">{t('bookingPage.noInvitees')}</p>
      ) : (
        <ul className="invitee-list">
          {items.map((i) => (
            <li key={i.id}>
              <span>{i.email}</span> <span className="tag tag-muted">{i.locale.toUpperCase()}</span>
              {editable && (
                <button type="button" className="button button-quiet button-small" onClick={() => void remove(i)}>
                  {t('bookingPage.uninvite')}
                  <span className="visually-hidden">: {i.email}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form className="invite-form" onSubmit={invite}>
          <Field label={t('bookingPage.inviteEmail')} error={fieldError}>
            <input type="email" autoComplete="off" maxLength={320} value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <Field label={t('bookingPage.inviteLanguage')}>
            <select value={locale} onChange={(e) => setLocale(e.target.value as 'it' | 'en')}>
              <option value="it">Italiano</option>
              <option value="en">English</option>
            </select>
          </Field>
          <button type="submit" className="button button-secondary" disabled={busy || !email.trim()}>
            {t('bookingPage.invite')}
          </button>
        </form>
      )}
    </section>
  );
}
