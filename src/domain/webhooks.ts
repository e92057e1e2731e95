// Job callbacks: when a job completes or fails, its callback_url gets a POST of the job's JSON, signed with
// HMAC-SHA256 so the receiver can tell it came from us: `x-assetd-signature: t=<unix seconds>,v1=<hex of
// HMAC(secret, "<t>.<body>")>`. Delivery is retried a few times in the background; it never blocks the job.
import { createHmac } from 'node:crypto';

export type PostFunction = (url: string, body: string, headers: Record<string, string>) => Promise<number>;

export const SIGNATURE_HEADER = 'x-assetd-signature';

export function signWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export class WebhookSender {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: {
      secret: string;
      post: PostFunction;
      retryDelaysMs?: readonly number[];
      onFailure?: (url: string, reason: unknown) => void;
    },
  ) {}

  send(url: string, payload: unknown): void {
    const delivery = this.deliver(url, JSON.stringify(payload)).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Waits for deliveries under way (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(url: string, body: string): Promise<void> {
    const delays = this.options.retryDelaysMs ?? [500, 2000, 8000];
    let lastFailure: unknown = null;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]).unref());
      try {
        const headers = {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, body, Math.floor(Date.now() / 1000)),
        };
        const status = await this.options.post(url, body, headers);
        if (status >= 200 && status < 300) return;
        lastFailure = `answered ${status}`;
      } catch (error) {
        lastFailure = error;
      }
    }
    this.options.onFailure?.(url, lastFailure);
  }
}
