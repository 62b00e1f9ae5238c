import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { Booking, Invitee } from '../api/types.ts';
import { currentLanguage } from '../i18n/index.ts';
import { Field } from '../ui/Field.tsx';
import { LanguageSelect } from '../ui/LanguageSelect.tsx';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';
import { addressesIn } from './addresses.ts';
import { ResendInvitation } from './ResendInvitation.tsx';

/** The most addresses one invitation sends to (the API's bound). */
const MOST_AT_ONCE = 50;

/** The invitee list a booking's page shows: its series' for a date of a series, else its own. */
export const inviteesPath = (booking: Booking) =>
  booking.seriesId ? `/api/v1/series/${encodeURIComponent(booking.seriesId)}/invitees` : `/api/v1/bookings/${encodeURIComponent(booking.id)}/invitees`;

/**
 * People invited by e-mail to a booking, or to the whole series for an occurrence. A single meeting
 * that has ended keeps its list to read: the server refuses changes to it (BOOKING_ENDED).
 */
export function Invitees({ booking, ended }: { booking: Booking; ended: boolean }) {
  const { t } = useTranslation();
  const editable = Boolean(booking.seriesId) || !ended;
  const toast = useToast();
  const base = inviteesPath(booking);
  const [items, setItems] = useState<Invitee[] | null>(null);
  const [text, setText] = useState('');
  const [already, setAlready] = useState<string[]>([]);
  const [locale, setLocale] = useState<'it' | 'en'>(currentLanguage());
  const [message, setMessage] = useState('');
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

  const emails = addressesIn(text);

  /** Invites every address in the box at once: all of them, or none with the reason (the box keeps its text). */
  async function invite(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setFieldError(null);
    setAlready([]);
    if (emails.length > MOST_AT_ONCE) {
      setFieldError(t('bookingPage.tooManyAtOnce', { count: emails.length, most: MOST_AT_ONCE }));
      return;
    }
    setBusy(true);
    try {
      const answer = await api.post<{ added: Invitee[]; alreadyInvited: string[] }>(`${base}/batch`, { emails, locale, ...(message.trim() ? { message } : {}) });
      if (answer.added.length === 1) toast(t('bookingPage.invited', { email: answer.added[0]!.email }));
      else if (answer.added.length > 1) toast(t('bookingPage.invitedMany', { count: answer.added.length }));
      setAlready(answer.alreadyInvited);
      setText('');
      setMessage('');
      await load();
    } catch (e) {
      const wrong = e instanceof ApiError ? e.errors.map((fe) => /^body\.emails\.(\d+)$/.exec(fe.path)).filter((m) => m !== null) : [];
      if (wrong.length > 0) setFieldError(wrong.map((m) => t('bookingPage.notAnAddress', { text: emails[Number(m[1])] ?? '' })).join(' '));
      else setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  async function setCohost(invitee: Invitee, cohost: boolean) {
    setError(null);
    // The box shows the choice at once; a refusal puts it back and says why.
    const put = (value: boolean) => setItems((list) => list?.map((i) => (i.id === invitee.id ? { ...i, cohost: value } : i)) ?? null);
    put(cohost);
    try {
      await api.patch<Invitee>(`${base}/${encodeURIComponent(invitee.id)}`, { cohost });
      toast(t(cohost ? 'bookingPage.cohostOn' : 'bookingPage.cohostOff', { email: invitee.email }));
    } catch (e) {
      put(!cohost);
      setError(problemMessage(t, e));
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
      {already.length > 0 && <Notice tone="info">{t('bookingPage.alreadyInvited', { count: already.length, emails: already.join(', ') })}</Notice>}
      {items === null ? (
        <p role="status">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p className="muted">{t('bookingPage.noInvitees')}</p>
      ) : (
        <>
          <p className="invitee-replies">
            {t('bookingPage.replies', { yes: items.filter((i) => i.reply === 'yes').length, no: items.filter((i) => i.reply === 'no').length, none: items.filter((i) => i.reply === null).length })}
          </p>
          <ul className="invitee-list">
            {items.map((i) => (
              <li key={i.id}>
                <span>{i.email}</span> <span className="tag tag-muted">{i.locale.toUpperCase()}</span>
                {/* Their answer from the link in their mails; none yet is said in the count above. */}
                {i.reply && <span className={`tag ${i.reply === 'yes' ? 'tag-ok' : 'tag-warn'}`}>{t(i.reply === 'yes' ? 'bookingPage.replyYes' : 'bookingPage.replyNo')}</span>}
                {i.muted && <span className="tag tag-muted">{t('bookingPage.muted')}</span>}
                {editable ? (
                  <label className="check invitee-cohost">
                    <input type="checkbox" checked={i.cohost} aria-label={`${t('bookingPage.cohost')}: ${i.email}`} onChange={(e) => void setCohost(i, e.target.checked)} />
                    <span aria-hidden="true">{t('bookingPage.cohost')}</span>
                  </label>
                ) : (
                  i.cohost && <span className="tag">{t('bookingPage.cohost')}</span>
                )}
                {editable && (
                  <button type="button" className="button button-quiet button-small" onClick={() => void remove(i)}>
                    {t('bookingPage.uninvite')}
                    <span className="visually-hidden">: {i.email}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
          {items.some((i) => i.muted) && <p className="field-hint">{t('bookingPage.muted')}: {t('bookingPage.mutedHint')}</p>}
        </>
      )}
      {editable && items && items.length > 0 && (
        <p className="field-hint">
          {t('bookingPage.cohostHint')}
        </p>
      )}
      {/* Those who asked for no more mail are not sent it again. */}
      {editable && items && <ResendInvitation path={base} count={items.filter((i) => !i.muted).length} />}
      {editable && (
        <form className="invite-form" onSubmit={invite}>
          <Field label={t('bookingPage.inviteEmail')} hint={t('bookingPage.inviteEmailHint', { most: MOST_AT_ONCE })} error={fieldError}>
            <textarea rows={2} autoComplete="off" spellCheck={false} maxLength={20_000} value={text} onChange={(e) => setText(e.target.value)} />
          </Field>
          <Field className="invite-message" label={t('bookingPage.inviteMessage')} hint={t('bookingPage.inviteMessageHint')}>
            <textarea rows={2} maxLength={1000} value={message} onChange={(e) => setMessage(e.target.value)} />
          </Field>
          <Field label={t('bookingPage.inviteLanguage')}>
            <LanguageSelect value={locale} onChange={setLocale} />
          </Field>
          <button type="submit" className="button button-secondary" disabled={busy || emails.length === 0}>
            {t('bookingPage.invite')}
          </button>
        </form>
      )}
    </section>
  );
}
