import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PersonPicker, type PickedPerson } from '../admin/PersonPicker.tsx';
import { useGet } from '../api/useGet.ts';
import { Field } from '../ui/Field.tsx';

/** GET /api/v1/account/book-for: the people who let me book for them; whom else I may look up. */
export type BookFor = { people: PickedPerson[]; search: 'none' | 'institution' | 'anyone' };

const OTHER = '__other__';

/**
 * "Book for" (issue #17): me by default, one of the people I may book for, or (managers, admins)
 * someone found by name. Shows nothing when there is nobody else to book for.
 */
export function BookForField({ value, onChange, id = 'field-ownerId' }: { value: PickedPerson | null; onChange(p: PickedPerson | null): void; id?: string }) {
  const { t } = useTranslation();
  const read = useGet<BookFor>('/api/v1/account/book-for');
  // Not read: nobody else to offer, as for someone who may book for nobody.
  const choice: BookFor | null = read.error ? { people: [], search: 'none' } : read.data;
  const [other, setOther] = useState(false);

  if (!choice || (choice.people.length === 0 && choice.search === 'none')) return null;
  const listed = value && choice.people.some((p) => p.id === value.id);
  const selected = other || (value && !listed) ? OTHER : (value?.id ?? '');
  return (
    <>
      <Field id={id} label={t('bookFor.label')} hint={t('bookFor.hint')}>
        <select
          value={selected}
          onChange={(e) => {
            const v = e.target.value;
            setOther(v === OTHER);
            onChange(v === '' || v === OTHER ? null : (choice.people.find((p) => p.id === v) ?? null));
          }}
        >
          <option value="">{t('bookFor.me')}</option>
          {choice.people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
          {choice.search !== 'none' && <option value={OTHER}>{t(choice.search === 'anyone' ? 'bookFor.someoneElse' : 'bookFor.member')}</option>}
        </select>
      </Field>
      {selected === OTHER && <PersonPicker label={t('bookFor.find')} value={value} onChange={onChange} />}
    </>
  );
}
