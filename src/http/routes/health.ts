// GET /healthz (liveness): 200 whenever the process can answer; it asks no dependency, so a database outage never
// gets healthy processes restarted. GET /readyz (readiness): 200 when the metadata store and the storage answer,
// 503 service_unavailable (with Retry-After) when one does not or while the server shuts down. No API key.
import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.js';

/** Resolves when every dependency answers; rejects otherwise. */
export type HealthCheck = () => Promise<void>;

export interface HealthRoutesOptions {
  readonly check: HealthCheck;
  /** True while the server shuts down: it must get no new traffic. */
  readonly draining: () => boolean;
}

/** A dependency that does not answer in this long counts as down (a probe must not hang with it). */
const CHECK_TIMEOUT_MS = 5000;

function withinTimeout(check: HealthCheck): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([check(), late]).finally(() => clearTimeout(timer));
}

export async function healthRoutes(app: FastifyInstance, { check, draining }: HealthRoutesOptions): Promise<void> {
  app.get('/healthz', { schema: { summary: 'Liveness: the process answers.', tags: ['ops'] } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { schema: { summary: 'Readiness: the metadata store and the storage answer, and the server is not shutting down.', tags: ['ops'] } },
    async (request) => {
      if (draining()) throw errors.serviceUnavailable('This server is shutting down.');
      try {
        await withinTimeout(check);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw errors.serviceUnavailable('A dependency (metadata store or storage) is not reachable.');
      }
      return { status: 'ok' };
    },
  );
}
