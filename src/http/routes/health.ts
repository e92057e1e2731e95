// GET /healthz: 200 when the metadata store and the storage backend both answer, 503 otherwise. No API key.
import type { FastifyInstance } from 'fastify';
import { errors } from '../../domain/errors.js';

/** Resolves when every dependency answers; rejects otherwise. */
export type HealthCheck = () => Promise<void>;

export async function healthRoutes(app: FastifyInstance, { check }: { check: HealthCheck }): Promise<void> {
  app.get('/healthz', { schema: { summary: 'Liveness and readiness.', tags: ['ops'] } }, async (request) => {
    try {
      await check();
    } catch (error) {
      request.log.warn({ err: error }, 'health check failed');
      throw errors.serviceUnavailable('A dependency (metadata store or storage) is not reachable.');
    }
    return { status: 'ok' };
  });
}
