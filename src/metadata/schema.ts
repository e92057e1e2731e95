// Table shapes as Kysely sees them. Times are epoch milliseconds so both dialects store them the same way.
import type { Generated } from 'kysely';

export interface AssetsTable {
  seq: Generated<number>;
  asset_id: string;
  tenant: string;
  status: string;
  mime_type: string;
  size_bytes: number;
  sha256: string | null;
  filename: string | null;
  storage_key: string;
  url_token: string;
  created_at: number;
  completed_at: number | null;
  declared_sha256: string | null;
  expires_at: number | null;
  batch_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  finalizing_until: number | null;
  finalizing_by: string | null;
  receipt: string | null;
  /** JSON MultipartState, for a multipart upload. */
  multipart: string | null;
  width: number | null;
  height: number | null;
  duration_seconds: number | null;
}

export interface UploadBatchesTable {
  batch_id: string;
  tenant: string;
  title: string | null;
  created_at: number;
  callback_url: string | null;
  completion_requested_at: number | null;
  finished_at: number | null;
}

export interface IdempotencyKeysTable {
  tenant: string;
  scope: string;
  key: string;
  fingerprint: string;
  state: string;
  response_status: number | null;
  response_body: string | null;
  locked_until: number;
  expires_at: number;
  claim_id: string | null;
}

export interface JobsTable {
  job_id: string;
  tenant: string;
  kind: string;
  status: string;
  request: string;
  output_asset_id: string | null;
  error_message: string | null;
  callback_url: string | null;
  lease_id: string | null;
  lease_expires_at: number | null;
  attempts: Generated<number>;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
  callback_state: string | null;
  callback_attempts: Generated<number>;
  callback_due_at: number | null;
  callback_lease_id: string | null;
  callback_lease_until: number | null;
  callback_error: string | null;
}

export interface Database {
  jobs: JobsTable;
  assets: AssetsTable;
  upload_batches: UploadBatchesTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export interface WebhookEndpointsTable {
  endpoint_id: string;
  tenant: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  secret: string;
  status: string;
  created_at: number;
  entity_id: string | null;
  previous_secret: string | null;
  previous_secret_until: number | null;
  disabled_reason: string | null;
  failing_since: number | null;
}

export interface WebhookEventsTable {
  seq: Generated<number>;
  event_id: string;
  tenant: string;
  event_type: string;
  entity_id: string;
  /** JSON. */
  data: string;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  event_id: string;
  endpoint_id: string;
  state: string;
  attempts: Generated<number>;
  due_at: number | null;
  lease_id: string | null;
  lease_until: number | null;
  error: string | null;
  /** A delivery to a job's or batch's callback_url (endpoint_id `callback:<origin>`); null for an endpoint's. */
  callback_url: string | null;
}

/** pg returns bigint columns as strings, SQLite as numbers; both fit a JS number for our ranges. */
export const num = (value: number | string): number => Number(value);

export const dateOrNull = (value: number | string | null): Date | null => (value === null ? null : new Date(num(value)));
