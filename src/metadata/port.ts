// The MetadataStore port: asset records (and, as the API grows, uploads, idempotency keys and jobs). Domain code
// sees only this interface; test/contract/metadata.case.ts holds every adapter (SQLite now, PostgreSQL later) to it.

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
}

export interface UploadBatch {
  readonly batchId: string;
  readonly tenant: string;
  readonly title: string | null;
  readonly createdAt: Date;
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
}

export interface IdempotencyKeyRef {
  readonly tenant: string;
  readonly scope: string;
  readonly key: string;
  /** Which request holds the key: a request whose claim was taken over can no longer finish or release it. */
  readonly claimId: string;
}

export interface IdempotencyClaim extends IdempotencyKeyRef {
  readonly fingerprint: string;
  readonly now: Date;
  /** A claim older than this is taken to belong to a process that died. */
  readonly lockUntil: Date;
  readonly expiresAt: Date;
}

export type IdempotencyRecord =
  | { readonly state: 'in_progress'; readonly fingerprint: string }
  | { readonly state: 'done'; readonly fingerprint: string; readonly status: number; readonly body: string };

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly existing: IdempotencyRecord };

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

export type JobKind = 'video_agent' | 'avatar' | 'video_translation' | 'lipsync';
export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface Job {
  readonly jobId: string;
  readonly tenant: string;
  readonly kind: JobKind;
  readonly status: JobStatus;
  /** The validated request, file inputs replaced by asset ids; shape depends on the kind. */
  readonly request: Record<string, unknown>;
  readonly outputAssetId: string | null;
  readonly errorMessage: string | null;
  readonly callbackUrl: string | null;
  readonly leaseId: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly attempts: number;
  /** Bumped by every change, for compare-and-set updates of `request`. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The callback a finished job owes its callback_url: null while unfinished or without one. */
  readonly callback: JobCallback | null;
}

export type CallbackState = 'pending' | 'delivered' | 'failed';

export interface JobCallback {
  readonly state: CallbackState;
  /** Deliveries tried so far. */
  readonly attempts: number;
  /** When the next try is due (pending only). */
  readonly dueAt: Date | null;
  /** The lease of the delivery under way (the token settleCallback() checks), and until when it holds. */
  readonly leaseId: string | null;
  readonly leaseUntil: Date | null;
  readonly lastError: string | null;
}

export interface CallbackOutcome {
  readonly jobId: string;
  /** The lease claimDueCallbacks() took: an outcome from a lease since lost is refused. */
  readonly leaseId: string;
  readonly state: CallbackState;
  /** For `pending`: when to try again. */
  readonly dueAt: Date | null;
  readonly error: string | null;
}

export interface ClaimJobOptions {
  readonly kinds: readonly JobKind[];
  readonly now: Date;
  readonly leaseId: string;
  readonly leaseExpiresAt: Date;
}

export interface LeasedJobUpdate {
  readonly jobId: string;
  readonly leaseId: string;
  readonly now: Date;
}

export interface MetadataStore {
  readonly dialect: 'sqlite' | 'postgres';
  insertAsset(asset: Asset): Promise<void>;
  findAsset(tenant: string, assetId: string): Promise<Asset | null>;
  findAssetByUrlToken(urlToken: string): Promise<Asset | null>;
  listAssets(options: ListAssetsOptions): Promise<AssetPage>;
  /** Removes the record and returns it, or null when the tenant has no such asset. */
  deleteAsset(tenant: string, assetId: string): Promise<Asset | null>;
  /** Inserts a batch and its assets together: all or none. */
  insertBatch(batch: UploadBatch, assets: readonly Asset[]): Promise<void>;
  findBatch(tenant: string, batchId: string): Promise<UploadBatch | null>;
  listBatchAssets(tenant: string, batchId: string): Promise<Asset[]>;
  /** Any tenant's asset: for the presigned storage endpoint, where the signature (not a key) is the credential. */
  findAssetById(assetId: string): Promise<Asset | null>;
  findAssets(tenant: string, assetIds: readonly string[]): Promise<Asset[]>;
  /** Compare-and-set on status: true when this call made the transition, false when the asset was not in `from`. */
  transitionAsset(transition: AssetTransition): Promise<boolean>;
  /**
   * Takes the right to finalize a pending upload until `until`; false while another caller (in any process) holds
   * a live lease, or when the upload is no longer pending.
   */
  claimFinalization(options: { assetId: string; now: Date; until: Date }): Promise<boolean>;
  releaseFinalization(assetId: string): Promise<void>;
  /** Pending uploads whose URL expired before `now`, oldest first. */
  listExpiredUploads(now: Date, limit: number): Promise<Asset[]>;
  /** Finished uploads (completed, failed, expired) whose URL has lapsed but whose staging key was not swept yet. */
  listLapsedUploads(now: Date, limit: number): Promise<Asset[]>;
  /** Records that an upload's staging key is swept: its URL can write nothing any more. */
  clearUploadExpiry(assetId: string): Promise<void>;

  /** Takes an idempotency key for a request: claimed, or what an earlier request with that key left. */
  claimIdempotencyKey(claim: IdempotencyClaim): Promise<ClaimResult>;
  completeIdempotencyKey(key: IdempotencyKeyRef & { status: number; body: string }): Promise<void>;
  /** Forgets a claim whose request produced no replayable answer (a 5xx, a crash), so a retry runs again. */
  releaseIdempotencyKey(key: IdempotencyKeyRef): Promise<void>;
  purgeIdempotencyKeys(now: Date): Promise<number>;

  insertJob(job: Job): Promise<void>;
  findJob(tenant: string, jobId: string, kind: JobKind): Promise<Job | null>;
  findJobById(jobId: string): Promise<Job | null>;
  /** Replaces the request and requeues the job, if it is still at `version` (a follow-up message). */
  updateJobRequest(options: { jobId: string; version: number; request: Record<string, unknown>; now: Date }): Promise<boolean>;
  /** Leases the oldest pending job (or one whose lease ran out) of the given kinds to one caller, or null. */
  claimJob(options: ClaimJobOptions): Promise<Job | null>;
  /** Extends a live lease; false when the lease is no longer this one's. */
  renewJobLease(update: LeasedJobUpdate & { leaseExpiresAt: Date }): Promise<boolean>;
  /** Ends a leased job; false when the lease is no longer this one's. */
  finishJob(update: LeasedJobUpdate & { status: 'completed' | 'failed'; outputAssetId: string | null; errorMessage: string | null }): Promise<boolean>;
  /**
   * Leases up to `limit` pending callbacks due by `now`, and not leased, to `leaseId` until `leaseUntil`: each to
   * one caller in any process, the conditions checked again in the claiming update itself.
   */
  claimDueCallbacks(options: { now: Date; leaseId: string; leaseUntil: Date; limit: number }): Promise<Job[]>;
  /** Records a delivery's outcome and lets go of the lease; false when the lease was no longer this one. */
  settleCallback(outcome: CallbackOutcome): Promise<boolean>;

  /** Throws when the store cannot serve (used by the health check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
