// The documentation site, built by `npm run docs` into docs/.vitepress/dist and served by the
// portal at /docs. VitePress fails the build on a link to a page that does not exist.
import { defineConfig } from 'vitepress';

const guides = (lang: 'it' | 'en') => {
  const t = lang === 'it'
    ? { user: 'Guida per chi prenota', admin: 'Guida per gli amministratori', ops: 'Guida operativa', config: 'Configurazione', api: 'API' }
    : { user: 'User guide', admin: 'Administrator guide', ops: 'Operations guide', config: 'Configuration reference', api: 'API reference' };
  return [
    { text: t.user, link: `/${lang}/user/` },
    { text: t.admin, link: `/${lang}/admin/` },
    { text: t.ops, link: `/${lang}/operations/`, items: [{ text: t.config, link: `/${lang}/operations/configuration` }] },
    { text: t.api, link: `/${lang}/api` },
  ];
};

export default defineConfig({
  title: 'WebMeetings',
  base: '/docs/',
  srcExclude: ['README.md'],
  // The portal serves the files; no service worker, no analytics, nothing fetched from elsewhere.
  lastUpdated: false,
  cleanUrls: false,
  locales: {
    it: { label: 'Italiano', lang: 'it-IT', link: '/it/', themeConfig: { nav: guides('it'), sidebar: guides('it'), outline: { label: 'In questa pagina' } } },
    en: { label: 'English', lang: 'en-GB', link: '/en/', themeConfig: { nav: guides('en'), sidebar: guides('en') } },
  },
  themeConfig: { search: { provider: 'local' } },
});
