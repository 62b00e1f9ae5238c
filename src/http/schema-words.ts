// The messages the request schemas write themselves, in English and Italian. Zod's own messages
// ("Too big: expected string to have <=200 characters") come in Italian from its locale
// (validation.ts); these are ours, so their Italian is here, beside the English the schemas use.
export const SCHEMA_WORDS = {
  uuid: { en: 'must be a UUID', it: 'deve essere un UUID' },
  date: { en: 'must be a date such as 2026-12-31', it: 'deve essere una data come 2026-12-31' },
  noControls: { en: 'must not contain control characters', it: 'non deve contenere caratteri di controllo' },
  wellFormed: { en: 'must be well-formed Unicode (no lone surrogates)', it: 'deve essere Unicode ben formato (senza surrogati isolati)' },
  offset: { en: 'must have an offset between -14:00 and +14:00 (or Z)', it: 'deve avere uno scostamento tra -14:00 e +14:00 (o Z)' },
  afterFrom: { en: 'must be after from', it: 'deve essere dopo from' },
  domain: { en: 'must be a domain such as unipd.it', it: 'deve essere un dominio come unipd.it' },
  email: { en: 'must be an e-mail address', it: 'deve essere un indirizzo e-mail' },
  password: { en: 'must have at least 12 characters', it: 'deve avere almeno 12 caratteri' },
  linkToken: {
    en: 'must be the code at the end of the link (43 letters, digits, - or _)',
    it: 'deve essere il codice alla fine del link (43 caratteri tra lettere, cifre, - e _)',
  },
  emailOrUser: { en: 'Give either email or userId.', it: 'Indica email oppure userId, non entrambi.' },
  recordingId: { en: 'must be a recording id the list gave', it: 'deve essere l’id di una registrazione dato dall’elenco' },
  roomTicket: { en: 'must be the ticket of a room link', it: 'deve essere il ticket di un link della stanza' },
  guestKey: { en: 'must be the key of a waiting guest', it: 'deve essere la chiave di un ospite in attesa' },
  pinDigits: { en: 'must be 4 to 10 digits', it: 'deve avere da 4 a 10 cifre' },
  scoId: { en: 'must be an Adobe Connect sco-id (digits)', it: 'deve essere uno sco-id di Adobe Connect (cifre)' },
  timeZone: { en: 'must be an IANA time zone such as Europe/London', it: 'deve essere un fuso orario IANA come Europe/London' },
} as const satisfies Record<string, { en: string; it: string }>;

const ITALIAN = new Map<string, string>(Object.values(SCHEMA_WORDS).map((w) => [w.en, w.it]));

/** The Italian of one of the schemas' own messages, or undefined for any other text. */
export const italianOfSchemaWords = (en: string): string | undefined => ITALIAN.get(en);
