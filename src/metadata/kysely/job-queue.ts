// JobQueue over Kysely. Claiming is a compare-and-set on (status, lease), retried a
// few times under contention, so two workers never hold the same job, on SQLite or PostgreSQL alike. The same
// rows are the callback outbox: finishing a job owes its callback in the same update, and deliverers lease due
// callbacks with a compare-and-set on the callback lease.
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type {
  CallbackOutcome,
  CallbackState,
  ClaimJobOptions,
  Job,
  JobCallback,
  JobKind,
  JobPage,
  JobPosition,
  JobQueue,
  JobStatus,
  LeasedJobUpdate,
  RequestUpdate,
} from '../../domain/ports/index.js';
import { dateOrNull, num, type Database, type JobsTable } from '../schema.js';

/** How often one claim looks again after losing a race for a job. */
const CLAIM_ATTEMPTS = 50;

/** The columns that owe a finished job's callback, set in the update that finishes it. */
const owedCallback = (now: Date) => ({
  callback_state: sql<string | null>`case when callback_url is null then null else 'pending' end`,
  callback_attempts: 0,
  callback_due_at: now.getTime(),
  callback_lease_id: null,
  callback_lease_until: null,
  callback_error: null,
});

function toJob(row: Selectable<JobsTable>): Job {
  return {
    jobId: row.job_id,
    tenant: row.tenant,
    kind: row.kind as JobKind,
    status: row.status as JobStatus,
    request: JSON.parse(row.request) as Record<string, unknown>,
    outputAssetId: row.output_asset_id,
    errorMessage: row.error_message,
    callbackUrl: row.callback_url,
    leaseId: row.lease_id,
    leaseExpiresAt: dateOrNull(row.lease_expires_at),
    attempts: num(row.attempts),
    version: num(row.version),
    createdAt: new Date(num(row.created_at)),
    updatedAt: new Date(num(row.updated_at)),
    callback: toCallback(row),
  };
}

function toCallback(row: Selectable<JobsTable>): JobCallback | null {
  if (row.callback_state === null) return null;
  return {
    state: row.callback_state as CallbackState,
    attempts: num(row.callback_attempts),
    dueAt: dateOrNull(row.callback_due_at),
    leaseId: row.callback_lease_id,
    leaseUntil: dateOrNull(row.callback_lease_until),
    lastError: row.callback_error,
  };
}

export class KyselyJobQueue implements JobQueue {
  constructor(private readonly db: Kysely<Database>) {}

  async insertJob(job: Job): Promise<void> {
    await this.db
      .insertInto('jobs')
      .values({
        job_id: job.jobId,
        tenant: job.tenant,
        kind: job.kind,
        status: job.status,
        request: JSON.stringify(job.request),
        output_asset_id: job.outputAssetId,
        error_message: job.errorMessage,
        callback_url: job.callbackUrl,
        lease_id: job.leaseId,
        lease_expires_at: job.leaseExpiresAt?.getTime() ?? null,
        attempts: job.attempts,
        version: job.version,
        created_at: job.createdAt.getTime(),
        updated_at: job.updatedAt.getTime(),
      })
      .execute();
  }

