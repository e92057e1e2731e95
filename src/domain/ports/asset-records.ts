// Assets and upload batches: the records the asset rules keep, and the port that stores them. The metadata adapters
// (SQLite, PostgreSQL) implement AssetRecords; test/contract/asset-records.case.ts holds each of them to it.
import type { WebhookEvent } from './webhooks.js';

export type AssetStatus = 'pending_upload' | 'completed' | 'failed' | 'expired';

export interface Asset {
  readonly assetId: string;
  readonly tenant: string;
  readonly status: AssetStatus;
  readonly mimeType: string;
  readonly sizeBytes: number;
  readonly sha256: string | null;
  readonly filename: string | null;
  readonly storageKey: string;
  /** The secret path segment of the public url: knowing an asset id does not give its bytes. */
  readonly urlToken: string;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
  /** Direct upload: the checksum promised at initiation (lowercase hex). */
  readonly declaredSha256: string | null;
  /** Direct upload: when the presigned URL stops working and a pending upload may be reaped. */
  readonly expiresAt: Date | null;
  readonly batchId: string | null;
  /** Why a direct upload ended `failed` (an error code and message), so a repeated complete answers the same. */
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  /** Where the bytes tell (images; WAV audio): pixel size and length. */
  readonly width: number | null;
  readonly height: number | null;
  readonly durationSeconds: number | null;
  /**
   * Direct upload on assetd's own signed PUT: what the last accepted PUT stored and learned while its bytes streamed
   * in, so completing needs no second read. Null until such a PUT (and always on stores with their own presigned PUT).
   */
  readonly receipt: UploadReceipt | null;
  /**
   * A multipart (resumable) upload: the store's upload its parts go to, and their size. Absent or null for every
   * other asset.
   */
  readonly multipart?: MultipartState | null;
}

/** Where the parts of a multipart upload go, and how the file is cut into them. */
export interface MultipartState {
  /** The store's id of the upload (S3's UploadId; a directory on local disk). */
  readonly uploadId: string;
  /** Every part but the last is exactly this long; the last holds the rest. */
  readonly partSizeBytes: number;
  /** Every part is sent with its SHA-256 signed into its URL (absent: none is). */
  readonly partChecksums?: boolean;
}

/** The bytes of one accepted PUT: where they wait, and what they are. */
export interface UploadReceipt {
  /** The staging object holding exactly these bytes (one per PUT, so a later PUT never changes them). */
  readonly key: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** The type sniffed from the bytes, or null when they are no type assetd knows. */
  readonly mimeType: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly durationSeconds: number | null;
}

export interface UploadBatch {
  readonly batchId: string;
  readonly tenant: string;
  readonly title: string | null;
  readonly callbackUrl: string | null;
  readonly createdAt: Date;
  /** When completing the batch was first asked for: its pending items are being completed since. */
  readonly completionRequestedAt: Date | null;
}

/** Fields a status transition may set alongside the new status. */
export type AssetPatch = Partial<
  Pick<
    Asset,
    'mimeType' | 'sha256' | 'storageKey' | 'completedAt' | 'failureCode' | 'failureMessage' | 'width' | 'height' | 'durationSeconds'
  >
>;

export interface AssetTransition {
  readonly assetId: string;
  readonly from: AssetStatus;
  readonly to: AssetStatus;
  readonly patch?: AssetPatch;
  /** Only if no finalization lease is live at this instant (the reaper must not expire an upload mid-complete). */
  readonly unlessFinalizingAt?: Date;
  /** Only if this holder still holds the finalization lease (no other finalizer took it over since). */
  readonly finalizedBy?: string;
  /** The event reporting this transition, made from the asset as it now is: recorded in the same transaction. */
  readonly event?: (asset: Asset) => WebhookEvent;
  /**
   * The event reporting that the asset's batch has no pending item left, recorded in the same transaction by the
   * transition that leaves none (once per batch, whichever process makes it).
   */
  readonly batchFinished?: (batch: FinishedBatch) => WebhookEvent;
}

/** A batch whose items have all left pending_upload. */
export interface FinishedBatch {
  readonly batchId: string;
  readonly tenant: string;
  readonly countsByStatus: Readonly<Record<string, number>>;
}

export interface FinalizationLease {
  readonly assetId: string;
  /** Who finalizes: a fresh id per attempt, so a lease taken over is told apart from one's own. */
  readonly holder: string;
  readonly now: Date;
  readonly until: Date;
}

