import type { SelectHTMLAttributes } from 'react';

type Props = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & { value: 'it' | 'en'; onChange(v: 'it' | 'en'): void };

/**
 * A choice of the two languages the portal writes in, for what is written to someone else (an
 * invitation mailed or shared), each named in its own language. Labelled by the Field around it,
 * which also gives it its id and description.
 */
export function LanguageSelect({ value, onChange, ...rest }: Props) {
  return (
    <select {...rest} value={value} onChange={(e) => onChange(e.target.value === 'en' ? 'en' : 'it')}>
      <option value="it" lang="it">
        Italiano
      </option>
      <option value="en" lang="en">
        English
      </option>
    </select>
  );
}
