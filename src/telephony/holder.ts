// Exactly one portal instance holds the ARI events socket: while none does, Asterisk refuses new
// calls into the Stasis application (recording e), and two would both answer every event. The
// holder is whoever has a PostgreSQL session-level advisory lock on a connection it keeps; when
// that process dies, PostgreSQL drops its connection and the lock, and another instance's next
// attempt (every AUDIO_HOLDER_RETRY_SECONDS) takes over.
import type pg from 'pg';

export interface Leadership {
  /** True when this instance now holds (or already held) the lock. */
  acquire(): Promise<boolean>;
  /** False when the lock's connection is gone (the lock with it). */
  check(): Promise<boolean>;
  release(): Promise<void>;
}

// "WMAR": WebMeetings ARI holder.
export const ARI_HOLDER_LOCK = 0x574d4152;

export class PgLeadership implements Leadership {
  private readonly pool: pg.Pool;
  private client: pg.PoolClient | null = null;
  private broken = false;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async acquire(): Promise<boolean> {
    if (this.client) return true;
    const client = await this.pool.connect();
    try {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [ARI_HOLDER_LOCK]);
      if (!r.rows[0]?.ok) {
        client.release();
        return false;
      }
    } catch (e) {
      client.release(true);
      throw e;
    }
    this.broken = false;
    client.on('error', () => (this.broken = true));
    this.client = client;
    return true;
  }

  async check(): Promise<boolean> {
    if (!this.client || this.broken) return false;
    try {
      await Promise.race([this.client.query('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('lock connection did not answer')), 5000).unref())]);
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (this.broken) return client.release(true);
    try {
      await client.query('SELECT pg_advisory_unlock($1)', [ARI_HOLDER_LOCK]);
      client.release();
    } catch {
      client.release(true);
    }
  }
}

/** The embedded database serves one process (its data directory is locked): that process holds. */
export const soleLeadership: Leadership = {
  acquire: async () => true,
  check: async () => true,
  release: async () => undefined,
};
