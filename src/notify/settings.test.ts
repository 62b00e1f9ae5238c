import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('mail settings', () => {
  it('defaults: no SMTP, Italian, reminders 24 h and 15 min before, sender on the public host', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://meet.example.org' });
    expect(c.mail).toMatchObject({ smtpUrl: undefined, defaultLocale: 'it', reminderMinutes: [1440, 15], from: 'WebMeetings <noreply@meet.example.org>' });
  });

  it('reads an SMTP URL, reminders and retry settings', () => {
    const c = loadConfig({ SMTP_URL: 'smtps://user:pw@mail.example.org:465', MAIL_REMINDER_MINUTES: '15, 60,15', MAIL_RETRY_DELAY_SECONDS: '5', MAIL_DEFAULT_LOCALE: 'en' });
    expect(c.mail).toMatchObject({ smtpUrl: 'smtps://user:pw@mail.example.org:465', reminderMinutes: [60, 15], retryDelaySeconds: 5, defaultLocale: 'en' });
    expect(loadConfig({ MAIL_REMINDER_MINUTES: 'none' }).mail.reminderMinutes).toEqual([]);
  });

  it.each([
    ['SMTP_URL', 'http://mail.example.org'],
    ['MAIL_REMINDER_MINUTES', '24h'],
    ['MAIL_DEFAULT_LOCALE', 'de'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
