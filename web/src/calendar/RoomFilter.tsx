import { useTranslation } from 'react-i18next';
import type { Room } from '../api/types.ts';
import { Popover } from '../ui/Popover.tsx';

/** Checkboxes for the rooms the calendar shows. */
export function RoomFilter({ rooms, hidden, onChange }: { rooms: Room[]; hidden: Set<string>; onChange(hidden: Set<string>): void }) {
  const { t } = useTranslation();
  const shown = rooms.filter((r) => !hidden.has(r.id)).length;
  const toggle = (id: string, show: boolean) => {
    const next = new Set(hidden);
    if (show) next.delete(id);
    else next.add(id);
    // The last room stays: a calendar without rooms has nothing to show.
    if (rooms.every((r) => next.has(r.id))) return;
    onChange(next);
  };
  return (
    <Popover
      title={t('calendar.rooms.title')}
      buttonContent={shown === rooms.length ? t('calendar.rooms.all') : t('calendar.rooms.some', { shown, total: rooms.length })}
    >
      <ul className="room-filter">
        {rooms.map((r) => (
          <li key={r.id}>
            <label className="check">
              <input type="checkbox" checked={!hidden.has(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} />
              {r.name}
            </label>
          </li>
        ))}
      </ul>
      <button type="button" className="button button-quiet" disabled={hidden.size === 0} onClick={() => onChange(new Set())}>
        {t('calendar.rooms.showAll')}
      </button>
    </Popover>
  );
}
