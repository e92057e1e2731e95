// What a webhook receiver does with a delivery the loopback origin recorded: verify its Standard Webhooks signature
// with the standardwebhooks package (as the README's receiver does) and read the event; and the JSON calls the
// webhook tests make.
import { Webhook } from 'standardwebhooks';
import type { OriginRequest } from './origin.js';
import { TENANT_A, type TestServer } from './server.js';

/** The verified body of a delivery; throws when `secret` (whsec_…) did not sign it or its timestamp is too far off. */
export function verifyDelivery(secret: string, request: OriginRequest): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

/** A JSON call to the server as `key`'s tenant (A's by default): its status and parsed body. */
export async function callJson(server: TestServer, method: string, pathname: string, body?: unknown, key: string = TENANT_A.key) {
  const res = await server.api(pathname, {
    method,
    key,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
