// AssetdClient: upload a file once, by whichever flow fits it, and get an asset back. Small files go in one
// multipart request; large ones (and the types only direct upload takes) go by direct upload: initiate with the
// SHA-256, PUT to the presigned URL, complete; the largest (above 64 MiB) as a resumable upload in parts
// (multipart-upload.ts). Each step is retried where that is safe, the complete on its 409
// ("not found yet") above all. Files stream from disk; nothing is held whole. It speaks only the public HTTP API.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request, type Dispatcher } from 'undici';
import { SINGLE_UPLOAD_MIMES, SNIFF_BYTES, sniff } from '../media/types.js';
import { multipartFile, type MultipartBody } from './multipart.js';
import { MULTIPART_ABOVE_BYTES, rangeStream, uploadInParts, type MultipartTransport, type PartEvent } from './multipart-upload.js';

/** The single-request limit of the contract. */
export const SINGLE_REQUEST_MAX_BYTES = 32 * 1024 * 1024;

export interface ClientOptions {
  /** Where assetd serves, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** How many times a step is tried at least when the network fails or the server answers 5xx/429 (default 4). */
  readonly attempts?: number;
  /**
   * How long a step keeps being retried, past `attempts`, while the server is unreachable or answers 5xx/429/a
   * retryable 409 (default 60 000 ms): long enough to outlast a server restart. 0 keeps to `attempts`.
   */
  readonly retryForMs?: number;
}

export interface UploadOptions {
  /** The name the asset keeps (default: the file's base name). */
  readonly filename?: string;
  /** Files larger than this go by direct upload (default 32 MiB, the single-request limit). */
  readonly directAbove?: number;
  /** Called as bytes go: while the file is hashed for a direct upload, then while it is sent. */
  readonly onProgress?: (progress: Progress) => void;
  /** Files larger than this go as a resumable multipart upload (default 64 MiB). */
  readonly multipartAbove?: number;
  /** Bytes per part (default: the server's, 64 MiB or more). */
  readonly partSizeBytes?: number;
  /** Parts sent at once (default 4). */
  readonly parallelParts?: number;
  /** Where a multipart upload keeps its resume state (default: `<file>.assetd-upload.json` beside the file). */
  readonly statePath?: string;
  /** Continue the multipart upload the state file describes, sending only the parts the server lacks. */
  readonly resume?: boolean;
  /** Each part of a multipart upload as it is sent, or found already received. */
  readonly onPart?: (event: PartEvent) => void;
}

export interface Progress {
  readonly phase: 'hashing' | 'sending';
  readonly bytes: number;
  readonly total: number;
}

export interface AssetPage {
  readonly data: Asset[];
  readonly has_more: boolean;
  readonly next_token: string | null;
}

export interface DownloadOptions {
  /** Called as bytes arrive. */
  readonly onProgress?: (progress: { bytes: number; total: number }) => void;
}

export interface UploadedAsset {
  readonly asset_id: string;
  readonly url: string;
  readonly mime_type: string;
  readonly size_bytes: number;
  /** How the bytes travelled. */
  readonly flow: 'single' | 'direct' | 'multipart';
}

export interface Asset {
  readonly asset_id: string;
  readonly status: string;
  readonly mime_type: string;
  readonly size_bytes: number;
  readonly sha256: string | null;
  readonly filename: string | null;
  readonly url: string | null;
  readonly [field: string]: unknown;
}

/** A refusal from the API (its error envelope), or from the object store a presigned PUT went to. */
export class AssetdError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'AssetdError';
  }
}

interface Sent {
  readonly status: number;
  readonly body: unknown;
  /** Seconds the server asked us to wait (Retry-After on a 429), if it said. */
  readonly retryAfter?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AssetdClient {
  private readonly baseUrl: string;
  private readonly attempts: number;
  private readonly retryForMs: number;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.attempts = options.attempts ?? 4;
    if (!Number.isSafeInteger(this.attempts) || this.attempts < 1) throw new RangeError('attempts must be a whole number ≥ 1');
    this.retryForMs = options.retryForMs ?? 60_000;
    if (!Number.isFinite(this.retryForMs) || this.retryForMs < 0) throw new RangeError('retryForMs must be a number ≥ 0');
  }

