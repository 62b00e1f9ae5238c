import { useTranslation } from 'react-i18next';
import type { Suggestion } from '../api/types.ts';
import { formatSlot } from '../i18n/format.ts';

/** The API's nearest free slots, each one button away. */
export function Suggestions({
  suggestions,
  zoneOf,
  onTake,
  busy,
}: {
  suggestions: Suggestion[];
  zoneOf(roomId: string): string;
  onTake(s: Suggestion): void;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  if (suggestions.length === 0) return <p className="muted">{t('conflict.noSuggestions')}</p>;
  return (
    <div className="suggestions">
      <p className="suggestions-title">{t('conflict.suggestionsTitle')}</p>
      <ul>
        {suggestions.slice(0, 5).map((s) => (
          <li key={`${s.roomId}|${s.start}`}>
            <button type="button" className="button button-secondary suggestion" disabled={busy} onClick={() => onTake(s)}>
              <span className="suggestion-room">{s.roomName}</span>
              <span className="suggestion-time">{formatSlot(s.start, s.end, zoneOf(s.roomId))}</span>
              <span className="visually-hidden">{t('conflict.take')}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
