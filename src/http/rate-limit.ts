// Requests per minute per API key on /v3, with @fastify/rate-limit. It runs right after authentication (so it
// counts tenants, not addresses, and an unauthenticated request costs no slot) and before idempotency (so a refused
// request claims no key). The count is per process: N replicas allow N times the limit, and a load balancer that
// spreads one key's requests evenly sees the limit × N.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { errors } from '../domain/errors.js';

export async function limitRate(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute <= 0) return;
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    hook: 'onRequest',
    keyGenerator: (request) => request.tenant,
    errorResponseBuilder: (_request, context) => errors.rateLimited(perMinute, Math.max(1, Math.ceil(context.ttl / 1000))),
  });
}
