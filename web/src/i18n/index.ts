import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { it } from './it.ts';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'it', label: 'Italiano' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];
export const LANGUAGE_STORAGE_KEY = 'wm.lang';

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en }, it: { translation: it } },
    supportedLngs: ['en', 'it'],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: ['localStorage'],
    },
    returnNull: false,
  });

function syncDocument(lng: string) {
  document.documentElement.lang = currentLanguage(lng);
  document.title = i18n.t('app.name');
}
syncDocument(i18n.language);
i18n.on('languageChanged', syncDocument);

export function currentLanguage(lng: string = i18n.language): Language {
  return lng?.startsWith('it') ? 'it' : 'en';
}

/** The BCP 47 locale used for Intl formatting. */
export function currentLocale(): string {
  return currentLanguage() === 'it' ? 'it-IT' : 'en-GB';
}

export default i18n;
