// Webhook delivery: the events recorded with asset state changes are POSTed to each subscribed endpoint, signed
// with that endpoint's secret by the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature:
// v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">), so receivers verify with the `standardwebhooks` package.
//
// Delivery is durable and at least once. Recording an event owes a delivery row per endpoint in the same
// transaction; a WebhookDispatcher in every process leases due deliveries, POSTs them and records the outcome:
// delivered, due again after a growing pause (over more than a day), or failed after the last try. A lease left by
// a crashed process lapses, so another pass here or in another replica takes the delivery over. webhook-id is the
// event id on every try and every endpoint: receivers deduplicate on it. No order is promised, per endpoint or
// otherwise: a retried event arrives after newer ones.
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { LeasedDelivery, WebhookEvent, WebhookRecords } from './ports/index.js';
import type { PostFunction } from './webhooks.js';

/** Pauses after each failed try: the delivery is given up after the last, about 40 hours after the first try. */
export const WEBHOOK_RETRY_SECONDS: readonly number[] = [10, 60, 300, 1800, 3600, 7200, 14400, 28800, 43200, 43200];

/** POSTs one process runs at a time, and at most this many to one endpoint (so a slow one holds up only itself). */
const DELIVERIES_AT_ONCE = 16;
const PER_ENDPOINT_AT_ONCE = 4;

/** The body of a delivery: the event as the history lists it. */
export function eventBody(event: WebhookEvent): string {
  return JSON.stringify({
    event_id: event.eventId,
    event_type: event.eventType,
    event_data: event.data,
    created_at: event.createdAt.toISOString(),
  });
}

/** The Standard Webhooks headers of one try: the id stays the event's, the timestamp is this try's. */
export function standardWebhookHeaders(secret: string, eventId: string, body: string, at: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(eventId, at, body),
  };
}

export interface WebhookDispatcherOptions {
  readonly records: WebhookRecords;
  readonly post: PostFunction;
  readonly now: () => Date;
  readonly retrySeconds?: readonly number[];
  /** How long one delivery may hold its lease: longer than a POST can take, or two could overlap. */
  readonly leaseSeconds: number;
  /** A try failed: `final` when it was the last. */
  readonly onFailure?: (url: string, reason: string, final: boolean) => void;
  /** A try was answered 2xx; `event` for measuring the delay from the state change. */
  readonly onDelivered?: (url: string, event: WebhookEvent) => void;
  readonly onError?: (error: unknown) => void;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private kicked = false;
  private wake: (() => void) | null = null;
  private stopped = false;
  /** Deliveries in flight in this process, per endpoint. */
  private readonly busy = new Map<string, number>();

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /** A pass now (deliveries owed from before a restart), then one every `intervalMs`. */
  start(intervalMs: number): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  /** Asks for a pass soon (an event was just recorded); a kick during a pass makes it look again. */
  kick(): void {
    if (this.stopped) return;
    this.kicked = true;
    this.wake?.();
    this.running ??= this.passes().finally(() => {
      this.running = null;
    });
  }

  /** Delivers every delivery due now; resolves with how many were tried. */
  async runOnce(): Promise<number> {
    const inFlight = new Set<Promise<void>>();
    let tried = 0;
    let drained = false;
    for (;;) {
      if (this.kicked) {
        this.kicked = false;
        drained = false;
      }
      const free = DELIVERIES_AT_ONCE - inFlight.size;
      if (!drained && free > 0 && !this.stopped) {
        const now = this.options.now();
        const leaseUntil = new Date(now.getTime() + this.options.leaseSeconds * 1000);
        const skipEndpoints = [...this.busy].filter(([, n]) => n >= PER_ENDPOINT_AT_ONCE).map(([id]) => id);
        const claimed = await this.options.records
          .claimDueDeliveries({ now, leaseId: randomUUID(), leaseUntil, limit: free, skipEndpoints })
          .catch((error: unknown) => {
            this.options.onError?.(error);
            return [];
          });
        drained = claimed.length < free;
        tried += claimed.length;
        for (const delivery of claimed) {
          this.busy.set(delivery.endpointId, (this.busy.get(delivery.endpointId) ?? 0) + 1);
          const running: Promise<void> = this.deliver(delivery)
            .catch((error: unknown) => this.options.onError?.(error))
            .finally(() => {
              inFlight.delete(running);
              const left = (this.busy.get(delivery.endpointId) ?? 1) - 1;
              if (left > 0) this.busy.set(delivery.endpointId, left);
              else this.busy.delete(delivery.endpointId);
              // An endpoint at its limit was skipped: with a slot of its own free again, look once more.
              this.kicked = true;
            });
          inFlight.add(running);
        }
        if (claimed.length > 0) continue;
      }
      // A delivery that finished during the claim freed its endpoint, which the claim may have skipped: look again.
      if (inFlight.size === 0 && !this.kicked) return tried;
      if (inFlight.size === 0) continue;
      await Promise.race([...inFlight, new Promise<void>((resolve) => (this.wake = resolve))]);
      this.wake = null;
    }
  }

  /** Stops the timer and waits for the pass under way (its leases are settled, or lapse for another process). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.wake?.();
    await this.running;
  }

  private async passes(): Promise<void> {
    while (this.kicked && !this.stopped) {
      await this.runOnce().catch((error: unknown) => this.options.onError?.(error));
    }
  }

  private async deliver(delivery: LeasedDelivery): Promise<void> {
    const { event, url } = delivery;
    let failure: string | null = null;
    try {
      const body = eventBody(event);
      const status = await this.options.post(url, body, standardWebhookHeaders(delivery.secret, event.eventId, body, new Date()));
      if (status < 200 || status >= 300) failure = `answered ${status}`;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const delays = this.options.retrySeconds ?? WEBHOOK_RETRY_SECONDS;
    const tried = delivery.attempts + 1;
    const state = failure === null ? 'delivered' : tried > delays.length ? 'failed' : 'pending';
    const dueAt = state === 'pending' ? new Date(this.options.now().getTime() + delays[tried - 1]! * 1000) : null;
    if (failure !== null) this.options.onFailure?.(url, failure, state === 'failed');
    else this.options.onDelivered?.(url, event);
    await this.options.records.settleDelivery({
      eventId: event.eventId,
      endpointId: delivery.endpointId,
      leaseId: delivery.leaseId,
      state,
      dueAt,
      error: failure,
    });
  }
}
