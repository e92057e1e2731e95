// GET /healthz: 200 when the metadata store and the storage backend both answer, 503 otherwise. No API key.
import type { FastifyInstance } from 'fastify';
import type { AssetService } from '../../domain/assets.js';
import { errors } from '../../domain/errors.js';

export async function healthRoutes(app: FastifyInstance, { assets }: { assets: AssetService }): Promise<void> {
  app.get('/healthz', { schema: { summary: 'Liveness and readiness.', tags: ['ops'] } }, async (request) => {
    try {
      await assets.health();
    } catch (error) {
      request.log.warn({ err: error }, 'health check failed');
      throw errors.serviceUnavailable('A dependency (metadata store or storage) is not reachable.');
    }
    return { status: 'ok' };
  });
}
