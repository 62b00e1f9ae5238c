// People management in the browser (issue #12): an administrator adds a person from the Users page,
// the person chooses a password through the link in the mail (caught by a real SMTP server) and
// signs in; someone who forgot their password resets it from the sign-in page; a manager invites a
// member of their own institution; an administrator disables an account and the audit log says so
// in words; administrators and managers find a person's bookings from their list of people, which
// shows a long list a page at a time.
// English and Italian, axe on every state, at a fixed clock on the portal and in the browser.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SmtpPeer, type Received } from '../notify/smtp-peer.ts';
import { TestClock } from '../support/portal.ts';
import { describeInBrowser, expectAccessible, launchBrowser, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';

const NOW = '2026-03-20T09:00:00Z';
// Each path walks several pages with axe on each: minutes on a loaded machine.
const LONG = 240_000;

describeInBrowser('people management without the API', () => {
  let portal: BrowserPortal;
  let smtp: SmtpPeer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** A fresh browser profile at the fixed clock, in one language. */
  async function open(locale: 'en-GB' | 'it-IT'): Promise<Page> {
    const context = await newContext(browser, portal.baseUrl, { locale });
    await context.clock.setFixedTime(new Date(NOW));
    contexts.push(context);
    return context.newPage();
  }

  /** The link of a mail, as a path of the portal under test (the mail says PUBLIC_URL). */
  const linkPath = (m: Received) => {
    const url = /https?:\/\/\S+\/password\/set#[A-Za-z0-9_-]{43}/.exec(m.parsed.text ?? '')![0];
    const u = new URL(url);
    return u.pathname + u.hash;
  };

  beforeAll(async () => {
    smtp = new SmtpPeer();
    await smtp.start();
    portal = await startBrowserPortal({ SMTP_URL: smtp.url, MAIL_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://meet.example.org' }, undefined, { clock: new TestClock(NOW) });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await portal?.close();
    await smtp?.stop();
  }, LONG);

  it('an administrator adds a person, who chooses a password through the mailed link and signs in', async () => {
    const admin = await open('en-GB');
    await signIn(admin, portal.admin.email, portal.admin.password);
    await admin.getByRole('link', { name: 'Users' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await admin.getByRole('button', { name: 'Add a person' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Add a person' });
    await dialog.waitFor();
    // Told, not sent, when the address is not one.
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Nora Neri');
    await dialog.getByRole('textbox', { name: 'Email', exact: true }).fill('nora.neri');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Enter an email address such as name@university.it.').waitFor();
    await dialog.getByRole('textbox', { name: 'Email', exact: true }).fill('nora.neri@prova.it');
    await dialog.getByLabel('Institution').selectOption({ label: 'Università degli Studi di Prova' });
    await dialog.getByLabel('Language of emails').selectOption('en');
    expect(await dialog.getByLabel('Send a link to choose a password').isChecked()).toBe(true);
    await expectAccessible(admin, 'add-a-person dialog');
    await screenshot(admin, 'people-add-dialog-en');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await admin.getByText('A link to choose a password was sent to nora.neri@prova.it.').waitFor();
    await admin.getByRole('row').filter({ hasText: 'Nora Neri' }).waitFor();
    // How she can sign in, and whether she has: nothing yet.
    await admin.getByRole('row').filter({ hasText: 'Nora Neri' }).getByText('No password chosen yet · never signed in').waitFor();
    await expectAccessible(admin, 'users page');
    await screenshot(admin, 'people-users-en');

    // The same address again: the page says so in words.
    await admin.getByRole('button', { name: 'Add a person' }).click();
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Nora Due');
    await dialog.getByRole('textbox', { name: 'Email', exact: true }).fill('NORA.NERI@prova.it');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Someone already has an account with this email address.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    const mail = await smtp.waitFor((m) => m.to.includes('nora.neri@prova.it'));
    expect(mail.parsed.subject).toBe('Choose your WebMeetings password');
    const path = linkPath(mail);

    const nora = await open('en-GB');
    await nora.goto(path);
    await nora.getByRole('heading', { level: 1, name: 'Choose your password' }).waitFor();
    await nora.getByText('For Nora Neri (nora.neri@prova.it).').waitFor();
    // The secret leaves the address bar at once.
    expect(new URL(nora.url()).hash).toBe('');
    await nora.getByText('This link works once and expires on 23 March 2026 at 10:00.').waitFor();
    await expectAccessible(nora, 'choose-password page');
    await screenshot(nora, 'people-set-password-en');
    await nora.getByLabel('New password').fill('too short');
    await nora.getByRole('button', { name: 'Save the password' }).click();
    await nora.getByText('Use at least 12 characters.').waitFor();
    await expectAccessible(nora, 'choose-password page with an error');
    await nora.getByLabel('New password').fill('nora chooses four words');
    await nora.getByLabel('Repeat the password').fill('nora chooses four word');
    await nora.getByRole('button', { name: 'Save the password' }).click();
    await nora.getByText('The two passwords are not the same.').waitFor();
    await nora.getByLabel('Repeat the password').fill('nora chooses four words');
    await nora.getByRole('button', { name: 'Save the password' }).click();
    await nora.getByRole('heading', { level: 1, name: 'Your password is set' }).waitFor();
    await expectAccessible(nora, 'password set');
    await nora.getByRole('link', { name: 'Sign in' }).click();
    // The address is filled in; the new password opens the portal.
    await expect.poll(() => nora.getByLabel(/^Email address/).inputValue()).toBe('nora.neri@prova.it');
    await nora.getByLabel(/^Password/).fill('nora chooses four words');
    await nora.getByRole('button', { name: 'Sign in', exact: true }).click();
    await nora.getByRole('button', { name: 'Sign out' }).waitFor();
    await admin.reload();
    await admin.getByRole('row').filter({ hasText: 'Nora Neri' }).getByText(/^Password of this portal · last signed in on \d{1,2} \w{3} \d{4}$/).waitFor();

    // The link works once.
    const again = await open('en-GB');
    await again.goto(path);
    await again.getByText('This link was already used. Sign in with your password, or ask for a new link.').waitFor();
    await expectAccessible(again, 'used link');
  }, LONG);

  it('someone who forgot their password gets a link from the sign-in page and signs in with a new one (in Italian)', async () => {
    const maria: Person = await portal.member('Maria Rossi');
    const page = await open('it-IT');
    await page.goto('/');
    await page.getByRole('link', { name: 'Password dimenticata?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Password dimenticata?' }).waitFor();
    await expectAccessible(page, 'forgot-password page');
    await screenshot(page, 'people-forgot-it');
    await page.getByLabel(/^Indirizzo email/).fill(maria.email);
    await page.getByRole('button', { name: 'Inviami un link' }).click();
    await page.getByText('Controlla la tua casella di posta').waitFor();
    await expectAccessible(page, 'forgot-password answer');
    await screenshot(page, 'people-forgot-sent-it');

    // An unknown address gets the very same page.
    const other = await open('it-IT');
    await other.goto('/password/forgot');
    await other.getByLabel(/^Indirizzo email/).fill('nessuno@prova.it');
    await other.getByRole('button', { name: 'Inviami un link' }).click();
    await other.getByText('Controlla la tua casella di posta').waitFor();
    expect(await other.locator('main').innerText()).toBe(await page.locator('main').innerText());

    const mail = await smtp.waitFor((m) => m.to.includes(maria.email));
    expect(mail.parsed.subject).toBe('Reimposta la password di WebMeetings');
    expect(mail.parsed.text).toContain('scade il 20 marzo 2026 alle 11:00');
    await page.goto(linkPath(mail));
    await page.getByRole('heading', { level: 1, name: 'Scegli una nuova password' }).waitFor();
    await page.getByText('ha almeno 12 caratteri', { exact: false }).waitFor();
    await expectAccessible(page, 'new-password page');
    await screenshot(page, 'people-set-password-it');
    await page.getByLabel(/^Nuova password/).fill('maria ha una frase nuova');
    await page.getByLabel(/^Ripeti la password/).fill('maria ha una frase nuova');
    await page.getByRole('button', { name: 'Salva la password' }).click();
    await page.getByRole('heading', { level: 1, name: 'La tua password è impostata' }).waitFor();
    await page.getByRole('link', { name: 'Accedi' }).click();
    await expect.poll(() => page.getByLabel(/^Indirizzo email/).inputValue()).toBe(maria.email);
    await page.getByLabel(/^Password/).fill('maria ha una frase nuova');
    await page.getByRole('button', { name: 'Accedi', exact: true }).click();
    await page.getByRole('button', { name: 'Esci' }).waitFor();
  }, LONG);

  it('a manager invites a member of their own institution; an administrator disables an account and the audit log says so', async () => {
    const institutionId = ((await portal.api(portal.admin, 'GET', '/api/v1/institutions')).body.items as Array<{ id: string }>)[0]!.id;
    const created = await portal.api(portal.admin, 'POST', '/api/v1/users', {
      name: 'Giulia Manager',
      email: 'giulia@prova.it',
      password: 'giulia long password',
      role: 'institution-manager',
      institutionId,
    });
    expect(created.status).toBe(201);
    const manager = await open('it-IT');
    await signIn(manager, 'giulia@prova.it', 'giulia long password');
    await manager.getByRole('link', { name: 'Il mio ente' }).click();
    await manager.getByRole('link', { name: 'Persone di questo ente' }).click();
    await manager.getByRole('heading', { level: 1, name: 'Persone del mio ente' }).waitFor();
    await manager.getByRole('button', { name: 'Invita un membro' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Invita un membro' });
    await dialog.getByText('Il nuovo membro entra in Università degli Studi di Prova.').waitFor();
    // No role or institution to choose: a manager invites members of their own institution.
    expect(await dialog.getByLabel('Ruolo').count()).toBe(0);
    await dialog.getByRole('textbox', { name: 'Nome', exact: true }).fill('Piero Invitato');
    await dialog.getByRole('textbox', { name: 'Email', exact: true }).fill('piero@prova.it');
    await expectAccessible(manager, 'invite dialog');
    await screenshot(manager, 'people-invite-it');
    await dialog.getByRole('button', { name: 'Salva' }).click();
    await manager.getByText('Un link per scegliere la password è stato inviato a piero@prova.it.').waitFor();
    await manager.getByRole('row').filter({ hasText: 'Piero Invitato' }).waitFor();
    await expectAccessible(manager, 'manager people page');
    await screenshot(manager, 'people-members-it');
    const piero = await smtp.waitFor((m) => m.to.includes('piero@prova.it'));
    expect(piero.parsed.subject).toBe('Scegli la password per WebMeetings');

    const admin = await open('it-IT');
    await signIn(admin, portal.admin.email, portal.admin.password);
    await admin.goto('/admin/users');
    const row = admin.getByRole('row').filter({ hasText: 'Piero Invitato' });
    await row.getByRole('button', { name: 'Disattiva' }).click();
    const confirm = admin.getByRole('dialog', { name: 'Disattivare Piero Invitato?' });
    await confirm.waitFor();
    await expectAccessible(admin, 'disable dialog');
    await screenshot(admin, 'people-disable-it');
    await confirm.getByRole('button', { name: 'Disattiva' }).click();
    await admin.getByText('Piero Invitato è disattivato ed è uscito da ogni sessione.').waitFor();
    await row.getByText('disattivato', { exact: true }).waitFor();
    await expectAccessible(admin, 'users page with a disabled account');
    await screenshot(admin, 'people-users-it');

    await admin.getByRole('link', { name: 'Registro attività' }).click();
    await admin.getByRole('cell', { name: 'Account disattivato' }).first().waitFor();
    await admin.getByRole('cell', { name: 'Link password inviato' }).first().waitFor();
    await admin.getByRole('cell', { name: 'Persona aggiunta' }).first().waitFor();
    await expectAccessible(admin, 'audit log with labels');
    await screenshot(admin, 'people-audit-it');
  }, LONG);

  it('an administrator and a manager find a person’s bookings from their list of people', async () => {
    const sara = await portal.member('Sara Prenota');
    const other = await portal.member('Otto Altri');
    const [room] = await portal.rooms();
    const book = async (as: Person, title: string, day: string, ownerId?: string) => {
      const r = await portal.api(as, 'POST', '/api/v1/bookings', { title, roomId: room!.id, start: `${day}T10:00`, end: `${day}T11:00`, seats: 5, ...(ownerId && { ownerId }) });
      expect(r.status).toBe(201);
    };
    await book(sara, 'Seminario di Sara', '2026-03-25');
    await book(portal.admin, 'Lezione per Sara', '2026-03-26', sara.id);
    await book(other, 'Riunione di Otto', '2026-03-27');

    const admin = await open('en-GB');
    await signIn(admin, portal.admin.email, portal.admin.password);
    await admin.goto('/admin/users');
    await admin.getByRole('row').filter({ hasText: 'Sara Prenota' }).getByRole('link', { name: /^Bookings\b/ }).click();
    await admin.getByRole('heading', { level: 1, name: 'Bookings of Sara Prenota' }).waitFor();
    await admin.getByText(sara.email).waitFor();
    await admin.getByRole('link', { name: 'Seminario di Sara', exact: true }).waitFor();
    await admin.getByRole('listitem').filter({ hasText: 'Lezione per Sara' }).getByText('Booked by Ada Admin for Sara Prenota').waitFor();
    // Hers only: not everyone's.
    expect(await admin.getByText('Riunione di Otto').count()).toBe(0);
    await expectAccessible(admin, 'a person’s bookings');
    await screenshot(admin, 'people-bookings-en');
    await admin.getByRole('link', { name: '← Users' }).waitFor();
    await admin.getByRole('button', { name: 'Past' }).click();
    await admin.getByText('Sara Prenota has no past bookings.').waitFor();
    // Booking for her from here: the form comes with her as the one booked for.
    await admin.getByRole('link', { name: 'Book for Sara Prenota' }).click();
    await admin.getByRole('heading', { level: 1, name: 'New booking' }).waitFor();
    await admin.getByRole('combobox', { name: 'Book for' }).waitFor();
    expect(await admin.locator('main').innerText()).toContain('Sara Prenota');
    await admin.getByLabel('Date').fill('30/03/2026');
    await admin.getByLabel('Start').fill('14:00');
    await admin.getByLabel('End').fill('15:00');
    await admin.getByLabel('Seats').fill('4');
    await admin.getByLabel('Title').fill('Colloquio con Sara');
    await admin.getByRole('button', { name: 'Book the room' }).click();
    await admin.getByRole('listitem').filter({ hasText: 'Colloquio con Sara' }).getByText('You booked this for Sara Prenota').waitFor();
    const hers = await portal.api(sara, 'GET', `/api/v1/bookings?userId=${sara.id}`);
    expect(hers.body.items.find((b: { title: string }) => b.title === 'Colloquio con Sara')).toMatchObject({ ownerId: sara.id, bookedBy: { id: portal.admin.id } });
    await admin.goto('/admin/users');
    await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    // Disabling leaves the bookings: the dialog leads to them.
    await admin.getByRole('row').filter({ hasText: 'Sara Prenota' }).getByRole('button', { name: 'Disable' }).click();
    await admin.getByRole('dialog', { name: 'Disable Sara Prenota?' }).getByRole('link', { name: 'See the bookings of Sara Prenota' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Bookings of Sara Prenota' }).waitFor();
    await admin.getByRole('link', { name: 'Seminario di Sara', exact: true }).waitFor();

    const created = await portal.api(portal.admin, 'POST', '/api/v1/users', {
      name: 'Marco Referente',
      email: 'marco.referente@prova.it',
      password: 'marco long password',
      role: 'institution-manager',
      institutionId: (await portal.api(portal.admin, 'GET', `/api/v1/users/${sara.id}`)).body.institutionId,
    });
    expect(created.status).toBe(201);
    const manager = await open('it-IT');
    await signIn(manager, 'marco.referente@prova.it', 'marco long password');
    await manager.goto('/people');
    await manager.getByRole('row').filter({ hasText: 'Otto Altri' }).getByRole('link', { name: /^Prenotazioni\b/ }).click();
    await manager.getByRole('heading', { level: 1, name: 'Prenotazioni di Otto Altri' }).waitFor();
    await manager.getByRole('link', { name: 'Riunione di Otto', exact: true }).waitFor();
    expect(await manager.getByText('Seminario di Sara').count()).toBe(0);
    await manager.getByRole('link', { name: 'Prenota per Otto Altri' }).waitFor();
    await expectAccessible(manager, 'a member’s bookings for a manager');
    await screenshot(manager, 'people-bookings-it');
    // One of them, and back up to that person's bookings (not to the manager's own).
    await manager.getByRole('link', { name: 'Riunione di Otto', exact: true }).click();
    await manager.getByRole('heading', { level: 1, name: 'Riunione di Otto' }).waitFor();
    await manager.getByRole('link', { name: '← Prenotazioni di Otto Altri' }).click();
    await manager.getByRole('heading', { level: 1, name: 'Prenotazioni di Otto Altri' }).waitFor();
    // Someone outside the manager's institution is not there for them, said in words.
    await manager.goto(`/people/${portal.admin.id}/bookings`);
    await manager.getByText('Non esiste un utente con questo id.').waitFor();
    await manager.getByRole('link', { name: '← Persone del mio ente' }).waitFor();
    await expectAccessible(manager, 'an unknown person’s bookings');
  }, LONG);

  it('shows a long list of people a hundred at a time, and says that more follow', async () => {
    const names = Array.from({ length: 105 }, (_, i) => `Zeta Molti ${String(i + 1).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 35) {
      await Promise.all(
        names.slice(i, i + 35).map(async (name) => {
          const r = await portal.api(portal.admin, 'POST', '/api/v1/users', { name, email: `${name.replaceAll(' ', '.').toLowerCase()}@prova.it` });
          expect(r.status).toBe(201);
        }),
      );
    }
    const admin = await open('en-GB');
    await signIn(admin, portal.admin.email, portal.admin.password);
    await admin.goto('/admin/users');
    await admin.getByRole('searchbox', { name: 'Find people' }).fill('Zeta Molti');
    await admin.getByRole('button', { name: 'Search' }).click();
    // The list before the search (everyone) also shows 100 and says so: wait for the search's rows.
    const rows = admin.getByRole('row').filter({ hasText: 'Zeta Molti' });
    await expect.poll(() => rows.count()).toBe(100);
    await admin.getByText('100 shown so far.').waitFor();
    expect(await admin.getByRole('rowheader', { name: 'Zeta Molti 101' }).count()).toBe(0);
    await admin.getByRole('button', { name: 'Show more' }).click();
    await admin.getByRole('rowheader', { name: 'Zeta Molti 105' }).waitFor();
    expect(await rows.count()).toBe(105);
    // The whole list is there: nothing more to show.
    expect(await admin.getByRole('button', { name: 'Show more' }).count()).toBe(0);
    expect(await admin.getByText('shown so far').count()).toBe(0);
    // A change reads again as many as are shown. (Edit opened a blank page until 7 Dec 2026.)
    await admin.getByRole('row').filter({ hasText: 'Zeta Molti 105' }).getByRole('button', { name: /^Edit\b/ }).click();
    const dialog = admin.getByRole('dialog', { name: 'Edit Zeta Molti 105' });
    await dialog.getByText('zeta.molti.105@prova.it').waitFor();
    await expectAccessible(admin, 'edit-a-person dialog');
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Zeta Molti 106');
    await dialog.getByLabel('Language of emails').selectOption('it');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await admin.getByRole('rowheader', { name: 'Zeta Molti 106' }).waitFor();
    expect(await rows.count()).toBe(105);
    const edited = (await portal.api(portal.admin, 'GET', '/api/v1/users?q=zeta.molti.105')).body.items;
    expect(edited).toMatchObject([{ name: 'Zeta Molti 106', locale: 'it' }]);
    // Another search starts again at its first page.
    await admin.getByRole('searchbox', { name: 'Find people' }).fill('Zeta Molti 1');
    await admin.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(6);
    expect(await admin.getByText('shown so far').count()).toBe(0);
  }, LONG);

  it('narrows the list by role and institution, with the search, and offers a manager the roles of their institution', async () => {
    const ugo = await portal.member('Ugo Filtro');
    const prova = (await portal.api(portal.admin, 'GET', `/api/v1/users/${ugo.id}`)).body.institutionId as string;
    const other = await portal.api(portal.admin, 'POST', '/api/v1/institutions', { name: 'Politecnico dei Filtri', scopes: [], subscriptionStart: '2026-01-01', subscriptionEnd: '2027-12-31', monthlyQuotaHours: null });
    expect(other.status).toBe(201);
    const people = [
      { name: 'Vera Filtro', email: 'vera.filtro@prova.it', role: 'institution-manager', institutionId: prova, password: 'vera long password' },
      { name: 'Walter Filtro', email: 'walter.filtro@poli.example', role: 'institution-manager', institutionId: other.body.id },
      { name: 'Yara Filtro', email: 'yara.filtro@poli.example', role: 'member', institutionId: other.body.id },
    ];
    for (const p of people) expect((await portal.api(portal.admin, 'POST', '/api/v1/users', p)).status).toBe(201);

    const admin = await open('en-GB');
    await signIn(admin, portal.admin.email, portal.admin.password);
    await admin.goto('/admin/users');
    const rows = admin.getByRole('row').filter({ hasText: 'Filtro' });
    const shown = () => rows.getByRole('rowheader').allTextContents();
    await admin.getByRole('searchbox', { name: 'Find people' }).fill('Filtro');
    await admin.getByRole('button', { name: 'Search' }).click();
    await expect.poll(shown).toEqual(['Ugo Filtro', 'Vera Filtro', 'Walter Filtro', 'Yara Filtro']);
    await admin.getByLabel('Role', { exact: true }).selectOption({ label: 'Institution manager' });
    await expect.poll(shown).toEqual(['Vera Filtro', 'Walter Filtro']);
    await admin.getByLabel('Institution', { exact: true }).selectOption({ label: 'Politecnico dei Filtri' });
    await expect.poll(shown).toEqual(['Walter Filtro']);
    expect(new URL(admin.url()).search).toBe(`?role=institution-manager&institution=${other.body.id}`);
    await admin.getByLabel('Role', { exact: true }).selectOption({ label: 'Any role' });
    await expect.poll(shown).toEqual(['Walter Filtro', 'Yara Filtro']);
    await expectAccessible(admin, 'users narrowed by institution');
    // The search goes on within the filters, and the filters without it.
    await admin.getByRole('searchbox', { name: 'Find people' }).fill('');
    await admin.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => admin.getByRole('rowheader').allTextContents()).toEqual(['Walter Filtro', 'Yara Filtro']);
    // An institution's page leads to its people, the list narrowed to them.
    await admin.goto(`/institutions/${prova}`);
    await admin.getByRole('link', { name: 'People of this institution' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    // The list of institutions arrives after the page: the choice shows once it is there.
    await expect.poll(() => admin.getByLabel('Institution', { exact: true }).inputValue()).toBe(prova);
    await expect.poll(() => admin.getByRole('rowheader').filter({ hasText: 'Filtro' }).allTextContents()).toEqual(['Ugo Filtro', 'Vera Filtro']);
    expect(await admin.getByRole('rowheader', { name: 'Walter Filtro' }).count()).toBe(0);

    const manager = await open('it-IT');
    await signIn(manager, 'vera.filtro@prova.it', 'vera long password');
    await manager.goto('/people');
    const role = manager.getByLabel('Ruolo', { exact: true });
    await expect.poll(() => role.locator('option').allTextContents()).toEqual(['Qualsiasi ruolo', 'Utente', 'Referente dell’ente']);
    expect(await manager.getByLabel('Ente', { exact: true }).count()).toBe(0);
    await role.selectOption({ label: 'Referente dell’ente' });
    // Of the Filtros, herself only (tagged "tu"): Ugo is a member, Walter manages another institution.
    await expect.poll(() => manager.getByRole('rowheader').filter({ hasText: 'Filtro' }).allTextContents()).toEqual(['Vera Filtrotu']);
  }, LONG);

  it('shows the link once to the administrator when the portal has no mail server', async () => {
    const quiet = await startBrowserPortal({}, undefined, { clock: new TestClock(NOW) });
    const context = await newContext(browser, quiet.baseUrl, { locale: 'en-GB' });
    contexts.push(context);
    await context.clock.setFixedTime(new Date(NOW));
    const page = await context.newPage();
    try {
      await signIn(page, quiet.admin.email, quiet.admin.password);
      await page.goto('/admin/users');
      await page.getByRole('button', { name: 'Add a person' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a person' });
      await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Ugo Offline');
      await dialog.getByRole('textbox', { name: 'Email', exact: true }).fill('ugo@prova.it');
      await dialog.getByRole('button', { name: 'Save' }).click();
      const shown = page.getByRole('dialog', { name: 'Password link for Ugo Offline' });
      await shown.waitFor();
      const url = await shown.getByLabel('Link', { exact: true }).inputValue();
      expect(url).toMatch(/\/password\/set#[A-Za-z0-9_-]{43}$/);
      await expectAccessible(page, 'shown link dialog');
      await screenshot(page, 'people-link-shown-en');
      await shown.getByRole('button', { name: 'Close' }).last().click();
      // The sign-in page offers no "forgot password" without mail.
      const anon = await context.browser()!.newContext({ baseURL: quiet.baseUrl });
      contexts.push(anon);
      const p = await anon.newPage();
      await p.goto('/');
      await p.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      expect(await p.getByRole('link', { name: 'Forgot your password?' }).count()).toBe(0);
    } finally {
      await quiet.close();
    }
  }, LONG);
});
