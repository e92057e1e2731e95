// assetd's own presigned PUT, for storage without one (local disk): the URL's signature is the credential. Every
// check that needs no bytes comes first; then the bytes stream to the upload's staging key, counted and hashed on
// the way in. What the PUT leaves there becomes the asset only when `complete` verifies it (upload-finalizer.ts).
import { randomUUID } from 'node:crypto';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CHECKSUM_HEADER, hexToBase64, parseChecksum } from './checksums.js';
import { errors } from './errors.js';
import { stagingKeyFor } from './ids.js';
import { UploadInspector } from './inspect.js';
import type { Asset, AssetRecords, ObjectStorage, UploadReceipt } from './ports/index.js';
import type { SignedQuery, UploadSigner } from './upload-signature.js';

/** How often one PUT tries to record its receipt against racing PUTs of the same upload. */
const RECORD_ATTEMPTS = 20;

export interface ReceiveOptions {
  readonly assetId: string;
  readonly query: Partial<SignedQuery>;
  readonly contentType: string | undefined;
  readonly contentLength: string | undefined;
  readonly checksumHeader: string | undefined;
  readonly body: Readable;
  readonly signal?: AbortSignal;
}

export interface UploadReceiverOptions {
  readonly records: AssetRecords;
  readonly storage: ObjectStorage;
  readonly signer: UploadSigner;
  readonly now?: () => Date;
}

export class SignedUploadReceiver {
  private readonly now: () => Date;

  constructor(private readonly options: UploadReceiverOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The signed PUT: every check that needs no bytes first, then the bytes, counted and hashed on the way in. */
  async receive(options: ReceiveOptions): Promise<{ sha256: string }> {
    const grant = this.options.signer.verify(options.assetId, options.query, Math.floor(this.now().getTime() / 1000));
    // The same code as an expired part URL's; a single upload's URL lives as long as the upload, so: a new one.
    if (grant === 'expired') throw errors.urlExpired('The upload URL has expired; start a new upload.');
    if (typeof grant === 'string') throw errors.forbidden('The upload URL signature is not valid.');
    if (sameValueOnce(options.contentType) !== grant.contentType) {
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
    if (asset.status === 'expired') throw errors.uploadExpired();
    if (asset.status === 'failed') throw errors.conflict('This upload failed verification; start a new upload.');

    const inspector = new UploadInspector({
      maxBytes: grant.sizeBytes,
      exactBytes: grant.sizeBytes,
      // A checksum header the URL did not sign is still a promise about the bytes, and S3 holds a PUT to it too.
      expectedSha256: grant.sha256 ?? parseChecksum(options.checksumHeader, CHECKSUM_HEADER),
      // Learn the type and the facts on the way in, so complete need not read the bytes again; judge them there.
      accept: new Set([grant.contentType]),
      refuse: false,
      param: 'body',
    });
    const inspected = options.body.pipe(inspector);
    options.body.once('error', (error) => inspector.destroy(error));
    if (asset.status === 'completed') return this.repeated(asset, inspected, inspector);
    // Each PUT has its own staging object: a later PUT never changes the bytes an earlier receipt describes.
    const key = `${stagingKeyFor(asset.assetId)}.${randomUUID()}`;
    await this.options.storage.write({
      key,
      body: inspected,
      contentType: grant.contentType,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const { sizeBytes, sha256, media, facts } = inspector.result();
    await this.recordReceipt(asset, { key, sizeBytes, sha256, mimeType: media?.mime ?? null, ...facts });
    return { sha256 };
  }

  /**
   * Makes `receipt` the upload's latest (a compare-and-set, retried against racing PUTs) and removes the bytes it
   * replaces. An upload completed or expired meanwhile keeps what it had: these bytes never become it.
   */
  private async recordReceipt(asset: Asset, receipt: UploadReceipt): Promise<void> {
    const { records, storage } = this.options;
    let current: Asset | null = asset;
    for (let attempt = 0; attempt < RECORD_ATTEMPTS && current?.status === 'pending_upload'; attempt++) {
      if (await records.recordReceipt({ assetId: asset.assetId, receipt, previous: current.receipt })) {
        if (current.receipt && current.receipt.key !== receipt.key) await storage.delete(current.receipt.key);
        return;
      }
      current = await records.findAssetById(asset.assetId);
    }
    await storage.delete(receipt.key);
    if (current?.status === 'pending_upload') throw errors.conflict('Other PUTs to this upload kept racing this one; retry.');
  }

  /**
   * A PUT to an upload already completed, as a client re-running the same upload sends (S3 answers it too): the
   * same bytes are acknowledged, other bytes refused; neither is stored, and the asset does not change.
   */
  private async repeated(asset: Asset, inspected: Readable, inspector: UploadInspector): Promise<{ sha256: string }> {
    await pipeline(inspected, new Writable({ write: (_chunk, _encoding, done) => done() }));
    const { sha256 } = inspector.result();
    if (sha256 !== asset.sha256) {
      throw errors.conflict('This upload is already completed with other bytes; its URL takes no more.');
    }
    return { sha256 };
  }
}

/**
 * A header a client sent twice with the same value arrives joined (`a, a`: the platform's CLI spreads our
 * upload_headers over its own `content-type`); it means that value. Different values stay as they are, and fail.
 */
function sameValueOnce(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes(',')) return value;
  const values = new Set(value.split(',').map((v) => v.trim()));
  return values.size === 1 ? [...values][0] : value;
}
