import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { User } from '../api/types.ts';

export type PickedPerson = { id: string; name: string; email: string };

/**
 * Finds a person by name or e-mail (GET /users?q=) and gives up their id: a search field, then a
 * short list of matches as buttons; the chosen person shows as a name with a button to clear it.
 */
export function PersonPicker({ label, value, onChange }: { label: string; value: PickedPerson | null; onChange(p: PickedPerson | null): void }) {
  const { t } = useTranslation();
  const id = useId();
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<User[] | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setMatches(null);
      return;
    }
    let live = true;
    const timer = window.setTimeout(() => {
      api
        .get<{ items: User[] }>('/api/v1/users', { q, limit: 8 })
        .then((r) => live && setMatches(r.items))
        .catch(() => live && setMatches([]));
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [query]);

  if (value) {
    return (
      <div className="field person-picker">
        <span className="field-label" id={`${id}-label`}>
          {label}
        </span>
        <p className="person-chosen" aria-labelledby={`${id}-label`}>
          <span>
            <strong>{value.name}</strong> <span className="muted small">{value.email}</span>
          </span>
          <button type="button" className="button button-quiet button-small" onClick={() => onChange(null)}>
            {t('admin.audit.clearPerson')}
            <span className="visually-hidden">: {value.name}</span>
          </button>
        </p>
      </div>
    );
  }
  return (
    <div className="field person-picker">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input id={id} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('admin.audit.personPlaceholder')} autoComplete="off" aria-describedby={`${id}-status`} />
      <p id={`${id}-status`} className="visually-hidden" role="status">
        {matches === null ? '' : t('admin.audit.personMatches', { count: matches.length })}
      </p>
      {matches && matches.length > 0 && (
        <ul className="person-matches" aria-label={t('admin.audit.personResults')}>
          {matches.map((u) => (
            <li key={u.id}>
              <button
                type="button"
                onClick={() => {
                  onChange({ id: u.id, name: u.name, email: u.email });
                  setQuery('');
                }}
              >
                <strong>{u.name}</strong> <span className="small">{u.email}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {matches && matches.length === 0 && <p className="field-hint">{t('admin.audit.personNone')}</p>}
    </div>
  );
}
