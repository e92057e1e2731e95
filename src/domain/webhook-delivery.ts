// Webhook delivery: the events recorded with state changes are POSTed to each subscribed endpoint and to the
// callback_url of the job or batch they are about, signed as webhook-signing.ts says.
//
// Delivery is durable and at least once. Recording an event owes a delivery row per target in the same transaction;
// a WebhookDispatcher in every process leases due deliveries, POSTs them and records the outcome: delivered, due
// again after a growing pause (over more than a day), or failed after the last try. A lease left by a crashed
// process lapses, so another pass here or in another replica takes the delivery over. webhook-id is the event id on
// every try and every target: receivers deduplicate on it. No order is promised, per endpoint or otherwise: a
// retried event arrives after newer ones. An endpoint whose every try has failed for `disableAfterMs` (5 days) is
// disabled, and the event `webhook_endpoint.disabled` records why in the history.
import { randomUUID } from 'node:crypto';
import { endpointDisabledEvent } from './events.js';
import type { LeasedDelivery, WebhookEvent, WebhookRecords } from './ports/index.js';
import {
  callbackBody,
  callbackSigner,
  endpointSigner,
  eventBody,
  LEGACY_SIGNATURE_HEADER,
  legacySignature,
  standardWebhookHeaders,
  type PostFunction,
} from './webhook-signing.js';

/** Pauses after each failed try: the delivery is given up after the last, about 40 hours after the first try. */
export const WEBHOOK_RETRY_SECONDS: readonly number[] = [10, 60, 300, 1800, 3600, 7200, 14400, 28800, 43200, 43200];

/** An endpoint none of whose tries succeeded for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;

/** POSTs one process runs at a time, and at most this many to one endpoint (so a slow one holds up only itself). */
const DELIVERIES_AT_ONCE = 16;
const PER_ENDPOINT_AT_ONCE = 4;

/** Where a delivery went: a subscribed endpoint, or the callback_url of a job or batch. */
export type DeliveryTarget = 'endpoint' | 'callback';

export interface WebhookDispatcherOptions {
  readonly records: WebhookRecords;
  readonly post: PostFunction;
  /** The service's webhook secret, which signs callback_url deliveries. */
  readonly callbackSecret: string;
  readonly now: () => Date;
  readonly retrySeconds?: readonly number[];
  readonly disableAfterMs?: number;
  /** How long one delivery may hold its lease: longer than a POST can take, or two could overlap. */
  readonly leaseSeconds: number;
  /** A try failed: `final` when it was the last. */
  readonly onFailure?: (target: DeliveryTarget, url: string, reason: string, final: boolean) => void;
  /** A try was answered 2xx; `event` for measuring the delay from the state change. */
  readonly onDelivered?: (target: DeliveryTarget, url: string, event: WebhookEvent) => void;
  /** An endpoint was disabled for failing too long. */
  readonly onDisabled?: (url: string, reason: string) => void;
  readonly onError?: (error: unknown) => void;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private kicked = false;
  private wake: (() => void) | null = null;
  private stopped = false;
  /** records.deliveriesRecordedHere() when an event last kicked a pass. */
  private recordedAtLastLook = -1;
  /** Deliveries in flight in this process, per endpoint. */
  private readonly busy = new Map<string, number>();
  private readonly signCallback: ReturnType<typeof callbackSigner>;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.signCallback = callbackSigner(options.callbackSecret);
  }

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

  /**
   * An event was committed: a pass if this process has recorded a delivery since the last such look. An event owing
   * none (a tenant without endpoints, the common upload) costs no query; deliveries other replicas recorded, and
   * retries coming due, are found by the timer's passes as before.
   */
  eventRecorded(): void {
    const recorded = this.options.records.deliveriesRecordedHere();
    if (recorded === this.recordedAtLastLook) return;
    this.recordedAtLastLook = recorded;
    this.kick();
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

  /** The method, body and headers of one try. */
  private request(delivery: LeasedDelivery, at: Date): { body: string; headers: Record<string, string> } {
    const { event } = delivery;
    if (delivery.callbackUrl !== null || delivery.secret === null) {
      const body = callbackBody(event);
      return {
        body,
        headers: {
          ...standardWebhookHeaders([this.signCallback], event.eventId, body, at),
          [LEGACY_SIGNATURE_HEADER]: legacySignature(this.options.callbackSecret, body, Math.floor(at.getTime() / 1000)),
        },
      };
    }
    const signers = [endpointSigner(delivery.secret), ...(delivery.previousSecret ? [endpointSigner(delivery.previousSecret)] : [])];
    const body = eventBody(event);
    return { body, headers: standardWebhookHeaders(signers, event.eventId, body, at) };
  }

  private async deliver(delivery: LeasedDelivery): Promise<void> {
    const { event, url } = delivery;
    const target: DeliveryTarget = delivery.callbackUrl !== null ? 'callback' : 'endpoint';
    let failure: string | null = null;
    // When the try was made: a failure's time starts the endpoint's failing streak.
    const triedAt = this.options.now();
    try {
      const { body, headers } = this.request(delivery, new Date());
      const status = await this.options.post(url, body, headers);
      if (status < 200 || status >= 300) failure = `answered ${status}`;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const delays = this.options.retrySeconds ?? WEBHOOK_RETRY_SECONDS;
    const tried = delivery.attempts + 1;
    const state = failure === null ? 'delivered' : tried > delays.length ? 'failed' : 'pending';
    const dueAt = state === 'pending' ? new Date(this.options.now().getTime() + delays[tried - 1]! * 1000) : null;
    if (failure !== null) this.options.onFailure?.(target, url, failure, state === 'failed');
    else this.options.onDelivered?.(target, url, event);
    const settled = await this.options.records.settleDelivery({
      eventId: event.eventId,
      endpointId: delivery.endpointId,
      leaseId: delivery.leaseId,
      state,
      dueAt,
      error: failure,
      at: triedAt,
      wasFailing: delivery.failingSince !== null,
    });
    const disableAfterMs = this.options.disableAfterMs ?? DISABLE_AFTER_MS;
    if (target === 'endpoint' && settled.failingSince && triedAt.getTime() - settled.failingSince.getTime() >= disableAfterMs) {
      const days = Math.round((disableAfterMs / 86_400_000) * 10) / 10;
      const reason = `every delivery since ${settled.failingSince.toISOString()} failed (${days} days); the last: ${failure}`;
      const disabled = await this.options.records.disableEndpoint({
        endpointId: delivery.endpointId,
        reason,
        event: endpointDisabledEvent({ tenant: event.tenant, endpointId: delivery.endpointId, url, reason, at: this.options.now() }),
      });
      if (disabled) this.options.onDisabled?.(url, reason);
    }
  }
}
