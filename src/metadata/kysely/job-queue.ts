// JobQueue over Kysely. Claiming is a compare-and-set on (status, lease), retried a
// few times under contention, so two workers never hold the same job, on SQLite or PostgreSQL alike. Finishing or
// stopping a job records its event (and the delivery its callback_url is owed) in the same transaction. The jobs
// table's callback_* columns are the outbox of earlier releases: migration 0012 moved what they still owed.
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type {
  ClaimJobOptions,
  Job,
  JobEventMaker,
  JobKind,
  JobPage,
  JobPosition,
  JobQueue,
  JobStatus,
  LeasedJobUpdate,
  RequestUpdate,
} from '../../domain/ports/index.js';
import { dateOrNull, num, type Database, type JobsTable } from '../schema.js';
import { recordEvent } from './webhook-records.js';

/** How often one claim looks again after losing a race for a job. */
const CLAIM_ATTEMPTS = 50;

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

  async stopJob({ jobId, now, errorMessage, event }: { jobId: string; now: Date; errorMessage: string; event?: JobEventMaker }): Promise<boolean> {
    // The status is checked in the update itself: a job finished meanwhile stays as its worker left it, and a worker
    // holding this one finds its lease gone (finishJob and renewJobLease need status processing and their lease).
    return this.withEvent(event, (db) =>
      db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'failed',
          output_asset_id: null,
          error_message: errorMessage,
          lease_id: null,
          lease_expires_at: null,
          version: eb('version', '+', 1),
          updated_at: now.getTime(),
        }))
        .where('job_id', '=', jobId)
        .where('status', 'in', ['pending', 'processing'])
        .returningAll()
        .executeTakeFirst(),
    );
  }

  /** Runs a job update that returns the row; with `event`, in a transaction that also records the job's event. */
  private async withEvent(
    event: JobEventMaker | undefined,
    update: (db: Kysely<Database>) => Promise<Selectable<JobsTable> | undefined>,
  ): Promise<boolean> {
    if (!event) return (await update(this.db)) !== undefined;
    return this.db.transaction().execute(async (trx) => {
      const row = await update(trx);
      if (!row) return false;
      const job = toJob(row);
      await recordEvent(trx, { event: event(job), callbackUrl: job.callbackUrl });
      return true;
    });
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
    update: LeasedJobUpdate & { status: 'completed' | 'failed'; outputAssetId: string | null; errorMessage: string | null; event?: JobEventMaker },
  ): Promise<boolean> {
    return this.withEvent(update.event, (db) =>
      db
        .updateTable('jobs')
        .set((eb) => ({
          status: update.status,
          output_asset_id: update.outputAssetId,
          error_message: update.errorMessage,
          lease_id: null,
          lease_expires_at: null,
          version: eb('version', '+', 1),
          updated_at: update.now.getTime(),
        }))
        .where('job_id', '=', update.jobId)
        .where('lease_id', '=', update.leaseId)
        .where('status', '=', 'processing')
        .where('lease_expires_at', '>', update.now.getTime())
        .returningAll()
        .executeTakeFirst(),
    );
  }
}
