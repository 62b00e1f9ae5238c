import type { Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { Suggestion } from '../api/types.ts';
import { Suggestions } from './Suggestions.tsx';

/** Why a move was refused (someone was faster, or a rule), with the API's nearest free slots. */
export function ConflictPanel({
  ref,
  title,
  message,
  suggestions,
  zoneOf,
  busy,
  onTake,
  onDismiss,
}: {
  ref: Ref<HTMLDivElement>;
  title: string;
  message: string;
  suggestions: Suggestion[];
  zoneOf(roomId: string): string;
  busy: boolean;
  onTake(s: Suggestion): void;
  onDismiss(): void;
}) {
  const { t } = useTranslation();
  return (
    <div className="conflict" role="alert" tabIndex={-1} ref={ref}>
      <div className="conflict-head">
        <p className="conflict-title">{t('conflict.title', { title })}</p>
        <button type="button" className="icon-button" aria-label={t('common.dismiss')} onClick={onDismiss}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <p>{message}</p>
      <Suggestions suggestions={suggestions} zoneOf={zoneOf} busy={busy} onTake={onTake} />
    </div>
  );
}
