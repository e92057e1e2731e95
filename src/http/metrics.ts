// Prometheus metrics at GET /metrics (prom-client): requests by route pattern, method and status, their latency and
// bytes, uploads by flow and outcome, uploads in flight, what the reaper removed, how webhook deliveries (job callbacks
// among them) went and how long after the change they arrived, and Node's
// default process metrics. Routes are labelled by their pattern (`/files/:name`), never by URL, so file tokens and
// upload signatures never reach a label. The domain feeds its events in through the hooks the CLI wires to these
// methods; it never sees prom-client.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppError } from '../domain/errors.js';
import type { ReaperReport } from '../domain/reaper.js';
import { UPLOAD_FLOWS, uploadFlowOf, type UploadFlow } from './upload-limit.js';

export type UploadOutcome = 'completed' | 'refused' | 'failed';
export type CallbackOutcome = 'delivered' | 'retried' | 'given_up';
export type WebhookTarget = 'endpoint' | 'callback';

const WEBHOOK_TARGETS: readonly WebhookTarget[] = ['endpoint', 'callback'];
/** Seconds from the state change to the 2xx: milliseconds when all is well, hours when a receiver was down. */
const DELIVERY_DELAY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600, 86400];

const UPLOAD_OUTCOMES: readonly UploadOutcome[] = ['completed', 'refused', 'failed'];
const CALLBACK_OUTCOMES: readonly CallbackOutcome[] = ['delivered', 'retried', 'given_up'];
/** Seconds; up to 5 min, since an upload of gigabytes is one request. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

let processRegistry: Registry | null = null;

/** Node's default metrics describe the process: collected once, however many apps it runs (tests run several). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** `expiredUploads` → `expired_uploads`: each count of the reaper's report is one value of the `kind` label. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The status label: the status sent, or `aborted` when the connection ended before the response did. */
function statusOf(finished: boolean, status: number): string {
  return finished ? String(status) : 'aborted';
}

function uploadOutcome(status: string): UploadOutcome {
  if (status === 'aborted') return 'failed';
  const code = Number(status);
  if (code < 400) return 'completed';
  return code < 500 || code === 503 ? 'refused' : 'failed';
}

export interface MetricsInstallOptions {
  /** Uploads of a flow under way now (the upload gate's count). */
  readonly uploadsInFlight: (flow: UploadFlow) => number;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  readonly token: string | null;
}

export class Metrics {
  private readonly registry = new Registry();
  private inFlightSource: (flow: UploadFlow) => number = () => 0;

