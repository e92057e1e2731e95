// buildApp(options): the HTTP layer. It wires the route groups, authentication, logging and error handling around
// the domain services it is given, and owns nothing else: no settings are read and no rules are decided here.
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ApiKeyring } from '../domain/api-keys.js';
import { errors } from '../domain/errors.js';
import type { AssetSearch } from '../domain/asset-search.js';
import type { AssetService } from '../domain/assets.js';
import type { DirectUploadService } from '../domain/direct-uploads.js';
import type { MultipartUploadService } from '../domain/multipart-uploads.js';
import type { PreviewService } from '../domain/previews.js';
import type { SignedUploadReceiver } from '../domain/upload-receiver.js';
import type { IdempotencyService } from '../domain/idempotency.js';
import type { JobService } from '../domain/jobs.js';
import type { PublicUrls } from '../domain/public-urls.js';
import type { UploadBatchService } from '../domain/upload-batches.js';
import type { WebhookEndpointService } from '../domain/webhook-endpoints.js';
import { requireApiKey } from './auth.js';
import { jsonProblem, MAX_JSON_DEPTH } from './json-depth.js';
import { installRequestGuards } from './request-guards.js';
import { limitRate } from './rate-limit.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './errors.js';
import type { Drain } from './drain.js';
import type { Metrics } from './metrics.js';
import { dropIdleBodies, serverTimeoutOptions, type RequestTimeouts } from './request-timeouts.js';
import { UploadGate } from './upload-limit.js';
import { applyIdempotency } from './idempotency.js';
import { assetRoutes } from './routes/assets.js';
import { consoleRoutes, type StaticFile } from './routes/console.js';
import { directUploadRoutes } from './routes/direct-uploads.js';
import { multipartUploadRoutes } from './routes/multipart-uploads.js';
import { jobRoutes } from './routes/jobs.js';
import { previewRoutes } from './routes/previews.js';
import { workerRoutes } from './routes/worker.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
import { uploadEndpointRoutes } from './routes/upload-endpoint.js';
import { webhookRoutes } from './routes/webhooks.js';
import { sharedSchemas } from './schemas/index.js';

export interface AppOptions {
  readonly assets: AssetService;
  readonly search: AssetSearch;
  readonly previews: PreviewService;
  readonly uploads: DirectUploadService;
  /** Resumable uploads in parts (an extension of direct upload). */
  readonly multipart: MultipartUploadService;
  /** assetd's own presigned PUT endpoint (storage without presigned PUTs of its own). */
  readonly receiver: SignedUploadReceiver;
  readonly batches: UploadBatchService;
  readonly idempotency: IdempotencyService;
  readonly jobs: JobService;
  readonly webhookEndpoints: WebhookEndpointService;
  readonly keyring: ApiKeyring;
  readonly workerKeyring: ApiKeyring;
  readonly urls: PublicUrls;
  /** Pings the metadata store and the storage (GET /readyz). */
  readonly health: HealthCheck;
  /** Shutdown state: readiness, refusing uploads, tracking what is in flight. */
  readonly drain: Drain;
  readonly metrics: Metrics;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  readonly metricsToken: string | null;
  readonly timeouts: RequestTimeouts;
  /** Uploads (POST /v3/assets, the signed PUT) this process takes at once. */
  readonly maxConcurrentUploads: number;
  readonly maxUploadBytes: number;
  readonly maxJsonBytes: number;
  /** Requests per minute per API key on /v3 (0: none). */
  readonly rateLimitPerMinute: number;
  /** Browser origins allowed across origins (the API and the signed PUT); empty: no CORS at all. */
  readonly corsOrigins: readonly string[];
  /** The web console's files (src/console), served at `/`. */
  readonly consoleFiles: readonly StaticFile[];
  readonly logger: FastifyServerOptions['logger'];
}

/** What a browser upload sends besides the simple headers. */
const CORS_REQUEST_HEADERS = ['content-type', 'x-api-key', 'authorization', 'idempotency-key', 'x-amz-checksum-sha256', 'x-request-id'];
/** What a page may read of an answer besides the simple headers. */
const CORS_EXPOSED_HEADERS = ['x-request-id', 'etag', 'retry-after', 'idempotent-replayed', 'idempotency-body-mismatch', 'content-disposition'];