export interface ListAssetsOptions {
  readonly tenant: string;
  readonly limit: number;
  /** Position after which to continue (from a previous page's `next`), newest first. */
  readonly after?: number;
}

export interface AssetPage {
  readonly assets: readonly Asset[];
  /** Position to pass as `after` for the next page, or null on the last page. */
  readonly next: number | null;
}

export interface AssetRecords {
  /** `event`, if given, is recorded in the same transaction. */
  insertAsset(asset: Asset, options?: { event?: WebhookEvent }): Promise<void>;
  findAsset(tenant: string, assetId: string): Promise<Asset | null>;
  /** Any tenant's asset: for the presigned storage endpoint, where the signature (not a key) is the credential. */
  findAssetById(assetId: string): Promise<Asset | null>;
  findAssetByUrlToken(urlToken: string): Promise<Asset | null>;
  /** The tenant's assets among `assetIds`, in no particular order; ids it does not have are left out. */
  findAssets(tenant: string, assetIds: readonly string[]): Promise<Asset[]>;
  listAssets(options: ListAssetsOptions): Promise<AssetPage>;
  /** The tenant's newest completed assets of these types, at most `limit` (the candidates of a search). */
  listRecentCompleted(options: { tenant: string; mimeTypes: readonly string[]; limit: number }): Promise<Asset[]>;
  /**
   * Removes the record and returns it, or null when the tenant has no such asset. `event` is recorded in the same
   * transaction, and `batchFinished` too when the asset was its batch's last pending item.
   */
  deleteAsset(
    tenant: string,
    assetId: string,
    options?: { event?: (asset: Asset) => WebhookEvent; batchFinished?: (batch: FinishedBatch) => WebhookEvent },
  ): Promise<Asset | null>;
  /** Inserts a batch and its assets together: all or none. */
  insertBatch(batch: UploadBatch, assets: readonly Asset[]): Promise<void>;
  findBatch(tenant: string, batchId: string): Promise<UploadBatch | null>;
  /** The tenant's batches among `batchIds`; ids it does not have are left out. */
  findBatches(tenant: string, batchIds: readonly string[]): Promise<UploadBatch[]>;
  /** Records the first request to complete a batch (later ones keep the first time). */
  markBatchCompletionRequested(batchId: string, at: Date): Promise<void>;
  /** A batch's assets in the order they were given. */
  listBatchAssets(tenant: string, batchId: string): Promise<Asset[]>;
  /** Compare-and-set on status: true when this call made the transition, false when the asset was not in `from`. */
  transitionAsset(transition: AssetTransition): Promise<boolean>;
  /**
   * Takes the right to finalize a pending upload for `holder` until `until`; false while another holder (in any
   * process) has a live lease, or when the upload is no longer pending.
   */
  claimFinalization(options: FinalizationLease): Promise<boolean>;
  /** Extends the holder's live lease to `until`; false when it lapsed or another holder took it over. */
  renewFinalization(options: FinalizationLease): Promise<boolean>;
  /** Lets go of the holder's lease (a no-op when it is no longer theirs). */
  releaseFinalization(options: { assetId: string; holder: string }): Promise<void>;
  /** Pending uploads whose URL expired before `now`, oldest first. */
  listExpiredUploads(now: Date, limit: number): Promise<Asset[]>;
  /** Finished uploads (completed, failed, expired) whose URL has lapsed but whose staging key was not swept yet. */
  listLapsedUploads(now: Date, limit: number): Promise<Asset[]>;
  /**
   * Records the receipt of an accepted PUT on a pending upload, if its receipt is still `previous` (compare-and-set:
   * of racing PUTs each is recorded in turn, none lost); false when it changed meanwhile or the upload is not pending.
   */
  recordReceipt(options: { assetId: string; receipt: UploadReceipt; previous: UploadReceipt | null }): Promise<boolean>;
  /** Records that an upload's staging key is swept: its URL can write nothing any more. */
  clearUploadExpiry(assetId: string): Promise<void>;
  /** Which of these storage keys a record (of any tenant) points to. */
  storageKeysInUse(storageKeys: readonly string[]): Promise<Set<string>>;
  /** Which of these asset ids have a record (of any tenant). */
  assetIdsInUse(assetIds: readonly string[]): Promise<Set<string>>;
}