  async findJob(tenant: string, jobId: string, kind: JobKind): Promise<Job | null> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('job_id', '=', jobId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  async findJobById(jobId: string): Promise<Job | null> {
    const row = await this.db.selectFrom('jobs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
    return row ? toJob(row) : null;
  }

  async findJobs(tenant: string, kind: JobKind, jobIds: readonly string[]): Promise<Job[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('kind', '=', kind)
      .where('job_id', 'in', [...jobIds])
      .execute();
    return rows.map(toJob);
  }

  async listJobs({ tenant, kind, limit, after }: { tenant: string; kind: JobKind; limit: number; after?: JobPosition }): Promise<JobPage> {
    let query = this.db.selectFrom('jobs').selectAll().where('tenant', '=', tenant).where('kind', '=', kind);
    if (after) {
      const at = after.createdAt.getTime();
      query = query.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('job_id', '<', after.jobId)])]),
      );
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('job_id', 'desc').limit(limit + 1).execute();
    const jobs = rows.slice(0, limit).map(toJob);
    const last = jobs[jobs.length - 1];
    return { jobs, next: rows.length > limit && last ? { createdAt: last.createdAt, jobId: last.jobId } : null };
  }

  async amendJobRequest({ jobId, version, request, now }: RequestUpdate): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ request: JSON.stringify(request), version: version + 1, updated_at: now.getTime() })
      .where('job_id', '=', jobId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async stopJob({ jobId, now, errorMessage }: { jobId: string; now: Date; errorMessage: string }): Promise<boolean> {
    // The status is checked in the update itself: a job finished meanwhile stays as its worker left it, and a worker
    // holding this one finds its lease gone (finishJob and renewJobLease need status processing and their lease).
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'failed',
        output_asset_id: null,
        error_message: errorMessage,
        lease_id: null,
        lease_expires_at: null,
        version: eb('version', '+', 1),
        updated_at: now.getTime(),
        ...owedCallback(now),
      }))
      .where('job_id', '=', jobId)
      .where('status', 'in', ['pending', 'processing'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteJob(tenant: string, kind: JobKind, jobId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('jobs')
      .where('tenant', '=', tenant)
      .where('kind', '=', kind)
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async updateJobRequest({ jobId, version, request, now }: RequestUpdate): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({
        request: JSON.stringify(request),
        status: 'pending',
        lease_id: null,
        lease_expires_at: null,
        output_asset_id: null,
        error_message: null,
        callback_state: null,
        callback_attempts: 0,
        callback_due_at: null,
        callback_lease_id: null,
        callback_lease_until: null,
        callback_error: null,
        version: version + 1,
        updated_at: now.getTime(),
      })
      .where('job_id', '=', jobId)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async claimJob({ kinds, now, leaseId, leaseExpiresAt }: ClaimJobOptions): Promise<Job | null> {
    const t = now.getTime();
    const claimable = (eb: ExpressionBuilder<Database, 'jobs'>) =>
      eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'processing'), eb('lease_expires_at', '<=', t)])]);
    // A racer that loses a job looks again: with as many claimers as jobs, everyone still gets one.
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const candidate = await this.db
        .selectFrom('jobs')
        .select(['job_id', 'version'])
        .where('kind', 'in', [...kinds])
        .where(claimable)
        .orderBy('created_at', 'asc')
        .limit(1)
        .executeTakeFirst();
      if (!candidate) return null;
      // The version and the claimable condition are checked again in the update itself: a job claimed, finished
      // or renewed (its lease extended) since the read is not taken.
      const claimed = await this.db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'processing',
          lease_id: leaseId,
          lease_expires_at: leaseExpiresAt.getTime(),
          attempts: eb('attempts', '+', 1),
          version: num(candidate.version) + 1,
          updated_at: t,
        }))
        .where('job_id', '=', candidate.job_id)
        .where('version', '=', num(candidate.version))
        .where(claimable)
        .returningAll()
        .executeTakeFirst();
      if (claimed) return toJob(claimed);
    }
    return null;
  }

  async renewJobLease({ jobId, leaseId, now, leaseExpiresAt }: LeasedJobUpdate & { leaseExpiresAt: Date }): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      // The version moves too, so a claim that read the job before this renewal cannot take it.
      .set((eb) => ({ lease_expires_at: leaseExpiresAt.getTime(), updated_at: now.getTime(), version: eb('version', '+', 1) }))
      .where('job_id', '=', jobId)
      .where('lease_id', '=', leaseId)
      .where('status', '=', 'processing')
      .where('lease_expires_at', '>', now.getTime())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async finishJob(
    update: LeasedJobUpdate & { status: 'completed' | 'failed'; outputAssetId: string | null; errorMessage: string | null },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: update.status,
        output_asset_id: update.outputAssetId,
        error_message: update.errorMessage,
        lease_id: null,
        lease_expires_at: null,
        version: eb('version', '+', 1),
        updated_at: update.now.getTime(),
        ...owedCallback(update.now),
      }))
      .where('job_id', '=', update.jobId)
      .where('lease_id', '=', update.leaseId)
      .where('status', '=', 'processing')
      .where('lease_expires_at', '>', update.now.getTime())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async claimDueCallbacks(options: { now: Date; leaseId: string; leaseUntil: Date; limit: number }): Promise<Job[]> {
    const t = options.now.getTime();
    const due = await this.db
      .selectFrom('jobs')
      .select('job_id')
      .where('callback_state', '=', 'pending')
      .where('callback_due_at', '<=', t)
      .where((eb) => eb.or([eb('callback_lease_until', 'is', null), eb('callback_lease_until', '<=', t)]))
      .orderBy('callback_due_at', 'asc')
      .limit(options.limit)
      .execute();
    const claimed: Job[] = [];
    for (const { job_id: jobId } of due) {
      // The same conditions again, in the update: the row may have been claimed, settled or requeued meanwhile.
      const row = await this.db
        .updateTable('jobs')
        .set({ callback_lease_id: options.leaseId, callback_lease_until: options.leaseUntil.getTime() })
        .where('job_id', '=', jobId)
        .where('callback_state', '=', 'pending')
        .where('callback_due_at', '<=', t)
        .where((eb) => eb.or([eb('callback_lease_until', 'is', null), eb('callback_lease_until', '<=', t)]))
        .returningAll()
        .executeTakeFirst();
      if (row) claimed.push(toJob(row));
    }
    return claimed;
  }

  async settleCallback(outcome: CallbackOutcome): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        callback_state: outcome.state,
        callback_attempts: eb('callback_attempts', '+', 1),
        callback_due_at: outcome.dueAt?.getTime() ?? null,
        callback_lease_id: null,
        callback_lease_until: null,
        callback_error: outcome.error,
      }))
      .where('job_id', '=', outcome.jobId)
      .where('callback_state', '=', 'pending')
      .where('callback_lease_id', '=', outcome.leaseId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
