// The StorageBackend port: where asset bytes live. Domain code sees only this interface; the local-disk adapter
// (and later an S3 one) implement it, and test/contract/storage.case.ts holds every adapter to the same behaviour.
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

export interface StorageBackend {
  readonly name: string;
  /**
   * Streams `body` into the object at `key`. Atomic: the object appears only once every byte is written; if the
   * body fails, the signal aborts, or the backend errors, nothing is left behind and the previous object (if any)
   * is untouched.
   */
  write(options: WriteOptions): Promise<ObjectInfo>;
  /** Streams the object (or one range of it). Resolves to null when there is no such object. */
  read(options: ReadOptions): Promise<Readable | null>;
  stat(key: string): Promise<ObjectInfo | null>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Throws when the backend cannot serve (used by the health check). */
  check(): Promise<void>;
  close(): Promise<void>;
}
