// The cap on uploads one process takes at once: the routes that stream a body to storage (POST /v3/assets and the
// signed PUT). Beyond the cap, and while the server shuts down, an upload is refused with 503 service_unavailable
// (Retry-After from the error table) before its body is read, and its connection is closed rather than drained: a
// burst of slow clients costs refusals, not file descriptors and buffers.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '../domain/errors.js';

/** single: POST /v3/assets; direct: the bytes of a direct upload through assetd's signed PUT (local-disk storage). */
export type UploadFlow = 'single' | 'direct';

export const UPLOAD_FLOWS: readonly UploadFlow[] = ['single', 'direct'];

const UPLOAD_ROUTES: Readonly<Record<string, UploadFlow>> = {
  'POST /v3/assets': 'single',
  'PUT /uploads/:asset_id': 'direct',
  'PUT /uploads/:asset_id/parts/:part_number': 'direct',
};

/** The upload flow a request is, by its route pattern; undefined for every other request. */
export function uploadFlowOf(request: FastifyRequest): UploadFlow | undefined {
  const route = request.routeOptions.url;
  return route === undefined ? undefined : UPLOAD_ROUTES[`${request.method} ${route}`];
}

export class UploadGate {
  private readonly counts: Record<UploadFlow, number> = { single: 0, direct: 0 };
  private total = 0;

  /** `closed` says when no upload may start at all (the server is shutting down). */
  constructor(
    private readonly max: number,
    private readonly closed: () => boolean,
  ) {}

  /** Uploads of `flow` under way in this process. */
  inFlight(flow: UploadFlow): number {
    return this.counts[flow];
  }

  /** An onRequest hook: it runs before the body is parsed or read. A slot is held until the response is over. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      const flow = uploadFlowOf(request);
      if (flow === undefined) return;
      if (this.closed()) throw errors.serviceUnavailable('This server is shutting down; retry the upload.');
      if (this.total >= this.max) {
        throw errors.serviceUnavailable(`This server is taking ${this.max} uploads at once; retry the upload shortly.`);
      }
      this.total += 1;
      this.counts[flow] += 1;
      reply.raw.once('close', () => {
        this.total -= 1;
        this.counts[flow] -= 1;
      });
    });
  }
}
