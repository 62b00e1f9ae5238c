// Starts the portal: configuration, database (migrated, seeded), HTTP server; graceful shutdown on
// SIGTERM/SIGINT lets requests in flight finish before the database closes.
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createPortal } from './portal.ts';
import { DatabaseInUseError } from './db/database.ts';

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
await app.listen({ port: config.port, host: config.host });
const where = portal.database.kind === 'pglite' ? `embedded PGlite database in ${config.dataDir}` : 'PostgreSQL';
logger.info(`WebMeetings is running at ${config.publicUrl} on ${where}`);
if (admins === 0) {
  const stopFirst = portal.database.kind === 'pglite' ? 'Stop the portal (Ctrl-C) and create' : 'Create';
  logger.warn(`No administrator exists yet. ${stopFirst} one with: npm run cli -- create-admin --email you@example.org --name "Your Name"`);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: finishing requests in flight');
  const timer = setTimeout(() => {
    logger.error('shutdown took too long; exiting');
    process.exit(1);
  }, config.shutdownGraceSeconds * 1000);
  timer.unref();
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
