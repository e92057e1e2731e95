// The worker API: processing workers claim jobs under a lease, heartbeat, and complete or fail them. Only worker
// keys (ASSETD_WORKER_KEYS) open it, and worker keys open nothing else.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { parseFileInput } from '../../domain/file-inputs.js';
import type { JobService } from '../../domain/jobs.js';
import type { Job } from '../../domain/ports/index.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import { workerJobJson } from '../job-presenters.js';
import { ClaimBody, FailBody, HeartbeatBody, WorkerCompleteBody, WorkerJobParams } from '../schemas/worker.js';

export async function workerRoutes(fastify: FastifyInstance, { jobs, urls }: { jobs: JobService; urls: PublicUrls }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['worker'];
  const present = async (job: Job) => ({ data: workerJobJson(await jobs.withAssets(job), urls) });

  app.post(
    '/v3/worker/jobs/claim',
    {
      schema: {
        summary: 'Lease the oldest waiting job (of the given kinds); data is null when there is none.',
        tags,
        body: ClaimBody,
      },
    },
    async (request) => {
      const job = await jobs.claim(request.body?.kinds, request.body?.lease_seconds);
      return job ? present(job) : { data: null };
    },
  );

  app.post(
    '/v3/worker/jobs/:job_id/heartbeat',
    { schema: { summary: 'Extend a lease.', tags, params: WorkerJobParams, body: HeartbeatBody } },
    async (request) => present(await jobs.heartbeat(request.params.job_id, request.body.lease_id, request.body.lease_seconds)),
  );

  app.post(
    '/v3/worker/jobs/:job_id/complete',
    {
      schema: {
        summary: "Complete a job with its output file (stored as an asset of the job's tenant).",
        tags,
        params: WorkerJobParams,
        body: WorkerCompleteBody,
      },
    },
    async (request) =>
      present(await jobs.complete(request.params.job_id, request.body.lease_id, parseFileInput(request.body.output, 'output'))),
  );

  app.post(
    '/v3/worker/jobs/:job_id/fail',
    { schema: { summary: 'Fail a job with a message for its owner.', tags, params: WorkerJobParams, body: FailBody } },
    async (request) => present(await jobs.fail(request.params.job_id, request.body.lease_id, request.body.message)),
  );
}