  async upload(filePath: string, options: UploadOptions = {}): Promise<UploadedAsset> {
    const { size } = await fs.stat(filePath);
    const filename = options.filename ?? path.basename(filePath);
    const mime = await sniffFile(filePath);
    const single = size <= (options.directAbove ?? SINGLE_REQUEST_MAX_BYTES) && (!mime || SINGLE_UPLOAD_MIMES.has(mime));
    const progress = options.onProgress ?? (() => {});
    if (options.resume || size > (options.multipartAbove ?? MULTIPART_ABOVE_BYTES)) {
      const inParts = await this.uploadMultipart(filePath, size, filename, mime ?? 'application/octet-stream', options, progress);
      if (inParts) return inParts;
    }
    return single
      ? this.uploadSingle(filePath, size, filename, mime, progress)
      : this.uploadDirect(filePath, size, filename, mime ?? 'application/octet-stream', progress);
  }

  async get(assetId: string): Promise<Asset> {
    return this.data<Asset>(await this.send('GET', `/v3/assets/${encodeURIComponent(assetId)}`));
  }

  /** One page of the caller's assets, newest first (`limit` 1-100, default 20; `token` from the page before). */
  async list(options: { limit?: number; token?: string | null } = {}): Promise<AssetPage> {
    const query = new URLSearchParams({ limit: String(options.limit ?? 20) });
    if (options.token) query.set('token', options.token);
    const sent = await this.send('GET', `/v3/assets?${query.toString()}`);
    if (sent.status !== 200) throw toError(sent);
    return sent.body as AssetPage;
  }

