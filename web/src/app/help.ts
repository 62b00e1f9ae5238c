// Where the "Help" link of each screen leads: the matching page of the guides served at /docs, in
// the person's language.
export function helpUrl(path: string, language: 'it' | 'en'): string {
  const page = path.startsWith('/admin/provisioning')
    ? 'admin/#conferencing-services'
    : path.startsWith('/admin/sign-in')
      ? 'admin/#sign-in-through-the-federation-idem-edugain'
      : path.startsWith('/admin/rooms')
        ? 'admin/#rooms'
        : path.startsWith('/admin/institutions') || path.startsWith('/institutions/')
          ? 'admin/#institutions-and-quotas'
          : path.startsWith('/admin')
            ? 'admin/'
            : path.startsWith('/account/delegates')
              ? 'user/#book-for-someone-else'
              : path === '/account'
                ? 'user/#your-account-password-and-api-tokens'
              : path.startsWith('/bookings/new')
                ? 'user/#book-a-room'
                : path.startsWith('/bookings')
                  ? 'user/#invite-people'
                  : 'user/';
  // The Italian pages have Italian headings, so their anchors differ: those lead to the page.
  return `/docs/${language}/${language === 'en' ? page : page.replace(/#.*$/, '')}`;
}
