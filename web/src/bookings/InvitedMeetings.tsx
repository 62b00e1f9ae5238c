import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import { useGet } from '../api/useGet.ts';
import { formatSlot, slotInOwnZone } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';

type InvitedMeeting = {
  id: string;
  title: string;
  roomName: string;
  timeZone: string;
  start: string;
  end: string;
  booker: { name: string };
  seriesId: string | null;
  joinUrl: string;
  /** Invited as a co-host: they enter as host. */
  cohost: boolean;
  /** Their answer: will they come (a date of a series: the series' answer, unless the date has its own invitation). */
  reply: 'yes' | 'no' | null;
};

const PATH = '/api/v1/invitations?limit=50';

/** An invitation from a room in another zone than the person's: its time in theirs too. */
function OwnTime({ m }: { m: InvitedMeeting }) {
  const { t } = useTranslation();
  const own = slotInOwnZone(m.start, m.end, m.timeZone, true);
  return own ? (
    <div className="muted small" data-slot="own-time">
      {t('details.ownTime', { zone: own.zone })}: {own.text}
    </div>
  ) : null;
}

/**
 * On "My bookings": the meetings others booked that the person is invited to by e-mail (their
 * account's address), soonest first, each with its way in and their answer (will they come), which
 * the booker sees. Nothing shown when there are none.
 */
export function InvitedMeetings() {
  const { t } = useTranslation();
  const toast = useToast();
  const read = useGet<{ items: InvitedMeeting[] }>(PATH);
  // After an answer, the list as read again: an answer to a series' invitation holds for its every date.
  const [reread, setReread] = useState<InvitedMeeting[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const items = reread ?? read.data?.items ?? [];
  if (items.length === 0) return null;

  async function answer(m: InvitedMeeting, reply: 'yes' | 'no') {
    setBusy(m.id);
    setError(null);
    try {
      await api.put(`/api/v1/invitations/${encodeURIComponent(m.id)}/reply`, { reply });
      toast(t(reply === 'yes' ? 'invited.answeredYes' : 'invited.answeredNo', { name: m.booker.name }));
      setReread((await api.get<{ items: InvitedMeeting[] }>(PATH)).items);
    } catch (e) {
      setError(problemMessage(t, e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="invited-title" className="invited-meetings">
      <h2 id="invited-title" className="section-title">
        {t('invited.title')}
      </h2>
      {error && <Notice tone="error">{error}</Notice>}
      <ul className="invited-list">
        {items.map((m) => (
          <li key={m.id}>
            <div>
              <strong>{m.title}</strong>{' '}
              {m.cohost && <span className="tag">{t('bookingPage.cohost')}</span>}
              <div className="muted">
                {formatSlot(m.start, m.end, m.timeZone, true)} · {m.roomName} · {t('invited.by', { name: m.booker.name })}
              </div>
              <OwnTime m={m} />
            </div>
            <div className="invited-actions">
              {/* Their answer, pressed; named with its meeting for a list read button by button. */}
              <div role="group" aria-label={`${t('invited.question')} ${m.title}`} className="invited-answer">
                <span aria-hidden="true">{t('invited.question')}</span>
                {(['yes', 'no'] as const).map((r) => (
                  <button key={r} type="button" className={`button button-small ${m.reply === r ? 'button-primary' : 'button-secondary'}`} aria-pressed={m.reply === r} disabled={busy === m.id} onClick={() => void answer(m, r)}>
                    {t(r === 'yes' ? 'invited.yes' : 'invited.no')}
                  </button>
                ))}
              </div>
              {/* Named with its meeting for a list read link by link; the visible word comes first. */}
              <a className="button button-secondary button-small" href={m.joinUrl} aria-label={`${t('invited.join')}: ${m.title}`}>
                {t('invited.join')}
              </a>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