  /**
   * Streams a completed asset's bytes from its public url (no key is sent there) into `to`, and checks them
   * against the record: a different size or SHA-256 rejects with AssetdError `size_mismatch` / `checksum_mismatch`
   * after the bytes were written, so a caller writing a file must not keep it then (downloadFile() does that).
   */
  async download(asset: string | Asset, to: Writable, options: DownloadOptions = {}): Promise<Asset> {
    const record = typeof asset === 'string' ? await this.get(asset) : asset;
    if (record.status !== 'completed' || !record.url) {
      throw new AssetdError(409, 'conflict', `The asset is ${record.status}: it has no bytes to download.`);
    }
    const response = await request(record.url, { method: 'GET' });
    if (response.statusCode !== 200) throw toError({ status: response.statusCode, body: await readBody(response) });
    const hash = createHash('sha256');
    let bytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        options.onProgress?.({ bytes, total: record.size_bytes });
        done(null, chunk);
      },
    });
    await pipeline(response.body, counted, to);
    if (bytes !== record.size_bytes) {
      throw new AssetdError(0, 'size_mismatch', `Received ${bytes} bytes where the asset has ${record.size_bytes}.`);
    }
    const sha256 = hash.digest('hex');
    if (record.sha256 && sha256 !== record.sha256) {
      throw new AssetdError(0, 'checksum_mismatch', `The bytes received hash to ${sha256}, not the asset's ${record.sha256}.`);
    }
    return record;
  }

  /**
   * download() into a file: written beside it under a temporary name and renamed into place only once the size and
   * SHA-256 are verified, so a failed download leaves nothing. An existing file is replaced only with `overwrite`.
   */
  async downloadFile(asset: string | Asset, filePath: string, options: DownloadOptions & { overwrite?: boolean } = {}): Promise<Asset> {
    const record = typeof asset === 'string' ? await this.get(asset) : asset;
    if (!options.overwrite && (await fs.stat(filePath).catch(() => null))) {
      throw new AssetdError(0, 'file_exists', `${filePath} exists already (overwrite it with --force).`);
    }
    const partial = `${filePath}.${randomUUID().slice(0, 8)}.partial`;
    try {
      await this.download(record, createWriteStream(partial, { flags: 'wx' }), options);
      await fs.rename(partial, filePath);
    } catch (error) {
      await fs.rm(partial, { force: true });
      throw error;
    }
    return record;
  }

  async delete(assetId: string): Promise<void> {
    await this.data(await this.send('DELETE', `/v3/assets/${encodeURIComponent(assetId)}`));
  }

  private async uploadSingle(
    filePath: string,
    size: number,
    filename: string,
    mime: string | undefined,
    progress: (progress: Progress) => void,
  ): Promise<UploadedAsset> {
    const body = multipartFile({ field: 'file', path: filePath, sizeBytes: size, filename });
    const counted: MultipartBody = { ...body, stream: () => counting(body.stream(), (bytes) => progress({ phase: 'sending', bytes: Math.min(bytes, size), total: size })) };
    // One key for every attempt: a retry after a lost response gets the first answer, not a second asset.
    const sent = await this.send('POST', '/v3/assets', { multipart: counted, idempotencyKey: randomUUID() });
    // A server configured with a lower single-request limit: the file still fits the other flow.
    if (sent.status === 413 && mime) return this.uploadDirect(filePath, size, filename, mime, progress);
    return { ...this.data<Omit<UploadedAsset, 'flow'>>(sent), flow: 'single' };
  }

  private async uploadDirect(
    filePath: string,
    size: number,
    filename: string,
    mime: string,
    progress: (progress: Progress) => void,
  ): Promise<UploadedAsset> {
    const checksum = await sha256File(filePath, (bytes) => progress({ phase: 'hashing', bytes, total: size }));
    const initiated = this.data<{ asset_id: string; upload_url: string; upload_headers: Record<string, string> }>(
      await this.send('POST', '/v3/assets/direct-uploads', {
        json: { filename, content_type: mime, size_bytes: size, checksum_sha256: checksum },
        idempotencyKey: randomUUID(),
      }),
    );
    await this.put(initiated.upload_url, initiated.upload_headers, filePath, size, (bytes) => progress({ phase: 'sending', bytes, total: size }));
    const completePath = `/v3/assets/${encodeURIComponent(initiated.asset_id)}/complete`;
    const done = await this.send('POST', completePath, { json: { checksum_sha256: checksum }, retryConflict: true });
    return { ...this.data<Omit<UploadedAsset, 'flow'>>(done), flow: 'direct' };
  }

  /** A resumable upload in parts (multipart-upload.ts); null when the server has no multipart uploads. */
  private async uploadMultipart(
    filePath: string,
    size: number,
    filename: string,
    mime: string,
    options: UploadOptions,
    progress: (progress: Progress) => void,
  ): Promise<UploadedAsset | null> {
    const transport: MultipartTransport = {
      baseUrl: this.baseUrl,
      api: async <T>(method: 'GET' | 'POST', pathname: string, call: { json?: unknown; idempotent?: boolean; retryConflict?: boolean } = {}) =>
        this.data<T>(
          await this.send(method, pathname, {
            ...(call.json !== undefined ? { json: call.json } : {}),
            ...(call.idempotent ? { idempotencyKey: randomUUID() } : {}),
            ...(call.retryConflict ? { retryConflict: true } : {}),
          }),
        ),
      putRange: async (url, headers, file, start, end, onBytes) => {
        const sent = await this.retrying(async () => {
          const response = await request(url, {
            method: 'PUT',
            headers: { ...withoutContentLength(headers), 'content-length': String(end - start) },
            body: counting(rangeStream(file, start, end), onBytes),
          });
          return sentFrom(response.statusCode, response.headers, await readBody(response));
        });
        if (sent.status !== 200) throw toError(sent);
      },
    };
    try {
      const done = await uploadInParts<Omit<UploadedAsset, 'flow'>>(transport, {
        filePath,
        size,
        filename,
        mime,
        partSizeBytes: options.partSizeBytes,
        parallel: options.parallelParts,
        statePath: options.statePath,
        resume: options.resume,
        onBytes: (bytes) => progress({ phase: 'sending', bytes, total: size }),
        onPart: options.onPart,
      });
      return { ...done, flow: 'multipart' };
    } catch (error) {
      // A server without multipart uploads (an older assetd, the platform itself): the file still fits direct upload.
      if (!options.resume && error instanceof AssetdError && error.status === 404 && /^Route /.test(error.message)) return null;
      throw error;
    }
  }

  /**
   * The presigned PUT: no API key, the headers verbatim, and the exact Content-Length (signed into the URL; a
   * streamed body would otherwise go chunked). A PUT replaces the object, so it is safe to repeat.
   */
  private async put(url: string, headers: Record<string, string>, filePath: string, size: number, onBytes: (bytes: number) => void): Promise<void> {
    const sent = await this.retrying(async () => {
      const response = await request(url, {
        method: 'PUT',
        headers: { ...withoutContentLength(headers), 'content-length': String(size) },
        body: counting(createReadStream(filePath, { highWaterMark: 1024 * 1024 }), onBytes),
      });
      return sentFrom(response.statusCode, response.headers, await readBody(response));
    });
    if (sent.status !== 200) throw toError(sent);
  }

  private async send(
    method: Dispatcher.HttpMethod,
    pathname: string,
    options: { json?: unknown; multipart?: MultipartBody; idempotencyKey?: string; retryConflict?: boolean } = {},
  ): Promise<Sent> {
    const headers: Record<string, string> = { 'x-api-key': this.options.apiKey };
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    if (options.multipart) {
      headers['content-type'] = options.multipart.contentType;
      headers['content-length'] = String(options.multipart.contentLength);
    }
    return this.retrying(
      async () => {
        const response = await request(`${this.baseUrl}${pathname}`, {
          method,
          headers,
          body: options.multipart ? options.multipart.stream() : options.json === undefined ? undefined : JSON.stringify(options.json),
        });
        return sentFrom(response.statusCode, response.headers, await readBody(response));
      },
      // With a key, 409 request_in_progress means our own earlier attempt (whose answer was lost) still runs.
      (sent) => (options.retryConflict ?? false) || (options.idempotencyKey !== undefined && errorCode(sent) === 'request_in_progress'),
    );
  }

  /**
   * Tries `attempt` again, with growing pauses, after a network failure, a 5xx or a 429, and after a 409 that
   * `conflictMeansRetry` accepts: for complete, "the PUT has not landed yet" or "another request is completing it".
   */
  private async retrying(attempt: () => Promise<Sent>, conflictMeansRetry: (sent: Sent) => boolean = () => false): Promise<Sent> {
    const conflictTries = Math.max(this.attempts, 10); // a PUT of gigabytes can take a while to land
    const giveUpAt = Date.now() + this.retryForMs;
    // Within the time budget every failure is tried again; past it, only until the count is reached.
    const mayRetry = (n: number, tries: number) => n < tries || Date.now() < giveUpAt;
    for (let n = 1; ; n++) {
      // Exponential, capped, with jitter so clients cut off together by a restart do not come back together.
      const pause = Math.min(200 * 2 ** (n - 1), 5000) * (0.5 + Math.random() / 2);
      let sent: Sent;
      try {
        sent = await attempt();
      } catch (error) {
        if (!mayRetry(n, this.attempts)) throw error;
        await sleep(pause);
        continue;
      }
      const conflict = sent.status === 409 && conflictMeansRetry(sent);
      const again = sent.status >= 500 || sent.status === 429 || conflict;
      if (!again || !mayRetry(n, conflict ? conflictTries : this.attempts)) return sent;
      await sleep(sent.retryAfter === undefined ? pause : Math.min(sent.retryAfter * 1000, 60_000));
    }
  }

  private data<T>(sent: Sent): T {
    if (sent.status >= 200 && sent.status < 300) return (sent.body as { data: T }).data;
    throw toError(sent);
  }
}

