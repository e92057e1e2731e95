// Wiring: from a validated Config to a listening server (open the stores, build the services and the app, listen).
// Tests start the service through this same function, so they exercise the real wiring.
import fs from 'node:fs/promises';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from '../config/index.js';
import {
  ApiKeyring,
  AssetSearch,
  AssetService,
  DirectUploadService,
  IdempotencyService,
  JobEvents,
  JobService,
  MultipartUploadService,
  PublicUrls,
  Reaper,
  SignedUploadReceiver,
  UploadBatchService,
  UploadSigner,
  WebhookDispatcher,
  WebhookEndpointService,
} from '../domain/index.js';
import { loadConsole } from '../console/index.js';
import { buildApp, jobJson, logSerializers } from '../http/index.js';
import { Drain } from '../http/drain.js';
import { Metrics } from '../http/metrics.js';
import { SharpResizer } from '../images/index.js';
import { AddressPolicy, SafeFetcher } from '../inputs/index.js';
import type { MetadataStores, ObjectStorage } from '../domain/ports/index.js';
import { AssetEvents } from '../domain/events.js';
import { FileInputResolver } from '../domain/file-inputs.js';
import { PreviewService } from '../domain/previews.js';
import { loadOrCreateKey, loadOrCreateRandomSecret, SIGNING_SECRET_FILE, WEBHOOK_SECRET_FILE } from './first-key.js';
import { openMetadata, openStorage } from './stores.js';

/** How often each process looks for webhook deliveries due (retries, and those owed from before a restart). */
const CALLBACK_POLL_MS = 5000;

