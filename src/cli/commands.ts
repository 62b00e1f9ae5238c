// The commands of `webmeetings`, their usage lines and where each one's code is.
export type CommandModule = { run(args: string[]): Promise<number | void> };

export type Command = { name: string; usage: string; summary: string; load(): Promise<CommandModule> };

/** A mistake of the person typing the command: printed without a stack, exit code 2. */
export class CliError extends Error {}

export const COMMANDS: Command[] = [
  { name: 'migrate', usage: 'migrate', summary: 'apply pending database migrations (forward only)', load: () => import('./migrate.ts') },
  {
    name: 'create-admin',
    usage: 'create-admin --email E --name N [--password-file F]',
    summary: 'create an administrator; the password is asked without echo, or read from F or standard input',
    load: () => import('./create-admin.ts'),
  },
  { name: 'import-rooms', usage: 'import-rooms <file.csv|file.json> [--dry-run]', summary: 'create or update rooms by name from a CSV or JSON file', load: () => import('./import-rooms.ts') },
  {
    name: 'import-bookings',
    usage: 'import-bookings <file.csv|file.ics> [--commit [--skip-refused]]',
    summary: 'bring in existing bookings and series under the booking rules; a dry run that lists every refusal unless --commit (all or nothing; --skip-refused imports the accepted ones)',
    load: () => import('./import-bookings.ts'),
  },
  { name: 'check-config', usage: 'check-config', summary: 'validate the settings and reach every configured service (database, SMTP, ARI, providers, federation, OIDC)', load: () => import('./check-config.ts') },
  { name: 'export-stats', usage: 'export-stats [--from YYYY-MM] [--to YYYY-MM] [--format csv|json] [--out F]', summary: 'booked meetings and hours per month, room and institution', load: () => import('./export-stats.ts') },
  { name: 'demo', usage: 'demo [--seed N]', summary: 'fill an empty database with a realistic demo year (meetings, series, people on the web and phone) to see the statistics', load: () => import('./demo.ts') },
  {
    name: 'archive-audit',
    usage: 'archive-audit --out F [--days N] [--delete]',
    summary: 'write the audit entries older than N days (default AUDIT_RETENTION_DAYS) to F as JSON lines; with --delete, then delete them',
    load: () => import('./archive-audit.ts'),
  },
  { name: 'backup', usage: 'backup <file>', summary: 'a consistent copy of the embedded database, also while the portal runs (PostgreSQL: use pg_dump)', load: () => import('./backup.ts') },
  { name: 'restore', usage: 'restore <file> [--force]', summary: 'restore a backup into an empty database (embedded, or DATABASE_URL)', load: () => import('./restore.ts') },
  { name: 'migrate-to-postgres', usage: 'migrate-to-postgres --to postgres://…', summary: 'copy everything from the embedded database into an empty PostgreSQL database', load: () => import('./migrate-to-postgres.ts') },
];

export function helpText(): string {
  const lines = COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `Usage: webmeetings <command> [options]   (or: npm run cli -- <command> [options])\n\nCommands:\n${lines.join('\n')}\n\nSettings come from the environment, as for the portal (see the README's configuration table).\n`;
}
