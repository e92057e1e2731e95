// Jobs: the work the file-taking endpoints hand to processing workers. Creating resolves the file inputs to assets
// (all or nothing) and queues the job (a video translation: one per output language); owners read, list, rename,
// stop (sessions) and delete their jobs; workers claim jobs under a lease, heartbeat, and complete (with an output
// file, stored as an asset of the job's tenant) or fail them; a lease that runs out puts the job back in the queue.
import { randomBytes } from 'node:crypto';
import { MEDIA_TYPES } from '../media/types.js';
import type { AssetRecords, Job, JobEventMaker, JobKind, JobQueue } from './ports/index.js';
import type { JobEvents, JobWithAssets } from './job-events.js';
import type { AssetService } from './assets.js';
import { decodeKeyCursor, encodeKeyCursor } from './cursor.js';
import { errors } from './errors.js';
import { newRunId, requestsOf, userMessage, type JobPlan } from './job-plans.js';
import { avatarIdOfLook, outcomeMessage, STOPPED_MESSAGE, storedMessagesOf } from './job-views.js';
import { ALL_FORMATS, type FileInput, type FileInputResolver } from './file-inputs.js';

export const JOB_KINDS: readonly JobKind[] = ['video_agent', 'avatar', 'video_translation', 'lipsync'];
/** Ids one statuses call may ask about, of jobs and of batches each. */
export const MAX_STATUS_IDS = 100;
const ID_PREFIX: Readonly<Record<JobKind, string>> = {
  video_agent: 'session',
  avatar: 'avatar',
  video_translation: 'vtr',
  lipsync: 'lipsync',
};
const NOUN: Readonly<Record<JobKind, string>> = {
  video_agent: 'Session',
  avatar: 'Avatar',
  video_translation: 'Video translation',
  lipsync: 'Lipsync',
};
const ALL_KINDS = [...new Set(MEDIA_TYPES.map((t) => t.kind))];
/** How often an update that lost a race on the job's version reads the job again and retries. */
const UPDATE_ATTEMPTS = 5;

export interface JobServiceOptions {
  readonly queue: JobQueue;
  readonly records: AssetRecords;
  readonly assets: AssetService;
  readonly resolver: FileInputResolver;
  /** Makes the event a finish records (owed to subscribed endpoints and the callback_url); null records none. */
  readonly events: JobEvents | null;
  /** Refuses a callback URL that could never be called (scheme, literal private address). */
  readonly checkCallbackUrl: (url: string) => void;
  readonly defaultLeaseSeconds?: number;
  readonly now?: () => Date;
}

export type { JobWithAssets } from './job-events.js';

/** A page of a tenant's jobs of one kind, newest first. */
export interface JobListing {
  readonly jobs: JobWithAssets[];
  readonly nextToken: string | null;
}

/** What a statuses call found: each job id asked (its job, or null), and the batch ids asked. */
export interface JobStatusLookup {
  readonly jobs: ReadonlyArray<{ readonly jobId: string; readonly job: Job | null }>;
  readonly batchIds: readonly string[];
}

/** The asset ids a job's request refers to, in request order. */
export function inputAssetIdsOf(job: Job): string[] {
  return (job.request.input_asset_ids as string[] | undefined) ?? [];
}

export class JobService {
  private readonly now: () => Date;
  readonly defaultLeaseSeconds: number;

  constructor(private readonly options: JobServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.defaultLeaseSeconds = options.defaultLeaseSeconds ?? 300;
  }

  /** Resolves the plan's files (all or nothing) and queues its jobs: one, or one per split value, in that order. */
  async create(tenant: string, plan: JobPlan): Promise<Job[]> {
    if (plan.callbackUrl !== null) this.checkCallback(plan.callbackUrl);
    const assetIds = await this.resolve(tenant, plan);
    const now = this.now();
    const jobs: Job[] = requestsOf(plan, assetIds, now).map((request) => ({
      jobId: `${ID_PREFIX[plan.kind]}_${randomBytes(16).toString('hex')}`,
      tenant,
      kind: plan.kind,
      status: 'pending',
      request,
      outputAssetId: null,
      errorMessage: null,
      callbackUrl: plan.callbackUrl,
      leaseId: null,
      leaseExpiresAt: null,
      attempts: 0,
      version: 0,
      createdAt: now,
      updatedAt: now,
    }));
    const inserted: Job[] = [];
    try {
      for (const job of jobs) {
        await this.options.queue.insertJob(job);
        inserted.push(job);
      }
    } catch (error) {
      await Promise.allSettled(inserted.map((job) => this.options.queue.deleteJob(tenant, job.kind, job.jobId)));
      await this.removeAssets(tenant, plan, assetIds);
      throw error;
    }
    return jobs;
  }

