import { useTranslation } from 'react-i18next';
import { parseDate, showDate } from './dateEntry.ts';
import { TypedEntry, type EntryProps } from './TypedEntry.tsx';

/** A day-first date entry (dd/mm/yyyy, see dateEntry.ts); its value is "YYYY-MM-DD". */
export function DateField(props: EntryProps) {
  const { t } = useTranslation();
  return <TypedEntry {...props} parse={parseDate} show={showDate} maxLength={10} placeholder={t('form.datePlaceholder')} className="date-entry" />;
}
