// Multipart uploads on an S3-compatible store, driven by clients: genuine presigned UploadPart URLs with the part's
// exact size (and its SHA-256, when given) signed in, so the bytes never pass through assetd and the store itself
// refuses a part of another size; ListParts, CompleteMultipartUpload and AbortMultipartUpload do the rest.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Transform, type Readable } from 'node:stream';
import { errors } from '../../domain/errors.js';
import type {
  CompleteMultipartOptions,
  MultipartStorage,
  MultipartTarget,
  ObjectInfo,
  PresignPartOptions,
  StoredPart,
  UploadTarget,
  WritePartOptions,
} from '../../domain/ports/index.js';

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const base64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

function isNoSuchUpload(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NoSuchUpload' || e?.Code === 'NoSuchUpload' || e?.$metadata?.httpStatusCode === 404;
}

export class S3Multipart implements MultipartStorage {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** The bucket key of an object key (prefix added, key guarded). */
    private readonly objectKey: (key: string) => string,
  ) {}

  async create({ key, contentType, partChecksums }: { key: string; contentType: string; partChecksums?: boolean }): Promise<{ uploadId: string }> {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ContentType: contentType,
        // The store then checks (where it can) and keeps each part's SHA-256, and completing names them.
        ...(partChecksums ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
      }),
    );
    if (!UploadId) throw new Error('The store answered CreateMultipartUpload without an UploadId');
    return { uploadId: UploadId };
  }

  readonly presignPart = async ({ key, uploadId, partNumber, sizeBytes, sha256, expiresAt }: PresignPartOptions): Promise<UploadTarget> => {
    const checksum = sha256 ? hexToBase64(sha256) : undefined;
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentLength: sizeBytes,
      ...(checksum ? { ChecksumSHA256: checksum } : {}),
    });
    const expiresIn = Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    const url = await getSignedUrl(this.client, command, {
      expiresIn,
      // Signed headers: the store refuses a part of another length (or, where it checks them, other bytes).
      signableHeaders: new Set(['content-length', ...(checksum ? ['x-amz-checksum-sha256'] : [])]),
      unhoistableHeaders: new Set(checksum ? ['x-amz-checksum-sha256'] : []),
    });
    return { url, headers: checksum ? { 'x-amz-checksum-sha256': checksum } : {} };
  };

  async writePart({ key, uploadId, partNumber, body, sizeBytes, sha256, signal }: WritePartOptions): Promise<StoredPart> {
    // The SDK sends ContentLength bytes and no more, and waits on a body that ends short: a body of another length
    // must fail the request itself, or its rest would be left on the connection (or the request left hanging).
    const stop = new AbortController();
    let failure: unknown = null;
    const exact = exactly(body, sizeBytes, (error) => {
      failure = error;
      stop.abort();
    });
    const onAbort = () => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const answer = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          UploadId: uploadId,
          PartNumber: partNumber,
          ContentLength: sizeBytes,
          Body: exact,
          ...(sha256 ? { ChecksumSHA256: hexToBase64(sha256) } : {}),
        }),
        { abortSignal: stop.signal },
      );
      return { partNumber, sizeBytes, etag: answer.ETag ?? '', sha256: answer.ChecksumSHA256 ? base64ToHex(answer.ChecksumSHA256) : null };
    } catch (error) {
      throw failure ?? error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async listParts({ key, uploadId }: MultipartTarget): Promise<StoredPart[] | null> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    try {
      // 1,000 parts a page: at most 10 pages.
      for (;;) {
        const page = await this.client.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: this.objectKey(key), UploadId: uploadId, PartNumberMarker: marker }),
        );
        for (const part of page.Parts ?? []) {
          if (part.PartNumber === undefined || part.Size === undefined) continue;
          parts.push({
            partNumber: part.PartNumber,
            sizeBytes: part.Size,
            etag: part.ETag ?? '',
            sha256: part.ChecksumSHA256 ? base64ToHex(part.ChecksumSHA256) : null,
          });
        }
        if (!page.IsTruncated || !page.NextPartNumberMarker) break;
        marker = page.NextPartNumberMarker;
      }
    } catch (error) {
      if (isNoSuchUpload(error)) return null;
      throw error;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async complete({ key, uploadId, parts }: CompleteMultipartOptions): Promise<ObjectInfo> {
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        UploadId: uploadId,
        MultipartUpload: {
          Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ...(p.sha256 ? { ChecksumSHA256: hexToBase64(p.sha256) } : {}) })),
        },
      }),
    );
    return { sizeBytes: parts.reduce((sum, p) => sum + p.sizeBytes, 0) };
  }

  async abort({ key, uploadId }: MultipartTarget): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.objectKey(key), UploadId: uploadId }));
    } catch (error) {
      if (!isNoSuchUpload(error)) throw error;
    }
  }
}

/** `body`, failing as soon as it runs past `size` bytes or ends short of it. */
function exactly(body: Readable, size: number, onFailure: (error: unknown) => void): Readable {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > size) return done(errors.sizeMismatch(`The part is longer than its ${size} bytes.`, 'body'));
      done(null, chunk);
    },
    flush(done) {
      done(bytes === size ? null : errors.sizeMismatch(`The part is ${bytes} bytes; it must be ${size}.`, 'body'));
    },
  });
  body.once('error', (error) => counter.destroy(error));
  counter.once('error', onFailure);
  return body.pipe(counter);
}
