// ObjectStorage on any S3-compatible object store (AWS S3, R2, Ceph RGW, MinIO, GCS's S3 API). Writes stream with
// bounded memory (streaming-upload.ts: one PutObject, or a multipart upload aborted on failure), so an object appears
// whole or not at all; direct uploads get genuine presigned PUT URLs, so their bytes never pass through assetd.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { PassThrough, Readable } from 'node:stream';
import { storeFault } from '../faults.js';
import { checkKey } from '../path-guard.js';
import { S3Multipart } from './s3-multipart.js';
import { streamingUpload } from './streaming-upload.js';
import type {
  MovingRead,
  ObjectInfo,
  ObjectStorage,
  PresignPutOptions,
  ReadOptions,
  StoredObject,
  UploadTarget,
  WriteOptions,
} from '../../domain/ports/index.js';

export interface S3Options {
  readonly bucket: string;
  /** Key prefix inside the bucket ("" or e.g. "assetd/"). */
  readonly prefix: string;
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly forcePathStyle: boolean;
  /** Seconds a call's socket may move no byte before the call fails; 120 when absent. */
  readonly idleTimeoutSeconds?: number;
}

/** A store that accepts no connection within this long is down. */
const CONNECT_TIMEOUT_MS = 10_000;
/** CopyObject's own limit; larger objects are copied part by part. */
const SINGLE_COPY_MAX = 5 * 1000 * 1000 * 1000;
const COPY_PART_BYTES = 512 * 1024 * 1024;

const SILENT_LOGGER = { debug() {}, info() {}, warn() {}, error() {} };

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'PreconditionFailed' || e?.$metadata?.httpStatusCode === 412;
}

export class S3Storage implements ObjectStorage {
  readonly name = 's3';

