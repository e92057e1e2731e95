// Jobs: the queue processing workers lease from. Finishing or stopping a job records its event (webhooks.ts) in the
// same transaction, owed to the subscribed endpoints and to the job's callback_url. The metadata adapters implement
// JobQueue; test/contract/job-queue.case.ts holds each of them to it (and webhook-records.case.ts the events).
import type { WebhookEvent } from './webhooks.js';

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
}

/** The event reporting a job's finish, made from the job as it now is: recorded in the same transaction. */
export type JobEventMaker = (job: Job) => WebhookEvent;

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
   * Ends a pending or processing job `failed` with `errorMessage` (the caller stopped it), recording `event` as
   * finishJob does; a lease on it is lost. False when the job was already finished (or does not exist).
   */
  stopJob(options: { jobId: string; now: Date; errorMessage: string; event?: JobEventMaker }): Promise<boolean>;
  /** Removes the tenant's job of that kind (events already recorded about it stay, and are delivered); false when there was none. */
  deleteJob(tenant: string, kind: JobKind, jobId: string): Promise<boolean>;
  /** Leases the oldest pending job (or one whose lease ran out) of the given kinds to one caller, or null. */
  claimJob(options: ClaimJobOptions): Promise<Job | null>;
  /** Extends a live lease; false when the lease is no longer this one's. */
  renewJobLease(update: LeasedJobUpdate & { leaseExpiresAt: Date }): Promise<boolean>;
  /**
   * Ends a leased job; false when the lease is no longer this one's. `event`, when given, is recorded in the same
   * transaction, owed to the tenant's subscribed endpoints and to the job's callback_url.
   */
  finishJob(
    update: LeasedJobUpdate & { status: 'completed' | 'failed'; outputAssetId: string | null; errorMessage: string | null; event?: JobEventMaker },
  ): Promise<boolean>;
}
