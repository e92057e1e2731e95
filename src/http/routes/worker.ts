// The worker API: processing workers claim jobs under a lease, heartbeat, and complete or fail them. Only worker
// keys (ASSETD_WORKER_KEYS) open it, and worker keys open nothing else.
import type { FastifyInstance } from 'fastify';
import { JOB_KINDS, type JobService } from '../../domain/jobs.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import { parseFileInput } from '../../domain/file-inputs.js';
import type { JobKind } from '../../domain/ports/index.js';
import { workerJobJson } from '../job-presenters.js';

const lease = { lease_id: { type: 'string', minLength: 1, maxLength: 64 }, lease_seconds: { type: 'integer', minimum: 5, maximum: 3600 } };
const params = { type: 'object', properties: { job_id: { type: 'string', maxLength: 128 } } };

export async function workerRoutes(app: FastifyInstance, { jobs, urls }: { jobs: JobService; urls: PublicUrls }): Promise<void> {
  const tags = ['worker'];

  app.post<{ Body: { kinds?: JobKind[]; lease_seconds?: number } | undefined }>(
    '/v3/worker/jobs/claim',
    {
      schema: {
        summary: 'Lease the oldest waiting job (of the given kinds); data is null when there is none.',
        tags,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { kinds: { type: 'array', items: { type: 'string', enum: [...JOB_KINDS] } }, lease_seconds: lease.lease_seconds },
        },
      },
    },
    async (request) => {
      const job = await jobs.claim(request.body?.kinds, request.body?.lease_seconds);
      return { data: job ? workerJobJson(await jobs.withAssets(job), urls) : null };
    },
  );

  app.post<{ Params: { job_id: string }; Body: { lease_id: string; lease_seconds?: number } }>(
    '/v3/worker/jobs/:job_id/heartbeat',
    { schema: { summary: 'Extend a lease.', tags, params, body: { type: 'object', required: ['lease_id'], additionalProperties: false, properties: lease } } },
    async (request) => {
      const job = await jobs.heartbeat(request.params.job_id, request.body.lease_id, request.body.lease_seconds);
      return { data: workerJobJson(await jobs.withAssets(job), urls) };
    },
  );

  app.post<{ Params: { job_id: string }; Body: { lease_id: string; output: unknown } }>(
    '/v3/worker/jobs/:job_id/complete',
    {
      schema: {
        summary: "Complete a job with its output file (stored as an asset of the job's tenant).",
        tags,
        params,
        body: {
          type: 'object',
          required: ['lease_id', 'output'],
          additionalProperties: false,
          properties: { lease_id: lease.lease_id, output: { $ref: 'FileInput#' } },
        },
      },
    },
    async (request) => {
      const job = await jobs.complete(request.params.job_id, request.body.lease_id, parseFileInput(request.body.output, 'output'));
      return { data: workerJobJson(await jobs.withAssets(job), urls) };
    },
  );

  app.post<{ Params: { job_id: string }; Body: { lease_id: string; message: string } }>(
    '/v3/worker/jobs/:job_id/fail',
    {
      schema: {
        summary: 'Fail a job with a message for its owner.',
        tags,
        params,
        body: {
          type: 'object',
          required: ['lease_id', 'message'],
          additionalProperties: false,
          properties: { lease_id: lease.lease_id, message: { type: 'string', minLength: 1, maxLength: 2000 } },
        },
      },
    },
    async (request) => {
      const job = await jobs.fail(request.params.job_id, request.body.lease_id, request.body.message);
      return { data: workerJobJson(await jobs.withAssets(job), urls) };
    },
  );
}