function sentFrom(status: number, headers: Record<string, string | string[] | undefined>, body: unknown): Sent {
  const retryAfter = Number(headers['retry-after']);
  return Number.isFinite(retryAfter) && retryAfter >= 0 ? { status, body, retryAfter } : { status, body };
}

function withoutContentLength(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
}

async function readBody(response: Dispatcher.ResponseData): Promise<unknown> {
  const text = await response.body.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorCode({ body }: Sent): string | undefined {
  return (body as { error?: { code?: string } } | null)?.error?.code;
}

function toError({ status, body }: Sent): AssetdError {
  const error = (body as { error?: { code?: string; message?: string; param?: string } } | null)?.error;
  if (error?.code) return new AssetdError(status, error.code, error.message ?? error.code, error.param);
  // An object store's refusal is XML: its <Code> and <Message> are all we can pass on.
  const text = typeof body === 'string' ? body : '';
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `http_${status}`;
  const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? (text.slice(0, 200) || `HTTP ${status}`);
  return new AssetdError(status, code, message);
}

/** The canonical type of a file from its first bytes, as the server will sniff it; undefined if unknown. */
async function sniffFile(filePath: string): Promise<string | undefined> {
  const handle = await fs.open(filePath, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return (await sniff(head.subarray(0, bytesRead))).media?.mime;
  } finally {
    await handle.close();
  }
}

async function sha256File(filePath: string, onBytes: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(counting(createReadStream(filePath, { highWaterMark: 1024 * 1024 }), onBytes), hash);
  return hash.digest('hex');
}

/** `source` passed through, telling `onBytes` how many bytes have gone by. */
function counting(source: Readable, onBytes: (bytes: number) => void): Readable {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      onBytes(bytes);
      done(null, chunk);
    },
  });
  source.once('error', (error) => counter.destroy(error));
  return source.pipe(counter);
}
