import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.tsx';
import { currentLanguage, LANGUAGES, type Language } from '../i18n/index.ts';

export function LanguageSwitcher({ className }: { className?: string }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const { chooseLanguage } = useSession();
  return (
    <div className={`language-switcher ${className ?? ''}`}>
      <label htmlFor={id} className="visually-hidden">
        {t('nav.language')}
      </label>
      <select id={id} value={currentLanguage(i18n.language)} onChange={(e) => void chooseLanguage(e.target.value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </div>
  );
}
