// Mail settings: the variables config.ts reads (it stays the only reader of process.env) and what
// they become. Without SMTP_URL the portal logs the mails it would send and tells admins so.
import { z } from 'zod';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const MAIL_ENV = {
  // smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465 (TLS from the start).
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^/\s]+\/?(\?.*)?$/, 'must be an smtp:// or smtps:// URL such as smtp://mail.example.org:587').optional(),
  MAIL_FROM: z.string().min(3).max(320).optional(),
  // Minutes before the start at which reminders go out, comma-separated; `none` for none.
  MAIL_REMINDER_MINUTES: z
    .string()
    .regex(/^\s*(none|\d{1,5}\s*(,\s*\d{1,5}\s*)*)\s*$/i, 'must be minutes separated by commas, such as 1440,15, or none')
    .default('1440,15'),
  MAIL_RETRY_DELAY_SECONDS: intIn(1, 3600).default(60),
  MAIL_RETRY_LIMIT: intIn(0, 100).default(12),
  MAIL_DEFAULT_LOCALE: z.enum(['it', 'en']).default('it'),
  // Throughput of the mail jobs per instance: jobs a worker fetches at once, and workers per queue.
  MAIL_BATCH_SIZE: intIn(1, 500).default(25),
  MAIL_WORKERS: intIn(1, 32).default(2),
};

type Env = z.infer<z.ZodObject<typeof MAIL_ENV>>;

export type MailConfig = {
  smtpUrl: string | undefined;
  from: string;
  reminderMinutes: number[];
  retryDelaySeconds: number;
  retryLimit: number;
  defaultLocale: 'it' | 'en';
  publicUrl: string;
  batchSize: number;
  workers: number;
};

export function mailConfig(e: Env, publicUrl: string): MailConfig {
  const host = new URL(publicUrl).hostname;
  return {
    smtpUrl: e.SMTP_URL,
    from: e.MAIL_FROM ?? `WebMeetings <noreply@${host.includes('.') ? host : `${host}.invalid`}>`,
    reminderMinutes: [...new Set(e.MAIL_REMINDER_MINUTES.replace(/none/i, '').split(',').map((m) => m.trim()).filter(Boolean).map(Number))].sort((a, b) => b - a),
    retryDelaySeconds: e.MAIL_RETRY_DELAY_SECONDS,
    retryLimit: e.MAIL_RETRY_LIMIT,
    defaultLocale: e.MAIL_DEFAULT_LOCALE,
    publicUrl,
    batchSize: e.MAIL_BATCH_SIZE,
    workers: e.MAIL_WORKERS,
  };
}
