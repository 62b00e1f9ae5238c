import { useEffect, useState, type FocusEvent } from 'react';

export type EntryProps = {
  /** The value in its stored form, or what the person typed while it does not read as one yet. */
  value: string;
  onChange(value: string): void;
  id?: string;
  required?: boolean;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
};

/**
 * A text box for a value typed by hand (a date, a time) that behaves alike in every browser and
 * language: the value given up is the stored form (`parse`) as soon as the text reads as one,
 * otherwise the text itself (which the form's checks then refuse); on leaving the box the text
 * takes the displayed form (`show`).
 */
export function TypedEntry({
  value,
  onChange,
  parse,
  show,
  maxLength,
  placeholder,
  className,
  ...rest
}: EntryProps & { parse(text: string): string | null; show(value: string): string; maxLength: number; placeholder: string; className: string }) {
  const [text, setText] = useState(() => show(value));
  // A value set from outside (a slot or a suggestion taken, a booking loaded) replaces the text.
  useEffect(() => {
    setText((current) => (parse(current) === value ? current : show(value)));
  }, [value]);
  return (
    <input
      type="text"
      inputMode="numeric"
      autoComplete="off"
      spellCheck={false}
      maxLength={maxLength}
      size={maxLength + 1}
      placeholder={placeholder}
      className={className}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parse(e.target.value) ?? e.target.value);
      }}
      onFocus={(e: FocusEvent<HTMLInputElement>) => e.target.select()}
      onBlur={() => {
        const parsed = parse(text);
        if (parsed) setText(show(parsed));
      }}
      {...rest}
    />
  );
}
