// Direct upload routes: initiate (single and batch), complete (single and batch), batch state, and statuses.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { DirectUploadRequest, DirectUploadService } from '../../domain/direct-uploads.js';
import type { PublicUrls } from '../../domain/public-urls.js';
import { MAX_BATCH_FILES, MAX_STATUS_IDS, type UploadBatchService } from '../../domain/upload-batches.js';
import {
  assetStatusesJson,
  completedUploadJson,
  completionRequestedJson,
  directUploadJson,
  initiatedBatchJson,
  uploadBatchJson,
} from '../presenters.js';
import { AssetIdParams } from '../schemas/assets.js';
import { Data, errorResponse, errorResponses } from '../schemas/common.js';
import {
  AssetStatuses,
  BatchParams,
  BatchQuery,
  CompletionRequested,
  CompleteBatchBody,
  CompleteBody,
  CompletedUpload,
  DirectUpload,
  DirectUploadRequest as DirectUploadRequestSchema,
  InitiateBatchBody,
  InitiatedBatch,
  StatusesQuery,
  UploadBatch,
  type DirectUploadRequestJson,
} from '../schemas/direct-uploads.js';
import { RefOf } from '../schemas/helpers.js';

export interface DirectUploadRoutesOptions {
  readonly uploads: DirectUploadService;
  readonly batches: UploadBatchService;
  readonly urls: PublicUrls;
}

const toRequest = (body: DirectUploadRequestJson): DirectUploadRequest => ({
  filename: body.filename,
  contentType: body.content_type,
  mimeType: body.mime_type,
  sizeBytes: body.size_bytes,
  checksumSha256: body.checksum_sha256,
});

/** A comma-separated id list, each id once, in the order given. */
const idsOf = (list: string | undefined): string[] =>
  [...new Set((list ?? '').split(',').map((id) => id.trim()).filter((id) => id !== ''))];

const withConflicts = { ...errorResponses, 409: errorResponse, 410: errorResponse };

export async function directUploadRoutes(fastify: FastifyInstance, options: DirectUploadRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { uploads, batches, urls } = options;

  app.post(
    '/v3/assets/direct-uploads',
    {
      schema: {
        summary: 'Start a direct upload: returns a presigned URL to PUT the bytes to.',
        tags: ['direct upload'],
        body: RefOf(DirectUploadRequestSchema),
        response: { 200: Data(RefOf(DirectUpload)), ...errorResponses },
      },
    },
    async (request) => ({ data: directUploadJson(await uploads.initiate(request.tenant, toRequest(request.body))) }),
  );

  app.post(
    '/v3/assets/:asset_id/complete',
    {
      schema: {
        summary: 'Finish a direct upload: verifies the stored bytes and makes the asset usable. Idempotent.',
        tags: ['direct upload'],
        params: AssetIdParams,
        body: CompleteBody,
        response: { 200: Data(RefOf(CompletedUpload)), ...withConflicts },
      },
    },
    async (request) => {
      const asset = await uploads.complete(request.tenant, request.params.asset_id, request.body?.checksum_sha256);
      return { data: completedUploadJson(asset, urls) };
    },
  );

  app.post(
    '/v3/assets/direct-uploads/batches',
    {
      schema: {
        summary: `Start up to ${MAX_BATCH_FILES} direct uploads at once (all accepted or none).`,
        tags: ['direct upload'],
        body: InitiateBatchBody,
        response: { 200: Data(InitiatedBatch), ...errorResponses },
      },
    },
    async (request) => {
      const { title, callback_url: callbackUrl } = request.body;
      const batch = await batches.initiate(request.tenant, request.body.files.map(toRequest), { title, callbackUrl });
      return { data: initiatedBatchJson(batch) };
    },
  );

  app.post(
    '/v3/assets/complete/batches',
    {
      schema: {
        summary: 'Complete every upload of a batch, in the background (each item on its own); a repeat re-drives it.',
        tags: ['direct upload'],
        body: CompleteBatchBody,
        response: { 202: Data(CompletionRequested), ...errorResponses },
      },
    },
    async (request, reply) => {
      const batch = await batches.requestCompletion(request.tenant, request.body.batch_id);
      return reply.status(202).send({ data: completionRequestedJson(batch) });
    },
  );

  app.get(
    '/v3/assets/batches/:batch_id',
    {
      schema: {
        summary: 'A batch and the state of each of its uploads.',
        tags: ['direct upload'],
        params: BatchParams,
        querystring: BatchQuery,
        response: { 200: Data(RefOf(UploadBatch)), ...errorResponses },
      },
    },
    async (request) => ({ data: uploadBatchJson(await batches.get(request.tenant, request.params.batch_id, request.query), urls) }),
  );

  app.get(
    '/v3/assets/statuses',
    {
      schema: {
        summary: `The status of up to ${MAX_STATUS_IDS} assets and the items of up to ${MAX_STATUS_IDS} batches (not_found for ids the caller does not have).`,
        tags: ['assets'],
        querystring: StatusesQuery,
        response: { 200: AssetStatuses, ...errorResponses },
      },
    },
    async (request) => {
      const assetIds = idsOf(request.query.asset_ids);
      const batchIds = idsOf(request.query.batch_ids);
      return assetStatusesJson(await batches.statuses(request.tenant, { assetIds, batchIds }));
    },
  );
}
