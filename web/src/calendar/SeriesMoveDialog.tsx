import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { formatSlot } from '../i18n/format.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Field } from '../ui/Field.tsx';
import type { GridMove } from './RoomCalendar.tsx';
import { zonedToInstant } from './zone.ts';

export interface SeriesMove {
  move: GridMove;
  seriesId: string;
  title: string;
  zone: string;
}

const minutesOf = (local: string) => Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16));

/**
 * A dragged occurrence of a series: move only this meeting (it becomes an exception) or the whole
 * series (every meeting takes the new start time and length; each keeps its own date). Closing
 * the dialog puts the block back.
 */
export function SeriesMoveDialog({ pending, onDone }: { pending: SeriesMove | null; onDone(answer: { ok: true; message: string } | { ok: false; error?: unknown }): void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  // Mailed with the update to the booker and the invitees (the move of one date, or of the series).
  const [message, setMessage] = useState('');

  async function apply(scope: 'one' | 'all') {
    if (!pending) return;
    const { move, seriesId, zone } = pending;
    const start = zonedToInstant(move.start, zone);
    const end = zonedToInstant(move.end, zone);
    const body = {
      ...(scope === 'one'
        ? { scope, roomId: move.roomId, start: start.toISOString(), end: end.toISOString() }
        : { scope, roomId: move.roomId, startTime: move.start.slice(11, 16), durationMinutes: minutesOf(move.end) - minutesOf(move.start) }),
      message,
    };
    setBusy(true);
    try {
      await api.patch(`/api/v1/series/${encodeURIComponent(seriesId)}/occurrences/${encodeURIComponent(move.bookingId)}`, body);
      setMessage('');
      onDone({
        ok: true,
        message: t(scope === 'one' ? 'seriesActions.movedOne' : 'seriesActions.movedAll', { title: pending.title, when: formatSlot(start, end, zone) }),
      });
    } catch (error) {
      move.revert();
      onDone({ ok: false, error });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={pending !== null}
      title={t('seriesActions.moveTitle')}
      onClose={() => {
        if (busy) return;
        setMessage('');
        pending?.move.revert();
        onDone({ ok: false });
      }}
      actions={
        <>
          <button type="button" className="button button-primary" disabled={busy} onClick={() => void apply('one')}>
            {t('seriesActions.moveOne')}
          </button>
          <button type="button" className="button button-secondary" disabled={busy} onClick={() => void apply('all')}>
            {t('seriesActions.moveAll')}
          </button>
        </>
      }
    >
      <p>{pending ? t('seriesActions.moveQuestion', { title: pending.title }) : null}</p>
      <p className="field-hint">{t('seriesActions.moveAllHint')}</p>
      <Field label={t('changeMessage.label')} hint={t('changeMessage.hint')}>
        <textarea rows={2} maxLength={1000} value={message} onChange={(e) => setMessage(e.target.value)} />
      </Field>
    </Dialog>
  );
}
