// Webhooks: the endpoints a tenant subscribes, the events assetd records, and the outbox of deliveries owed. An
// event is written in the same transaction as the state change it reports (AssetRecords methods take it as an
// argument), and that transaction also owes one delivery to each of the tenant's enabled endpoints subscribed to
// its type. test/contract/webhook-records.case.ts holds the adapters to it.

/** An event as recorded: what the history lists and what a delivery's body carries. */
export interface WebhookEvent {
  /** Also the `webhook-id` of every delivery of it, the same on each retry: receivers deduplicate on it. */
  readonly eventId: string;
  readonly tenant: string;
  readonly eventType: string;
  /** The asset, batch or job the event is about. */
  readonly entityId: string;
  /** JSON-serialisable. */
  readonly data: Record<string, unknown>;
  readonly createdAt: Date;
}

export type EndpointStatus = 'enabled' | 'disabled';

export interface WebhookEndpoint {
  readonly endpointId: string;
  readonly tenant: string;
  readonly url: string;
  /** The event types it receives; empty: every type. */
  readonly events: readonly string[];
  /** The signing secret, `whsec_<base64>`. */
  readonly secret: string;
  readonly status: EndpointStatus;
  readonly createdAt: Date;
}

/** One delivery owed, leased to one process: the event and where it goes. */
export interface LeasedDelivery {
  readonly event: WebhookEvent;
  readonly endpointId: string;
  readonly url: string;
  readonly secret: string;
  /** Tries made before this one. */
  readonly attempts: number;
  readonly leaseId: string;
}

export interface DeliveryOutcome {
  readonly eventId: string;
  readonly endpointId: string;
  readonly leaseId: string;
  /** delivered (2xx), pending (due again at dueAt) or failed (given up). */
  readonly state: 'delivered' | 'pending' | 'failed';
  readonly dueAt: Date | null;
  readonly error: string | null;
}

export interface WebhookRecords {
  insertEndpoint(endpoint: WebhookEndpoint): Promise<void>;
  findEndpoint(tenant: string, endpointId: string): Promise<WebhookEndpoint | null>;
  /** The tenant's events, newest first. */
  listEvents(options: { tenant: string; limit: number }): Promise<WebhookEvent[]>;
  /**
   * Leases up to `limit` deliveries due at `now` (never one leased by another live lease) for `leaseId` until
   * `leaseUntil`, skipping the endpoints in `skipEndpoints` (those busy in this process).
   */
  claimDueDeliveries(options: {
    now: Date;
    leaseId: string;
    leaseUntil: Date;
    limit: number;
    skipEndpoints: readonly string[];
  }): Promise<LeasedDelivery[]>;
  /** Records a try's outcome, if the lease is still `leaseId`'s; false when it lapsed and was taken over. */
  settleDelivery(outcome: DeliveryOutcome): Promise<boolean>;
  /** How the deliveries of an event stand, per endpoint (for tests and the history). */
  deliveriesOf(eventId: string): Promise<{ endpointId: string; state: string; attempts: number; error: string | null }[]>;
}
