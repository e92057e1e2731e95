// Applies Idempotency-Key to every POST in the scope it is installed in: claim before the handler runs, replay a
// kept answer instead of running it, keep the answer when it is sent, forget the claim if the client went away.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fingerprintOf, IDEMPOTENCY_HEADER, type IdempotencyScope, type IdempotencyService } from '../domain/idempotency.js';
import type { IdempotencyKeyRef } from '../domain/ports/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: IdempotencyKeyRef | null;
  }
}

function scopeOf(request: FastifyRequest, key: string): IdempotencyScope {
  return { tenant: request.tenant, scope: `${request.method} ${request.url.split('?')[0]}`, key };
}

export function applyIdempotency(app: FastifyInstance, service: IdempotencyService): void {
  app.addHook('preHandler', async (request, reply) => {
    const header = request.headers[IDEMPOTENCY_HEADER.toLowerCase()];
    if (request.method !== 'POST' || header === undefined) return;
    const scope = scopeOf(request, service.validateKey(Array.isArray(header) ? (header[0] ?? '') : header));
    // Multipart bodies are streams read later by the handler: for them the key alone identifies the request.
    const fingerprint = request.isMultipart() ? 'multipart' : fingerprintOf(request.body);
    const start = await service.start(scope, fingerprint);
    if (start.run) {
      request.idempotency = start.claim;
      return;
    }
    return reply
      .status(start.status)
      .header('content-type', 'application/json; charset=utf-8')
      .header('idempotent-replayed', 'true')
      // The platform replays the first answer for a repeat whose body differs; we do too, and say so.
      .header('idempotency-body-mismatch', start.bodyDiffered ? 'true' : 'false')
      .send(start.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const scope = request.idempotency;
    if (!scope) return payload;
    request.idempotency = null;
    if (request.raw.destroyed && !request.raw.complete) await service.abandon(scope);
    else if (typeof payload === 'string') await service.finish(scope, reply.statusCode, payload);
    else await service.abandon(scope);
    return payload;
  });

  app.addHook('onRequestAbort', async (request) => {
    const scope = request.idempotency;
    if (!scope) return;
    request.idempotency = null;
    await service.abandon(scope);
  });
}
