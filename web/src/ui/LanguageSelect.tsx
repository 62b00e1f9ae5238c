import type { SelectHTMLAttributes } from 'react';

type Lang = 'it' | 'en';
type Props<V extends Lang | ''> = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & {
  value: V;
  onChange(v: NoInfer<V>): void;
  /** With an empty choice first, so labelled (a person's language left to the portal's default). */
  defaultLabel?: V extends '' ? string : never;
};

/**
 * A choice of the two languages the portal writes in (a person's mails, an invitation mailed or
 * shared), each named in its own language. Labelled by the Field around it, which also gives it
 * its id and description.
 */
export function LanguageSelect<V extends Lang | ''>({ value, onChange, defaultLabel, ...rest }: Props<V>) {
  return (
    <select {...rest} value={value} onChange={(e) => onChange(e.target.value as V)}>
      {defaultLabel !== undefined && <option value="">{defaultLabel}</option>}
      <option value="it" lang="it">
        Italiano
      </option>
      <option value="en" lang="en">
        English
      </option>
    </select>
  );
}
