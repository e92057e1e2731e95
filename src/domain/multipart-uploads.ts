// Resumable multipart uploads (an extension of direct upload): initiate opens a pending asset and a multipart upload
// in the store at the asset's own key; each part is PUT to its own presigned URL (S3's UploadPart, or assetd's signed
// part endpoint on local disk), with its exact size, and its SHA-256 when the client gives one, signed in; the state
// lists the parts received and hands out fresh URLs for the missing ones, so any process can resume. Completing goes
// through the direct upload's finalizer (multipart-assembly.ts); deleting or expiring the asset aborts the upload.
import type { Readable } from 'node:stream';
import { CHECKSUM_HEADER, hexToBase64, parseChecksum } from './checksums.js';
import { DirectUploadService, type DirectUploadRequest } from './direct-uploads.js';
import { AppError, errors } from './errors.js';
import { partLength, planOf, planParts, targetOf, type PartPlan } from './multipart-plan.js';
import type { Asset, AssetRecords, ObjectStorage, StoredPart, UploadTarget } from './ports/index.js';
import type { PublicUrls } from './public-urls.js';
import type { SignedPartQuery, UploadSigner } from './upload-signature.js';

/** The most part URLs one answer carries; a client asks for the next ones with part_number_marker. */
export const PART_URLS_PAGE = 1000;

export interface MultipartUploadRequest extends DirectUploadRequest {
  readonly partSizeBytes?: number | null | undefined;
  /**
   * Every part will be sent with its SHA-256 (its URL asked for with it). S3 must know this when the upload opens:
   * AWS refuses a part checksum the upload was not opened for, and a part without one after.
   */
  readonly partChecksums?: boolean | undefined;
}

export interface PartTarget extends UploadTarget {
  readonly partNumber: number;
  readonly sizeBytes: number;
}

export interface MultipartView {
  readonly asset: Asset;
  readonly plan: PartPlan;
  /** Parts the store holds (none once the upload is completed, expired or failed). */
  readonly received: readonly StoredPart[];
  /** URLs for missing parts, a page at a time. */
  readonly targets: readonly PartTarget[];
  /** Pass as part_number_marker to get the URLs after these; null when there are none. */
  readonly nextMarker: number | null;
  /** How long the URLs in `targets` work. */
  readonly urlExpiresInSeconds: number;
}

export interface PartUrlQuery {
  /** URLs for missing parts numbered above this (default 0). */
  readonly marker?: number | undefined;
  readonly limit?: number | undefined;
  /** URLs for exactly these parts (received or not), each with its SHA-256 signed in when `checksums` gives one. */
  readonly partNumbers?: readonly number[] | undefined;
  readonly checksums?: readonly (string | null)[] | undefined;
}

export interface ReceivePartOptions {
  readonly assetId: string;
  readonly partNumber: number;
  readonly query: Partial<SignedPartQuery>;
  readonly contentLength: string | undefined;
  readonly checksumHeader: string | undefined;
  readonly body: Readable;
  readonly signal?: AbortSignal;
}

export interface MultipartUploadOptions {
  readonly records: AssetRecords;
  readonly storage: ObjectStorage;
  readonly signer: UploadSigner;
  readonly urls: PublicUrls;
  /** How long one part URL works (ASSETD_UPLOAD_URL_TTL_SECONDS); a resuming client asks for fresh ones. */
  readonly urlTtlSeconds: number;
  /** How long the whole upload may take before the reaper aborts it (ASSETD_MULTIPART_TTL_SECONDS). */
  readonly ttlSeconds: number;
  /** ASSETD_MULTIPART_MAX_BYTES. */
  readonly maxBytes: number;
  readonly now?: () => Date;
}

export class MultipartUploadService {
  private readonly now: () => Date;
  /** Checks a request and builds its pending asset exactly as a direct upload does, with this flow's limits. */
  private readonly pending: DirectUploadService;