export interface RunningServer {
  readonly app: FastifyInstance;
  /** Where the server listens, e.g. http://127.0.0.1:3000 */
  readonly address: string;
  readonly metadata: MetadataStores;
  readonly storage: ObjectStorage;
  readonly reaper: Reaper;
  /** Completes upload batches in the background; tests wait for it. */
  readonly batches: UploadBatchService;
  /** Delivers events (to endpoints and to jobs' and batches' callback_urls) from the outbox; tests run passes themselves. */
  readonly webhooks: WebhookDispatcher;
  /** Set when this start minted the API key (first start without ASSETD_API_KEYS). */
  readonly generatedKey: string | null;
  /**
   * Stops serving and background work. With `graceMs` (assetd serve on SIGTERM), requests in flight get that long
   * to finish first; without it they are aborted at once.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface StartOptions {
  /** A pino options object, or false to log nothing (tests). */
  readonly logger?: FastifyServerOptions['logger'];
  /** The clock every service uses (tests move it forward to expire uploads). */
  readonly now?: () => Date;
  /** False when another process (`assetd migrate`) owns the schema. */
  readonly migrate?: boolean;
  /** How often to look for deliveries due (default 5 s); tests that run passes themselves make it rare. */
  readonly callbackPollMs?: number;
}

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    serializers: logSerializers,
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
  };
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  await fs.mkdir(config.dataDir, { recursive: true });
  let generatedKey: string | null = null;
  let keys = config.apiKeys;
  if (keys === null) {
    const { entry, created } = await loadOrCreateKey(config.dataDir);
    keys = [entry];
    if (created) generatedKey = entry.key;
  }

  const metadata = await openMetadata(config, { migrate: options.migrate ?? true });
  let storage: ObjectStorage;
  try {
    storage = await openStorage(config);
  } catch (error) {
    await metadata.close();
    throw error;
  }
  const now = options.now ?? (() => new Date());
  const urls = new PublicUrls(config.publicUrl);
  // Delivery is kicked as soon as an event owing a delivery commits; the dispatcher is made once the fetcher is.
  let webhooks: WebhookDispatcher | null = null;
  const events = new AssetEvents({ urls, now, onRecorded: () => webhooks?.eventRecorded() });
  const assets = new AssetService({ records: metadata.assets, storage, now, events });
  const signer = new UploadSigner(config.signingSecret ?? (await loadOrCreateRandomSecret(config.dataDir, SIGNING_SECRET_FILE)));
  const uploads = new DirectUploadService({
    records: metadata.assets,
    storage,
    urls,
    now,
    signer,
    ttlSeconds: config.uploadUrlTtlSeconds,
    maxBytes: config.directUploadMaxBytes,
    events,
  });
  const multipart = new MultipartUploadService({
    records: metadata.assets,
    storage,
    urls,
    now,
    signer,
    urlTtlSeconds: config.uploadUrlTtlSeconds,
    ttlSeconds: config.multipartTtlSeconds,
    maxBytes: config.multipartMaxBytes,
  });
  const fetcher = new SafeFetcher({
    policy: new AddressPolicy(config.urlFetchAllowCidrs),
    allowHttp: config.urlFetchAllowHttp,
    timeoutMs: config.urlFetchTimeoutSeconds * 1000,
    maxBytes: config.maxUploadBytes,
  });
  const resolver = new FileInputResolver({ assets, fetcher, maxBytes: config.maxUploadBytes });
  const webhookSecret = config.webhookSecret ?? (await loadOrCreateRandomSecret(config.dataDir, WEBHOOK_SECRET_FILE));
  let log: FastifyInstance['log'] | null = null;
  const metrics = new Metrics();
  const drain = new Drain();
  webhooks = new WebhookDispatcher({
    records: metadata.webhooks,
    post: (url, body, headers) => fetcher.post(url, body, headers),
    callbackSecret: webhookSecret,
    now,
    leaseSeconds: config.urlFetchTimeoutSeconds + 30,
    onFailure: (target, url, reason, final) => {
      metrics.webhookDelivery(target, final ? 'given_up' : 'retried');
      log?.warn({ webhookHost: new URL(url).host, target, reason, final }, final ? 'webhook given up' : 'webhook failed; will retry');
    },
    onDelivered: (target, _url, event) => metrics.webhookDelivery(target, 'delivered', (now().getTime() - event.createdAt.getTime()) / 1000),
    onDisabled: (url, reason) => {
      metrics.webhookEndpointDisabled();
      log?.warn({ webhookHost: new URL(url).host, reason }, 'webhook endpoint disabled');
    },
    onError: (error) => log?.error({ err: error }, 'webhook pass failed'),
  });
  const batches = new UploadBatchService({
    records: metadata.assets,
    uploads,
    now,
    checkCallbackUrl: (url) => fetcher.precheck(url),
    onError: (error) => log?.error({ err: error }, 'batch completion failed'),
  });
  const jobs: JobService = new JobService({
    queue: metadata.jobs,
    records: metadata.assets,
    assets,
    resolver,
    events: new JobEvents({ describe: (view) => jobJson(view, urls), onRecorded: () => webhooks?.eventRecorded() }),
    now,
    checkCallbackUrl: (url) => fetcher.precheck(url),
  });
  const app = await buildApp({
    assets,
    search: new AssetSearch(metadata.assets),
    previews: new PreviewService({
      assets,
      storage,
      resizer: new SharpResizer(),
      onCacheError: (error) => log?.warn({ err: error }, 'preview made but not kept'),
    }),
    uploads,
    multipart,
    receiver: new SignedUploadReceiver({ records: metadata.assets, storage, signer, now }),
    jobs,
    webhookEndpoints: new WebhookEndpointService({ records: metadata.webhooks, remote: fetcher, now }),
    workerKeyring: new ApiKeyring(config.workerKeys.map((key, i) => ({ key, tenant: `worker-${i + 1}` }))),
    maxJsonBytes: config.maxJsonBytes,
    rateLimitPerMinute: config.rateLimitPerMinute,
    batches,
    idempotency: new IdempotencyService(metadata.idempotencyKeys, now),
    keyring: new ApiKeyring(keys),
    urls,
    health: async () => {
      await Promise.all([metadata.ping(), storage.check()]);
    },
    maxUploadBytes: config.maxUploadBytes,
    drain,
    metrics,
    metricsToken: config.metricsToken,
    timeouts: {
      headersMs: config.headersTimeoutSeconds * 1000,
      bodyIdleMs: config.bodyIdleTimeoutSeconds * 1000,
      requestMs: config.requestTimeoutSeconds * 1000,
    },
    maxConcurrentUploads: config.maxConcurrentUploads,
    corsOrigins: config.corsOrigins,
    consoleFiles: await loadConsole(),
    logger: options.logger ?? loggerOptions(config),
  });
  log = app.log;
  const reaper = new Reaper({
    records: metadata.assets,
    idempotencyKeys: metadata.idempotencyKeys,
    storage,
    uploads,
    webhooks: metadata.webhooks,
    eventRetentionMs: config.webhookEventsRetentionDays * 24 * 3600 * 1000,
    now,
    onError: (error) => {
      metrics.reaperFailed();
      app.log.error({ err: error }, 'reaper pass failed');
    },
    onReport: (report) => metrics.reaperPass(report),
  });

  const closeStores = async () => {
    await Promise.allSettled([metadata.close(), storage.close()]);
  };
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await closeStores();
    throw error;
  }
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const address = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  urls.setBaseIfUnset(address);
  reaper.start(config.reaperIntervalSeconds * 1000);
  webhooks.start(options.callbackPollMs ?? CALLBACK_POLL_MS);

  return {
    app,
    address,
    metadata,
    storage,
    reaper,
    batches,
    webhooks,
    generatedKey,
    close: async ({ graceMs = 0 } = {}) => {
      await reaper.stop();
      await drain.shutdown(app, graceMs);
      await batches.settled();
      await webhooks.stop();
      await fetcher.close();
      await closeStores();
    },
  };
}
