// Starts the portal: configuration, database (waited for, migrated, seeded), HTTP server. SIGTERM
// first drains (/readyz answers 503 for DRAIN_SECONDS so load balancers stop sending, requests are
// still served), then the listener closes and requests in flight finish before the database closes.
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createPortal } from './portal.ts';
import { DatabaseInUseError } from './db/database.ts';
import { serveBackupRequests } from './db/backup-requests.ts';

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}

let portal: Awaited<ReturnType<typeof createPortal>>;
try {
  portal = await createPortal(config);
} catch (e) {
  if (e instanceof DatabaseInUseError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
const { app, logger } = portal;
const admins = await portal.services.uow.repos.users.countAdmins();
await portal.listen();
const where = portal.database.kind === 'pglite' ? `embedded PGlite database in ${config.dataDir}` : 'PostgreSQL';
// PORT=0 picks a free port: show the one taken when PUBLIC_URL was not set.
const address = app.server.address();
const publicUrl = config.port === 0 && typeof address === 'object' && address ? config.publicUrl.replace(/:0$/, `:${address.port}`) : config.publicUrl;
// Links in mails, feeds and guest links are built from PUBLIC_URL: say which one, and when it is unset.
const linksFrom = config.publicUrlSet
  ? `Links in mails, calendar feeds and guest links use PUBLIC_URL=${config.publicUrl}.`
  : `PUBLIC_URL is not set: links in mails, calendar feeds and guest links use ${publicUrl}; set PUBLIC_URL to the address people use.`;
logger.info({ url: publicUrl, publicUrl: config.publicUrl, publicUrlSet: config.publicUrlSet, database: portal.database.kind }, `WebMeetings is running at ${publicUrl} on ${where}. ${linksFrom}`);
let hint = '';
if (admins === 0) {
  const stopFirst = portal.database.kind === 'pglite' ? 'stop the portal (Ctrl-C) and create' : 'create';
  hint = ` No administrator exists yet: ${stopFirst} one with: npm run cli -- create-admin --email you@example.org --name "Your Name"`;
  logger.warn(hint.trim());
}
// Besides the JSON log (stdout, for machines), one plain line for the person who started it.
process.stderr.write(`WebMeetings is running at ${publicUrl} (${where}). ${linksFrom}${hint}\n`);

// `webmeetings backup` asks this process for a consistent copy of the embedded database.
if (portal.database.kind === 'pglite') serveBackupRequests(config.dataDir, portal.database, logger);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  portal.drain();
  const timer = setTimeout(() => {
    logger.error('shutdown took too long; exiting');
    process.exit(1);
  }, (config.drainSeconds + config.shutdownGraceSeconds) * 1000);
  timer.unref();
  // Ctrl-C at a terminal has no load balancer to tell: no drain window.
  const drain = signal === 'SIGTERM' ? config.drainSeconds : 0;
  if (drain > 0) {
    logger.info({ signal, drainSeconds: drain }, `draining: /readyz answers 503 for ${drain} s, then the listener closes`);
    await new Promise((r) => setTimeout(r, drain * 1000));
  }
  logger.info({ signal }, 'shutting down: finishing requests in flight');
  try {
    await portal.close();
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
