// Direct upload: initiate (a pending asset and a presigned PUT target), receive (assetd's own signed storage
// endpoint, when the backend has no presigned PUT of its own), and complete (verify the stored bytes against what
// was declared, then publish). Bytes land under a staging key and become the asset's object only at completion.
import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Asset, AssetRecords, ObjectStorage, UploadTarget } from './ports/index.js';
import { AppError, errors } from './errors.js';
import { cleanFilename } from './filenames.js';
import { newAssetId, newUrlToken, stagingKeyFor, storageKeyFor } from './ids.js';
import { UploadInspector } from './inspect.js';
import type { MediaFacts } from '../media/media-facts.js';
import { mediaTypeOf } from '../media/types.js';
import type { PublicUrls } from './public-urls.js';
import { UploadSigner, type SignedQuery } from './upload-signature.js';

export interface DirectUploadRequest {
  readonly filename: string;
  readonly contentType?: string | undefined;
  /** Alias of contentType accepted by the contract. */
  readonly mimeType?: string | undefined;
  readonly sizeBytes: number;
  readonly checksumSha256?: string | undefined;
}

export interface InitiatedUpload {
  readonly asset: Asset;
  readonly target: UploadTarget;
  readonly expiresInSeconds: number;
  readonly maxBytes: number;
}

export interface ReceiveOptions {
  readonly assetId: string;
  readonly query: Partial<SignedQuery>;
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
  readonly checksumHeader: string | undefined;
  readonly body: Readable;
  readonly signal?: AbortSignal;
}

export interface DirectUploadOptions {
  readonly records: AssetRecords;
  readonly storage: ObjectStorage;
  readonly signer: UploadSigner;
  readonly urls: PublicUrls;
  readonly ttlSeconds: number;
  readonly maxBytes: number;
  readonly now?: () => Date;
}

export const CHECKSUM_HEADER = 'x-amz-checksum-sha256';
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const NOT_UPLOADED_YET = 'Uploaded object not found yet. Retry after upload PUT returns 200.';
/** Longer than verifying the largest upload takes; a holder that dies is replaced after it. */
const FINALIZE_LEASE_MS = 15 * 60 * 1000;
/** How long a concurrent complete waits for the holder before answering 409 (clients retry on 409). */
const FINALIZE_WAIT_MS = 60 * 1000;
const FINALIZE_POLL_MS = 50;

const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

export function parseChecksum(value: string | undefined, param: string): string | null {
  if (value === undefined) return null;
  if (!SHA256_HEX.test(value)) throw errors.invalidParameter(`${param} must be 64 hexadecimal characters.`, param);
  return value.toLowerCase();
}

export class DirectUploadService {
  private readonly now: () => Date;
  /** One finalization per asset in this process; the records' compare-and-set covers other processes. */
  private readonly finalizing = new Map<string, Promise<Asset>>();

