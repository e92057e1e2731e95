// Job callbacks: when a job completes or fails (or a session is stopped), its callback_url gets a POST of the job
// as its family's GET shows it (`describe`), signed with HMAC-SHA256 so the receiver can tell it came from us:
// `x-assetd-signature: t=<unix seconds>,v1=<hex of HMAC(secret, "<t>.<body>")>`.
//
// Delivery is durable. Finishing a job records the callback as owed in the job's own row (one update, so no crash
// can finish a job and lose its callback); a CallbackDispatcher in every process leases due callbacks, POSTs them
// and records the outcome: delivered, due again after a growing pause, or failed after the last try. A restart
// loses nothing, and a lease left by a crashed process lapses so another pass, here or in another replica, takes
// the callback over. Delivery is therefore at least once: a receiver should key on the job id and updated_at.
import { createHmac, randomUUID } from 'node:crypto';
import type { Job, JobQueue } from './ports/index.js';

export type PostFunction = (url: string, body: string, headers: Record<string, string>) => Promise<number>;

export const SIGNATURE_HEADER = 'x-assetd-signature';

/** Pauses after each failed try: the callback is given up after the last (about 8.6 h after the first try). */
export const CALLBACK_RETRY_SECONDS: readonly number[] = [10, 60, 300, 1800, 7200, 21600];

/** POSTs one process runs at a time. */
const DELIVERIES_AT_ONCE = 8;

export function signWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export interface CallbackDispatcherOptions {
  readonly queue: JobQueue;
  readonly secret: string;
  readonly post: PostFunction;
  /** The body for a finished job: what its owner reads from the family's GET. */
  readonly describe: (job: Job) => Promise<unknown>;
  readonly now: () => Date;
  readonly retrySeconds?: readonly number[];
  /** How long one delivery may hold its callback: longer than a POST can take, or two could overlap. */
  readonly leaseSeconds: number;
  /** A try failed: `final` when it was the last. */
  readonly onFailure?: (url: string, reason: string, final: boolean) => void;
  /** A try was answered 2xx. */
  readonly onDelivered?: (url: string) => void;
  readonly onError?: (error: unknown) => void;
}

export class CallbackDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** A pass was asked for since the running one last looked for due callbacks. */
  private kicked = false;
  /** Wakes a pass waiting on slow deliveries, so it claims what a kick announced. */
  private wake: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly options: CallbackDispatcherOptions) {}

  /** A pass now (callbacks owed from before a restart), then one every `intervalMs`. */
  start(intervalMs: number): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  /**
   * Asks for a pass soon: a job just finished. Passes never overlap within a process; a kick during a pass makes it
   * look for due callbacks again, even while it waits on slow deliveries.
   */
  kick(): void {
    if (this.stopped) return;
    this.kicked = true;
    this.wake?.();
    this.running ??= this.passes().finally(() => {
      this.running = null;
    });
  }

  /**
   * Delivers every callback due now; resolves with how many were tried. Up to DELIVERIES_AT_ONCE POSTs run at a
   * time, and a slot freed by a fast receiver is filled at once, so one slow receiver holds up only its own slot.
   */
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
        const jobs = await this.options.queue.claimDueCallbacks({ now, leaseId: randomUUID(), leaseUntil, limit: free }).catch(
          (error: unknown) => {
            this.options.onError?.(error); // the deliveries under way still finish; the next pass claims again
            return [];
          },
        );
        drained = jobs.length < free;
        tried += jobs.length;
        for (const job of jobs) {
          // A delivery's failure (its settle hit the database) is reported and must not end the pass under the others.
          const delivery: Promise<void> = this.deliver(job)
            .catch((error: unknown) => this.options.onError?.(error))
            .finally(() => inFlight.delete(delivery));
          inFlight.add(delivery);
        }
        if (jobs.length > 0) continue;
      }
      if (inFlight.size === 0) return tried;
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

  private async deliver(job: Job): Promise<void> {
    const { callbackUrl: url, callback } = job;
    if (!url || !callback?.leaseId) return;
    let failure: string | null = null;
    try {
      const body = JSON.stringify(await this.options.describe(job));
      const headers = {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(this.options.secret, body, Math.floor(Date.now() / 1000)),
      };
      const status = await this.options.post(url, body, headers);
      if (status < 200 || status >= 300) failure = `answered ${status}`;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const delays = this.options.retrySeconds ?? CALLBACK_RETRY_SECONDS;
    const tried = callback.attempts + 1;
    const state = failure === null ? 'delivered' : tried > delays.length ? 'failed' : 'pending';
    const dueAt = state === 'pending' ? new Date(this.options.now().getTime() + delays[tried - 1]! * 1000) : null;
    if (failure !== null) this.options.onFailure?.(url, failure, state === 'failed');
    else this.options.onDelivered?.(url);
    await this.options.queue.settleCallback({ jobId: job.jobId, leaseId: callback.leaseId, state, dueAt, error: failure });
  }
}
