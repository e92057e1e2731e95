// The ObjectStorage port: where asset bytes live. Domain code sees only this interface; the local-disk and S3
// adapters (src/storage) implement it, and test/contract/object-storage.case.ts holds each of them to it.
import type { Readable, Transform } from 'node:stream';

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

/** One part of a multipart upload as the store holds it. */
export interface StoredPart {
  readonly partNumber: number;
  readonly sizeBytes: number;
  /** The store's tag for these bytes, which completing names (S3: the part's ETag; local disk: its SHA-256). */
  readonly etag: string;
  /** Lowercase hex, when the store itself verified and kept the part's SHA-256; null otherwise. */
  readonly sha256: string | null;
}

export interface MultipartTarget {
  /** Where the object appears once completed. */
  readonly key: string;
  readonly uploadId: string;
}

export interface PresignPartOptions extends MultipartTarget {
  readonly partNumber: number;
  readonly sizeBytes: number;
  /** Signed in as x-amz-checksum-sha256 when given, so the store refuses other bytes. */
  readonly sha256: string | null;
  readonly expiresAt: Date;
}

export interface WritePartOptions extends MultipartTarget {
  readonly partNumber: number;
  readonly body: Readable;
  /** The exact length of the body. */
  readonly sizeBytes: number;
  readonly sha256?: string | null;
  readonly signal?: AbortSignal;
}

export interface CompleteMultipartOptions extends MultipartTarget {
  /** Every part, in part-number order, as listParts() reported them. */
  readonly parts: readonly StoredPart[];
  /**
   * Where the store assembles the object itself (local disk), the bytes stream through this on their way to the
   * object, so the caller learns what they are without reading them again. Stores that assemble remotely (S3)
   * never call it. A failure of the stream fails the completion and leaves the parts as they were.
   */
  readonly observe?: () => Transform;
}

/**
 * Resumable uploads in parts: parts land in any order, a part written again replaces the earlier one (the last
 * completed write wins), and nothing appears at `key` until complete() assembles every part. abort() frees all.
 */
export interface MultipartStorage {
  /**
   * Opens an upload whose object will appear at `key`. With `partChecksums`, every part carries its SHA-256 (S3:
   * ChecksumAlgorithm SHA256, after which AWS refuses a part without one; without it, AWS refuses a part with one).
   */
  create(options: { key: string; contentType: string; partChecksums?: boolean }): Promise<{ uploadId: string }>;
  /**
   * Present when clients can PUT parts straight to the store (S3's presigned UploadPart, with the exact size signed
   * in). Without it, assetd serves a signed part endpoint of its own and writes through writePart().
   */
  readonly presignPart?: (options: PresignPartOptions) => Promise<UploadTarget>;
  /** Streams one part into the upload; refuses a body of another length. */
  writePart(options: WritePartOptions): Promise<StoredPart>;
  /** The parts received so far in part-number order; null when there is no such upload (completed or aborted). */
  listParts(target: MultipartTarget): Promise<StoredPart[] | null>;
  /** Assembles the parts into the object at `key`, atomically; the upload is gone afterwards. */
  complete(options: CompleteMultipartOptions): Promise<ObjectInfo>;
  /** Frees every part; aborting an upload that is gone is not an error. */
  abort(target: MultipartTarget): Promise<void>;
}

/** The bytes of an object being moved, and the move's outcome. */
export interface MovingRead {
  readonly sizeBytes: number;
  readonly body: Readable;
  /**
   * Settles once the copy is done and `from` removed: false when `from` was replaced meanwhile (then `to` holds none
   * of the bytes read, and whatever replaced them is still at `from`).
   */
  moved(): Promise<boolean>;
}

export interface ObjectStorage {
  readonly name: string;
  readonly multipart: MultipartStorage;
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
  /**
   * Present where a move copies the bytes (S3): moves `from` to `to` while streaming the very bytes it moves, so a
   * caller that must read them anyway does so during the copy rather than after it. The read and the copy are pinned
   * to one version of `from`, so what the caller learns from `body` is true of `to`. Null when `from` does not exist.
   */
  readonly moveReading?: (options: { from: string; to: string }) => Promise<MovingRead | null>;
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
   * several processes at once. A multipart upload whose object key `spare` says is still wanted (a client's
   * resumable upload, which may idle for hours between parts) is left alone.
   */
  removeAbandonedWrites(idleMs: number, options?: { spare?: (keys: readonly string[]) => Promise<ReadonlySet<string>> }): Promise<number>;
  /** Throws when the backend cannot serve (used by the health check). */
  check(): Promise<void>;
  close(): Promise<void>;
}
