// Webhooks: the endpoints a tenant subscribes, the events assetd records, and the outbox of deliveries owed. An
// event is written in the same transaction as the state change it reports (AssetRecords and JobQueue methods take it
// as an argument), and that transaction also owes one delivery to each of the tenant's enabled endpoints subscribed
// to its type, and to the callback_url of the job or batch it is about. test/contract/webhook-records.case.ts holds
// the adapters to it.

/** An event as recorded: what the history lists and what a delivery's body carries. */
export interface WebhookEvent {
  /** Also the `webhook-id` of every delivery of it, the same on each retry: receivers deduplicate on it. */
  readonly eventId: string;
  readonly tenant: string;
  readonly eventType: string;
  /** The asset, batch, job or endpoint the event is about. */
  readonly entityId: string;
  /** JSON-serialisable. */
  readonly data: Record<string, unknown>;
  readonly createdAt: Date;
}

/** An event and the callback_url (of a job or batch) that is owed it besides the subscribed endpoints. */
export interface EventToRecord {
  readonly event: WebhookEvent;
  readonly callbackUrl?: string | null;
}

export type EndpointStatus = 'enabled' | 'disabled';

export interface WebhookEndpoint {
  readonly endpointId: string;
  readonly tenant: string;
  readonly url: string;
  /** The event types it receives; empty: every type. */
  readonly events: readonly string[];
  /** Only events about this entity (an asset, batch or job id); null: about any. */
  readonly entityId: string | null;
  /** The signing secret, `whsec_<base64>`. */
  readonly secret: string;
  /** The secret before the last rotation, still signing beside the new one until `previousSecretUntil`. */
  readonly previousSecret: string | null;
  readonly previousSecretUntil: Date | null;
  readonly status: EndpointStatus;
  /** Why it was disabled (null while enabled). */
  readonly disabledReason: string | null;
  /** When its tries began failing without a success since (null: its last try succeeded, or none failed). */
  readonly failingSince: Date | null;
  readonly createdAt: Date;
}

/** Where a page of endpoints resumes: after this one, newest first. */
export interface EndpointPosition {
  readonly createdAt: Date;
  readonly endpointId: string;
}

export interface EndpointPage {
  readonly endpoints: WebhookEndpoint[];
  readonly next: EndpointPosition | null;
}

export interface EventPage {
  readonly events: WebhookEvent[];
  /** Pass as `after` for the next page; null on the last. */
  readonly next: number | null;
}

/** What PATCH may change: each field given replaces the stored one; `enable` re-enables a disabled endpoint. */
export interface EndpointChanges {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly enable?: boolean;
}

/** The endpoint_id of a delivery to a job's or batch's callback_url: `callback:` and the URL's origin. */
export const CALLBACK_TARGET_PREFIX = 'callback:';

/** One delivery owed, leased to one process: the event and where it goes. */
export interface LeasedDelivery {
  readonly event: WebhookEvent;
  /** The endpoint, or `callback:<origin>` for a callback_url (see `callbackUrl`). */
  readonly endpointId: string;
  readonly url: string;
  /** The endpoint's secret; null for a callback_url (signed with the service's webhook secret). */
  readonly secret: string | null;
  /** The secret before a rotation, while it still signs too. */
  readonly previousSecret: string | null;
  /** Set for a delivery to a job's or batch's callback_url rather than an endpoint. */
  readonly callbackUrl: string | null;
  /** Tries made before this one. */
  readonly attempts: number;
  readonly leaseId: string;
  /** The endpoint's failing streak when the delivery was claimed (null for a callback_url). */
  readonly failingSince: Date | null;
}

export interface DeliveryOutcome {
  readonly eventId: string;
  readonly endpointId: string;
  readonly leaseId: string;
  /** delivered (2xx), pending (due again at dueAt) or failed (given up). */
  readonly state: 'delivered' | 'pending' | 'failed';
  readonly dueAt: Date | null;
  readonly error: string | null;
  /** When the try was made: a failure starts the endpoint's failing streak, a success ends it. */
  readonly at: Date;
  /**
   * Whether the endpoint had a failing streak when claimed: a success need not end one it did not have (a streak
   * another process started meanwhile then lasts until the next success).
   */
  readonly wasFailing: boolean;
}

export interface SettledDelivery {
  /** False when the lease had lapsed and was taken over: nothing was recorded. */
  readonly settled: boolean;
  /** The endpoint's failing streak after this outcome (always null for a callback_url). */
  readonly failingSince: Date | null;
}

export interface DeliveryState {
  readonly endpointId: string;
  readonly state: string;
  readonly attempts: number;
  readonly error: string | null;
}

export interface WebhookRecords {
  insertEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  findEndpoint(tenant: string, endpointId: string): Promise<WebhookEndpoint | null>;
  /** The tenant's endpoints, newest first (created_at, then endpoint_id, descending), after `after` when given. */
  listEndpoints(options: { tenant: string; limit: number; after?: EndpointPosition }): Promise<EndpointPage>;
  /** Applies the changes to the tenant's endpoint; the endpoint as it now is, or null when it has none such. */
  updateEndpoint(tenant: string, endpointId: string, changes: EndpointChanges): Promise<WebhookEndpoint | null>;
  /**
   * Makes `secret` the endpoint's secret; the one it replaces keeps signing beside it until `previousUntil`. Null
   * when the tenant has no such endpoint.
   */
  rotateSecret(options: { tenant: string; endpointId: string; secret: string; previousUntil: Date }): Promise<WebhookEndpoint | null>;
  /** Removes the tenant's endpoint and the deliveries it is still owed; false when it had none such. */
  deleteEndpoint(tenant: string, endpointId: string): Promise<boolean>;
  /**
   * Disables an enabled endpoint with `reason`, gives up the deliveries it is still owed, and records `event` (the
   * history's record of why) in the same transaction; false when it was not enabled (another process did it).
   */
  disableEndpoint(options: { endpointId: string; reason: string; event: WebhookEvent }): Promise<boolean>;
  /** The tenant's events, newest first, of one type and/or about one entity when given, after `after` when given. */
  listEvents(options: { tenant: string; limit: number; eventType?: string; entityId?: string; after?: number }): Promise<EventPage>;
  /**
   * How many deliveries this process has recorded with its events so far (some perhaps in transactions rolled back
   * since): the dispatcher looks for due deliveries after an event only when this has moved, not after every upload.
   */
  deliveriesRecordedHere(): number;
  /**
   * Leases up to `limit` deliveries due at `now` (never one leased by another live lease) for `leaseId` until
   * `leaseUntil`, skipping the endpoints in `skipEndpoints` (those busy in this process) and disabled ones.
   */
  claimDueDeliveries(options: {
    now: Date;
    leaseId: string;
    leaseUntil: Date;
    limit: number;
    skipEndpoints: readonly string[];
  }): Promise<LeasedDelivery[]>;
  /** Records a try's outcome, if the lease is still `leaseId`'s, and the endpoint's failing streak. */
  settleDelivery(outcome: DeliveryOutcome): Promise<SettledDelivery>;
  /** How the deliveries of an event stand, per endpoint (for tests and the history). */
  deliveriesOf(eventId: string): Promise<DeliveryState[]>;
  /** Forgets up to `limit` events recorded before `before`, oldest first, with their deliveries; how many. */
  purgeEvents(before: Date, limit: number): Promise<number>;
}
