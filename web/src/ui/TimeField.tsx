import { useEffect, useState, type FocusEvent } from 'react';
import { parseTimeOfDay } from './timeEntry.ts';

type Props = {
  /** "HH:mm", or what the person typed while it is not a time yet. */
  value: string;
  onChange(value: string): void;
  id?: string;
  required?: boolean;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
};

/**
 * A 24-hour time entry that behaves alike in every browser and language (see timeEntry.ts). The
 * value given up is "HH:mm" as soon as the text reads as a time, otherwise the text itself (which
 * the form's checks then refuse); on leaving the field the text takes the "HH:mm" form.
 */
export function TimeField({ value, onChange, ...rest }: Props) {
  const [text, setText] = useState(value);
  // A value set from outside (a suggestion taken, a booking loaded) replaces the text.
  useEffect(() => {
    setText((current) => (parseTimeOfDay(current) === value ? current : value));
  }, [value]);
  return (
    <input
      type="text"
      inputMode="numeric"
      autoComplete="off"
      spellCheck={false}
      maxLength={5}
      size={6}
      placeholder="hh:mm"
      className="time-entry"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseTimeOfDay(e.target.value) ?? e.target.value);
      }}
      onFocus={(e: FocusEvent<HTMLInputElement>) => e.target.select()}
      onBlur={() => {
        const time = parseTimeOfDay(text);
        if (time) setText(time);
      }}
      {...rest}
    />
  );
}
