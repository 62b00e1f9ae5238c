import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A search box applied on Search or Enter, not at each key: the words as typed stay here, and
 * `onSearch` gets them trimmed. `children`: other filters of the same bar (applied as they change).
 */
export function SearchBar({ id, label, placeholder, onSearch, children }: { id: string; label: string; placeholder: string; onSearch(words: string): void; children?: ReactNode }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  return (
    <form
      className="filter-bar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text.trim());
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={placeholder} />
      <button type="submit" className="button button-secondary">
        {t('common.search')}
      </button>
      {children}
    </form>
  );
}
