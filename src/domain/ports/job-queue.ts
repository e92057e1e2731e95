// Jobs and the callbacks they owe: the queue processing workers lease from, and the outbox callbacks are delivered
// from. The metadata adapters implement JobQueue; test/contract/job-queue.case.ts holds each of them to it.

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

/** Where a page of a tenant's jobs resumes: after this job, in the newest-first order. */
export interface JobPosition {
  readonly createdAt: Date;
  readonly jobId: string;
}

export interface JobPage {
  readonly jobs: Job[];
  /** The last job of this page when more follow, else null. */
  readonly next: JobPosition | null;
}

export interface RequestUpdate {
  readonly jobId: string;
  /** The version the caller read: the update is refused when the job changed since. */
  readonly version: number;
  readonly request: Record<string, unknown>;
  readonly now: Date;
}

export interface LeasedJobUpdate {
  readonly jobId: string;
  readonly leaseId: string;
  readonly now: Date;
}

export interface JobQueue {
  insertJob(job: Job): Promise<void>;
  /** The tenant's job of that kind, or null: another tenant's job, or one of another kind, is not found. */
  findJob(tenant: string, jobId: string, kind: JobKind): Promise<Job | null>;
  findJobById(jobId: string): Promise<Job | null>;
  /** The tenant's jobs of that kind among `jobIds`, in no particular order; ids it does not have are left out. */
  findJobs(tenant: string, kind: JobKind, jobIds: readonly string[]): Promise<Job[]>;
  /**
   * The tenant's jobs of one kind, newest first (created_at, then job_id, both descending), at most `limit`, starting
   * after `after` when given.
   */
  listJobs(options: { tenant: string; kind: JobKind; limit: number; after?: JobPosition }): Promise<JobPage>;
  /** Replaces the request and requeues the job, if it is still at `version` (a follow-up message). */
  updateJobRequest(update: RequestUpdate): Promise<boolean>;
  /**
   * Replaces the request of a job still at `version` and bumps the version, leaving its status, lease and output as
   * they are (a new title: nothing to redo).
   */
  amendJobRequest(update: RequestUpdate): Promise<boolean>;
  /**
   * Ends a pending or processing job `failed` with `errorMessage` (the caller stopped it), owing its callback as
   * finishJob does; a lease on it is lost. False when the job was already finished (or does not exist).
   */
  stopJob(options: { jobId: string; now: Date; errorMessage: string }): Promise<boolean>;
  /** Removes the tenant's job of that kind, callback owed or not; false when there was none. */
  deleteJob(tenant: string, kind: JobKind, jobId: string): Promise<boolean>;
  /** Leases the oldest pending job (or one whose lease ran out) of the given kinds to one caller, or null. */
  claimJob(options: ClaimJobOptions): Promise<Job | null>;
  /** Extends a live lease; false when the lease is no longer this one's. */
  renewJobLease(update: LeasedJobUpdate & { leaseExpiresAt: Date }): Promise<boolean>;
  /**
   * Ends a leased job, and owes its callback in the same update when it has a callback_url; false when the lease is
   * no longer this one's.
   */
  finishJob(update: LeasedJobUpdate & { status: 'completed' | 'failed'; outputAssetId: string | null; errorMessage: string | null }): Promise<boolean>;
  /**
   * Leases up to `limit` pending callbacks due by `now`, and not leased, to `leaseId` until `leaseUntil`: each to
   * one caller in any process, the conditions checked again in the claiming update itself.
   */
  claimDueCallbacks(options: { now: Date; leaseId: string; leaseUntil: Date; limit: number }): Promise<Job[]>;
  /** Records a delivery's outcome and lets go of the lease; false when the lease was no longer this one. */
  settleCallback(outcome: CallbackOutcome): Promise<boolean>;
}
