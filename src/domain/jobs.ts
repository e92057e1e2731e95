// Jobs: the work the file-taking endpoints hand to processing workers. Creating one resolves its file inputs to
// assets (all or nothing) and queues it; workers claim jobs under a lease, heartbeat, and complete (with an output
// file, stored as an asset of the job's tenant) or fail them; a lease that runs out puts the job back in the queue.
import { randomBytes } from 'node:crypto';
import { MEDIA_TYPES } from '../media/types.js';
import type { Asset, AssetRecords, Job, JobKind, JobQueue } from './ports/index.js';
import type { AssetService } from './assets.js';
import { errors } from './errors.js';
import type { JobPlan } from './job-plans.js';
import { ALL_FORMATS, type FileInput, type FileInputResolver } from './file-inputs.js';

export const JOB_KINDS: readonly JobKind[] = ['video_agent', 'avatar', 'video_translation', 'lipsync'];
const ID_PREFIX: Readonly<Record<JobKind, string>> = {
  video_agent: 'session',
  avatar: 'avatar',
  video_translation: 'vtr',
  lipsync: 'lipsync',
};
const ALL_KINDS = [...new Set(MEDIA_TYPES.map((t) => t.kind))];

export interface JobServiceOptions {
  readonly queue: JobQueue;
  readonly records: AssetRecords;
  readonly assets: AssetService;
  readonly resolver: FileInputResolver;
  /** Told when a job finishes, so its callback (owed in the same row update) goes out at once. */
  readonly callbacks: { kick(): void } | null;
  /** Refuses a callback URL that could never be called (scheme, literal private address). */
  readonly checkCallbackUrl: (url: string) => void;
  readonly defaultLeaseSeconds?: number;
  readonly now?: () => Date;
}

/** A job and the assets it names (inputs and output), for presenting it. */
export interface JobWithAssets {
  readonly job: Job;
  readonly assets: ReadonlyMap<string, Asset>;
}

export interface JobMessage {
  readonly text: string;
  readonly files: string[];
  readonly created_at: string;
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

  async create(tenant: string, plan: JobPlan, callbackUrl?: string): Promise<Job> {
    if (callbackUrl !== undefined) this.checkCallback(callbackUrl);
    const assetIds = await this.resolve(tenant, plan);
    const now = this.now();
    const job: Job = {
      jobId: `${ID_PREFIX[plan.kind]}_${randomBytes(16).toString('hex')}`,
      tenant,
      kind: plan.kind,
      status: 'pending',
      request: this.buildRequest(plan, assetIds, now),
      outputAssetId: null,
      errorMessage: null,
      callbackUrl: callbackUrl ?? null,
      leaseId: null,
      leaseExpiresAt: null,
      attempts: 0,
      version: 0,
      createdAt: now,
      updatedAt: now,
      callback: null,
    };
    try {
      await this.options.queue.insertJob(job);
    } catch (error) {
      await this.removeAssets(tenant, plan, assetIds);
      throw error;
    }
    return job;
  }

  /** A follow-up message to a video-agent session: its files are resolved, and the session goes back to work. */
  async addMessage(tenant: string, sessionId: string, plan: JobPlan): Promise<Job> {
    await this.get(tenant, 'video_agent', sessionId);
    const assetIds = await this.resolve(tenant, plan);
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = await this.get(tenant, 'video_agent', sessionId);
      const now = this.now();
      const message: JobMessage = { text: plan.fields.text as string, files: assetIds, created_at: now.toISOString() };
      const request = {
        ...job.request,
        messages: [...((job.request.messages as JobMessage[] | undefined) ?? []), message],
        input_asset_ids: [...inputAssetIdsOf(job), ...assetIds],
      };
      if (await this.options.queue.updateJobRequest({ jobId: sessionId, version: job.version, request, now })) {
        return this.get(tenant, 'video_agent', sessionId);
      }
    }
    await this.removeAssets(tenant, plan, assetIds);
    throw errors.conflict('The session changed while this message was added; retry.');
  }

  async get(tenant: string, kind: JobKind, jobId: string): Promise<Job> {
    const job = await this.options.queue.findJob(tenant, jobId, kind);
    if (!job) throw errors.notFound(kind === 'video_agent' ? 'Session' : 'Job');
    return job;
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
    });
    if (!ok) {
      if (output.type !== 'asset_id') await this.options.assets.delete(job.tenant, asset.assetId);
      throw this.lostLease();
    }
    return this.finished(jobId);
  }

  async fail(jobId: string, leaseId: string, message: string): Promise<Job> {
    await this.leased(jobId, leaseId);
    const ok = await this.options.queue.finishJob({
      jobId,
      leaseId,
      now: this.now(),
      status: 'failed',
      outputAssetId: null,
      errorMessage: message,
    });
    if (!ok) throw this.lostLease();
    return this.finished(jobId);
  }

  async withAssets(job: Job): Promise<JobWithAssets> {
    const ids = [...inputAssetIdsOf(job), ...(job.outputAssetId ? [job.outputAssetId] : [])];
    const found = await this.options.records.findAssets(job.tenant, ids);
    return { job, assets: new Map(found.map((a) => [a.assetId, a])) };
  }

  private async finished(jobId: string): Promise<Job> {
    const job = (await this.options.queue.findJobById(jobId))!;
    if (job.callback) this.options.callbacks?.kick();
    return job;
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

  private buildRequest(plan: JobPlan, assetIds: readonly string[], now: Date): Record<string, unknown> {
    if (plan.kind === 'video_agent') {
      const message: JobMessage = { text: plan.fields.text as string, files: [...assetIds], created_at: now.toISOString() };
      return { messages: [message], input_asset_ids: [...assetIds] };
    }
    const request: Record<string, unknown> = Object.fromEntries(Object.entries(plan.fields).filter(([, v]) => v !== undefined));
    plan.inputs.forEach((planned, i) => {
      const id = assetIds[i]!;
      if (planned.index === undefined) request[planned.field] = id;
      else request[planned.field] = [...((request[planned.field] as string[] | undefined) ?? []), id];
    });
    request.input_asset_ids = [...assetIds];
    return request;
  }
}
