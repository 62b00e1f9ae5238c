// Row types of the tables, as Kysely sees them. Kept by hand beside migrations/*.sql.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** tstzrange travels as text ('["2026-03-30 08:00:00+00","2026-03-30 09:00:00+00")'); repositories build it with SQL. */
type Range = ColumnType<string, string, string>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface InstitutionTable {
  id: Generated<string>;
  name: string;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  subscription_start: ColumnType<string | null, string | null | undefined, string | null>;
  subscription_end: ColumnType<string | null, string | null | undefined, string | null>;
  monthly_quota_hours: ColumnType<string | null, number | null | undefined, number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: Generated<string>;
  institution_id: string | null;
  password_hash: string | null;
  locale: string | null;
  disabled_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: NullableTimestamp;
  /** Administrators: whether new booking requests are mailed to them. */
  request_mails: Generated<boolean>;
  /** Whether reminders before their meetings are mailed to them. */
  reminders: Generated<boolean>;
  /** The zone mails show their times in besides the room's; null: the room's alone. */
  time_zone: string | null;
}

export interface RoomTable {
  id: Generated<string>;
  name: string;
  capacity: number;
  time_zone: Generated<string>;
  provider: string | null;
  provider_settings: Generated<Json>;
  active: Generated<boolean>;
  on_approval: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BookingTable {
  id: Generated<string>;
  room_id: string;
  title: string;
  description: Generated<string>;
  during: Range;
  occupied: Range;
  seats: number;
  booker_id: string;
  institution_id: string | null;
  status: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  cancelled_at: NullableTimestamp;
}

export interface BookingRequestTable {
  id: Generated<string>;
  requester_id: string;
  institution_id: string | null;
  room_id: string | null;
  title: string;
  description: Generated<string>;
  seats: number;
  start_at: Timestamp;
  end_at: Timestamp;
  reason: string;
  asked_for: string;
  state: Generated<string>;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  decision_note: Generated<string>;
  booking_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiTokenTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string;
  before: Json;
  after: Json;
  request_id: string | null;
}

export interface IdempotencyKeyTable {
  principal: string;
  key: string;
  request_hash: string;
  status: number | null;
  response: Json;
  resource_id: string | null;
  created_at: Timestamp;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  applied_at: Timestamp;
}

export interface DB {
  institutions: InstitutionTable;
  users: UserTable;
  rooms: RoomTable;
  bookings: BookingTable;
  booking_requests: BookingRequestTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeyTable;
  schema_migrations: SchemaMigrationTable;
}