  /** Object keys with writes under way in this process (how many each). */
  private readonly writing = new Map<string, number>();
  /** Clients' resumable uploads (s3-multipart.ts): presigned UploadPart URLs straight to the store. */
  readonly multipart: S3Multipart;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.multipart = new S3Multipart(client, bucket, (key) => this.objectKey(key));
  }

  static async open(options: S3Options): Promise<S3Storage> {
    const client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
      // Only what S3 requires: several S3-compatible stores do not know the newer default CRC checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Without these a store that stops answering (seen: Ceph RGW with a full pool) holds every request forever.
      // An idle limit rather than a total one: a 5 GiB copy may take minutes but never goes silent. It also ends a
      // download whose own client stopped reading for that long (the client resumes with a Range request).
      requestHandler: {
        connectionTimeout: CONNECT_TIMEOUT_MS,
        socketTimeout: (options.idleTimeoutSeconds ?? 120) * 1000,
      },
      // The SDK's default logger drops everything but one console warning, printed whenever a request with a streamed
      // body fails: a streamed write cuts its last part off on purpose (streaming-upload.ts). Failures reach our log
      // as the errors they are.
      logger: SILENT_LOGGER,
    });
    // Every call, each part of a streamed write included, answers a store that is down or full in the domain's words.
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          throw storeFault(error);
        }
      },
      { step: 'initialize', name: 'assetdStorageFaults' },
    );
    const storage = new S3Storage(client, options.bucket, options.prefix);
    await storage.check();
    return storage;
  }

  /** Keys go through the same guard as local paths, so both backends accept exactly the same keys. */
  private objectKey(key: string): string {
    checkKey(key);
    return `${this.prefix}${key}`;
  }

  async write({ key, body, contentType, signal }: WriteOptions): Promise<ObjectInfo> {
    const objectKey = this.objectKey(key);
    // Its own stream, so that an abort fails the write (and aborts its multipart upload) without destroying the body.
    const source = new PassThrough({ highWaterMark: 1024 * 1024 });
    body.on('error', (error) => source.destroy(error));
    body.pipe(source);
    const onAbort = () => source.destroy(new Error('write aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    this.writing.set(objectKey, (this.writing.get(objectKey) ?? 0) + 1);
    try {
      if (signal?.aborted) throw new Error('write aborted');
      const target = { client: this.client, bucket: this.bucket, key: objectKey, contentType };
      const sizeBytes = await streamingUpload(target, source);
      return { sizeBytes };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      const left = (this.writing.get(objectKey) ?? 1) - 1;
      if (left > 0) this.writing.set(objectKey, left);
      else this.writing.delete(objectKey);
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${prefix}`, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key || !object.LastModified) continue;
        yield { key: object.Key.slice(this.prefix.length), modifiedAt: object.LastModified };
      }
      if (!page.IsTruncated || !page.NextContinuationToken) return;
      token = page.NextContinuationToken;
    }
  }

  async read({ key, range }: ReadOptions): Promise<Readable | null> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return response.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { sizeBytes: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** S3 has no rename: copy (part by part past 5 GB), then delete the source. */
  async move({ from, to }: { from: string; to: string }): Promise<boolean> {
    const source = await this.stat(from);
    if (!source) return false;
    if (!(await this.copy(from, to, source.sizeBytes))) return false;
    await this.delete(from);
    return true;
  }

  /**
   * The object's bytes from one GET while the store copies that same version (the GET's ETag as the copy's
   * precondition) server-side: a complete that must hash the bytes anyway takes the longer of the two, not both.
   */
  readonly moveReading = async ({ from, to }: { from: string; to: string }): Promise<MovingRead | null> => {
    let response;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(from) }));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const sizeBytes = response.ContentLength ?? 0;
    const copying = this.copy(from, to, sizeBytes, response.ETag);
    // Observed through moved(); never an unhandled rejection when the caller gives up on the read first.
    copying.catch(() => {});
    return {
      sizeBytes,
      body: response.Body as Readable,
      moved: async () => {
        if (!(await copying)) return false;
        await this.delete(from);
        return true;
      },
    };
  };

  /** Copies `from` to `to` (part by part past 5 GB); false when `from` is gone or, with `ifMatch`, was replaced. */
  private async copy(from: string, to: string, sizeBytes: number, ifMatch?: string): Promise<boolean> {
    const copySource = encodeURI(`${this.bucket}/${this.objectKey(from)}`);
    const condition = ifMatch ? { CopySourceIfMatch: ifMatch } : {};
    try {
      if (sizeBytes <= SINGLE_COPY_MAX) {
        await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.objectKey(to), CopySource: copySource, ...condition }));
      } else {
        await this.copyInParts(copySource, this.objectKey(to), sizeBytes, condition);
      }
      return true;
    } catch (error) {
      // Another process moved it first, or a new PUT replaced the version the caller read.
      if (isNotFound(error) || isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  private async copyInParts(copySource: string, targetKey: string, size: number, condition: { CopySourceIfMatch?: string }): Promise<void> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: targetKey }));
    try {
      const parts = [];
      for (let start = 0, part = 1; start < size; start += COPY_PART_BYTES, part++) {
        const end = Math.min(start + COPY_PART_BYTES, size) - 1;
        const copied = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: targetKey,
            UploadId,
            PartNumber: part,
            CopySource: copySource,
            CopySourceRange: `bytes=${start}-${end}`,
            ...condition,
          }),
        );
        parts.push({ PartNumber: part, ETag: copied.CopyPartResult?.ETag });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: targetKey, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: targetKey, UploadId })).catch(() => {});
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /**
   * Multipart uploads under our prefix that a killed process never finished or aborted, and clients' resumable
   * uploads that `spare` no longer claims.
   */
  async removeAbandonedWrites(
    idleMs: number,
    options: { spare?: (keys: readonly string[]) => Promise<ReadonlySet<string>> } = {},
    now = Date.now(),
  ): Promise<number> {
    let removed = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (let page = 0; page < 100; page++) {
      const listing = await this.client.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
      );
      const idle = (listing.Uploads ?? []).filter(
        // A multipart upload this process is still writing is slow, not abandoned.
        (u) => u.Initiated && now - u.Initiated.getTime() >= idleMs && u.Key && !this.writing.has(u.Key),
      );
      const kept = options.spare ? await options.spare(idle.map((u) => u.Key!.slice(this.prefix.length))) : new Set<string>();
      for (const upload of idle) {
        if (kept.has(upload.Key!.slice(this.prefix.length))) continue;
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }))
          .then(() => (removed += 1), (error: unknown) => {
            if (!isNotFound(error)) throw error;
          });
      }
      if (!listing.IsTruncated) break;
      keyMarker = listing.NextKeyMarker;
      uploadIdMarker = listing.NextUploadIdMarker;
    }
    return removed;
  }

  readonly presignPut = async ({ key, sizeBytes, contentType, sha256, expiresAt }: PresignPutOptions): Promise<UploadTarget> => {
    const checksum = sha256 ? Buffer.from(sha256, 'hex').toString('base64') : undefined;
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      ContentLength: sizeBytes,
      ContentType: contentType,
      ...(checksum ? { ChecksumSHA256: checksum } : {}),
    });
    const expiresIn = Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    const url = await getSignedUrl(this.client, command, {
      expiresIn,
      // Size, type and checksum are signed headers: S3 refuses a PUT whose headers differ.
      signableHeaders: new Set(['content-length', 'content-type', ...(checksum ? ['x-amz-checksum-sha256'] : [])]),
      unhoistableHeaders: new Set(checksum ? ['x-amz-checksum-sha256'] : []),
    });
    return {
      url,
      // Lowercase names: a client that spreads these over its own `content-type` then sends the type once.
      headers: { 'content-type': contentType, ...(checksum ? { 'x-amz-checksum-sha256': checksum } : {}) },
    };
  };

  async close(): Promise<void> {
    this.client.destroy();
  }
}
