import { useEffect, useState, type FocusEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { parseDate, showDate } from './dateEntry.ts';

type Props = {
  /** "YYYY-MM-DD", or what the person typed while it is not a date yet. */
  value: string;
  onChange(value: string): void;
  id?: string;
  required?: boolean;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
};

/**
 * A day-first date entry (dd/mm/yyyy) that behaves alike in every browser (see dateEntry.ts). The
 * value given up is "YYYY-MM-DD" as soon as the text reads as a date, otherwise the text itself
 * (which the form's checks then refuse); on leaving the field the text takes the dd/mm/yyyy form.
 */
export function DateField({ value, onChange, ...rest }: Props) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => showDate(value));
  // A value set from outside (a slot taken, a booking loaded) replaces the text.
  useEffect(() => {
    setText((current) => (parseDate(current) === value ? current : showDate(value)));
  }, [value]);
  return (
    <input
      type="text"
      inputMode="numeric"
      autoComplete="off"
      spellCheck={false}
      maxLength={10}
      size={11}
      placeholder={t('form.datePlaceholder')}
      className="date-entry"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseDate(e.target.value) ?? e.target.value);
      }}
      onFocus={(e: FocusEvent<HTMLInputElement>) => e.target.select()}
      onBlur={() => {
        const date = parseDate(text);
        if (date) setText(showDate(date));
      }}
      {...rest}
    />
  );
}