  constructor(private readonly options: MultipartUploadOptions) {
    this.now = options.now ?? (() => new Date());
    this.pending = new DirectUploadService({ ...options, ttlSeconds: options.ttlSeconds, maxBytes: options.maxBytes });
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  async initiate(tenant: string, request: MultipartUploadRequest): Promise<MultipartView> {
    const prepared = this.pending.prepare(tenant, request);
    const plan = planParts(prepared.sizeBytes, request.partSizeBytes);
    const { storage, records } = this.options;
    const partChecksums = request.partChecksums === true;
    const { uploadId } = await storage.multipart.create({ key: prepared.storageKey, contentType: prepared.mimeType, partChecksums });
    const multipart = { uploadId, partSizeBytes: plan.partSizeBytes, ...(partChecksums ? { partChecksums } : {}) };
    const asset: Asset = { ...prepared, multipart };
    try {
      await records.insertAsset(asset);
    } catch (error) {
      await storage.multipart.abort({ key: asset.storageKey, uploadId }).catch(() => {});
      throw error;
    }
    return this.view(asset, plan, [], {});
  }

  /** The parts received and URLs for the missing ones (or for the parts asked for). */
  async state(tenant: string, assetId: string, query: PartUrlQuery = {}): Promise<MultipartView> {
    const asset = await this.options.records.findAsset(tenant, assetId);
    if (!asset?.multipart) throw errors.notFound('Multipart upload', 'asset_id');
    const plan = planOf(asset.sizeBytes, asset.multipart.partSizeBytes);
    if (asset.status !== 'pending_upload') return this.view(asset, plan, [], query);
    const received = await this.options.storage.multipart.listParts(targetOf(asset, asset.multipart));
    return this.view(asset, plan, received ?? [], query);
  }

  /** assetd's own part endpoint (storage without presigned part URLs): checks, then streams the part to the store. */
  async receivePart(options: ReceivePartOptions): Promise<{ partNumber: number; sizeBytes: number; etag: string; sha256: string | null }> {
    const grant = this.options.signer.verifyPart(options.assetId, options.partNumber, options.query, Math.floor(this.now().getTime() / 1000));
    if (grant === 'expired') throw errors.urlExpired();
    if (typeof grant === 'string') throw errors.forbidden('The upload URL signature is not valid.');
    if (options.contentLength !== String(grant.sizeBytes)) {
      throw errors.partSizeMismatch(`Part ${grant.partNumber} must be exactly ${grant.sizeBytes} bytes (Content-Length), as signed into its URL.`, 'Content-Length');
    }
    if (grant.sha256 && options.checksumHeader !== hexToBase64(grant.sha256)) {
      throw errors.forbidden(`${CHECKSUM_HEADER} must be sent as given in upload_headers.`, CHECKSUM_HEADER);
    }
    const asset = await this.options.records.findAssetById(options.assetId);
    if (!asset?.multipart) throw errors.notFound('Upload');
    this.refuseSettled(asset);
    const plan = planOf(asset.sizeBytes, asset.multipart.partSizeBytes);
    if (partLength(plan, grant.partNumber) !== grant.sizeBytes) {
      throw errors.partSizeMismatch(`Part ${grant.partNumber} is ${partLength(plan, grant.partNumber)} bytes long.`, 'Content-Length');
    }
    try {
      return await this.options.storage.multipart.writePart({
        ...targetOf(asset, asset.multipart),
        partNumber: grant.partNumber,
        body: options.body,
        sizeBytes: grant.sizeBytes,
        // A checksum header the URL did not sign is still a promise about the bytes, and S3 holds a part to it too.
        sha256: grant.sha256 ?? parseChecksum(options.checksumHeader, CHECKSUM_HEADER),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      // Completed, expired or deleted while the part streamed in: say which.
      if (error instanceof AppError && error.code === 'not_found') {
        const now = await this.options.records.findAssetById(options.assetId);
        if (!now) throw errors.notFound('Upload');
        this.refuseSettled(now);
      }
      throw error;
    }
  }

  private refuseSettled(asset: Asset): void {
    if (asset.status === 'completed') throw errors.uploadCompleted();
    if (asset.status === 'expired') throw errors.uploadExpired();
    if (asset.status === 'failed') throw errors.conflict('This upload failed verification; start a new upload.');
  }

  private async view(asset: Asset, plan: PartPlan, received: readonly StoredPart[], query: PartUrlQuery): Promise<MultipartView> {
    const now = this.now();
    const settled = asset.status !== 'pending_upload';
    // A part URL never outlives the upload it belongs to.
    const uploadEnds = asset.expiresAt?.getTime() ?? now.getTime();
    const urlExpiresAt = new Date(Math.min(uploadEnds, (Math.ceil(now.getTime() / 1000) + this.options.urlTtlSeconds) * 1000));
    const urlExpiresInSeconds = Math.max(0, Math.floor((urlExpiresAt.getTime() - now.getTime()) / 1000));
    let wanted: { partNumber: number; sha256: string | null }[] = [];
    let nextMarker: number | null = null;
    if (query.partNumbers && query.partNumbers.length > 0) {
      const checksums = query.checksums ?? [];
      if (checksums.length > 0 && checksums.length !== query.partNumbers.length) {
        throw errors.invalidParameter('checksums_sha256 must give one checksum (or an empty entry) per part number.', 'checksums_sha256');
      }
      if (query.partNumbers.length > PART_URLS_PAGE) throw errors.invalidParameter(`At most ${PART_URLS_PAGE} part numbers at a time.`, 'part_numbers');
      const withChecksums = asset.multipart?.partChecksums === true;
      wanted = query.partNumbers.map((partNumber, i) => {
        partLength(plan, partNumber);
        const sha256 = parseChecksum(checksums[i] || null, `checksums_sha256[${i}]`);
        if (withChecksums && !sha256) {
          throw errors.invalidParameter('This upload takes every part with its SHA-256 (part_checksums): give one per part number.', 'checksums_sha256');
        }
        if (!withChecksums && sha256) {
          throw errors.invalidParameter('This upload was started without part_checksums: its parts take no SHA-256.', 'checksums_sha256');
        }
        return { partNumber, sha256 };
      });
    } else if (!settled && asset.multipart?.partChecksums !== true) {
      // (With part_checksums, a URL is only ever made with its part's SHA-256: asked for by number.)
      const have = new Set(received.map((p) => p.partNumber));
      const limit = Math.min(query.limit ?? PART_URLS_PAGE, PART_URLS_PAGE);
      for (let n = (query.marker ?? 0) + 1; n <= plan.partCount; n++) {
        if (have.has(n)) continue;
        if (wanted.length === limit) {
          nextMarker = wanted[wanted.length - 1]!.partNumber;
          break;
        }
        wanted.push({ partNumber: n, sha256: null });
      }
    }
    // Asking a settled upload for URLs by number: it takes no more parts.
    if (settled && wanted.length > 0) this.refuseSettled(asset);
    const targets = await Promise.all(wanted.map(({ partNumber, sha256 }) => this.target(asset, plan, partNumber, sha256, urlExpiresAt)));
    return { asset, plan, received, targets, nextMarker, urlExpiresInSeconds };
  }

  private async target(asset: Asset, plan: PartPlan, partNumber: number, sha256: string | null, expiresAt: Date): Promise<PartTarget> {
    const multipart = asset.multipart!;
    const sizeBytes = partLength(plan, partNumber);
    const { storage, signer, urls } = this.options;
    const presign = storage.multipart.presignPart;
    const target = presign
      ? await presign({ ...targetOf(asset, multipart), partNumber, sizeBytes, sha256, expiresAt })
      : {
          url: urls.partUploadUrl(
            asset.assetId,
            partNumber,
            signer.signPart({ assetId: asset.assetId, partNumber, sizeBytes, sha256, expires: Math.floor(expiresAt.getTime() / 1000) }),
          ),
          headers: sha256 ? { [CHECKSUM_HEADER]: hexToBase64(sha256) } : {},
        };
    return { ...target, partNumber, sizeBytes };
  }
}
