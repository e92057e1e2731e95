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
  /** Replaces the request and requeues the job, if it is still at `version` (a follow-up message). */
  updateJobRequest(options: { jobId: string; version: number; request: Record<string, unknown>; now: Date }): Promise<boolean>;
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
