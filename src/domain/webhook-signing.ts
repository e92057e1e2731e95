// How a delivery is signed and what its body is. Every delivery carries the Standard Webhooks headers: webhook-id
// (the event id, the same on every retry and every target), webhook-timestamp (this try's unix seconds) and
// webhook-signature, `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per live secret separated by a
// space (an endpoint whose secret was just rotated is signed with the new and the old one), so receivers verify with
// the `standardwebhooks` package. An endpoint's secret is its own `whsec_<base64>`; a job's or batch's callback_url
// is signed with the service's webhook secret (ASSETD_WEBHOOK_SECRET: its UTF-8 bytes are the key, so its whsec_
// form is `whsec_` + base64 of it), and for one release also with the older `x-assetd-signature` header.
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookEvent } from './ports/index.js';

export type PostFunction = (url: string, body: string, headers: Record<string, string>) => Promise<number>;

/** The header job callbacks were signed with before the Standard Webhooks headers; still sent for one release. */
export const LEGACY_SIGNATURE_HEADER = 'x-assetd-signature';

/** The body of a delivery to an endpoint: the event as the history lists it. */
export function eventBody(event: WebhookEvent): string {
  return JSON.stringify({
    event_id: event.eventId,
    event_type: event.eventType,
    event_data: event.data,
    created_at: event.createdAt.toISOString(),
  });
}

/** The body of a delivery to a callback_url: the event's data alone (a job: its family's GET shape, as always). */
export function callbackBody(event: WebhookEvent): string {
  return JSON.stringify(event.data);
}

/** A Standard Webhooks signer for an endpoint's `whsec_…` secret. */
export const endpointSigner = (secret: string): Webhook => new Webhook(secret);

/** The Standard Webhooks signer of callbacks: the service secret's UTF-8 bytes are the key. */
export const callbackSigner = (secret: string): Webhook => new Webhook(Buffer.from(secret, 'utf8'), { format: 'raw' });

/** `whsec_` + base64: the form of the callback secret that the standardwebhooks package takes. */
export const callbackSecretWhsec = (secret: string): string => `whsec_${Buffer.from(secret, 'utf8').toString('base64')}`;

/** The Standard Webhooks headers of one try, signed by each signer (newest first). */
export function standardWebhookHeaders(signers: readonly Webhook[], eventId: string, body: string, at: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signers.map((signer) => signer.sign(eventId, at, body)).join(' '),
  };
}

/** The legacy callback signature: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function legacySignature(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}
