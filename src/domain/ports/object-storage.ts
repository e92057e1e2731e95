// The ObjectStorage port: where asset bytes live. Domain code sees only this interface; the local-disk and S3
// adapters (src/storage) implement it, and test/contract/object-storage.case.ts holds each of them to it.
import type { Readable } from 'node:stream';

export interface ByteRange {
  /** Inclusive first byte. */
  readonly start: number;
  /** Inclusive last byte. */
  readonly end: number;
}

export interface WriteOptions {
  readonly key: string;
  readonly body: Readable;
  readonly contentType: string;
  readonly signal?: AbortSignal;
}

export interface ReadOptions {
  readonly key: string;
  readonly range?: ByteRange;
}

export interface ObjectInfo {
  readonly sizeBytes: number;
}

export interface StoredObject {
  readonly key: string;
  readonly modifiedAt: Date;
}

/** Where and how a client sends the bytes of a direct upload. */
export interface UploadTarget {
  readonly url: string;
  /** Headers the client must send verbatim. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface PresignPutOptions {
  readonly key: string;
  readonly sizeBytes: number;
  readonly contentType: string;
  readonly sha256: string | null;
  readonly expiresAt: Date;
}

export interface ObjectStorage {
  readonly name: string;
  /**
   * Present when clients can PUT straight to the backend (S3). Without it, assetd serves a signed upload endpoint
   * of its own and writes through write().
   */
  readonly presignPut?: (options: PresignPutOptions) => Promise<UploadTarget>;
  /**
   * Streams `body` into the object at `key`. Atomic: the object appears only once every byte is written; if the
   * body fails, the signal aborts, or the backend errors, nothing is left behind and the previous object (if any)
   * is untouched.
   */
  write(options: WriteOptions): Promise<ObjectInfo>;
  /** Streams the object (or one range of it). Resolves to null when there is no such object. */
  read(options: ReadOptions): Promise<Readable | null>;
  stat(key: string): Promise<ObjectInfo | null>;
  /** Renames an object (atomically where the backend can); false when there is no object at `from`. */
  move(options: { from: string; to: string }): Promise<boolean>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Every object whose key starts with `prefix`, with when it was last written, in no particular order (the
   * reaper's look for objects no record points to). Objects written while the listing runs may or may not appear.
   */
  list(prefix: string): AsyncIterable<StoredObject>;
  /**
   * Removes what interrupted writes of a killed process left (temp files, unfinished multipart uploads) that has not
   * been touched for `idleMs`, never a write still under way in this process; returns how many. Safe to run in
   * several processes at once.
   */
  removeAbandonedWrites(idleMs: number): Promise<number>;
  /** Throws when the backend cannot serve (used by the health check). */
  check(): Promise<void>;
  close(): Promise<void>;
}
