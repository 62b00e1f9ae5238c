import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { fieldErrorsOf, problemMessage } from '../api/problems.ts';
import type { VirtualRoom } from '../api/types.ts';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';
import { ResendInvitation } from './ResendInvitation.tsx';

type Policy = VirtualRoom['guestPolicy'];

/** A PIN to start from when the booker first asks for one: six digits, from the browser's CSPRNG. */
function suggestedPin(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000;
  return String(n).padStart(6, '0');
}

/**
 * How guests without an account enter (the link alone, the link and a PIN, or a lobby where the
 * room's service has one), and a new guest link when the old one went where it should not. The
 * booking's managers only; the answer (the room's state with the new link) goes to `onChange`, so
 * the details above show what holds now.
 */
export function GuestAccess({
  bookingId,
  room,
  onChange,
  invitees,
}: {
  bookingId: string;
  room: VirtualRoom;
  onChange: (room: VirtualRoom) => void;
  /** The invitee list's API address: after a change, those on it may be sent the invitation again. */
  invitees: string;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [policy, setPolicy] = useState<Policy>(room.guestPolicy);
  const [pin, setPin] = useState(room.guestPin ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pinError, setPinError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // After a change here, how many people hold an invitation with the previous way in (null: none asked yet).
  const [outdated, setOutdated] = useState<number | null>(null);
  // What the server holds, when it changes (a save here, or a new link): the form starts from it.
  useEffect(() => {
    setPolicy(room.guestPolicy);
    setPin(room.guestPin ?? '');
  }, [room.guestPolicy, room.guestPin]);

  const path = `/api/v1/bookings/${encodeURIComponent(bookingId)}`;

  /** The room as changed, and whether anyone invited should hear of it (a new link, or a PIN they lack). */
  async function changed(next: VirtualRoom, tellInvitees: boolean) {
    onChange(next);
    if (!tellInvitees) return;
    const list = await api.get<{ items: unknown[] }>(invitees).catch(() => null);
    setOutdated(list?.items.length ?? null);
  }
  const edited = policy !== room.guestPolicy || (policy === 'pin' && pin !== (room.guestPin ?? ''));
  const policies: Policy[] = room.lobbyAvailable || room.guestPolicy === 'lobby' ? ['open', 'pin', 'lobby'] : ['open', 'pin'];

  function choose(p: Policy) {
    setPolicy(p);
    setError(null);
    setPinError(null);
    if (p === 'pin' && !pin) setPin(suggestedPin());
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setPinError(null);
    try {
      const next = await api.put<VirtualRoom>(`${path}/guest-policy`, policy === 'pin' ? { policy, pin } : { policy });
      // A new PIN keeps out those whose mail has none: they need the invitation again.
      await changed(next, next.guestPolicy === 'pin');
      toast(next.guestPolicy === 'pin' ? t('guestAccess.savedPin', { pin: next.guestPin }) : t(`guestAccess.saved.${next.guestPolicy}`));
    } catch (err) {
      // A PIN refused (too short, not digits, none) is said at its field, and stays there to mend.
      if (policy === 'pin' && err instanceof ApiError && err.status === 400) setPinError(fieldErrorsOf(err, t).pin ?? problemMessage(t, err));
      else setError(problemMessage(t, err));
    } finally {
      setBusy(false);
    }
  }

  async function renew() {
    setBusy(true);
    setError(null);
    try {
      await changed(await api.post<VirtualRoom>(`${path}/guest-link`), true);
      setConfirming(false);
      toast(t('guestAccess.renewed'));
    } catch (err) {
      setError(problemMessage(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="guest-access-title">
      <h2 id="guest-access-title" className="section-title">
        {t('guestAccess.title')}
      </h2>
      <p className="field-hint">{t('guestAccess.lead')}</p>
      {room.guestLinkForSeries && <p className="field-hint">{t('guestAccess.forSeries')}</p>}
      {error && <Notice tone="error">{error}</Notice>}
      <form className="guest-access" onSubmit={(e) => void save(e)}>
        <fieldset className="repeat-mode">
          <legend>{t('guestAccess.how')}</legend>
          {policies.map((p) => (
            <label key={p} className="check">
              <input type="radio" name="guest-policy" value={p} checked={policy === p} onChange={() => choose(p)} />
              {t(`guestAccess.policy.${p}`)}
            </label>
          ))}
          {policy === 'pin' && (
            <Field label={t('guestAccess.pin')} hint={t('guestAccess.pinHint')} error={pinError}>
              <input
                type="text"
                inputMode="numeric"
                autoComplete="off"
                maxLength={10}
                value={pin}
                onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
              />
            </Field>
          )}
          {policy === 'lobby' && <p className="field-hint">{t('guestAccess.lobbyHint')}</p>}
        </fieldset>
        <div className="button-row">
          <button type="submit" className="button button-secondary" disabled={busy || !edited}>
            {busy ? t('common.saving') : t('guestAccess.save')}
          </button>
        </div>
      </form>
      {outdated !== null && <ResendInvitation path={invitees} count={outdated} prompt={t('resend.afterChange')} onSent={() => setOutdated(null)} />}
      {confirming ? (
        <div className="confirm-box" role="group" aria-label={t('guestAccess.renewQuestion')}>
          <p>{t('guestAccess.renewQuestion')}</p>
          <div className="button-row">
            <button type="button" className="button button-danger" disabled={busy} onClick={() => void renew()}>
              {t('guestAccess.renewConfirm')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
              {t('guestAccess.keep')}
            </button>
          </div>
        </div>
      ) : (
        <p>
          <button type="button" className="button button-quiet" onClick={() => setConfirming(true)}>
            {t('guestAccess.renew')}
          </button>
        </p>
      )}
    </section>
  );
}