  constructor(private readonly options: DirectUploadOptions) {
    this.now = options.now ?? (() => new Date());
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
          headers: {
            'Content-Type': asset.mimeType,
            ...(asset.declaredSha256 ? { [CHECKSUM_HEADER]: hexToBase64(asset.declaredSha256) } : {}),
          },
        };
    // Counted from the asset's creation, the instant its expiry was derived from: slow storage between the two
    // must not make a fresh upload report less than the configured TTL.
    const expiresInSeconds = Math.max(0, Math.floor((expiresAt.getTime() - asset.createdAt.getTime()) / 1000));
    return { asset, target, expiresInSeconds, maxBytes: this.options.maxBytes };
  }

  /** The signed PUT: every check that needs no bytes first, then the bytes, counted and hashed on the way in. */
  async receive(options: ReceiveOptions): Promise<{ sha256: string }> {
    const grant = this.options.signer.verify(options.assetId, options.query, Math.floor(this.now().getTime() / 1000));
    if (grant === 'expired') throw errors.forbidden('The upload URL has expired.');
    if (typeof grant === 'string') throw errors.forbidden('The upload URL signature is not valid.');
    if (options.contentType !== grant.contentType) {
      throw errors.forbidden(`Content-Type must be ${grant.contentType}, as signed into the URL.`, 'Content-Type');
    }
    if (options.contentLength !== String(grant.sizeBytes)) {
      throw errors.forbidden(`Content-Length must be ${grant.sizeBytes}, as signed into the URL.`, 'Content-Length');
    }
    if (grant.sha256 && options.checksumHeader !== hexToBase64(grant.sha256)) {
      throw errors.forbidden(`${CHECKSUM_HEADER} must be sent as given in upload_headers.`, CHECKSUM_HEADER);
    }
    const asset = await this.options.records.findAssetById(options.assetId);
    if (!asset) throw errors.notFound('Upload');
    if (asset.status === 'completed') throw errors.conflict('This upload is already completed; its URL takes no more bytes.');
    if (asset.status === 'expired') throw errors.uploadExpired();
    if (asset.status === 'failed') throw errors.conflict('This upload failed verification; start a new upload.');

    const inspector = new UploadInspector({
      maxBytes: grant.sizeBytes,
      exactBytes: grant.sizeBytes,
      expectedSha256: grant.sha256,
      param: 'body',
    });
    const inspected = options.body.pipe(inspector);
    options.body.once('error', (error) => inspector.destroy(error));
    await this.options.storage.write({
      key: stagingKeyFor(asset.assetId),
      body: inspected,
      contentType: grant.contentType,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { sha256: inspector.result().sha256 };
  }

  async complete(tenant: string, assetId: string, checksumSha256?: string): Promise<Asset> {
    const given = parseChecksum(checksumSha256, 'checksum_sha256');
    const asset = await this.options.records.findAsset(tenant, assetId);
    if (!asset) throw errors.notFound('Asset', 'asset_id');
    let running = this.finalizing.get(assetId);
    if (!running) {
      running = this.finalize(assetId, given).finally(() => this.finalizing.delete(assetId));
      this.finalizing.set(assetId, running);
    }
    const completed = await running;
    // A caller that joined someone else's finalization still has its own checksum checked.
    if (given && completed.sha256 !== given) {
      throw errors.checksumMismatch('The SHA-256 of the stored bytes does not match checksum_sha256.', 'checksum_sha256');
    }
    return completed;
  }

  /**
   * Marks a pending upload past its expiry `expired` and removes its bytes; false when it was no longer pending or
   * is being completed right now (a live finalization lease).
   */
  async expire(asset: Asset): Promise<boolean> {
    const { records, storage } = this.options;
    const expired = await records.transitionAsset({
      assetId: asset.assetId,
      from: 'pending_upload',
      to: 'expired',
      unlessFinalizingAt: this.now(),
    });
    if (!expired) return false;
    await storage.delete(stagingKeyFor(asset.assetId));
    await storage.delete(asset.storageKey);
    return true;
  }

  /** The outcome of an upload that is no longer pending, as complete() reports it. */
  private settled(asset: Asset): Asset {
    if (asset.status === 'completed') return asset;
    if (asset.status === 'expired') throw errors.uploadExpired();
    throw new AppError(
      (asset.failureCode ?? 'invalid_parameter') as AppError['code'],
      asset.failureMessage ?? 'The upload failed verification.',
    );
  }

  /**
   * One finalizer at a time across every process: a lease on the row. The holder freezes the staged bytes (moves
   * them to the asset's key), verifies what it froze, and settles the status; everyone else waits for the outcome.
   */
  private async finalize(assetId: string, given: string | null): Promise<Asset> {
    const { records } = this.options;
    const deadline = Date.now() + FINALIZE_WAIT_MS;
    for (;;) {
      const asset = await records.findAssetById(assetId);
      if (!asset) throw errors.notFound('Asset', 'asset_id');
      if (asset.status !== 'pending_upload') return this.settled(asset);
      if (asset.expiresAt && asset.expiresAt <= this.now()) {
        await this.expire(asset);
        continue;
      }
      const now = this.now();
      const leased = await records.claimFinalization({ assetId, now, until: new Date(now.getTime() + FINALIZE_LEASE_MS) });
      if (leased) return this.finalizeHolding(asset, given);
      if (Date.now() > deadline) throw errors.conflict('The upload is being completed by another request; retry.');
      await new Promise((resolve) => setTimeout(resolve, FINALIZE_POLL_MS));
    }
  }

  private async finalizeHolding(asset: Asset, given: string | null): Promise<Asset> {
    const { records, storage } = this.options;
    const { assetId } = asset;
    let transitioned = false;
    try {
      // Freeze first, so a PUT that lands while we verify cannot change what gets published. An earlier holder
      // that died after its move left the bytes at the asset's key: verify those.
      const moved = await storage.move({ from: stagingKeyFor(assetId), to: asset.storageKey });
      if (!moved && !(await storage.stat(asset.storageKey))) throw errors.conflict(NOT_UPLOADED_YET);

      const verdict = await this.verify(asset, given);
      const outcome =
        verdict instanceof AppError
          ? { to: 'failed' as const, patch: { failureCode: verdict.code, failureMessage: verdict.message } }
          : { to: 'completed' as const, patch: { sha256: verdict.sha256, completedAt: this.now(), ...verdict.facts } };
      transitioned = await records.transitionAsset({ assetId, from: 'pending_upload', to: outcome.to, patch: outcome.patch });
      const final = await records.findAssetById(assetId);
      // Failed, or expired under us after our lease ran out: the frozen bytes belong to no asset.
      if (!final || final.status !== 'completed') await storage.delete(asset.storageKey);
      // A PUT that raced the freeze is left in staging; it can never become this asset's bytes.
      if (final?.status === 'completed') await storage.delete(stagingKeyFor(assetId));
      if (!final) throw errors.notFound('Asset', 'asset_id');
      // The verdict itself says more (its param) than the failure recorded for later calls.
      if (verdict instanceof AppError && transitioned) throw verdict;
      return this.settled(final);
    } finally {
      if (!transitioned) await records.releaseFinalization(assetId).catch(() => {});
    }
  }

  /** Reads the frozen object once: exact size, type sniffed from its first bytes, SHA-256 against every checksum. */
  private async verify(asset: Asset, given: string | null): Promise<AppError | { sha256: string; facts: MediaFacts }> {
    const stored = await this.options.storage.stat(asset.storageKey);
    // Gone since the freeze (deleted meanwhile): nothing to judge, so no verdict.
    if (!stored) throw errors.conflict(NOT_UPLOADED_YET);
    if (stored.sizeBytes !== asset.sizeBytes) {
      return errors.sizeMismatch(`The uploaded object is ${stored.sizeBytes} bytes; size_bytes was ${asset.sizeBytes}.`);
    }
    const body = await this.options.storage.read({ key: asset.storageKey });
    if (!body) throw errors.conflict(NOT_UPLOADED_YET);
    const inspector = new UploadInspector({
      maxBytes: asset.sizeBytes,
      exactBytes: asset.sizeBytes,
      accept: new Set([asset.mimeType]),
      param: 'content_type',
    });
    try {
      await pipeline(body, inspector, new Writable({ write: (_chunk, _encoding, done) => done() }));
    } catch (error) {
      if (error instanceof AppError && error.code === 'unsupported_media_type') {
        return errors.mediaTypeMismatch(`The uploaded bytes are not ${asset.mimeType}: ${error.message}`, 'content_type');
      }
      if (error instanceof AppError) return error;
      throw error;
    }
    const { sha256, facts } = inspector.result();
    if ([asset.declaredSha256, given].some((expected) => expected && expected !== sha256)) {
      return errors.checksumMismatch('The SHA-256 of the uploaded bytes does not match checksum_sha256.', 'checksum_sha256');
    }
    return { sha256, facts };
  }
}
