// Direct upload: initiate (a pending asset and a presigned PUT target: the store's own, or assetd's signed
// endpoint, upload-receiver.ts) and complete (upload-finalizer.ts verifies the stored bytes, then publishes).
// Bytes land under a staging key and become the asset's object only at completion.
import { mediaTypeOf } from '../media/types.js';
import { CHECKSUM_HEADER, hexToBase64, parseChecksum } from './checksums.js';
import { errors } from './errors.js';
import { cleanFilename } from './filenames.js';
import { newAssetId, newUrlToken, stagingKeyFor, storageKeyFor } from './ids.js';
import type { Asset, AssetRecords, ObjectStorage, UploadTarget } from './ports/index.js';
import type { PublicUrls } from './public-urls.js';
import type { AssetEvents } from './events.js';
import { UploadFinalizer } from './upload-finalizer.js';
import type { UploadSigner } from './upload-signature.js';

export interface DirectUploadRequest {
  readonly filename: string;
  readonly contentType?: string | undefined;
  /** Alias of contentType accepted by the contract. */
  readonly mimeType?: string | undefined;
  readonly sizeBytes: number;
  readonly checksumSha256?: string | null | undefined;
}

export interface InitiatedUpload {
  readonly asset: Asset;
  readonly target: UploadTarget;
  readonly expiresInSeconds: number;
  readonly maxBytes: number;
}

export interface DirectUploadOptions {
  readonly records: AssetRecords;
  readonly storage: ObjectStorage;
  readonly signer: UploadSigner;
  readonly urls: PublicUrls;
  readonly ttlSeconds: number;
  readonly maxBytes: number;
  readonly now?: () => Date;
  /** Makes the events recorded when an upload completes, fails or expires (none when absent). */
  readonly events?: AssetEvents;
}

export class DirectUploadService {
  private readonly now: () => Date;
  private readonly finalizer: UploadFinalizer;

  constructor(private readonly options: DirectUploadOptions) {
    this.now = options.now ?? (() => new Date());
    this.finalizer = new UploadFinalizer(options);
  }

  /** Checks one request and builds its pending asset; `prefix` is the JSON path of the request (`files[2].`). */
  prepare(tenant: string, request: DirectUploadRequest, prefix = '', batchId: string | null = null): Asset {
    const declared = request.contentType ?? request.mimeType;
    if (declared === undefined) throw errors.invalidParameter(`${prefix}content_type is required.`, `${prefix}content_type`);
    if (request.contentType !== undefined && request.mimeType !== undefined && request.contentType !== request.mimeType) {
      throw errors.invalidParameter('content_type and mime_type disagree; send one.', `${prefix}mime_type`);
    }
    const media = mediaTypeOf(declared);
    if (!media) {
      throw errors.unsupportedMediaType(`${declared} is not a supported type for direct upload.`, `${prefix}content_type`);
    }
    const { maxBytes } = this.options;
    if (!Number.isSafeInteger(request.sizeBytes) || request.sizeBytes < 1 || request.sizeBytes > maxBytes) {
      throw errors.invalidParameter(`size_bytes must be between 1 and ${maxBytes} (max_bytes).`, `${prefix}size_bytes`);
    }
    const filename = cleanFilename(request.filename);
    if (filename === null) throw errors.invalidParameter('filename must name a file.', `${prefix}filename`);
    const declaredSha256 = parseChecksum(request.checksumSha256, `${prefix}checksum_sha256`);

    const now = this.now();
    const assetId = newAssetId();
    // Whole seconds (the signed expiry and the stored one must be the same instant), rounded up so the URL lives
    // at least as long as expires_in_seconds says.
    const expiresAt = new Date((Math.ceil(now.getTime() / 1000) + this.options.ttlSeconds) * 1000);
    return {
      assetId,
      tenant,
      status: 'pending_upload',
      mimeType: media.mime,
      sizeBytes: request.sizeBytes,
      sha256: null,
      filename,
      storageKey: storageKeyFor(assetId),
      urlToken: newUrlToken(),
      createdAt: now,
      completedAt: null,
      declaredSha256,
      expiresAt,
      batchId,
      failureCode: null,
      failureMessage: null,
      width: null,
      height: null,
      durationSeconds: null,
      receipt: null,
    };
  }

  async initiate(tenant: string, request: DirectUploadRequest): Promise<InitiatedUpload> {
    const asset = this.prepare(tenant, request);
    await this.options.records.insertAsset(asset);
    return this.describe(asset);
  }

  /** The answer to an initiation: where to PUT, with which headers, until when. */
  async describe(asset: Asset): Promise<InitiatedUpload> {
    const expiresAt = asset.expiresAt ?? this.now();
    const { storage, signer, urls } = this.options;
    const target = storage.presignPut
      ? await storage.presignPut({
          key: stagingKeyFor(asset.assetId),
          sizeBytes: asset.sizeBytes,
          contentType: asset.mimeType,
          sha256: asset.declaredSha256,
          expiresAt,
        })
      : {
          url: urls.uploadUrl(
            asset.assetId,
            signer.sign({
              assetId: asset.assetId,
              sizeBytes: asset.sizeBytes,
              contentType: asset.mimeType,
              sha256: asset.declaredSha256,
              expires: Math.floor(expiresAt.getTime() / 1000),
            }),
          ),
          // Lowercase names: a client that spreads these over its own `content-type` then sends the type once.
          headers: {
            'content-type': asset.mimeType,
            ...(asset.declaredSha256 ? { [CHECKSUM_HEADER]: hexToBase64(asset.declaredSha256) } : {}),
          },
        };
    // Counted from the asset's creation, the instant its expiry was derived from: slow storage between the two
    // must not make a fresh upload report less than the configured TTL.
    const expiresInSeconds = Math.max(0, Math.floor((expiresAt.getTime() - asset.createdAt.getTime()) / 1000));
    return { asset, target, expiresInSeconds, maxBytes: this.options.maxBytes };
  }

  /** Verifies the stored bytes and publishes the asset; idempotent, and one finalizer at a time across processes. */
  complete(tenant: string, assetId: string, checksumSha256?: string | null): Promise<Asset> {
    return this.finalizer.complete(tenant, assetId, checksumSha256);
  }

  /** Marks a pending upload past its expiry `expired` (see UploadFinalizer.expire). */
  expire(asset: Asset): Promise<boolean> {
    return this.finalizer.expire(asset);
  }
}
