// `webmeetings import-rooms <file>`: creates or updates rooms by name from a CSV file (header
// name,capacity[,timeZone][,provider][,active]) or a JSON list of such objects, all in one
// transaction with an audit record per change, so a half-read file changes nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { isValidTimeZone } from '../domain/time.ts';
import type { RoomInput } from '../ports.ts';
import { buildServices, openPortalDatabase, systemClock } from '../portal.ts';
import { CliError } from './commands.ts';

const MAX_ROOMS = 1000;

const RoomLine = z.strictObject({
  name: z.string().trim().min(1).max(100),
  capacity: z.coerce.number().int().min(1).max(100_000),
  timeZone: z.string().refine(isValidTimeZone, 'is not an IANA time zone such as Europe/Rome').optional(),
  provider: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a service name such as bigbluebutton').optional(),
  active: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
});
type RoomLine = z.infer<typeof RoomLine>;

/** A small CSV reader: comma-separated, double quotes around fields that hold commas or quotes. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== '')) rows.push(row);
  const [header, ...body] = rows;
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return body.map((cells) => Object.fromEntries(names.map((n, i) => [n, cells[i]?.trim() ?? '']).filter(([, v]) => v !== '')));
}

export function readRoomFile(path: string): RoomLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`Cannot read ${path}: ${(e as Error).message}`);
  }
  let raw: unknown[];
  if (/\.json$/i.test(path)) {
    try {
      raw = JSON.parse(text) as unknown[];
    } catch {
      throw new CliError(`${path} is not JSON: expected a list like [{"name":"Aula 1","capacity":100}]`);
    }
    if (!Array.isArray(raw)) throw new CliError(`${path}: expected a JSON list of rooms`);
  } else raw = parseCsv(text);
  if (raw.length === 0) throw new CliError(`${path} has no rooms.`);
  if (raw.length > MAX_ROOMS) throw new CliError(`${path} has ${raw.length} rooms; at most ${MAX_ROOMS} at a time.`);
  const problems: string[] = [];
  const rooms = raw.flatMap((r, i) => {
    const parsed = RoomLine.safeParse(r);
    if (parsed.success) return [parsed.data];
    problems.push(`  room ${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'line'} ${x.message}`).join('; ')}`);
    return [];
  });
  const seen = new Set<string>();
  for (const r of rooms) {
    if (seen.has(r.name.toLowerCase())) problems.push(`  "${r.name}" appears twice`);
    seen.add(r.name.toLowerCase());
  }
  if (problems.length) throw new CliError(`${path} has mistakes; nothing was imported:\n${problems.join('\n')}`);
  return rooms;
}

class DryRun extends Error {}

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new CliError('Usage: webmeetings import-rooms <rooms.csv|rooms.json> [--dry-run]');
  const lines = readRoomFile(positionals[0]!);
  const config = loadConfig();
  const database = await openPortalDatabase(config);
  const summary = { created: 0, updated: 0, unchanged: 0 };
  try {
    const { uow } = buildServices(config, database, systemClock);
    await uow
      .transaction(async (r) => {
        const byName = new Map((await r.rooms.list({ includeInactive: true })).map((room) => [room.name.toLowerCase(), room]));
        for (const line of lines) {
          const existing = byName.get(line.name.toLowerCase());
          if (!existing) {
            const input: RoomInput = { name: line.name, capacity: line.capacity, timeZone: line.timeZone ?? config.booking.defaultTimeZone, provider: line.provider ?? null, active: line.active ?? true };
            const room = await r.rooms.create(input);
            await r.audit.record({ actorId: null, action: 'room.created', entity: 'room', entityId: room.id, before: null, after: room });
            summary.created++;
            continue;
          }
          const change: Partial<RoomInput> = {};
          if (existing.capacity !== line.capacity) change.capacity = line.capacity;
          if (line.timeZone && existing.timeZone !== line.timeZone) change.timeZone = line.timeZone;
          if (line.provider && existing.provider !== line.provider) change.provider = line.provider;
          if (line.active !== undefined && existing.active !== line.active) change.active = line.active;
          if (Object.keys(change).length === 0) {
            summary.unchanged++;
            continue;
          }
          const room = await r.rooms.update(existing.id, change);
          await r.audit.record({ actorId: null, action: 'room.updated', entity: 'room', entityId: existing.id, before: existing, after: room });
          summary.updated++;
        }
        if (values['dry-run']) throw new DryRun();
      })
      .catch((e: unknown) => {
        if (!(e instanceof DryRun)) throw e;
      });
  } finally {
    await database.close();
  }
  const verb = values['dry-run'] ? 'Would create' : 'Created';
  console.log(`${verb} ${summary.created}, ${values['dry-run'] ? 'update' : 'updated'} ${summary.updated}, left ${summary.unchanged} unchanged${values['dry-run'] ? ' (dry run: nothing was written)' : ''}.`);
}
