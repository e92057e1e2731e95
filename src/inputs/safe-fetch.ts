// Fetches a URL input without letting a caller reach what they should not: https only (unless allowed), every
// address a host resolves to checked, the connection made to the checked address (undici's connect-time lookup
// hook, so a second DNS answer cannot swap it: DNS-rebinding safe), at most 3 redirects each checked again,
// bounded in time. The body is handed back as a stream; its size limit is enforced by whoever reads it.
import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { DownloadError, type RemoteFile, type RemoteFiles } from '../domain/ports/index.js';
import type { AddressPolicy } from './address-policy.js';

export interface SafeFetchOptions {
  readonly policy: AddressPolicy;
  readonly allowHttp: boolean;
  /** Connect timeout and total time for one fetch, body included. */
  readonly timeoutMs: number;
  readonly maxRedirects?: number;
  /** Refuse before reading when the server announces more than this. */
  readonly maxBytes: number;
}

export type FetchedFile = RemoteFile;

class BlockedAddressError extends Error {
  readonly code = 'EASSETD_BLOCKED';
  constructor(readonly reason: string) {
    super(reason);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Drops a response body we will not read. undici's body emits an AbortError when destroyed: it must be heard. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function findCause(error: unknown): Error | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof BlockedAddressError || e instanceof DownloadError) return e;
  }
  return undefined;
}

function describeFailure(error: unknown, timedOut: boolean): string {
  const known = findCause(error);
  if (known) return known.message;
  if (timedOut) return 'the download timed out';
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'the connection timed out';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed by the server';
  return 'the server could not be reached';
}

export class SafeFetcher implements RemoteFiles {
  private readonly agent: Agent;
  private readonly maxRedirects: number;

  constructor(private readonly options: SafeFetchOptions) {
    this.maxRedirects = options.maxRedirects ?? 3;
    this.agent = new Agent({
      connect: { timeout: options.timeoutMs, lookup: this.checkedLookup },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** Resolves every address, refuses the host if any one is not allowed, and hands back only checked ones. */
  private readonly checkedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { all: true, family: lookupOptions.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const verdict = this.options.policy.check(address);
        // The resolved address stays out of the message: it would map internal names for any caller.
        if (!verdict.allowed) return callback(new BlockedAddressError(`${hostname} resolves to a non-public address`), '', 0);
      }
      if (addresses.length === 0) return callback(new BlockedAddressError(`${hostname} has no address`), '', 0);
      if (lookupOptions.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

  private checkUrl(url: URL): void {
    const httpsOnly = !this.options.allowHttp;
    if (url.protocol !== 'https:' && (httpsOnly || url.protocol !== 'http:')) {
      throw new DownloadError(httpsOnly ? 'only https URLs are fetched' : 'only http and https URLs are fetched');
    }
    if (url.username || url.password) throw new DownloadError('URLs with credentials are not fetched');
    // Literal addresses never reach the lookup hook, so they are checked here (the URL parser has already turned
    // spellings like 127.1 or 0x7f000001 into dotted quads).
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host)) {
      const verdict = this.options.policy.check(host);
      if (!verdict.allowed) throw new DownloadError(`${verdict.reason}`);
    }
  }

  async open(rawUrl: string): Promise<FetchedFile> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new DownloadError('the URL is not valid');
    }
    try {
      for (let hop = 0; ; hop++) {
        this.checkUrl(url);
        const response = await request(url, {
          dispatcher: this.agent,
          method: 'GET',
          signal: timeout,
          headers: { 'user-agent': 'assetd (file input fetcher)', accept: '*/*' },
        });
        if (REDIRECTS.has(response.statusCode)) {
          discard(response.body);
          const location = response.headers.location;
          if (typeof location !== 'string') throw new DownloadError(`the server answered ${response.statusCode} without a Location`);
          if (hop >= this.maxRedirects) throw new DownloadError(`more than ${this.maxRedirects} redirects`);
          url = new URL(location, url);
          continue;
        }
        if (response.statusCode !== 200) {
          discard(response.body);
          throw new DownloadError(`the server answered ${response.statusCode}`);
        }
        const announced = Number(response.headers['content-length']);
        if (Number.isFinite(announced) && announced > this.options.maxBytes) {
          discard(response.body);
          throw new DownloadError(`the file is larger than ${this.options.maxBytes} bytes`);
        }
        return { body: response.body, finalUrl: url, signal: timeout };
      }
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      throw new DownloadError(describeFailure(error, timeout.aborted));
    }
  }

  /** POSTs a small body (a webhook) under the same address rules; no redirects are followed. */
  async post(rawUrl: string, body: string, headers: Record<string, string>): Promise<number> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const url = new URL(rawUrl);
      this.checkUrl(url);
      const response = await request(url, { dispatcher: this.agent, method: 'POST', body, headers, signal: timeout });
      discard(response.body);
      return response.statusCode;
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      throw new DownloadError(describeFailure(error, timeout.aborted));
    }
  }

  /** Refuses a URL that could never be fetched (scheme, credentials, literal address), without connecting. */
  precheck(rawUrl: string): void {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new DownloadError('the URL is not valid');
    }
    this.checkUrl(url);
  }

  discard(file: FetchedFile): void {
    discard(file.body);
  }

  /** Maps a failure while reading the body to a reason for the caller. */
  describeBodyFailure(error: unknown, file: FetchedFile): string {
    return describeFailure(error, file.signal.aborted);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
