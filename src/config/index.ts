// Owns every setting: loadConfig(env) is the only reader of ASSETD_* variables. It validates all of them,
// reports every problem at once, and returns a frozen object that the rest of the program is given.
import { createHash } from 'node:crypto';
import path from 'node:path';
import ipaddr from 'ipaddr.js';

export interface ApiKeyEntry {
  readonly key: string;
  readonly tenant: string;
}

export interface S3Config {
  readonly bucket: string;
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  readonly forcePathStyle: boolean;
  readonly prefix: string;
  /** A call to the store whose socket moves no byte for this long fails (503): a hung store never hangs a request. */
  readonly idleTimeoutSeconds: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Base of every URL handed out; null means "derive from the address we end up listening on". */
  readonly publicUrl: string | null;
  /** Null means "none configured": the CLI generates one on first start and keeps it in the data dir. */
  readonly apiKeys: readonly ApiKeyEntry[] | null;
  readonly maxUploadBytes: number;
  /** HMAC key for presigned upload URLs; null means "generate once and keep it in the data dir". */
  readonly signingSecret: string | null;
  readonly uploadUrlTtlSeconds: number;
  readonly directUploadMaxBytes: number;
  /** The largest multipart (resumable) upload. */
  readonly multipartMaxBytes: number;
  /** How long a multipart upload may take, start to complete, before the reaper aborts it. */
  readonly multipartTtlSeconds: number;
  readonly reaperIntervalSeconds: number;
  /** Webhook events (the history) older than this are forgotten with their deliveries. */
  readonly webhookEventsRetentionDays: number;
  readonly urlFetchAllowHttp: boolean;
  readonly urlFetchAllowCidrs: readonly string[];
  readonly urlFetchTimeoutSeconds: number;
  readonly maxJsonBytes: number;
  /** Requests per minute each API key may make to /v3 in each process; 0 means no limit. */
  readonly rateLimitPerMinute: number;
  /** Keys of processing workers (the worker API); empty means the worker API refuses everyone. */
  readonly workerKeys: readonly string[];
  /** HMAC key for job callbacks; null means "generate once and keep it in the data dir". */
  readonly webhookSecret: string | null;
  /** PostgreSQL connection string; null selects the embedded SQLite file. */
  readonly databaseUrl: string | null;
  readonly databasePoolSize: number;
  /** S3-compatible object store; null selects local disk. */
  readonly s3: S3Config | null;
  readonly logLevel: string;
  /** How long a client may take to send its request headers. */
  readonly headersTimeoutSeconds: number;
  /** The longest a request body may go without a byte before the connection is dropped. */
  readonly bodyIdleTimeoutSeconds: number;
  /** The longest receiving a whole request (body included) may take; 0 means no limit. */
  readonly requestTimeoutSeconds: number;
  /** Uploads (POST /v3/assets, the signed PUT) one process takes at once; beyond, 503. */
  readonly maxConcurrentUploads: number;
  /** How long a shutdown waits for requests in flight before it aborts them. */
  readonly shutdownGraceSeconds: number;
  /** Bearer token GET /metrics requires; null leaves /metrics open. */
  readonly metricsToken: string | null;
  /** Browser origins (`https://host[:port]`) allowed to call the API and the signed PUT across origins; empty: none. */
  readonly corsOrigins: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const KEY_PATTERN = /^[A-Za-z0-9_\-.~+/]{16,256}$/;
const TENANT_PATTERN = /^[A-Za-z0-9_\-.]{1,64}$/;
/** What may follow `Bearer ` (RFC 6750's token68), at a length worth guessing against. */
const TOKEN_PATTERN = /^[A-Za-z0-9_\-.~+/]{16,256}=*$/;

/** Collects problems instead of throwing on the first one, so a user fixes their environment in one go. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) {
      this.problems.push(`${name} must be a whole number, got "${value}"`);
      return fallback;
    }
    const n = Number(value);
    if (n < min || n > max) {
      this.problems.push(`${name} must be between ${min} and ${max}, got ${value}`);
      return fallback;
    }
    return n;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  oneOf(name: string, fallback: string, allowed: readonly string[]): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!allowed.includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value;
  }
}

function parseHost(r: Reader): string {
  const host = r.string('ASSETD_HOST', '127.0.0.1');
  if (!/^[A-Za-z0-9.\-:[\]]+$/.test(host)) r.problems.push(`ASSETD_HOST is not a host name or address: "${host}"`);
  return host;
}

function parseDatabaseUrl(r: Reader): string | null {
  const value = r.raw('ASSETD_DATABASE_URL');
  if (value === undefined) return null;
  // Never echo it: it may hold a password.
  if (!/^postgres(ql)?:\/\/\S+$/.test(value)) r.problems.push('ASSETD_DATABASE_URL must be a postgres:// or postgresql:// URL');
  return value;
}

function parseS3(r: Reader): S3Config | null {
  const bucket = r.raw('ASSETD_S3_BUCKET');
  const others = ['ASSETD_S3_ENDPOINT', 'ASSETD_S3_ACCESS_KEY_ID', 'ASSETD_S3_SECRET_ACCESS_KEY', 'ASSETD_S3_PREFIX', 'ASSETD_S3_IDLE_TIMEOUT_SECONDS'];
  if (bucket === undefined) {
    const stray = others.filter((name) => r.raw(name) !== undefined);
    if (stray.length > 0) r.problems.push(`${stray.join(', ')} set without ASSETD_S3_BUCKET`);
    return null;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) r.problems.push(`ASSETD_S3_BUCKET is not a valid bucket name: "${bucket}"`);
  const endpoint = r.raw('ASSETD_S3_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(endpoint)) {
    r.problems.push(`ASSETD_S3_ENDPOINT must be an http(s) origin like https://s3.example.com, got "${endpoint}"`);
  }
  const accessKeyId = r.raw('ASSETD_S3_ACCESS_KEY_ID');
  const secretAccessKey = r.raw('ASSETD_S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    r.problems.push('ASSETD_S3_ACCESS_KEY_ID and ASSETD_S3_SECRET_ACCESS_KEY go together (or leave both unset for the default AWS credential chain)');
  }
  const prefix = r.string('ASSETD_S3_PREFIX', '');
  if (prefix !== '' && !/^([A-Za-z0-9_\-.]+\/)+$/.test(prefix)) {
    r.problems.push(`ASSETD_S3_PREFIX must be path segments ending in "/", like "assetd/", got "${prefix}"`);
  }
  return {
    bucket,
    endpoint,
    region: r.string('ASSETD_S3_REGION', 'us-east-1'),
    accessKeyId,
    secretAccessKey,
    forcePathStyle: r.boolean('ASSETD_S3_FORCE_PATH_STYLE', endpoint !== undefined),
    prefix,
    idleTimeoutSeconds: r.integer('ASSETD_S3_IDLE_TIMEOUT_SECONDS', 120, 1, 3600),
  };
}

function parseCorsOrigins(r: Reader): string[] {
  const origins: string[] = [];
  for (const value of r.list('ASSETD_CORS_ORIGINS')) {
    let origin: string | null = null;
    try {
      const url = new URL(value);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && value.replace(/\/$/, '') === url.origin) origin = url.origin;
    } catch {
      // reported below
    }
    if (origin === null) r.problems.push(`ASSETD_CORS_ORIGINS: "${value}" is not an origin like https://console.example.com (scheme, host and port only)`);
    else if (!origins.includes(origin)) origins.push(origin);
  }
  return origins;
}

function parsePublicUrl(r: Reader): string | null {
  const value = r.raw('ASSETD_PUBLIC_URL');
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    r.problems.push(`ASSETD_PUBLIC_URL must be an absolute http(s) URL, got "${value}"`);
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    r.problems.push(`ASSETD_PUBLIC_URL must use http or https, got "${url.protocol}"`);
  }
  if (url.search || url.hash) r.problems.push('ASSETD_PUBLIC_URL must not carry a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

export function parseApiKeys(value: string, problems: string[]): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  const seen = new Set<string>();
  for (const [index, item] of value.split(',').entries()) {
    const pair = item.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    // A bare key gets a tenant name derived from it: the key itself must never be stored or shown as a name.
    const tenant = eq === -1 ? `t_${createHash('sha256').update(key).digest('hex').slice(0, 16)}` : pair.slice(eq + 1);
    // Never echo the key itself: error messages end up in logs.
    if (!KEY_PATTERN.test(key)) {
      problems.push(`ASSETD_API_KEYS entry ${index + 1}: a key must be 16-256 characters of [A-Za-z0-9_-.~+/]`);
      continue;
    }
    if (!TENANT_PATTERN.test(tenant)) {
      problems.push(`ASSETD_API_KEYS entry ${index + 1}: a tenant must be 1-64 characters of [A-Za-z0-9_-.]`);
      continue;
    }
    if (seen.has(key)) {
      problems.push(`ASSETD_API_KEYS entry ${index + 1}: the same key is listed twice`);
      continue;
    }
    seen.add(key);
    entries.push({ key, tenant });
  }
  if (entries.length === 0 && problems.length === 0) problems.push('ASSETD_API_KEYS is set but lists no key');
  return entries;
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const r = new Reader(env);
  const host = parseHost(r);
  const port = r.integer('ASSETD_PORT', 3000, 0, 65535);
  const dataDir = path.resolve(cwd, r.string('ASSETD_DATA_DIR', './data'));
  const publicUrl = parsePublicUrl(r);
  const keysRaw = r.raw('ASSETD_API_KEYS');
  const apiKeys = keysRaw === undefined ? null : parseApiKeys(keysRaw, r.problems);
  const maxUploadBytes = r.integer('ASSETD_MAX_UPLOAD_BYTES', 32 * 1024 * 1024, 1, 1024 * 1024 * 1024);
  const signingSecret = r.raw('ASSETD_SIGNING_SECRET') ?? null;
  if (signingSecret !== null && signingSecret.length < 32) {
    r.problems.push('ASSETD_SIGNING_SECRET must be at least 32 characters');
  }
  const uploadUrlTtlSeconds = r.integer('ASSETD_UPLOAD_URL_TTL_SECONDS', 3600, 1, 7 * 24 * 3600);
  const directUploadMaxBytes = r.integer('ASSETD_DIRECT_UPLOAD_MAX_BYTES', 5 * 1024 ** 3, 1, 5 * 1024 ** 4);
  // 10,000 parts of 5 GiB: S3's ceiling for one object's multipart upload.
  const multipartMaxBytes = r.integer('ASSETD_MULTIPART_MAX_BYTES', 50 * 1024 ** 3, 1, 10_000 * 5 * 1024 ** 3);
  const multipartTtlSeconds = r.integer('ASSETD_MULTIPART_TTL_SECONDS', 24 * 3600, 60, 30 * 24 * 3600);
  const reaperIntervalSeconds = r.integer('ASSETD_REAPER_INTERVAL_SECONDS', 60, 1, 24 * 3600);
  const webhookEventsRetentionDays = r.integer('ASSETD_WEBHOOK_EVENTS_RETENTION_DAYS', 30, 1, 3650);
  const urlFetchAllowHttp = r.boolean('ASSETD_URL_FETCH_ALLOW_HTTP', false);
  const urlFetchAllowCidrs = r.list('ASSETD_URL_FETCH_ALLOW_CIDRS');
  for (const cidr of urlFetchAllowCidrs) {
    try {
      ipaddr.parseCIDR(cidr);
    } catch {
      r.problems.push(`ASSETD_URL_FETCH_ALLOW_CIDRS: "${cidr}" is not a CIDR like 10.0.0.0/8`);
    }
  }
  const urlFetchTimeoutSeconds = r.integer('ASSETD_URL_FETCH_TIMEOUT_SECONDS', 30, 1, 3600);
  const maxJsonBytes = r.integer('ASSETD_MAX_JSON_BYTES', 48 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const rateLimitPerMinute = r.integer('ASSETD_RATE_LIMIT_PER_MINUTE', 0, 0, 1_000_000);
  const workerKeys = r.list('ASSETD_WORKER_KEYS');
  workerKeys.forEach((key, i) => {
    if (!KEY_PATTERN.test(key)) r.problems.push(`ASSETD_WORKER_KEYS entry ${i + 1}: a key must be 16-256 characters of [A-Za-z0-9_-.~+/]`);
  });
  const webhookSecret = r.raw('ASSETD_WEBHOOK_SECRET') ?? null;
  if (webhookSecret !== null && webhookSecret.length < 32) r.problems.push('ASSETD_WEBHOOK_SECRET must be at least 32 characters');
  const databaseUrl = parseDatabaseUrl(r);
  const databasePoolSize = r.integer('ASSETD_DATABASE_POOL_SIZE', 10, 1, 1000);
  const s3 = parseS3(r);
  const logLevel = r.oneOf('ASSETD_LOG_LEVEL', 'info', LOG_LEVELS);
  const headersTimeoutSeconds = r.integer('ASSETD_HEADERS_TIMEOUT_SECONDS', 30, 1, 3600);
  const bodyIdleTimeoutSeconds = r.integer('ASSETD_BODY_IDLE_TIMEOUT_SECONDS', 60, 1, 3600);
  const requestTimeoutSeconds = r.integer('ASSETD_REQUEST_TIMEOUT_SECONDS', 0, 0, 7 * 24 * 3600);
  // Node refuses a server whose headers may take longer than the whole request.
  if (requestTimeoutSeconds > 0 && headersTimeoutSeconds > requestTimeoutSeconds) {
    r.problems.push(
      `ASSETD_HEADERS_TIMEOUT_SECONDS (${headersTimeoutSeconds}) must not exceed ASSETD_REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds})`,
    );
  }
  const maxConcurrentUploads = r.integer('ASSETD_MAX_CONCURRENT_UPLOADS', 128, 1, 100_000);
  const shutdownGraceSeconds = r.integer('ASSETD_SHUTDOWN_GRACE_SECONDS', 25, 0, 3600);
  const metricsToken = r.raw('ASSETD_METRICS_TOKEN') ?? null;
  // Never echo it: it is a credential.
  if (metricsToken !== null && !TOKEN_PATTERN.test(metricsToken)) {
    r.problems.push('ASSETD_METRICS_TOKEN must be 16-256 characters of [A-Za-z0-9_-.~+/] (then optional "=")');
  }
  const corsOrigins = parseCorsOrigins(r);

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze({
    host,
    port,
    dataDir,
    publicUrl,
    apiKeys,
    maxUploadBytes,
    signingSecret,
    uploadUrlTtlSeconds,
    directUploadMaxBytes,
    multipartMaxBytes,
    multipartTtlSeconds,
    reaperIntervalSeconds,
    webhookEventsRetentionDays,
    urlFetchAllowHttp,
    urlFetchAllowCidrs,
    urlFetchTimeoutSeconds,
    maxJsonBytes,
    rateLimitPerMinute,
    workerKeys,
    webhookSecret,
    databaseUrl,
    databasePoolSize,
    s3: s3 && Object.freeze(s3),
    logLevel,
    headersTimeoutSeconds,
    bodyIdleTimeoutSeconds,
    requestTimeoutSeconds,
    maxConcurrentUploads,
    shutdownGraceSeconds,
    metricsToken,
    corsOrigins,
  });
}
