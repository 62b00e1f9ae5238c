import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { problemMessage } from '../api/problems.ts';
import { useGet } from '../api/useGet.ts';
import { currentLanguage } from '../i18n/index.ts';
import { Field } from '../ui/Field.tsx';
import { LanguageSelect } from '../ui/LanguageSelect.tsx';
import { Notice } from '../ui/Notice.tsx';

/**
 * A meeting's invitation as text to paste where its people are (a course page, a chat, a mail of
 * one's own), in the language chosen: what the invitees' mails say, with the same ways in. Read
 * only when asked for: it holds the guest link.
 */
export function InvitationText({ bookingId, guestPin }: { bookingId: string; /** Guests need a PIN: the text may carry it or leave it out. */ guestPin: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [locale, setLocale] = useState<'it' | 'en'>(currentLanguage());
  const [copied, setCopied] = useState(false);
  const [withPin, setWithPin] = useState(true);
  const query = `locale=${locale}${guestPin && !withPin ? '&withGuestPin=false' : ''}`;
  const read = useGet<{ subject: string; text: string }>(open ? `/api/v1/bookings/${encodeURIComponent(bookingId)}/invitation?${query}` : null);
  const text = read.data?.text ?? null;

  function copy() {
    if (text === null) return;
    void navigator.clipboard?.writeText(text).then(() => {
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2500);
    });
  }

  return (
    <section aria-labelledby="invitation-text-title">
      <h2 id="invitation-text-title" className="section-title">
        {t('shareText.title')}
      </h2>
      <p className="field-hint">{t('shareText.lead')}</p>
      {!open ? (
        <button type="button" className="button button-secondary" aria-expanded={false} aria-controls="invitation-text-body" onClick={() => setOpen(true)}>
          {t('shareText.show')}
        </button>
      ) : (
        <div id="invitation-text-body" className="invitation-text">
          <Field label={t('shareText.language')}>
            <LanguageSelect value={locale} onChange={setLocale} />
          </Field>
          {guestPin && (
            <div className="field">
              <label className="check">
                <input type="checkbox" checked={withPin} aria-describedby="invitation-pin-hint" onChange={(e) => setWithPin(e.target.checked)} />
                {t('shareText.withPin')}
              </label>
              <p id="invitation-pin-hint" className="field-hint">
                {t('shareText.withPinHint')}
              </p>
            </div>
          )}
          {read.error ? (
            <Notice tone="error">{problemMessage(t, read.error)}</Notice>
          ) : text === null ? (
            <p role="status">{t('common.loading')}</p>
          ) : (
            <>
              <Field label={t('shareText.text')}>
                <textarea readOnly rows={Math.min(16, text.split('\n').length + 1)} value={text} onFocus={(e) => e.currentTarget.select()} />
              </Field>
              <div className="button-row">
                <button type="button" className="button button-secondary" onClick={copy}>
                  {copied ? t('details.copied') : t('shareText.copy')}
                </button>
                <span className="visually-hidden" role="status">
                  {copied ? t('details.copied') : ''}
                </span>
              </div>
            </>
          )}
        </div>
      )}
    </section>
  );
}