const tooDeep = () => errors.invalidParameter(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`, 'body');

const REQUEST_ID = /^[A-Za-z0-9_\-.:]{1,128}$/;

/** File urls carry their secret in the path, upload urls in the query: keep both out of the logs. */
export function redactUrl(url: string): string {
  return url.replace(/^\/files\/[^/?]+/, '/files/[redacted]').replace(/^(\/uploads\/[^?]*)\?.*$/, '$1?[redacted]');
}

export const logSerializers = {
  req(request: { method: string; url: string; id: string; ip?: string }) {
    return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
  },
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger,
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    forceCloseConnections: true,
    ...serverTimeoutOptions(options.timeouts),
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });

  installErrorHandling(app);
  installRequestGuards(app);
  // Before any route (the drain wraps every handler) and any other hook (metrics see every refusal).
  options.drain.install(app);
  const gate = new UploadGate(options.maxConcurrentUploads, () => options.drain.draining);
  options.metrics.install(app, { uploadsInFlight: (flow) => gate.inFlight(flow), token: options.metricsToken });
  if (options.corsOrigins.length > 0) {
    // Before the hooks that refuse (the upload cap, idle bodies, keys, rate limits): their answers carry the CORS
    // headers too, or a page could not read why it was refused. Preflights are answered here, with no key.
    await app.register(cors, {
      origin: [...options.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
      strictPreflight: false,
    });
  }
  dropIdleBodies(app, options.timeouts.bodyIdleMs);
  gate.install(app);
  // Fastify's own JSON parser (prototype-poisoning safe), except that an empty body means "no body": clients commonly
  // send Content-Type: application/json on a bodiless POST such as complete.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: options.maxJsonBytes }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parseJson(request, body as string, (error, value) => {
        if (error) throw error;
        parsed = value;
      });
    } catch (error) {
      // The parser itself can run out of stack on extreme nesting: that is still a body we cannot take.
      return done(error instanceof RangeError ? tooDeep() : (error as Error), undefined);
    }
    const problem = jsonProblem(parsed);
    if (problem?.kind === 'too_deep') return done(tooDeep(), undefined);
    if (problem?.kind === 'nul') return done(errors.invalidParameter(`${problem.path} holds a NUL character.`, problem.path), undefined);
    done(null, parsed);
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  for (const schema of sharedSchemas) app.addSchema(schema);

  await app.register(swagger, {
    // Components are named by their $id (Asset, UploadBatch, …) rather than def-0, def-1, ….
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      info: { title: 'assetd', version: '3', description: 'The v3 Assets API, self-hosted.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
  });
  await app.register(multipart);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { check: options.health, draining: () => options.drain.draining });
  await app.register(consoleRoutes, { files: options.consoleFiles });
  await app.register(fileRoutes, { assets: options.assets });
  await app.register(uploadEndpointRoutes, { receiver: options.receiver, multipart: options.multipart });
  app.decorateRequest('tenant', '');
  app.decorateRequest('idempotency', null);
  await app.register(async (v3) => {
    requireApiKey(v3, options.keyring);
    await limitRate(v3, options.rateLimitPerMinute);
    applyIdempotency(v3, options.idempotency);
    await v3.register(assetRoutes, { assets: options.assets, search: options.search, urls: options.urls, maxUploadBytes: options.maxUploadBytes });
    await v3.register(previewRoutes, { previews: options.previews });
    await v3.register(directUploadRoutes, { uploads: options.uploads, batches: options.batches, urls: options.urls });
    await v3.register(multipartUploadRoutes, { uploads: options.multipart });
    await v3.register(jobRoutes, { jobs: options.jobs, urls: options.urls });
    await v3.register(webhookRoutes, { endpoints: options.webhookEndpoints });
  });
  await app.register(async (worker) => {
    requireApiKey(worker, options.workerKeyring);
    applyIdempotency(worker, options.idempotency);
    await worker.register(workerRoutes, { jobs: options.jobs, urls: options.urls });
  });
  return app;
}
