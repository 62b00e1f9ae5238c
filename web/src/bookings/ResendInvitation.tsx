import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';

/**
 * "Send the invitation again" to everyone on an invitee list (`path`: the list's API address), asked
 * first, with an optional message: after a new guest link or PIN the mails they have lead nowhere.
 */
export function ResendInvitation({
  path,
  count,
  prompt,
  onSent,
}: {
  path: string;
  count: number;
  /** Why it is offered here, shown beside the button. */
  prompt?: string;
  onSent?: () => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [asking, setAsking] = useState(false);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function send() {
    setBusy(true);
    setError(null);
    try {
      const { sent } = await api.post<{ sent: number }>(`${path}/resend`, { message });
      toast(t('resend.sent', { count: sent }));
      setAsking(false);
      setMessage('');
      onSent?.();
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  if (count === 0) return null;
  return (
    <div className="resend-invitation">
      {prompt && <p className="field-hint">{prompt}</p>}
      {error && <Notice tone="error">{error}</Notice>}
      {asking ? (
        <div className="confirm-box" role="group" aria-label={t('resend.question', { count })}>
          <p>{t('resend.question', { count })}</p>
          <Field label={t('resend.message')} hint={t('resend.messageHint')}>
            <textarea rows={2} maxLength={1000} value={message} onChange={(e) => setMessage(e.target.value)} />
          </Field>
          <div className="button-row">
            <button type="button" className="button button-primary" disabled={busy} onClick={() => void send()}>
              {t('resend.confirm')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setAsking(false)}>
              {t('resend.keep')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="button button-secondary" onClick={() => setAsking(true)}>
          {t('resend.button', { count })}
        </button>
      )}
    </div>
  );
}