  /**
   * A follow-up message to a chat session: its files are resolved, the outcome of the run before (if finished) is
   * kept in the conversation, and the session goes back to work on a new run.
   */
  async addMessage(tenant: string, sessionId: string, plan: JobPlan): Promise<{ job: Job; runId: string }> {
    const session = await this.get(tenant, 'video_agent', sessionId);
    if (session.request.mode !== 'chat') {
      throw errors.invalidParameter(
        `Session ${sessionId} is not a chat session: follow-up messages go only to sessions created with mode "chat".`,
        'session_id',
      );
    }
    const assetIds = await this.resolve(tenant, plan);
    const runId = newRunId();
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const job = await this.get(tenant, 'video_agent', sessionId);
      const now = this.now();
      const outcome = outcomeMessage(job);
      const request = {
        ...job.request,
        messages: [...storedMessagesOf(job), ...(outcome ? [outcome] : []), userMessage(plan.message!, assetIds, now, runId)],
        // The run before's output is an input of the next (the worker sees it expanded, like the files).
        input_asset_ids: [...inputAssetIdsOf(job), ...(job.outputAssetId ? [job.outputAssetId] : []), ...assetIds],
      };
      if (await this.options.queue.updateJobRequest({ jobId: sessionId, version: job.version, request, now })) {
        return { job: await this.get(tenant, 'video_agent', sessionId), runId };
      }
    }
    await this.removeAssets(tenant, plan, assetIds);
    throw errors.conflict('The session changed while this message was added; retry.');
  }

  async get(tenant: string, kind: JobKind, jobId: string): Promise<Job> {
    const job = await this.options.queue.findJob(tenant, jobId, kind);
    if (!job) throw errors.notFound(NOUN[kind]);
    return job;
  }

  /** An avatar by the id of its look. */
  async getLook(tenant: string, lookId: string): Promise<Job> {
    const avatarId = avatarIdOfLook(lookId);
    const job = avatarId === null ? null : await this.options.queue.findJob(tenant, avatarId, 'avatar');
    if (!job) throw errors.notFound('Look');
    return job;
  }

  async list(tenant: string, kind: JobKind, page: { limit: number; token?: string | undefined }): Promise<JobListing> {
    const after = page.token === undefined ? undefined : decodeKeyCursor(page.token);
    const found = await this.options.queue.listJobs({
      tenant,
      kind,
      limit: page.limit,
      ...(after ? { after: { createdAt: new Date(after.at), jobId: after.id } } : {}),
    });
    const { next } = found;
    return {
      jobs: await this.withAssetsAll(tenant, found.jobs),
      nextToken: next ? encodeKeyCursor({ at: next.createdAt.getTime(), id: next.jobId }) : null,
    };
  }

  /** The jobs asked for by id (null for those the tenant does not have); assetd has no job batches to look in. */
  async statuses(tenant: string, kind: JobKind, ids: { jobIds: readonly string[]; batchIds: readonly string[] }): Promise<JobStatusLookup> {
    const found = new Map((await this.options.queue.findJobs(tenant, kind, [...new Set(ids.jobIds)])).map((j) => [j.jobId, j]));
    return { jobs: ids.jobIds.map((jobId) => ({ jobId, job: found.get(jobId) ?? null })), batchIds: ids.batchIds };
  }

  /**
   * Stops a session: a pending or processing one ends `failed` ("stopped by the caller"), and the worker holding it
   * loses its lease; a finished one is left as it is.
   */
  async stop(tenant: string, sessionId: string): Promise<Job> {
    const job = await this.get(tenant, 'video_agent', sessionId);
    if (job.status !== 'pending' && job.status !== 'processing') return job;
    const event = await this.eventMaker(job, []);
    if (await this.options.queue.stopJob({ jobId: sessionId, now: this.now(), errorMessage: STOPPED_MESSAGE, ...event })) {
      return this.finished(sessionId);
    }
    return this.get(tenant, 'video_agent', sessionId);
  }

  /** Removes the job (events already recorded about it are still delivered); its assets stay the tenant's. */
  async delete(tenant: string, kind: JobKind, jobId: string): Promise<Job> {
    const job = await this.get(tenant, kind, jobId);
    if (!(await this.options.queue.deleteJob(tenant, kind, jobId))) throw errors.notFound(NOUN[kind]);
    return job;
  }

  /** Sets the title, and only that: the job is not redone. */
  async rename(tenant: string, kind: JobKind, jobId: string, title: string): Promise<Job> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const job = await this.get(tenant, kind, jobId);
      const update = { jobId, version: job.version, request: { ...job.request, title }, now: this.now() };
      if (await this.options.queue.amendJobRequest(update)) return this.get(tenant, kind, jobId);
    }
    throw errors.conflict(`The ${NOUN[kind].toLowerCase()} changed while its title was set; retry.`);
  }

  async claim(kinds: readonly JobKind[] | undefined, leaseSeconds = this.defaultLeaseSeconds): Promise<Job | null> {
    const now = this.now();
    return this.options.queue.claimJob({
      kinds: kinds && kinds.length > 0 ? kinds : JOB_KINDS,
      now,
      leaseId: randomBytes(16).toString('hex'),
      leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000),
    });
  }

  async heartbeat(jobId: string, leaseId: string, leaseSeconds = this.defaultLeaseSeconds): Promise<Job> {
    const now = this.now();
    const renewed = await this.options.queue.renewJobLease({
      jobId,
      leaseId,
      now,
      leaseExpiresAt: new Date(now.getTime() + leaseSeconds * 1000),
    });
    if (!renewed) throw this.lostLease();
    return (await this.options.queue.findJobById(jobId))!;
  }

  /** Stores the output as an asset of the job's tenant, then ends the job; a lost lease keeps nothing. */
  async complete(jobId: string, leaseId: string, output: FileInput): Promise<Job> {
    const job = await this.leased(jobId, leaseId);
    const asset = await this.options.resolver.resolve(job.tenant, output, { param: 'output', kinds: ALL_KINDS, formats: ALL_FORMATS });
    const ok = await this.options.queue.finishJob({
      jobId,
      leaseId,
      now: this.now(),
      status: 'completed',
      outputAssetId: asset.assetId,
      errorMessage: null,
      ...(await this.eventMaker(job, [asset.assetId])),
    });
    if (!ok) {
      if (output.type !== 'asset_id') await this.options.assets.delete(job.tenant, asset.assetId);
      throw this.lostLease();
    }
    return this.finished(jobId);
  }

  async fail(jobId: string, leaseId: string, message: string): Promise<Job> {
    const job = await this.leased(jobId, leaseId);
    const ok = await this.options.queue.finishJob({
      jobId,
      leaseId,
      now: this.now(),
      status: 'failed',
      outputAssetId: null,
      errorMessage: message,
      ...(await this.eventMaker(job, [])),
    });
    if (!ok) throw this.lostLease();
    return this.finished(jobId);
  }

  async withAssets(job: Job): Promise<JobWithAssets> {
    return (await this.withAssetsAll(job.tenant, [job]))[0]!;
  }

  /** The tenant's jobs with the assets they name, looked up at once. */
  private async withAssetsAll(tenant: string, jobs: readonly Job[]): Promise<JobWithAssets[]> {
    const ids = jobs.flatMap((job) => [...inputAssetIdsOf(job), ...(job.outputAssetId ? [job.outputAssetId] : [])]);
    const found = ids.length === 0 ? [] : await this.options.records.findAssets(tenant, [...new Set(ids)]);
    const assets = new Map(found.map((a) => [a.assetId, a]));
    return jobs.map((job) => ({ job, assets }));
  }

  private async finished(jobId: string): Promise<Job> {
    this.options.events?.recorded();
    return (await this.options.queue.findJobById(jobId))!;
  }

  /**
   * The `event` option of a finish: the job's assets (its inputs and `more`, the output) are looked up now, so the
   * event can be made inside the finishing transaction from the job as it then is.
   */
  private async eventMaker(job: Job, more: readonly string[]): Promise<{ event?: JobEventMaker }> {
    const events = this.options.events;
    if (!events) return {};
    const ids = [...new Set([...inputAssetIdsOf(job), ...more])];
    const found = ids.length === 0 ? [] : await this.options.records.findAssets(job.tenant, ids);
    const assets = new Map(found.map((a) => [a.assetId, a]));
    return { event: (finished) => events.finished(finished, assets) };
  }

  private async leased(jobId: string, leaseId: string): Promise<Job> {
    const job = await this.options.queue.findJobById(jobId);
    if (!job) throw errors.notFound('Job');
    if (job.status !== 'processing' || job.leaseId !== leaseId || !job.leaseExpiresAt || job.leaseExpiresAt <= this.now()) {
      throw this.lostLease();
    }
    return job;
  }

  private lostLease() {
    return errors.conflict('This lease is no longer held: it expired or the job was handed to another worker.', 'lease_id');
  }

  private checkCallback(url: string): void {
    try {
      this.options.checkCallbackUrl(url);
    } catch (error) {
      throw errors.invalidParameter(`callback_url cannot be called: ${(error as Error).message}.`, 'callback_url');
    }
  }

  private async resolve(tenant: string, plan: JobPlan): Promise<string[]> {
    const assets = await this.options.resolver.resolveAll(tenant, plan.inputs);
    return assets.map((a) => a.assetId);
  }

  private async removeAssets(tenant: string, plan: JobPlan, assetIds: readonly string[]): Promise<void> {
    const created = assetIds.filter((_, i) => plan.inputs[i]?.input.type !== 'asset_id');
    await Promise.allSettled(created.map((id) => this.options.assets.delete(tenant, id)));
  }
}
