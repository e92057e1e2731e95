// What a webhook receiver does with a delivery the loopback origin recorded: verify its Standard Webhooks signature
// with the standardwebhooks package (as the README's receiver does) and read the event.
import { Webhook } from 'standardwebhooks';
import type { OriginRequest } from './origin.js';

/** The verified body of a delivery; throws when `secret` (whsec_…) did not sign it or its timestamp is too far off. */
export function verifyDelivery(secret: string, request: OriginRequest): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}