  private readonly requests = new Counter({
    name: 'assetd_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status (aborted: the connection ended first).',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'assetd_http_request_duration_seconds',
    help: 'Time from receiving the request headers to the end of the response, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly bytesIn = new Counter({
    name: 'assetd_http_received_bytes_total',
    help: 'Request body bytes received, by route pattern.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  private readonly bytesOut = new Counter({
    name: 'assetd_http_sent_bytes_total',
    help: 'Response bytes sent (headers included), by route pattern.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  private readonly uploads = new Counter({
    name: 'assetd_uploads_total',
    help: 'Uploads whose bytes came through this process, by flow (single: POST /v3/assets; direct: the signed PUT) and outcome.',
    labelNames: ['flow', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly reaped = new Counter({
    name: 'assetd_reaper_removed_total',
    help: "What the reaper's passes removed, by kind (expired_uploads, swept_staging_keys, abandoned_writes, idempotency_keys, …).",
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly reaperPasses = new Counter({
    name: 'assetd_reaper_passes_total',
    help: 'Reaper passes, by outcome (ok, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly callbacks = new Counter({
    name: 'assetd_callbacks_total',
    help: 'Job callback tries, by outcome (delivered; retried: failed, tried again later; given_up: failed for the last time).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly webhookDeliveries = new Counter({
    name: 'assetd_webhook_deliveries_total',
    help: 'Webhook delivery tries, by target (endpoint; callback: a job or batch callback_url) and outcome (delivered; retried; given_up).',
    labelNames: ['target', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly webhookDelay = new Histogram({
    name: 'assetd_webhook_delivery_delay_seconds',
    help: "Time from an event's state change to its delivery's 2xx answer, by target (retries included).",
    labelNames: ['target'] as const,
    buckets: DELIVERY_DELAY_BUCKETS,
    registers: [this.registry],
  });
  private readonly endpointsDisabled = new Counter({
    name: 'assetd_webhook_endpoints_disabled_total',
    help: 'Webhook endpoints this process disabled because every delivery to them failed for 5 days.',
    registers: [this.registry],
  });

  private readonly inFlight: Gauge<'flow'>;

  constructor() {
    const source = () => this.inFlightSource;
    this.inFlight = new Gauge({
      name: 'assetd_uploads_in_flight',
      help: 'Uploads under way in this process, by flow.',
      labelNames: ['flow'] as const,
      registers: [this.registry],
      collect() {
        for (const flow of UPLOAD_FLOWS) this.set({ flow }, source()(flow));
      },
    });
    // Every series exists from the start, at 0, so rates and alerts need no special case for "never happened".
    for (const flow of UPLOAD_FLOWS) for (const outcome of UPLOAD_OUTCOMES) this.uploads.inc({ flow, outcome }, 0);
    for (const outcome of CALLBACK_OUTCOMES) this.callbacks.inc({ outcome }, 0);
    for (const target of WEBHOOK_TARGETS) {
      for (const outcome of CALLBACK_OUTCOMES) this.webhookDeliveries.inc({ target, outcome }, 0);
    }
    this.endpointsDisabled.inc(0);
    for (const outcome of ['ok', 'failed']) this.reaperPasses.inc({ outcome }, 0);
  }

  /** A reaper pass finished with this report. */
  reaperPass(report: ReaperReport): void {
    this.reaperPasses.inc({ outcome: 'ok' });
    for (const [kind, count] of Object.entries(report)) {
      if (typeof count === 'number') this.reaped.inc({ kind: snakeCase(kind) }, count);
    }
  }

  reaperFailed(): void {
    this.reaperPasses.inc({ outcome: 'failed' });
  }

  /** A webhook delivery try ended; `delaySeconds` (state change to 2xx) when it was delivered. */
  webhookDelivery(target: WebhookTarget, outcome: CallbackOutcome, delaySeconds?: number): void {
    this.webhookDeliveries.inc({ target, outcome });
    if (target === 'callback') this.callbacks.inc({ outcome });
    if (delaySeconds !== undefined) this.webhookDelay.observe({ target }, Math.max(0, delaySeconds));
  }

  webhookEndpointDisabled(): void {
    this.endpointsDisabled.inc();
  }

  /** Observes every request (install first, so refusals by later hooks count too) and serves GET /metrics. */
  install(app: FastifyInstance, options: MetricsInstallOptions): void {
    this.inFlightSource = options.uploadsInFlight;
    app.addHook('onRequest', async (request, reply) => {
      const socket = request.raw.socket;
      // Body bytes that came in the same packets as the headers are already buffered in the request.
      const readAtStart = socket.bytesRead - request.raw.readableLength;
      const writtenAtStart = socket.bytesWritten;
      reply.raw.once('close', () => this.observe(request, readAtStart, writtenAtStart, reply.elapsedTime, reply.raw.writableFinished, reply.statusCode));
    });

    const expected = options.token === null ? null : digest(options.token);
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (expected) {
        const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
        // Digests are compared, so the comparison takes the same time whatever the length of what was sent.
        if (!timingSafeEqual(digest(given), expected)) {
          throw new AppError('unauthorized', 'GET /metrics needs Authorization: Bearer <ASSETD_METRICS_TOKEN>.');
        }
      }
      const registry = Registry.merge([processMetrics(), this.registry]);
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  }

  private observe(request: FastifyRequest, readAtStart: number, writtenAtStart: number, elapsedMs: number, finished: boolean, statusCode: number): void {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = statusOf(finished, statusCode);
    const labels = { method: request.method, route, status };
    this.requests.inc(labels);
    this.latency.observe(labels, elapsedMs / 1000);
    const socket = request.raw.socket;
    this.bytesIn.inc({ route }, Math.max(0, socket.bytesRead - readAtStart));
    this.bytesOut.inc({ route }, Math.max(0, socket.bytesWritten - writtenAtStart));
    const flow = uploadFlowOf(request);
    if (flow !== undefined) this.uploads.inc({ flow, outcome: uploadOutcome(status) });
  }
}
