// The outbound port: fetching a `url` file input and POSTing a callback, under the address rules. The safe fetcher
// (src/inputs) implements it; the domain never opens a connection itself.
import type { Readable } from 'node:stream';

export interface RemoteFile {
  readonly body: Readable;
  /** Where the last redirect led: its path names the file. */
  readonly finalUrl: URL;
  /** Aborts the transfer (and ends its timer) whatever state it is in. */
  readonly signal: AbortSignal;
}

/** A URL that could not be fetched or posted to: `reason` is safe to show the caller. */
export class DownloadError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DownloadError';
  }
}

export interface RemoteFiles {
  /** Opens a file for reading; rejects with a DownloadError when it cannot be had. */
  open(url: string): Promise<RemoteFile>;
  /** Drops a file whose body will not be read. */
  discard(file: RemoteFile): void;
  /** Why reading an opened file's body failed, in words for the caller. */
  describeBodyFailure(error: unknown, file: RemoteFile): string;
  /** Throws a DownloadError for a URL that could never be reached (scheme, literal address), without connecting. */
  precheck(url: string): void;
  /** POSTs a small body (a callback); resolves with the status, rejects with a DownloadError. */
  post(url: string, body: string, headers: Record<string, string>): Promise<number>;
}
